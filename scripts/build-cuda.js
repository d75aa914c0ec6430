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
//
// --if-driver (setup.sh): build only where a CUDA driver is present
// (nvidia-smi answers, or ldconfig knows libcuda.so.1): nvcc alone, with no
// GPU to run on, is not a reason to spend a minute and a half compiling.
// --if-needed (the test command, for the emulator): build only when the addon
// is missing or older than a source it is built from (native/cuda,
// native/common, CMakeLists.txt), so the first test run builds it and later
// ones reuse it.
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

/** Why a CUDA driver is present, or undefined: nvidia-smi runs, or the loader knows libcuda.so.1. */
function cudaDriver() {
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 20000 });
  if (smi.status === 0) return 'nvidia-smi answers';
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8' });
  if (ldconfig.status === 0 && /\blibcuda\.so\.1\b/.test(ldconfig.stdout)) return 'libcuda.so.1 is installed';
  return undefined;
}

/** The newest modification time (ms) of the files the CUDA addons are built from. */
function newestSource() {
  let newest = 0;
  const visit = (file) => {
    const st = fs.statSync(file);
    if (st.isDirectory()) for (const entry of fs.readdirSync(file)) visit(path.join(file, entry));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const source of ['native/cuda', 'native/common', 'CMakeLists.txt']) visit(path.join(root, source));
  return newest;
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
  if (!emulator && process.argv.includes('--if-driver') && !cudaDriver()) {
    console.log('cuda addon: skipped, no CUDA driver here (no nvidia-smi, no libcuda.so.1); `npm run build:cuda` builds it anyway');
    return 0;
  }
  const built = path.join(outDir, 'Release', 'gradnode_cuda.node');
  if (process.argv.includes('--if-needed') && fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource()) return 0;
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
  const addon = built;
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
