import test, { type ExecutionContext } from 'ava';
import { lstsq, solve, svd, symEig } from '../../../src/backend/ts/linalg';
import { SingularMatrixError } from '../../../src/errors';
import type { FloatArray } from '../../../src/backend/backend';
import { matmul, maxDiff, orthonormalityError, transpose } from '../../helpers/matrix';
import { DTYPES, gaussian, mulberry32, type FloatCtor, type Rng } from './helpers';

/** max |entry| of a row-major rows×cols matrix. */
function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** A random rows×cols matrix with orthonormal columns (Gram–Schmidt on Gaussian columns). */
function randomOrthonormal(rng: Rng, rows: number, cols: number): Float64Array {
  const q = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const v = Array.from({ length: rows }, () => gaussian(rng));
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let r = 0; r < rows; r++) d += q[r * cols + i] * v[r];
        for (let r = 0; r < rows; r++) v[r] -= d * q[r * cols + i];
      }
    }
    const norm = Math.hypot(...v);
    for (let r = 0; r < rows; r++) q[r * cols + j] = v[r] / norm;
  }
  return q;
}

/** Column j of a row-major rows×cols matrix has its largest-|entry| (first on ties) positive. */
function assertSignConvention(t: ExecutionContext, q: ArrayLike<number>, rows: number, cols: number, what: string) {
  for (let j = 0; j < cols; j++) {
    let best = 0;
    for (let r = 1; r < rows; r++) if (Math.abs(q[r * cols + j]) > Math.abs(q[best * cols + j])) best = r;
    t.true(q[best * cols + j] > 0, `${what}: column ${j} has a negative largest entry`);
  }
}

function randomSymmetric(rng: Rng, Ctor: FloatCtor, n: number): FloatArray {
  const a = new Ctor(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = gaussian(rng);
  return a;
}

function checkEig(t: ExecutionContext, n: number, a: FloatArray, tol: number, what: string) {
  const Ctor = a.constructor as FloatCtor;
  const values = new Ctor(n).fill(NaN), vectors = new Ctor(n * n).fill(NaN);
  symEig(n, a, values, vectors);
  // Only the lower triangle counts: rebuild the matrix from it.
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) sym[i * n + j] = sym[j * n + i] = a[i * n + j];
  const scale = Math.max(1e-300, maxAbs(sym));
  for (let j = 1; j < n; j++) t.true(values[j - 1] <= values[j], `${what}: values ascending`);
  const vd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vd[i * n + j] = vectors[i * n + j] * values[j];
  const rebuilt = matmul(vd, transpose(vectors, n, n), n, n, n);
  const err = maxAbs(rebuilt.map((v, i) => v - sym[i])) / scale;
  t.true(err <= tol, `${what}: V diag(λ) Vᵀ differs from A by ${err}`);
  const orth = orthonormalityError(vectors, n, n);
  t.true(orth <= tol, `${what}: VᵀV differs from I by ${orth}`);
  assertSignConvention(t, vectors, n, n, what);
  return { values, vectors };
}

function checkSvd(t: ExecutionContext, m: number, n: number, a: FloatArray, tol: number, what: string) {
  const Ctor = a.constructor as FloatCtor;
  const k = Math.min(m, n);
  const u = new Ctor(m * k).fill(NaN), s = new Ctor(k).fill(NaN), vt = new Ctor(k * n).fill(NaN);
  svd(m, n, a, u, s, vt);
  for (let j = 0; j < k; j++) t.true(s[j] >= 0, `${what}: s[${j}] = ${s[j]} is negative`);
  for (let j = 1; j < k; j++) t.true(s[j - 1] >= s[j], `${what}: s descending`);
  const us = new Float64Array(m * k);
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) us[i * k + j] = u[i * k + j] * s[j];
  const rebuilt = matmul(us, vt, m, k, n);
  const err = maxAbs(rebuilt.map((v, i) => v - a[i])) / Math.max(1e-300, maxAbs(a));
  t.true(err <= tol, `${what}: U diag(s) Vᵀ differs from A by ${err}`);
  const orthU = orthonormalityError(u, m, k), orthV = orthonormalityError(transpose(vt, k, n), n, k);
  t.true(orthU <= tol, `${what}: UᵀU differs from I by ${orthU}`);
  t.true(orthV <= tol, `${what}: V Vᵀ rows differ from I by ${orthV}`);
  assertSignConvention(t, u, m, k, `${what} u`);
  return { u, s, vt };
}

