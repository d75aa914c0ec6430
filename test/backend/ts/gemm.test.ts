import test from 'ava';
import { gemm } from '../../../src/backend/ts/gemm';
import { tsBackend } from '../../../src/backend/ts';
import type { FloatArray } from '../../../src/backend/backend';
import { DTYPES, assertClose, mulberry32, randomArray, type FloatCtor, type Rng } from './helpers';

/** The definition: C = alpha·op(A)·op(B) + beta·C in doubles, triple loop (beta = 0 overwrites). */
function naiveGemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
                   a: FloatArray, lda: number, b: FloatArray, ldb: number, beta: number,
                   c: ArrayLike<number>, ldc: number): Float64Array {
  const out = Float64Array.from(c);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const aip = transA ? a[p * lda + i] : a[i * lda + p];
        const bpj = transB ? b[j * ldb + p] : b[p * ldb + j];
        sum += aip * bpj;
      }
      out[i * ldc + j] = alpha * sum + (beta === 0 ? 0 : beta * c[i * ldc + j]);
    }
  }
  return out;
}

/** A rows×cols matrix with row stride ld, its padding filled with NaN (which must never be read). */
function paddedMatrix(rng: Rng, Ctor: FloatCtor, rows: number, cols: number, ld: number): FloatArray {
  const x = new Ctor(Math.max(0, rows * ld));
  x.fill(NaN);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) x[i * ld + j] = rng() * 2 - 1;
  return x;
}

// [m, n, k]: 1×1, primes, tall-skinny, k ≫ m and n, and sizes crossing the 64/256 block edges.
const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1], [7, 13, 17], [300, 5, 3], [3, 4, 600], [2, 300, 9], [70, 260, 300], [64, 256, 256], [5, 1, 33],
];

for (const dt of DTYPES) {
  test(`gemm ${dt.name}: all transposes, alpha/beta, padded leading dimensions, against a triple loop`, (t) => {
    const rng = mulberry32(1234);
    let cases = 0;
    for (const [m, n, k] of SHAPES) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const pad = cases % 3; // 0, 1 or 2 extra elements per row
          const [aRows, aCols] = transA ? [k, m] : [m, k];
          const [bRows, bCols] = transB ? [n, k] : [k, n];
          const lda = aCols + pad, ldb = bCols + 2 * pad, ldc = n + pad;
          const a = paddedMatrix(rng, dt.Ctor, aRows, aCols, lda);
          const b = paddedMatrix(rng, dt.Ctor, bRows, bCols, ldb);
          const c = paddedMatrix(rng, dt.Ctor, m, n, ldc);
          const alpha = cases % 2 === 0 ? 1 : -0.75, beta = cases % 4 < 2 ? 0.5 : 1;
          const expected = naiveGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
          gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
          // Padding of C holds NaN in both and must be untouched.
          assertClose(t, c, expected, dt.tol, `m=${m} n=${n} k=${k} transA=${transA} transB=${transB}`);
          cases++;
        }
      }
    }
    t.is(cases, SHAPES.length * 4);
  });

  test(`gemm ${dt.name}: beta = 0 overwrites C, NaN and Infinity in it included`, (t) => {
    const rng = mulberry32(7);
    const m = 9, n = 11, k = 5;
    const a = randomArray(rng, dt.Ctor, m * k), b = randomArray(rng, dt.Ctor, k * n);
    const c = new dt.Ctor(m * n);
    for (let i = 0; i < c.length; i++) c[i] = i % 2 === 0 ? NaN : -Infinity;
    const expected = naiveGemm(false, false, m, n, k, 2, a, k, b, n, 0, new Float64Array(m * n), n);
    gemm(false, false, m, n, k, 2, a, k, b, n, 0, c, n);
    t.true(c.every(Number.isFinite));
    assertClose(t, c, expected, dt.tol, 'beta = 0');
  });

  test(`gemm ${dt.name}: k = 0 and alpha = 0 give C = beta·C without reading A or B`, (t) => {
    const c = dt.Ctor.from([1, 2, 3, 4, 5, 6]);
    gemm(false, false, 2, 3, 0, 1, new dt.Ctor(0), 0, new dt.Ctor(0), 3, 3, c, 3);
    t.deepEqual(Array.from(c), [3, 6, 9, 12, 15, 18]);
    gemm(true, true, 2, 3, 0, 1, new dt.Ctor(0), 2, new dt.Ctor(0), 0, 0, c, 3);
    t.deepEqual(Array.from(c), [0, 0, 0, 0, 0, 0]);
    // alpha = 0: NaN in A or B does not reach C.
    const nan = new dt.Ctor(6).fill(NaN);
    const c2 = dt.Ctor.from([1, 2, 3, 4, 5, 6]);
    gemm(false, false, 2, 3, 2, 0, nan, 2, nan, 3, -1, c2, 3);
    t.deepEqual(Array.from(c2), [-1, -2, -3, -4, -5, -6]);
  });

  test(`gemm ${dt.name}: m = 0 or n = 0 does nothing`, (t) => {
    const c = dt.Ctor.from([7]);
    t.notThrows(() => gemm(false, false, 0, 5, 3, 1, new dt.Ctor(0), 3, new dt.Ctor(15), 5, 0, new dt.Ctor(0), 5));
    t.notThrows(() => gemm(false, false, 4, 0, 3, 1, new dt.Ctor(12), 3, new dt.Ctor(0), 0, 0, c, 0));
    t.is(c[0], 7);
  });
}

