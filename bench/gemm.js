#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * GEMM throughput: the native addon (cpu backend) against OpenBLAS called
 * directly from C (the ceiling) and the pure-TS backend, float32, on square
 * sizes and the dense-res shapes. Contenders run interleaved, round by round.
 *
 *   node bench/gemm.js [--rounds 7] [--quick] [--no-readme]
 *
 * Needs the build (`npm run build`) and a C compiler with OpenBLAS headers.
 */
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { backend, isAvailable, unavailableReason } = require('../dist');
const { median, min, timeCalls, interleave, markdownTable, updateReadmeSection, writeResult } = require('./lib/stats');

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 7;
const quick = args.includes('--quick');

if (!isAvailable('cpu')) {
  console.error(`bench/gemm: the cpu backend is needed: ${unavailableReason('cpu')}`);
  process.exit(2);
}
const cpu = backend('cpu');
const ts = backend('ts');

/** Builds the C ceiling program once. */
function buildCeiling() {
  const dir = path.join(__dirname, '.build');
  const exe = path.join(dir, 'gemm_ceiling');
  const src = path.join(__dirname, 'ceiling', 'gemm_ceiling.c');
  fs.mkdirSync(dir, { recursive: true });
  if (!fs.existsSync(exe) || fs.statSync(exe).mtimeMs < fs.statSync(src).mtimeMs) {
    execFileSync('cc', ['-O2', src, '-o', exe, '-I/usr/include/x86_64-linux-gnu', '-lopenblas'], { stdio: 'inherit' });
  }
  return exe;
}

/**
 * @typedef {{ label: string, m: number, n: number, k: number, transA: boolean, transB: boolean, withTs: boolean }} Case
 * @type {Case[]}
 */
const cases = [];
for (const s of quick ? [128, 256, 512] : [128, 256, 512, 1024, 2048]) {
  cases.push({ label: `${s}²`, m: s, n: s, k: s, transA: false, transB: false, withTs: s <= 512 });
}
// Dense-res: Z = [C,1] W with C of width d, d+h, d+2h (d = 784, h = 256), and the two backward products.
for (const k of quick ? [785] : [785, 1041, 1297]) {
  cases.push({ label: `fwd 128×${k}·${k}×256`, m: 128, n: 256, k, transA: false, transB: false, withTs: k === 785 });
  cases.push({ label: `dW ${k}×128ᵀ·128×256`, m: k, n: 256, k: 128, transA: true, transB: false, withTs: false });
  cases.push({ label: `dC 128×256·(${k}×256)ᵀ`, m: 128, n: k, k: 256, transA: false, transB: true, withTs: false });
}

const exe = buildCeiling();
const results = [];
for (const c of cases) {
  const flops = 2 * c.m * c.n * c.k;
  const a = new Float32Array(c.m * c.k).map((_, i) => (i % 7) - 3);
  const b = new Float32Array(c.k * c.n).map((_, i) => (i % 5) - 2);
  const out = new Float32Array(c.m * c.n);
  const lda = c.transA ? c.m : c.k;
  const ldb = c.transB ? c.k : c.n;
  const call = (/** @type {import('../dist').Backend} */ be) => () =>
    be.gemm(c.transA, c.transB, c.m, c.n, c.k, 1, a, lda, b, ldb, 0, out, c.n);
  const nativeCall = call(cpu);
  const reps = Math.max(1, Math.ceil(0.15 / timeCalls(nativeCall, 0.05)));
  /** @type {Record<string, () => number>} */
  const contenders = {
    native: () => timeCalls(nativeCall),
    ceiling: () => {
      const r = spawnSync(exe, ['s', c.m, c.n, c.k, c.transA ? 1 : 0, c.transB ? 1 : 0, reps].map(String), { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`gemm_ceiling failed: ${r.stderr}`);
      return Number(r.stdout);
    },
  };
  const samples = interleave(contenders, rounds);
  // The TS backend is far slower and only informational: timed after the pair, so it does not thin their rounds.
  if (c.withTs) samples.ts = interleave({ ts: () => timeCalls(call(ts), 0.3) }, 3).ts;
  const gflops = (/** @type {number} */ s) => flops / s / 1e9;
  const row = {
    case: c.label, m: c.m, n: c.n, k: c.k, transA: c.transA, transB: c.transB,
    nativeMedian: gflops(median(samples.native)), nativeBest: gflops(min(samples.native)),
    ceilingMedian: gflops(median(samples.ceiling)), ceilingBest: gflops(min(samples.ceiling)),
    tsMedian: samples.ts ? gflops(median(samples.ts)) : null,
    samples,
  };
  results.push(row);
  console.log(`${c.label.padEnd(24)} native ${row.nativeMedian.toFixed(1).padStart(6)}  ceiling ${row.ceilingMedian.toFixed(1).padStart(6)}  ratio ${(row.nativeMedian / row.ceilingMedian).toFixed(3)}` +
    (row.tsMedian ? `  ts ${row.tsMedian.toFixed(2)}` : ''));
}

const f1 = (/** @type {number} */ x) => x.toFixed(1);
const table = markdownTable(
  ['shape (float32)', 'native GFLOP/s median (best)', 'ceiling GFLOP/s median (best)', 'native/ceiling median', 'native/ceiling best', 'ts GFLOP/s'],
  results.map((r) => [r.case, `${f1(r.nativeMedian)} (${f1(r.nativeBest)})`, `${f1(r.ceilingMedian)} (${f1(r.ceilingBest)})`,
    (r.nativeMedian / r.ceilingMedian).toFixed(3), (r.nativeBest / r.ceilingBest).toFixed(3), r.tsMedian ? r.tsMedian.toFixed(2) : '–']),
);
const header = `Command: \`node bench/gemm.js${quick ? ' --quick' : ''} --rounds ${rounds}\` on ${os.cpus().length} × ${os.cpus()[0].model.trim()}, ` +
  `${new Date().toISOString().slice(0, 10)}, ${/** @type {any} */ (cpu).info().blasConfig.split(' ').slice(0, 2).join(' ')} with ${/** @type {any} */ (cpu).info().blasThreads} threads. ` +
  'Median and best of the interleaved rounds (native, ceiling in turn); ts: median of 3 rounds after them.';
console.log(`\n${table}`);
writeResult('gemm', { date: new Date().toISOString(), rounds, results });
if (!args.includes('--no-readme')) updateReadmeSection('gemm', `## GEMM\n\n${header}\n\n${table}`);