const TOLERANCE = { float64: 1e-13, float32: 2e-6 };

for (const dt of DTYPES) {
  const tol = TOLERANCE[dt.name];

  test(`symEig ${dt.name}: random symmetric matrices reconstruct, orthonormal, ascending`, (t) => {
    const rng = mulberry32(71);
    for (const n of [1, 2, 3, 5, 17, 40]) checkEig(t, n, randomSymmetric(rng, dt.Ctor, n), tol, `n=${n}`);
  });

  test(`symEig ${dt.name}: reads only the lower triangle`, (t) => {
    const rng = mulberry32(72);
    const n = 6;
    const clean = randomSymmetric(rng, dt.Ctor, n);
    const garbage = clean.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbage[i * n + j] = j % 2 === 0 ? NaN : 1e30;
    const expected = checkEig(t, n, clean, tol, 'clean');
    const actual = checkEig(t, n, garbage, tol, 'garbage above the diagonal');
    t.deepEqual(actual.values, expected.values);
    t.deepEqual(actual.vectors, expected.vectors);
  });

  test(`symEig ${dt.name}: known spectra, repeated eigenvalues, zero and 1×1`, (t) => {
    const { values, vectors } = checkEig(t, 2, dt.Ctor.from([2, 1, 1, 2]), tol, '[[2,1],[1,2]]');
    t.deepEqual(Array.from(values), [1, 3]);
    const h = dt.Ctor.from([Math.SQRT1_2])[0];
    t.true(Math.abs(Math.abs(vectors[0]) - h) < tol && Math.abs(vectors[1] - h) < tol);

    const identity = new dt.Ctor(16);
    for (let i = 0; i < 4; i++) identity[i * 5] = 3;
    const eye = checkEig(t, 4, identity, tol, '3I');
    t.deepEqual(Array.from(eye.values), [3, 3, 3, 3]);
    t.deepEqual(Array.from(eye.vectors), Array.from(identity, (v) => v / 3));

    // Q diag(-1, 2, 2, 5) Qᵀ: a repeated eigenvalue in a rotated basis.
    const rng = mulberry32(73);
    const q = randomOrthonormal(rng, 4, 4), lambda = [-1, 2, 2, 5];
    const qd = q.map((v, i) => v * lambda[i % 4]);
    const a = dt.Ctor.from(matmul(qd, transpose(q, 4, 4), 4, 4, 4));
    const r = checkEig(t, 4, a, tol * 10, 'Q diag(-1,2,2,5) Qᵀ');
    for (let j = 0; j < 4; j++) t.true(Math.abs(r.values[j] - lambda[j]) < tol * 50, `λ${j} = ${r.values[j]}`);

    checkEig(t, 3, new dt.Ctor(9), tol, 'zero');
    const one = checkEig(t, 1, dt.Ctor.from([-4.5]), tol, '1×1');
    t.deepEqual([one.values[0], one.vectors[0]], [-4.5, 1]);
    t.notThrows(() => symEig(0, new dt.Ctor(0), new dt.Ctor(0), new dt.Ctor(0)));
  });

  test(`svd ${dt.name}: random tall, wide, square and 1×1 matrices`, (t) => {
    const rng = mulberry32(74);
    for (const [m, n] of [[1, 1], [1, 5], [5, 1], [5, 3], [3, 5], [8, 8], [30, 7], [7, 30]]) {
      const a = new dt.Ctor(m * n);
      for (let i = 0; i < a.length; i++) a[i] = gaussian(rng);
      checkSvd(t, m, n, a, tol, `${m}×${n}`);
    }
  });

  test(`svd ${dt.name}: known singular values`, (t) => {
    const rng = mulberry32(75);
    for (const [m, n] of [[9, 4], [4, 9]]) {
      const k = Math.min(m, n), sigma = [7, 3, 0.5, 1e-3];
      const uq = randomOrthonormal(rng, m, k), vq = randomOrthonormal(rng, n, k);
      const a = dt.Ctor.from(matmul(uq.map((v, i) => v * sigma[i % k]), transpose(vq, n, k), m, k, n));
      const { s } = checkSvd(t, m, n, a, tol, `${m}×${n} with s = ${sigma}`);
      for (let j = 0; j < k; j++) t.true(Math.abs(s[j] - sigma[j]) <= tol * 10 * sigma[0], `s${j} = ${s[j]}`);
    }
  });

  test(`svd ${dt.name}: rank-deficient and zero matrices still give orthonormal factors`, (t) => {
    const rng = mulberry32(76);
    for (const [m, n, rank] of [[6, 4, 2], [4, 6, 1], [5, 5, 3], [7, 3, 0], [2, 3, 0]]) {
      const left = Array.from({ length: m * Math.max(rank, 1) }, () => gaussian(rng));
      const right = Array.from({ length: Math.max(rank, 1) * n }, () => gaussian(rng));
      const product = rank === 0 ? new Float64Array(m * n) : matmul(left, right, m, rank, n);
      const { s } = checkSvd(t, m, n, dt.Ctor.from(product), tol, `${m}×${n} of rank ${rank}`);
      const k = Math.min(m, n);
      for (let j = rank; j < k; j++) t.true(s[j] <= tol * Math.max(1, s[0]), `s${j} = ${s[j]} should vanish`);
    }
    // A repeated column and a zero row.
    checkSvd(t, 3, 3, dt.Ctor.from([1, 1, 2, 3, 3, -1, 0, 0, 0]), tol, 'repeated column');
  });
}

