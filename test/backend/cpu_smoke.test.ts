/**
 * Hand-computed results through createCpuBackend, one or more per Backend
 * method, so the wrapper's argument order (and the enum → index mapping) is
 * proven. The native-vs-TS parity suite lives elsewhere.
 */
import type { ExecutionContext } from 'ava';
import { cpuAddonTest } from '../helpers/backends';

import type { Backend, FloatArray } from '../../src/backend/backend';

function withBackend(title: string, body: (t: ExecutionContext, value: Backend) => void): void {
  cpuAddonTest(title, (t, load) => body(t, load.backend));
}

function close(t: ExecutionContext, got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-6): void {
  t.is(got.length, want.length, 'length');
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) {
      t.fail(`[${i}]: got ${got[i]}, want ${want[i]} (got ${Array.from(got)}, want ${Array.from(want)})`);
      return;
    }
  }
  t.pass();
}

const f32 = (...v: number[]) => new Float32Array(v);
const f64 = (...v: number[]) => new Float64Array(v);

cpuAddonTest('info reports OpenBLAS', (t, load) => {
  t.true(load.info.blasConfig.includes('OpenBLAS'), load.info.blasConfig);
  t.true(load.info.blasThreads >= 1);
  t.true(load.info.napiVersion >= 8);
  t.deepEqual(load.backend.name, 'cpu');
});

withBackend('gemm 2×3 · 3×2 with and without transposes, beta = 0 overwrites NaN', (t, cpu) => {
  // A = [[1,2,3],[4,5,6]], B = [[7,8],[9,10],[11,12]] → A·B = [[58,64],[139,154]]
  const A = f32(1, 2, 3, 4, 5, 6);
  const At = f32(1, 4, 2, 5, 3, 6);             // 3×2, A transposed
  const B = f32(7, 8, 9, 10, 11, 12);
  const Bt = f32(7, 9, 11, 8, 10, 12);          // 2×3, B transposed
  const want = [58, 64, 139, 154];
  for (const [ta, tb, a, lda, b, ldb] of [
    [false, false, A, 3, B, 2], [true, false, At, 2, B, 2],
    [false, true, A, 3, Bt, 3], [true, true, At, 2, Bt, 3],
  ] as const) {
    const c = f32(NaN, NaN, NaN, NaN);
    cpu.gemm(ta, tb, 2, 2, 3, 1, a, lda, b, ldb, 0, c, 2);
    close(t, c, want);
  }
  // alpha = 2, beta = 1 accumulates; ldc = 3 leaves the padding column alone.
  const c = f64(1, 1, -5, 1, 1, -5);
  cpu.gemm(false, false, 2, 2, 3, 2, f64(1, 2, 3, 4, 5, 6), 3, f64(7, 8, 9, 10, 11, 12), 2, 1, c, 3);
  close(t, c, [117, 129, -5, 279, 309, -5]);
  // k = 0 with beta = 0 zeroes C.
  const z = f32(NaN, 3);
  cpu.gemm(false, false, 1, 2, 0, 1, f32(), 0, f32(), 2, 0, z, 2);
  close(t, z, [0, 0]);
});

withBackend('biasActivationForward/Backward', (t, cpu) => {
  const x = f32(-1, 0.5, 2, -3);
  const out = new Float32Array(4);
  cpu.biasActivationForward('relu', 2, 2, x, f32(0.5, -1), out);
  close(t, out, [0, 0, 2.5, 0]);
  cpu.biasActivationForward('tanh', 1, 2, f32(0, 1), null, out.subarray(0, 2));
  close(t, out.subarray(0, 2), [0, Math.tanh(1)]);
  const dX = new Float32Array(4);
  const dBias = f32(NaN, NaN);
  cpu.biasActivationBackward('relu', 2, 2, f32(1, 2, 3, 4), f32(0, 1, 2, -1), dX, dBias);
  close(t, dX, [0, 2, 3, 0]);
  close(t, dBias, [3, 2]);
  cpu.biasActivationBackward('tanh', 1, 2, f64(1, 2), f64(0.5, 0), new Float64Array(2), null);
  t.pass();
});