test('gemm float32: accumulates in doubles (no float32 cancellation error)', (t) => {
  // 1 + 4095 terms of 2^-25: a float32 accumulator would lose every small term (1 + 2^-25 rounds to 1).
  const k = 4096;
  const a = new Float32Array(k).fill(1), b = new Float32Array(k).fill(2 ** -25);
  b[0] = 1;
  const c = new Float32Array(1);
  gemm(false, false, 1, 1, k, 1, a, k, b, 1, 0, c, 1);
  t.is(c[0], Math.fround(1 + (k - 1) * 2 ** -25));
});

test('gemm is the backend entry point', (t) => {
  t.is(tsBackend.name, 'ts');
  t.is(tsBackend.gemm, gemm);
});

test('gemm: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  const err = t.throws(() => gemm(false, false, 3, 4, 5, 1, f(12), 5, f(20), 4, 0, f(12), 4), { instanceOf: RangeError });
  t.is(err?.message, 'gemm: a has 12 elements, needs 15 (m=3, k=5, lda=5)');
  t.throws(() => gemm(false, false, 3, 4, 5, 1, f(15), 5, f(19), 4, 0, f(12), 4), { instanceOf: RangeError, message: /b has 19 elements, needs 20/ });
  t.throws(() => gemm(false, false, 3, 4, 5, 1, f(15), 5, f(20), 4, 0, f(11), 4), { instanceOf: RangeError, message: /c has 11 elements, needs 12/ });
  t.throws(() => gemm(true, false, 3, 4, 5, 1, f(14), 3, f(20), 4, 0, f(12), 4), { instanceOf: RangeError, message: /a has 14 elements, needs 15 \(transA, k=5, m=3, lda=3\)/ });
  t.throws(() => gemm(false, false, 3, 4, 5, 1, f(15), 4, f(20), 4, 0, f(12), 4), { instanceOf: RangeError, message: /lda=4 is smaller than the row length 5/ });
  t.throws(() => gemm(false, true, 3, 4, 5, 1, f(15), 5, f(20), 4, 0, f(12), 4), { instanceOf: RangeError, message: /ldb=4 is smaller than the row length 5/ });
  t.throws(() => gemm(false, false, 3, 4, 5, 1, f(15), 5, f(20), 4, 0, f(12), 3), { instanceOf: RangeError, message: /ldc/ });
  for (const bad of [-1, 1.5, NaN, Infinity, 2 ** 53]) {
    t.throws(() => gemm(false, false, bad, 4, 5, 1, f(15), 5, f(20), 4, 0, f(12), 4), { instanceOf: RangeError, message: /gemm: m must be a non-negative safe integer/ });
  }
  const anyGemm = gemm as unknown as (...args: unknown[]) => void;
  t.throws(() => anyGemm(false, false, '3', 4, 5, 1, f(15), 5, f(20), 4, 0, f(12), 4), { instanceOf: TypeError });
  t.throws(() => anyGemm(0, false, 3, 4, 5, 1, f(15), 5, f(20), 4, 0, f(12), 4), { instanceOf: TypeError, message: /transA/ });
  t.throws(() => anyGemm(false, false, 3, 4, 5, '1', f(15), 5, f(20), 4, 0, f(12), 4), { instanceOf: TypeError, message: /alpha/ });
  t.throws(() => anyGemm(false, false, 3, 4, 5, 1, new Array(15).fill(0), 5, f(20), 4, 0, f(12), 4), { instanceOf: TypeError, message: /a must be a Float32Array or Float64Array, got Array/ });
  t.throws(() => anyGemm(false, false, 3, 4, 5, 1, f(15), 5, new Float32Array(20), 4, 0, f(12), 4), { instanceOf: TypeError, message: /same dtype/ });
  t.throws(() => anyGemm(false, false, 3, 4, 5, 1, f(15), 5, f(20), 4, 0, new Int32Array(12), 4), { instanceOf: TypeError });
});

test('gemm: the unpacked small-product path and the blocked path give bitwise the same entries', (t) => {
  // 40×40·40×40 (64,000 multiply-adds) takes the small path; the same rows and columns inside
  // 100×40·40×100 (400,000) take the blocked one. Same k, same summation order: identical bits.
  const rng = mulberry32(77);
  for (const Ctor of [Float32Array, Float64Array]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const a = randomArray(rng, Ctor, 100 * 40), b = randomArray(rng, Ctor, 40 * 100);
      const big = new Ctor(100 * 100);
      // Stored A: 100×40 (40×100 when transposed); B: 40×100 (100×40 when transposed).
      gemm(ta, tb, 100, 100, 40, 0.75, a, ta ? 100 : 40, b, tb ? 40 : 100, 0, big, 100);
      const small = new Ctor(40 * 40);
      gemm(ta, tb, 40, 40, 40, 0.75, a, ta ? 100 : 40, b, tb ? 40 : 100, 0, small, 40);
      for (let i = 0; i < 40; i++) {
        for (let j = 0; j < 40; j++) t.is(small[i * 40 + j], big[i * 100 + j], `${ta} ${tb} [${i}, ${j}]`);
      }
    }
  }
});