test('svd float64: widely scaled entries (no overflow or underflow in the squares)', (t) => {
  const rng = mulberry32(77);
  for (const scale of [1e-200, 1e200]) {
    const a = Float64Array.from({ length: 12 }, () => gaussian(rng) * scale);
    checkSvd(t, 4, 3, a, 1e-13, `scale ${scale}`);
    const sym = new Float64Array(9);
    for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) sym[i * 3 + j] = sym[j * 3 + i] = gaussian(rng) * scale;
    checkEig(t, 3, sym, 1e-13, `eig scale ${scale}`);
  }
});

test('svd / symEig: non-finite input is a RangeError naming the entry', (t) => {
  const u = new Float64Array(4), s = new Float64Array(2), vt = new Float64Array(4);
  t.throws(() => svd(2, 2, Float64Array.from([1, NaN, 0, 1]), u, s, vt), { instanceOf: RangeError, message: /svd: a\[0, 1\] is NaN/ });
  const values = new Float64Array(2), vectors = new Float64Array(4);
  t.throws(() => symEig(2, Float64Array.from([1, 0, Infinity, 1]), values, vectors), { instanceOf: RangeError, message: /symEig: a\[1, 0\] is Infinity/ });
  // The upper triangle is not read, so garbage there is fine.
  t.notThrows(() => symEig(2, Float64Array.from([1, NaN, 0, 1]), values, vectors));
});

