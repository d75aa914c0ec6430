#!/usr/bin/env node
// Runs the test suites that exercise the cuda backend once more, on the
// host-only CUDA emulator (native/cuda/emu/README.md): the CUDA addon's own
// kernels, translated for the CPU, take the place of a GPU. Every cuda parity
// suite must then run (GRADNODE_REQUIRE_NATIVE=cpu,cuda), and the experiments'
// commands, whose default backend becomes cuda, run on it too.
//
//   npm run test:cuda-emu [-- <ava arguments>]
//
// Needs the emulator built first (`npm test` builds it when missing or stale;
// `npm run build:cuda-emu` does it by hand). Extra arguments go
// to ava (e.g. a test file to run alone).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const addon = path.join(root, 'build-cuda-emu', 'Release', 'gradnode_cuda.node');
const SUITES = [
  'test/backend/parity', 'test/backend/native_fuzz.test.ts', 'test/backend/cuda_addon.test.ts',
  'test/backend/cuda_backend.test.ts', 'test/backend/selection.test.ts', 'test/cuda.test.ts', 'test/experiments',
  'test/bench',
];

function main(argv) {
  if (!fs.existsSync(addon)) {
    console.error(`test:cuda-emu: ${path.relative(root, addon)} is missing: run \`npm run build:cuda-emu\` first`);
    return 2;
  }
  const ava = path.join(path.dirname(require.resolve('ava', { paths: [root] })), 'cli.mjs');  // ava/entrypoints/
  const result = spawnSync(process.execPath, [ava, ...(argv.length > 0 ? argv : SUITES)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, GRADNODE_CUDA_ADDON: addon, GRADNODE_REQUIRE_NATIVE: 'cpu,cuda' },
  });
  if (result.error) {
    console.error(`test:cuda-emu: ${result.error.message}`);
    return 1;
  }
  return result.status ?? 1;
}

process.exitCode = main(process.argv.slice(2));
