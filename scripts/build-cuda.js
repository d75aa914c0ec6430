#!/usr/bin/env node
// Builds the CUDA addon (build-cuda/Release/gradnode_cuda.node) and its
// standalone driver (build-cuda/Release/gradnode_cuda_driver) with cmake-js
// from CMakeLists.txt.
//
// Without nvcc (on PATH, $CUDACXX or /usr/local/cuda/bin) it prints one line
// and exits 0: the package works without CUDA. A failed build is reported in
// one line (full log in build-cuda/cuda-build.log) and exits 0, unless
// --strict is given (setup.sh and `npm run build:cuda` use it, so CI fails on
// a broken CUDA build). GRADNODE_NO_ADDON=1 skips the build; GRADNODE_NVCC
// names the nvcc to use, or `none` to build as if there were none.
//
// cmake-js reads package.json's "binary": {"napi_versions": [8]} and takes the
// Node-API headers from the node-api-headers package: nothing is downloaded.
// The output is in build-cuda/ because node-gyp's rebuild of the cpu addon
// deletes build/.
//
// --emulator builds the same sources for the host-only CUDA emulator instead
// (native/cuda/emu/README.md): g++ alone, no nvcc needed, into
// build-cuda-emu/Release/gradnode_cuda.node (`npm run build:cuda-emu`).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const strict = process.argv.includes('--strict');
const emulator = process.argv.includes('--emulator');
const what = emulator ? 'cuda emulator addon' : 'cuda addon';
const outDir = path.join(root, emulator ? 'build-cuda-emu' : 'build-cuda');
const logFile = path.join(outDir, 'cuda-build.log');

function findNvcc() {
  const forced = process.env.GRADNODE_NVCC;
  if (forced === 'none') return undefined;
  const candidates = [];
  if (process.env.CUDACXX) candidates.push(process.env.CUDACXX);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir) candidates.push(path.join(dir, 'nvcc'));
  }
  if (process.env.CUDA_HOME) candidates.push(path.join(process.env.CUDA_HOME, 'bin', 'nvcc'));
  candidates.push('/usr/local/cuda/bin/nvcc');
  return (forced ? [forced] : candidates).find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

function findCmakeJs() {
  try {
    return path.join(path.dirname(require.resolve('cmake-js/package.json', { paths: [root] })), 'bin', 'cmake-js');
  } catch {
    return undefined;
  }
}

function main() {
  if (process.env.GRADNODE_NO_ADDON === '1') {
    console.log(`${what}: skipped (GRADNODE_NO_ADDON=1)`);
    return 0;
  }
  const nvcc = emulator ? undefined : findNvcc();
  if (!nvcc && !emulator) {
    console.log('cuda addon: skipped, nvcc not found');
    return 0;
  }
  const cmakeJs = findCmakeJs();
  if (!cmakeJs) return fail('cmake-js is not installed (it is a devDependency: run `npm ci`)');
  const started = Date.now();
  const jobs = String(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
  const args = [cmakeJs, 'build', '--out', outDir, '--parallel', jobs, '--log-level', 'warn'];
  if (emulator) args.push('--CDGRADNODE_CUDA_EMULATOR=ON');
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: emulator ? process.env : { ...process.env, CUDACXX: nvcc },
  });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(logFile, `${result.stdout ?? ''}\n${result.stderr ?? ''}${result.error ? `\n${result.error.message}` : ''}`);
  const addon = path.join(outDir, 'Release', 'gradnode_cuda.node');
  if (result.status !== 0 || !fs.existsSync(addon)) {
    const lines = `${result.stdout ?? ''}\n${result.stderr ?? ''}`.split('\n');
    const firstError = lines.find((l) => /error/i.test(l) && !/ERR! OMG/.test(l)) ??
      (result.error ? result.error.message : `cmake-js exited with ${result.status}`);
    return fail(firstError.trim());
  }
  console.log(`${what}: built in ${((Date.now() - started) / 1000).toFixed(1)} s with ${nvcc ?? 'the host compiler'} ` +
    `(${path.relative(root, addon)})`);
  return 0;
}

function fail(reason) {
  console.log(`${what}: not built: ${reason} (full log: ${path.relative(process.cwd(), logFile)})`);
  return strict ? 1 : 0;
}

process.exitCode = main();
