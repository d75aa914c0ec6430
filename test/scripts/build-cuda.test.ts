/**
 * scripts/build-cuda.js as set-up and the test command call it: --if-driver
 * skips the CUDA addon where nvcc is present but no CUDA driver is, and
 * --emulator --if-needed reuses an emulator build newer than its sources.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const script = path.join(root, 'scripts', 'build-cuda.js');
const run = (args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });

const hasDriver = spawnSync('nvidia-smi', ['-L']).status === 0
  || /\blibcuda\.so\.1\b/.test(spawnSync('ldconfig', ['-p'], { encoding: 'utf8' }).stdout ?? '');

test('--if-driver: nvcc without a CUDA driver builds nothing and says so in one line', (t) => {
  if (hasDriver) {
    t.log('skipped: this machine has a CUDA driver, so --if-driver builds');
    t.pass();
    return;
  }
  // A stand-in nvcc (any executable file): the driver check comes first, so it never runs.
  const fakeNvcc = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-nvcc-')), 'nvcc');
  fs.writeFileSync(fakeNvcc, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  const started = Date.now();
  const r = run(['--strict', '--if-driver'], { GRADNODE_NVCC: fakeNvcc });
  t.is(r.status, 0);
  t.is(r.stdout.trim().split('\n').length, 1);
  t.regex(r.stdout, /^cuda addon: skipped, no CUDA driver here/);
  t.true(Date.now() - started < 20000);
});

test('--emulator --if-needed: an emulator build newer than every source is reused without building', (t) => {
  const addon = path.join(root, 'build-cuda-emu', 'Release', 'gradnode_cuda.node');
  if (!fs.existsSync(addon)) {
    t.log('skipped: the emulator is not built here (npm test builds it before this suite)');
    t.pass();
    return;
  }
  const now = new Date();
  fs.utimesSync(addon, now, now); // newer than any source
  const r = run(['--emulator', '--if-needed'], {});
  t.is(r.status, 0);
  t.is(r.stdout.trim(), '', 'nothing built, nothing printed');
});