withBackend('layerNormForward of one row, with residual and relu', (t, cpu) => {
  // z = [1,2,3,4]: mean 2.5, biased var 1.25, rstd = 1/sqrt(1.25).
  const r = 1 / Math.sqrt(1.25);
  const out = new Float64Array(4);
  const mean = new Float64Array(1);
  const rstd = new Float64Array(1);
  cpu.layerNormForward(1, 4, f64(0, 1, 2, 3), f64(1, 1, 1, 1), f64(2, 2, 2, 2), f64(1, 1, 1, 1), 0, 'identity',
    out, mean, rstd);
  close(t, mean, [2.5]);
  close(t, rstd, [r]);
  close(t, out, [1 - 3 * r, 1 - r, 1 + r, 1 + 3 * r]);
  cpu.layerNormForward(1, 4, f64(1, 2, 3, 4), null, f64(1, 1, 1, 1), f64(0, 0, 0, 0), 0, 'relu', out, mean, rstd);
  close(t, out, [0, 0, 0.5 * r, 1.5 * r]);

  // Backward with identity, gamma = 1, dOut = [1,0,0,0]: dX = rstd (e0 - 1/4 - zhat zhat0 / 4).
  const zhat = [-1.5 * r, -0.5 * r, 0.5 * r, 1.5 * r];
  const dX = new Float64Array(4);
  const dGamma = f64(NaN, NaN, NaN, NaN);
  const dBeta = f64(NaN, NaN, NaN, NaN);
  cpu.layerNormBackward(1, 4, f64(1, 0, 0, 0), f64(1, 2, 3, 4), null, f64(2.5), f64(r), f64(1, 1, 1, 1),
    'identity', null, dX, dGamma, dBeta);
  close(t, dX, zhat.map((z, j) => r * ((j === 0 ? 1 : 0) - 0.25 - (z * zhat[0]) / 4)));
  close(t, dGamma, [zhat[0], 0, 0, 0]);
  close(t, dBeta, [1, 0, 0, 0]);
});

withBackend('logSoftmaxNllForward/Backward of hand-made rows', (t, cpu) => {
  // Row 0: exp = [1,2,3], Σ = 6 → logProbs = [-ln 6, -ln 3, -ln 2], label 2 → ln 2.
  // Row 1: all equal → -ln 3 each, label 0 → ln 3, argmax = first index 0.
  const logits = f64(0, Math.log(2), Math.log(3), 5, 5, 5);
  const labels = new Int32Array([2, 0]);
  const logProbs = new Float64Array(6);
  const argmax = new Int32Array(2);
  const loss = cpu.logSoftmaxNllForward(2, 3, logits, labels, logProbs, argmax);
  close(t, logProbs, [-Math.log(6), -Math.log(3), -Math.log(2), -Math.log(3), -Math.log(3), -Math.log(3)]);
  t.deepEqual(Array.from(argmax), [2, 0]);
  t.true(Math.abs(loss - (Math.log(2) + Math.log(3)) / 2) < 1e-12, String(loss));
  // Stable for ±1000 logits.
  const big = new Float32Array(2);
  const l2 = cpu.logSoftmaxNllForward(1, 2, f32(1000, -1000), new Int32Array([0]), big, null);
  t.true(Number.isFinite(l2) && Math.abs(l2) < 1e-6);

  const dLogits = new Float64Array(6);
  cpu.logSoftmaxNllBackward(2, 3, logProbs, labels, 4, dLogits);
  close(t, dLogits, [2 / 6, 2 / 3, 2 * (0.5 - 1), 2 * (1 / 3 - 1), 2 / 3, 2 / 3]);
});

withBackend('im2col and col2im of a 1×1×3×3 image, 2×2 kernel, pad 1, stride 2', (t, cpu) => {
  const g = { batch: 1, channels: 1, height: 3, width: 3, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 1, padW: 1 };
  // outH = outW = floor((3 + 2 - 2) / 2) + 1 = 2; image rows [1,2,3],[4,5,6],[7,8,9].
  const image = f32(1, 2, 3, 4, 5, 6, 7, 8, 9);
  const cols = new Float32Array(4 * 4);
  cpu.im2col(g, image, cols);
  // Output (oy, ox) reads pixel (2oy - 1 + ky, 2ox - 1 + kx).
  close(t, cols, [0, 0, 0, 5, 0, 0, 4, 6, 0, 2, 0, 8, 1, 3, 7, 9]);
  const back = f32(NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN, NaN);
  cpu.col2im(g, cols, back);
  close(t, back, [1, 2, 3, 4, 5, 6, 7, 8, 9]); // stride 2 with a 2×2 kernel: each pixel read once
  const ones = new Float32Array(16).fill(1);
  const g1 = { ...g, strideH: 1, strideW: 1, padH: 0, padW: 0 };  // 2×2 outputs, overlapping windows
  cpu.col2im(g1, ones, back);
  close(t, back, [1, 2, 1, 2, 4, 2, 1, 2, 1]);
});

