/**
 * bench/cuda.js --smoke: every part of the CUDA benchmark (GEMM contenders,
 * the dense-res epoch on cuda and on cpu) at toy sizes, writing nothing. It
 * runs where the cuda backend is available: on a GPU, or on the host-only
 * CUDA emulator (`npm run test:cuda-emu`); elsewhere the script must refuse
 * in one line with exit code 2.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isAvailable, unavailableReason } from '../../src/backend';

const root = path.resolve(__dirname, '..', '..');
const readme = path.join(root, 'bench', 'README.md');

test('bench/cuda.js --smoke runs every contender at toy sizes and writes nothing, or refuses without CUDA', (t) => {
  const before = fs.readFileSync(readme, 'utf8');
  const r = spawnSync(process.execPath, ['bench/cuda.js', '--smoke'], { cwd: root, encoding: 'utf8', timeout: 240_000 });
  if (!isAvailable('cuda')) {
    t.is(r.status, 2, r.stderr);
    t.is(r.stderr.trim(), `bench/cuda: the cuda backend is needed: ${unavailableReason('cuda')}`);
    return;
  }
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /^gemm 64²: (cublas [\d.]+ {2})?tiled [\d.]+ {2}cpu [\d.]+ {2}ts [\d.]+ GFLOP\/s$/m);
  t.regex(r.stdout, /^gemm 128²: /m);
  t.regex(r.stdout, /^dense-res epoch 2 on cuda: [\d.]+ s \(1\.00× cuda's\)$/m);
  t.regex(r.stdout, /^dense-res epoch 2 on cpu \(\d+ cores\): [\d.]+ s/m);
  t.regex(r.stdout, /cuda is \*\*[\d.]+×\*\* faster than cpu/);
  t.is(fs.readFileSync(readme, 'utf8'), before, 'bench/README.md is left alone');
});