test('svd / symEig: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  t.throws(() => symEig(3, f(8), f(3), f(9)), { instanceOf: RangeError, message: /symEig: a has 8 elements, needs 9 \(n=3\)/ });
  t.throws(() => symEig(3, f(9), f(2), f(9)), { instanceOf: RangeError, message: /values has 2 elements/ });
  t.throws(() => symEig(3, f(9), f(3), new Float32Array(9)), { instanceOf: TypeError });
  t.throws(() => symEig(-3, f(9), f(3), f(9)), { instanceOf: RangeError });
  t.throws(() => svd(4, 3, f(12), f(11), f(3), f(9)), { instanceOf: RangeError, message: /svd: u has 11 elements, needs 12 \(m=4, k=3\)/ });
  t.throws(() => svd(3, 4, f(12), f(9), f(3), f(11)), { instanceOf: RangeError, message: /vt has 11 elements, needs 12 \(k=3, n=4\)/ });
  t.throws(() => svd(3, 4, f(12), f(9), f(2), f(12)), { instanceOf: RangeError, message: /s has 2 elements/ });
  const anySvd = svd as unknown as (...args: unknown[]) => void;
  t.throws(() => anySvd(3, 4, Array.from(f(12)), f(9), f(3), f(12)), { instanceOf: TypeError });
});

// ---- solve and lstsq -------------------------------------------------------

function randomMatrix(rng: Rng, Ctor: FloatCtor, rows: number, cols: number): FloatArray {
  const a = new Ctor(rows * cols);
  for (let i = 0; i < a.length; i++) a[i] = gaussian(rng);
  return a;
}

/** max |a x - b| / max(1, max |b|, max|a|·max|x|): the backward error of a solution. */
function residualError(a: ArrayLike<number>, x: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, nrhs: number): number {
  const ax = matmul(a, x, m, n, nrhs);
  return maxAbs(ax.map((v, i) => v - b[i])) / Math.max(1, maxAbs(b), maxAbs(a) * maxAbs(x));
}

