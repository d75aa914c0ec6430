#!/usr/bin/env node
// Builds the native CPU addon (build/Release/gradnode_cpu.node) with node-gyp.
//
// Runs as the package's install script. A failed build is reported in one
// line and leaves a working package that uses the pure-TS backend, unless
// --strict is given (setup.sh and `npm run build:addon` use it, so a broken
// build on a machine that should have OpenBLAS is noticed).
// GRADNODE_NO_ADDON=1 skips the build altogether.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const strict = process.argv.includes('--strict');
const logFile = path.join(root, 'build', 'addon-build.log');

function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  try { candidates.push(require.resolve('node-gyp/bin/node-gyp.js')); } catch { /* not a dependency */ }
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  candidates.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((file) => fs.existsSync(file));
}

function main() {
  if (process.env.GRADNODE_NO_ADDON === '1') {
    console.log('gradnode: native addon skipped (GRADNODE_NO_ADDON=1); the pure-TS backend will be used.');
    return 0;
  }
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) {
    return fail('node-gyp was not found (it ships with npm)');
  }
  const started = Date.now();
  // Build against the running Node's own headers: nothing is downloaded (machines here have no internet).
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const nodedir = fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--jobs', 'max', ...nodedir], {
    cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
  });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.writeFileSync(logFile, `${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  if (result.status !== 0) {
    const lines = `${result.stdout}\n${result.stderr}`.split('\n');
    const firstError = lines.find((l) => /error|fatal/i.test(l) && !/gyp ERR! (stack|System|command|cwd|node -v|node-gyp -v|not ok)/.test(l));
    return fail((firstError ?? `node-gyp exited with ${result.status}`).trim());
  }
  console.log(`gradnode: native CPU addon built in ${((Date.now() - started) / 1000).toFixed(1)} s (build/Release/gradnode_cpu.node).`);
  return 0;
}

function fail(reason) {
  console.log(`gradnode: native addon not built: ${reason} (full log: ${path.relative(process.cwd(), logFile)}). ` +
    'The pure-TS backend will be used; install libopenblas-dev and run `npm run build:addon`.');
  return strict ? 1 : 0;
}

process.exitCode = main();