withBackend('binary with broadcast, unary, scale, axpy, copyStrided', (t, cpu) => {
  const out = new Float32Array(6);
  // [[1,2,3],[4,5,6]] - row [10,20,30]
  cpu.binary('sub', [2, 3], f32(1, 2, 3, 4, 5, 6), [3, 1], f32(10, 20, 30), [0, 1], out);
  close(t, out, [-9, -18, -27, -6, -15, -24]);
  // column [2,3] ** [[1,2,3],[1,2,3]]
  cpu.binary('pow', [2, 3], f32(2, 3), [1, 0], f32(1, 2, 3), [0, 1], out);
  close(t, out, [2, 4, 8, 3, 9, 27]);
  const s = new Float64Array(1);
  cpu.binary('max', [], f64(NaN), [], f64(1), [], s);
  t.true(Number.isNaN(s[0]));
  const u = new Float64Array(4);
  cpu.unary('sign', f64(-2, 0, 3, NaN), u);
  t.deepEqual(Array.from(u), [-1, 0, 1, NaN]);
  cpu.unary('reluMask', f64(-2, 0, 3, 1e-9), u);
  t.deepEqual(Array.from(u), [0, 0, 1, 1]);
  cpu.scale(0.5, f64(2, 4, 6, 8), u);
  t.deepEqual(Array.from(u), [1, 2, 3, 4]);
  cpu.axpy(2, f64(1, 1, 1, 1), u);
  t.deepEqual(Array.from(u), [3, 4, 5, 6]);
  // transpose of [[1,2,3],[4,5,6]]
  cpu.copyStrided([3, 2], f32(1, 2, 3, 4, 5, 6), [1, 3], out);
  t.deepEqual(Array.from(out), [1, 4, 2, 5, 3, 6]);
});

withBackend('reduce and argmax over the middle axis', (t, cpu) => {
  const x = f64(1, 5, 3, 4, 9, 9); // 2×3
  const rows = new Float64Array(2);
  cpu.reduce('sum', 2, 3, 1, x, rows);
  t.deepEqual(Array.from(rows), [9, 22]);
  const cols = new Float64Array(3);
  cpu.reduce('max', 1, 2, 3, x, cols);
  t.deepEqual(Array.from(cols), [4, 9, 9]);
  cpu.reduce('min', 1, 0, 3, new Float64Array(0), cols);
  t.deepEqual(Array.from(cols), [Infinity, Infinity, Infinity]);
  const idx = new Int32Array(2);
  cpu.argmax(2, 3, 1, x, idx);
  t.deepEqual(Array.from(idx), [1, 1]); // first of the two 9s
  const idxCols = new Int32Array(3);
  cpu.argmax(1, 2, 3, x, idxCols);
  t.deepEqual(Array.from(idxCols), [1, 1, 1]);
});

withBackend('symEig of [[2,1],[1,2]] reads only the lower triangle', (t, cpu) => {
  for (const make of [f32, f64] as ((...v: number[]) => FloatArray)[]) {
    const values = make(0, 0);
    const vectors = make(0, 0, 0, 0);
    cpu.symEig(2, make(2, 1e30, 1, 2), values, vectors);
    close(t, values, [1, 3], 1e-6);
    const h = Math.SQRT1_2;
    // Column j is the eigenvector of values[j], up to sign.
    close(t, [Math.abs(vectors[0]), Math.abs(vectors[2]), vectors[0] * vectors[2]], [h, h, -0.5], 1e-6);
    close(t, [Math.abs(vectors[1]), Math.abs(vectors[3]), vectors[1] * vectors[3]], [h, h, 0.5], 1e-6);
  }
});

withBackend('svd of a 2×2 and a thin 3×2', (t, cpu) => {
  // [[3,0],[4,5]]: singular values sqrt(45), sqrt(5).
  const a = f64(3, 0, 4, 5);
  const u = new Float64Array(4);
  const s = new Float64Array(2);
  const vt = new Float64Array(4);
  cpu.svd(2, 2, a, u, s, vt);
  close(t, s, [Math.sqrt(45), Math.sqrt(5)]);
  close(t, reconstruct(2, 2, u, s, vt), [3, 0, 4, 5], 1e-12);
  // 3×2 [[1,0],[0,2],[0,0]]: s = [2,1], u 3×2, vt 2×2.
  const u3 = new Float32Array(6);
  const s3 = new Float32Array(2);
  const vt3 = new Float32Array(4);
  cpu.svd(3, 2, f32(1, 0, 0, 2, 0, 0), u3, s3, vt3);
  close(t, s3, [2, 1]);
  close(t, reconstruct(3, 2, u3, s3, vt3), [1, 0, 0, 2, 0, 0], 1e-6);
});

function reconstruct(m: number, n: number, u: FloatArray, s: FloatArray, vt: FloatArray): number[] {
  const k = Math.min(m, n);
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += u[i * k + p] * s[p] * vt[p * n + j];
      out.push(sum);
    }
  }
  return out;
}