for (const dt of DTYPES) {
  const tol = TOLERANCE[dt.name];

  test(`solve ${dt.name}: known answers, pivoting, several right-hand sides, 1×1`, (t) => {
    const x = new dt.Ctor(2);
    solve(2, 1, dt.Ctor.from([2, 1, 1, 3]), dt.Ctor.from([3, 5]), x);
    t.true(maxDiff(x, [0.8, 1.4]) <= tol, `${x}`);
    // A zero in the (0, 0) position needs a row exchange.
    const xp = new dt.Ctor(4);
    solve(2, 2, dt.Ctor.from([0, 1, 1, 0]), dt.Ctor.from([1, 2, 3, 4]), xp);
    t.deepEqual(Array.from(xp), [3, 4, 1, 2]);
    const one = new dt.Ctor(3);
    solve(1, 3, dt.Ctor.from([-4]), dt.Ctor.from([2, -8, 1]), one);
    t.deepEqual(Array.from(one), [-0.5, 2, -0.25]);
    // [[1,2,3],[4,5,6],[7,8,10]] x = [6, 15, 25] has x = [1, 1, 1].
    const x3 = new dt.Ctor(3);
    solve(3, 1, dt.Ctor.from([1, 2, 3, 4, 5, 6, 7, 8, 10]), dt.Ctor.from([6, 15, 25]), x3);
    t.true(maxDiff(x3, [1, 1, 1]) <= tol * 100, `${x3}`);
    t.notThrows(() => solve(0, 2, new dt.Ctor(0), new dt.Ctor(0), new dt.Ctor(0)));
    t.notThrows(() => solve(3, 0, dt.Ctor.from([1, 2, 3, 4, 5, 6, 7, 8, 10]), new dt.Ctor(0), new dt.Ctor(0)));
  });

  test(`solve ${dt.name}: random systems have tiny residuals; inputs untouched; x may be b`, (t) => {
    const rng = mulberry32(81);
    for (const [n, nrhs] of [[1, 1], [2, 3], [7, 1], [13, 4], [31, 2], [64, 5]]) {
      const a = randomMatrix(rng, dt.Ctor, n, n), b = randomMatrix(rng, dt.Ctor, n, nrhs);
      const a0 = a.slice(), b0 = b.slice();
      const x = new dt.Ctor(n * nrhs);
      solve(n, nrhs, a, b, x);
      t.deepEqual(a, a0);
      t.deepEqual(b, b0);
      t.true(residualError(a, x, b, n, n, nrhs) <= tol * n, `n=${n}: ${residualError(a, x, b, n, n, nrhs)}`);
      solve(n, nrhs, a, b, b);
      t.deepEqual(b, x, 'in place on b');
    }
  });

  test(`solve ${dt.name}: singular matrices throw SingularMatrixError naming the kernel, the size and the pivot`, (t) => {
    const cases: [string, number, number[], number][] = [
      ['zero matrix', 2, [0, 0, 0, 0], 1],
      ['zero row', 3, [1, 2, 3, 0, 0, 0, 4, 5, 7], 3],
      ['zero column', 3, [1, 0, 3, 2, 0, 1, 4, 0, 7], 2],
      ['duplicated rows', 3, [1, 2, 3, 4, 5, 6, 1, 2, 3], 3],
      ['row 3 = row 1 + row 2', 3, [1, 2, 3, 4, 5, 6, 5, 7, 9], 3],
      ['rank one', 4, [1, 2, 3, 4, 2, 4, 6, 8, -1, -2, -3, -4, 3, 6, 9, 12], 2],
    ];
    for (const [what, n, entries, pivot] of cases) {
      const x = new dt.Ctor(n).fill(7);
      const err = t.throws(() => solve(n, 1, dt.Ctor.from(entries), new dt.Ctor(n).fill(1), x), { instanceOf: SingularMatrixError }, what);
      t.is(err?.message, `solve: the ${n}×${n} matrix is singular: pivot ${pivot} of its LU factorisation is zero or negligible `
        + '(|u_kk| <= n·eps·max_i |a_ik|)', what);
      t.like(err, { kernel: 'solve', n, pivot });
      t.deepEqual(Array.from(x), new Array(n).fill(7), `${what}: x untouched`);
    }
    // Nearly singular but fine: [[1, 1], [1, 1 + 1e-4]] (float32 resolves 1e-4 too).
    const x = new dt.Ctor(2);
    solve(2, 1, dt.Ctor.from([1, 1, 1, 1 + 1e-4]), dt.Ctor.from([2, 2 + 1e-4]), x);
    t.true(maxDiff(x, [1, 1]) <= (dt.name === 'float64' ? 1e-10 : 2e-2), `${x}`);
  });

  test(`lstsq ${dt.name}: known answers (line fit, minimum norm, rank-deficient, zero)`, (t) => {
    // y = 2t + 1 through (0,1), (1,3), (2,5): exact.
    const x = new dt.Ctor(2), s = new dt.Ctor(2);
    t.is(lstsq(3, 2, 1, dt.Ctor.from([0, 1, 1, 1, 2, 1]), dt.Ctor.from([1, 3, 5]), x, s), 2);
    t.true(maxDiff(x, [2, 1]) <= tol * 10, `${x}`);
    // Singular values of [[0,1],[1,1],[2,1]]: sqrt of the eigenvalues of [[5,3],[3,3]] = 4 ± sqrt(10).
    t.true(maxDiff(s, [Math.sqrt(4 + Math.sqrt(10)), Math.sqrt(4 - Math.sqrt(10))]) <= tol * 10, `${s}`);
    // Inconsistent: the mean of 1, 2, 6 is 3.
    const mean = new dt.Ctor(1);
    lstsq(3, 1, 1, dt.Ctor.from([1, 1, 1]), dt.Ctor.from([1, 2, 6]), mean);
    t.true(Math.abs(mean[0] - 3) <= tol * 10);
    // Underdetermined x1 + x2 = 2: the minimum-norm solution is (1, 1).
    const wide = new dt.Ctor(2);
    t.is(lstsq(1, 2, 1, dt.Ctor.from([1, 1]), dt.Ctor.from([2]), wide), 1);
    t.true(maxDiff(wide, [1, 1]) <= tol * 10, `${wide}`);
    // Two equal columns share the weight equally: [c c] x = c gives x = (1/2, 1/2).
    const dup = new dt.Ctor(2);
    t.is(lstsq(3, 2, 1, dt.Ctor.from([1, 1, 2, 2, 3, 3]), dt.Ctor.from([1, 2, 3]), dup), 1);
    t.true(maxDiff(dup, [0.5, 0.5]) <= tol * 10, `${dup}`);
    // A zero matrix: x = 0, rank 0.
    const zero = new dt.Ctor(6).fill(NaN), zs = new dt.Ctor(2).fill(NaN);
    t.is(lstsq(3, 2, 3, new dt.Ctor(6), dt.Ctor.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), zero, zs), 0);
    t.deepEqual(Array.from(zero), [0, 0, 0, 0, 0, 0]);
    t.deepEqual(Array.from(zs), [0, 0]);
    // No rows or no columns.
    const empty = new dt.Ctor(2).fill(NaN);
    t.is(lstsq(0, 2, 1, new dt.Ctor(0), new dt.Ctor(0), empty), 0);
    t.deepEqual(Array.from(empty), [0, 0]);
    t.is(lstsq(3, 0, 1, new dt.Ctor(0), dt.Ctor.from([1, 2, 3]), new dt.Ctor(0)), 0);
  });

  test(`lstsq ${dt.name}: random tall, wide and rank-deficient problems satisfy the normal equations with minimum norm`, (t) => {
    const rng = mulberry32(82);
    for (const [m, n, nrhs, rank] of [[1, 1, 1, 1], [9, 3, 2, 3], [3, 9, 2, 3], [40, 5, 1, 5], [7, 7, 3, 7], [11, 6, 2, 3], [5, 13, 1, 2]]) {
      const left = randomMatrix(rng, Float64Array, m, rank), right = randomMatrix(rng, Float64Array, rank, n);
      const a = rank === Math.min(m, n) ? randomMatrix(rng, dt.Ctor, m, n) : dt.Ctor.from(matmul(left, right, m, rank, n));
      const b = randomMatrix(rng, dt.Ctor, m, nrhs);
      const x = new dt.Ctor(n * nrhs);
      const got = lstsq(m, n, nrhs, a, b, x);
      // float32 rounding makes a constructed low-rank matrix full rank in exact arithmetic, but not numerically.
      t.is(got, rank, `${m}×${n} rank`);
      // Aᵀ(b - A x) = 0 ...
      const r = matmul(a, x, m, n, nrhs).map((v, i) => b[i] - v);
      const normal = matmul(transpose(a, m, n), r, n, m, nrhs);
      const scale = Math.max(1, maxAbs(a) ** 2 * maxAbs(x), maxAbs(a) * maxAbs(b));
      t.true(maxAbs(normal) / scale <= tol * 10 * m, `${m}×${n}: Aᵀr = ${maxAbs(normal)}`);
      // ... and x lies in the row space of A (no component along its null space): x = Aᵀ y for some y.
      if (rank < n) {
        const k = Math.min(m, n);
        const u = new Float64Array(m * k), sv = new Float64Array(k), vt = new Float64Array(k * n);
        svd(m, n, Float64Array.from(a), u, sv, vt);
        for (let i = rank; i < k; i++) {
          for (let c = 0; c < nrhs; c++) {
            let along = 0;
            for (let j = 0; j < n; j++) along += vt[i * n + j] * x[j * nrhs + c];
            t.true(Math.abs(along) <= tol * 100 * maxAbs(x), `${m}×${n}: x has ${along} along null vector ${i}`);
          }
        }
      }
    }
  });
}

