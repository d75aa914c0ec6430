import test, { type ExecutionContext } from 'ava';
import { svd, symEig } from '../../../src/backend/ts/linalg';
import type { FloatArray } from '../../../src/backend/backend';
import { matmul, orthonormalityError, transpose } from '../../helpers/matrix';
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