test('solve / lstsq: agree with each other and with the normal equations on a well-conditioned square system', (t) => {
  const rng = mulberry32(83);
  const n = 6;
  const a = randomMatrix(rng, Float64Array, n, n), b = randomMatrix(rng, Float64Array, n, 2);
  const xs = new Float64Array(n * 2), xl = new Float64Array(n * 2);
  solve(n, 2, a, b, xs);
  t.is(lstsq(n, n, 2, a, b, xl), n);
  t.true(maxDiff(xs, xl) <= 1e-12 * Math.max(1, maxAbs(xs)), `${maxDiff(xs, xl)}`);
});

test('solve / lstsq: non-finite input is a RangeError naming the entry', (t) => {
  const x = new Float64Array(2);
  t.throws(() => solve(2, 1, Float64Array.from([1, 0, NaN, 1]), Float64Array.from([1, 1]), x),
    { instanceOf: RangeError, message: 'solve: a[1, 0] is NaN; the matrix must be finite' });
  t.throws(() => solve(2, 1, Float64Array.from([1, 0, 0, 1]), Float64Array.from([1, -Infinity]), x),
    { instanceOf: RangeError, message: 'solve: b[1, 0] is -Infinity; the right-hand side must be finite' });
  t.throws(() => lstsq(3, 1, 1, Float64Array.from([1, 2, Infinity]), Float64Array.from([1, 1, 1]), new Float64Array(1)),
    { instanceOf: RangeError, message: 'lstsq: a[2, 0] is Infinity; the matrix must be finite' });
  t.throws(() => lstsq(2, 1, 2, Float32Array.from([1, 2]), Float32Array.from([1, 1, NaN, 1]), new Float32Array(2)),
    { instanceOf: RangeError, message: 'lstsq: b[1, 0] is NaN; the right-hand side must be finite' });
});

test('solve / lstsq: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  t.throws(() => solve(3, 1, f(8), f(3), f(3)), { instanceOf: RangeError, message: /solve: a has 8 elements, needs 9 \(n=3\)/ });
  t.throws(() => solve(3, 2, f(9), f(5), f(6)), { instanceOf: RangeError, message: /solve: b has 5 elements, needs 6 \(n=3, nrhs=2\)/ });
  t.throws(() => solve(3, 2, f(9), f(6), f(5)), { instanceOf: RangeError, message: /solve: x has 5 elements/ });
  t.throws(() => solve(3, 1, f(9), new Float32Array(3), f(3)), { instanceOf: TypeError });
  t.throws(() => solve(-1, 1, f(9), f(3), f(3)), { instanceOf: RangeError });
  t.throws(() => solve(2.5, 1, f(9), f(3), f(3)), { instanceOf: RangeError });
  t.throws(() => lstsq(4, 3, 1, f(11), f(4), f(3)), { instanceOf: RangeError, message: /lstsq: a has 11 elements, needs 12 \(m=4, n=3\)/ });
  t.throws(() => lstsq(4, 3, 2, f(12), f(7), f(6)), { instanceOf: RangeError, message: /lstsq: b has 7 elements, needs 8 \(m=4, nrhs=2\)/ });
  t.throws(() => lstsq(4, 3, 2, f(12), f(8), f(5)), { instanceOf: RangeError, message: /lstsq: x has 5 elements, needs 6 \(n=3, nrhs=2\)/ });
  t.throws(() => lstsq(4, 3, 1, f(12), f(4), f(3), f(2)), { instanceOf: RangeError, message: /lstsq: s has 2 elements, needs 3 \(k=3\)/ });
  t.throws(() => lstsq(4, 3, 1, f(12), f(4), f(3), new Float32Array(3)), { instanceOf: TypeError });
  const anyLstsq = lstsq as unknown as (...args: unknown[]) => number;
  t.throws(() => anyLstsq('4', 3, 1, f(12), f(4), f(3)), { instanceOf: TypeError });
  t.throws(() => anyLstsq(4, 3, 1, Array.from(f(12)), f(4), f(3)), { instanceOf: TypeError });
});
