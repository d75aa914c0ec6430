import type { Backend, DType, FloatArray } from '../../../src/backend/backend';
import { SingularMatrixError } from '../../../src/errors';
import type { Generator } from '../../../src/random';
import { cpuAddonTest } from '../../helpers/backends';
import { parity } from '../../helpers/parity';
import { tsBackend } from '../../../src/backend/ts';
import { matmul, maxDiff, orthonormalityError, transpose } from '../../helpers/matrix';
import { randomArray, zerosLike } from '../../helpers/random';

parity('symEig: eigenvalues match the reference; vectors are orthonormal and diagonalise A', ({ t, native, ref, dtype, gen }) => {
  const tol = dtype === 'float64' ? 1e-11 : 2e-4;
  for (const n of [1, 2, 7, 33]) {
    const r = randomArray(gen, dtype, n * n);
    const a = zerosLike(r);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = r[i * n + j] + r[j * n + i];
    const vals = [ref, native].map((b) => {
      const values = zerosLike(a, n);
      const vectors = zerosLike(a);
      b.symEig(n, a, values, vectors);
      return { values, vectors };
    });
    const [vr, vn] = vals;
    t.true(maxDiff(vn.values, vr.values) <= tol * n, `eigenvalues n=${n}`);
    const v = vn.vectors;
    t.true(orthonormalityError(v, n, n) <= tol * n, `VᵀV = I, n=${n}`);
    const av = matmul(a, v, n, n, n);
    const vl = Float64Array.from(v, (x, idx) => x * vn.values[idx % n]);
    t.true(maxDiff(av, vl) <= tol * n * 2, `AV = VΛ, n=${n}`);
  }
});

parity('svd: singular values match the reference; U, Vᵀ orthonormal; A = U S Vᵀ', ({ t, native, ref, dtype, gen }) => {
  const tol = dtype === 'float64' ? 1e-11 : 2e-4;
  for (const [m, n] of [[1, 1], [5, 3], [3, 5], [20, 20], [40, 7]]) {
    const k = Math.min(m, n);
    const a: FloatArray = randomArray(gen, dtype, m * n);
    const out = [ref, native].map((b) => {
      const u = zerosLike(a, m * k);
      const s = zerosLike(a, k);
      const vt = zerosLike(a, k * n);
      b.svd(m, n, a, u, s, vt);
      return { u, s, vt };
    });
    const [r, c] = out;
    t.true(maxDiff(c.s, r.s) <= tol * m, `singular values ${m}×${n}`);
    t.true(orthonormalityError(c.u, m, k) <= tol * m, `UᵀU = I ${m}×${n}`);
    t.true(orthonormalityError(transpose(c.vt, k, n), n, k) <= tol * n, `VᵀV = I ${m}×${n}`);
    const us = Float64Array.from(c.u, (x, idx) => x * c.s[idx % k]);
    t.true(maxDiff(matmul(us, c.vt, m, k, n), a) <= tol * Math.max(m, n), `A = USVᵀ ${m}×${n}`);
  }
});

// ---- solve and lstsq -------------------------------------------------------

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** A rows×cols matrix of rank `rank` with small-integer entries (exact in float32 too, so the rank is exact). */
function integerLowRank(gen: Generator, dtype: DType, rows: number, cols: number, rank: number): FloatArray {
  const left = Float64Array.from({ length: rows * rank }, () => gen.int(7) - 3);
  const right = Float64Array.from({ length: rank * cols }, () => gen.int(7) - 3);
  const p = matmul(left, right, rows, rank, cols);
  return dtype === 'float64' ? p : Float32Array.from(p);
}

function runSolve(b: Backend, n: number, nrhs: number, a: FloatArray, rhs: FloatArray): FloatArray {
  const x = zerosLike(a, n * nrhs);
  b.solve(n, nrhs, a, rhs, x);
  return x;
}

parity('solve: the same solutions as the reference, tiny residuals, inputs untouched', ({ t, native, ref, dtype, gen }) => {
  const eps = dtype === 'float64' ? 2 ** -52 : 2 ** -23;
  for (const [n, nrhs] of [[1, 1], [2, 1], [3, 4], [7, 2], [13, 1], [31, 3], [97, 2]]) {
    // Diagonally weighted, so well conditioned: the two solutions agree to a few ε.
    const a = randomArray(gen, dtype, n * n);
    for (let i = 0; i < n; i++) a[i * n + i] += 2 * Math.sqrt(n);
    const rhs = randomArray(gen, dtype, n * nrhs);
    const a0 = a.slice(), b0 = rhs.slice();
    const xr = runSolve(ref, n, nrhs, a, rhs), xn = runSolve(native, n, nrhs, a, rhs);
    t.deepEqual(a, a0, 'a untouched');
    t.deepEqual(rhs, b0, 'b untouched');
    t.true(maxDiff(xn, xr) <= 200 * n * eps * Math.max(1, maxAbs(xr)), `${n}×${n}: |Δx| = ${maxDiff(xn, xr)}`);
    const r = matmul(a, xn, n, n, nrhs).map((v, i) => v - rhs[i]);
    t.true(maxAbs(r) <= 20 * n * eps * maxAbs(a) * Math.max(1, maxAbs(xn)), `${n}×${n}: residual ${maxAbs(r)}`);
  }
  // A general random matrix (no diagonal help): backward error only.
  const n = 40;
  const a = randomArray(gen, dtype, n * n), rhs = randomArray(gen, dtype, n);
  const xn = runSolve(native, n, 1, a, rhs);
  const r = matmul(a, xn, n, n, 1).map((v, i) => v - rhs[i]);
  t.true(maxAbs(r) <= 50 * n * eps * maxAbs(a) * maxAbs(xn), `random 40×40: residual ${maxAbs(r)}`);
  t.notThrows(() => native.solve(0, 3, zerosLike(a, 0), zerosLike(a, 0), zerosLike(a, 0)));
});

parity('solve: both backends call the same matrices singular, at the same pivot', ({ t, native, ref, dtype, gen }) => {
  const make = (v: number[]) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  const cases: [string, number, FloatArray][] = [
    ['zero 1×1', 1, make([0])],
    ['zero 3×3', 3, make(new Array(9).fill(0))],
    ['zero row', 3, make([1, 2, 3, 0, 0, 0, 4, 5, 7])],
    ['zero column', 3, make([1, 0, 3, 2, 0, 1, 4, 0, 7])],
    ['duplicated rows', 3, make([1, 2, 3, 4, 5, 6, 1, 2, 3])],
    ['duplicated columns', 3, make([1, 1, 3, 4, 4, 6, 7, 7, 10])],
    ['row 3 = row 1 + row 2', 3, make([1, 2, 3, 4, 5, 6, 5, 7, 9])],
    ['[[1,2,3],[4,5,6],[7,8,9]]', 3, make([1, 2, 3, 4, 5, 6, 7, 8, 9])],
    ['random 13×13 with row 9 = row 4', 13, duplicateRow(randomArray(gen, dtype, 169), 13, 4, 9)],
    ['random 100×100 with row 70 = row 3', 100, duplicateRow(randomArray(gen, dtype, 10000), 100, 3, 70)],
    ['random 64×64 with column 5 = column 40', 64, transposed(duplicateRow(randomArray(gen, dtype, 4096), 64, 40, 5), 64)],
  ];
  for (const [what, n, a] of cases) {
    const rhs = randomArray(gen, dtype, n * 2);
    const errors = [ref, native].map((b) => {
      try {
        runSolve(b, n, 2, a, rhs);
        return null;
      } catch (err) {
        return err;
      }
    });
    for (const [i, err] of errors.entries()) {
      t.true(err instanceof SingularMatrixError, `${what}: ${i === 0 ? 'ts' : 'native'} threw ${String(err)}`);
    }
    const [er, en] = errors as SingularMatrixError[];
    if (er instanceof SingularMatrixError && en instanceof SingularMatrixError) {
      t.is(en.message, er.message, what);
      t.is(en.n, n);
    }
  }
  // Numerically singular or nearly so, where rounding decides: the backends still agree
  // (singular at the same pivot, or both solve with the same answer).
  const gray: [string, number, FloatArray][] = [
    ['row 9 = 3·row 2', 13, scaledRow(randomArray(gen, dtype, 169), 13, 2, 9, 3)],
    ['integer rank 4 of 7', 7, integerLowRank(gen, dtype, 7, 7, 4)],
    ['integer rank 10 of 11', 11, integerLowRank(gen, dtype, 11, 11, 10)],
    ['integer rank 29 of 30', 30, integerLowRank(gen, dtype, 30, 30, 29)],
    ['[[1, 1], [1, 1 + 1e-13]]', 2, make([1, 1, 1, 1 + 1e-13])],
    ['[[1, 1], [1, 1 + 1e-6]]', 2, make([1, 1, 1, 1 + 1e-6])],
  ];
  for (const [what, n, a] of gray) {
    const rhs = randomArray(gen, dtype, n);
    const outcome = [ref, native].map((b) => {
      try {
        return Array.from(runSolve(b, n, 1, a, rhs));
      } catch (err) {
        return err instanceof SingularMatrixError ? err.message : `unexpected ${String(err)}`;
      }
    });
    if (typeof outcome[0] === 'string' || typeof outcome[1] === 'string') {
      t.is(outcome[1], outcome[0], what);
    } else {
      const [xr, xn] = outcome as number[][];
      t.true(maxDiff(xn, xr) <= 1e-6 * Math.max(1, maxAbs(xr)), `${what}: solutions differ by ${maxDiff(xn, xr)}`);
    }
  }
});

function duplicateRow(a: FloatArray, n: number, from: number, to: number): FloatArray {
  return scaledRow(a, n, from, to, 1);
}

function scaledRow(a: FloatArray, n: number, from: number, to: number, factor: number): FloatArray {
  for (let j = 0; j < n; j++) a[to * n + j] = factor * a[from * n + j];
  return a;
}

function transposed(a: FloatArray, n: number): FloatArray {
  const t = a.slice();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

parity('lstsq: the same minimum-norm solutions, ranks and singular values as the reference', ({ t, native, ref, dtype, gen }) => {
  const tol = dtype === 'float64' ? 1e-10 : 2e-3;
  const shapes: [number, number, number, number | null][] = [
    [1, 1, 1, null], [2, 1, 1, null], [1, 3, 2, null], [5, 5, 1, null], [13, 7, 2, null], [7, 13, 3, null],
    [200, 3, 1, null], [3, 61, 1, null], [31, 17, 2, null],
    [12, 6, 2, 3], [6, 12, 1, 2], [9, 9, 2, 5], [40, 8, 1, 1], [5, 5, 1, 0],
  ];
  for (const [m, n, nrhs, rank] of shapes) {
    const k = Math.min(m, n);
    const a = rank === null ? randomArray(gen, dtype, m * n) : integerLowRank(gen, dtype, m, n, rank);
    const b = randomArray(gen, dtype, m * nrhs);
    const a0 = a.slice(), b0 = b.slice();
    const out = [ref, native].map((be) => {
      const x = zerosLike(a, n * nrhs), s = zerosLike(a, k);
      const r = be.lstsq(m, n, nrhs, a, b, x, s);
      return { x, s, r };
    });
    const [r, c] = out;
    const what = `${m}×${n}${rank === null ? '' : ` of rank ${rank}`}`;
    t.deepEqual(a, a0, `${what}: a untouched`);
    t.deepEqual(b, b0, `${what}: b untouched`);
    t.is(c.r, r.r, `${what}: rank`);
    t.is(r.r, rank ?? k, `${what}: expected rank`);
    t.true(maxDiff(c.s, r.s) <= tol * Math.max(1, r.s[0]), `${what}: singular values differ by ${maxDiff(c.s, r.s)}`);
    t.true(maxDiff(c.x, r.x) <= tol * Math.max(1, maxAbs(r.x)), `${what}: solutions differ by ${maxDiff(c.x, r.x)}`);
    // Without s (null, or left out).
    const x2 = zerosLike(a, n * nrhs);
    t.is(native.lstsq(m, n, nrhs, a, b, x2, null), c.r);
    t.deepEqual(x2, c.x);
  }
  const none = zerosLike(randomArray(gen, dtype, 1), 0);
  const x = zerosLike(none, 4).fill(NaN);
  t.is(native.lstsq(0, 2, 2, none, none, x), 0);
  t.deepEqual(Array.from(x), [0, 0, 0, 0]);
});

parity('solve / lstsq: non-finite input is the same RangeError on both', ({ t, native, ref, dtype }) => {
  const make = (v: number[]) => (dtype === 'float64' ? Float64Array.from(v) : Float32Array.from(v));
  for (const be of [ref, native]) {
    t.throws(() => be.solve(2, 1, make([1, 2, 3, NaN]), make([1, 1]), make([0, 0])),
      { instanceOf: RangeError, message: 'solve: a[1, 1] is NaN; the matrix must be finite' });
    t.throws(() => be.solve(2, 1, make([1, 2, 3, 4]), make([Infinity, 1]), make([0, 0])),
      { instanceOf: RangeError, message: 'solve: b[0, 0] is Infinity; the right-hand side must be finite' });
    t.throws(() => be.lstsq(2, 2, 1, make([1, -Infinity, 3, 4]), make([1, 1]), make([0, 0])),
      { instanceOf: RangeError, message: 'lstsq: a[0, 1] is -Infinity; the matrix must be finite' });
    t.throws(() => be.lstsq(3, 1, 1, make([1, 2, 3]), make([1, 1, NaN]), make([0])),
      { instanceOf: RangeError, message: 'lstsq: b[2, 0] is NaN; the right-hand side must be finite' });
  }
});

cpuAddonTest('solve / lstsq native entry points: bad arguments throw TypeError or RangeError naming the kernel', (t, load) => {
  const addon = load.addon;
  const f = (n: number) => new Float64Array(n);
  const call = (name: 'solve' | 'lstsq', ...args: unknown[]) => () => (addon[name] as unknown as (...a: unknown[]) => unknown)(...args);
  t.throws(call('solve', 3, 1, f(8), f(3), f(3)), { instanceOf: RangeError, message: 'solve: a has 8 elements, needs 9 (n=3)' });
  t.throws(call('solve', 3, 2, f(9), f(5), f(6)), { instanceOf: RangeError, message: 'solve: b has 5 elements, needs 6 (n=3, nrhs=2)' });
  t.throws(call('solve', 3, 2, f(9), f(6), f(5)), { instanceOf: RangeError, message: 'solve: x has 5 elements, needs 6 (n=3, nrhs=2)' });
  t.throws(call('solve', '3', 1, f(9), f(3), f(3)), { instanceOf: TypeError, message: /^solve: n must be a number/ });
  t.throws(call('solve', 3, -1, f(9), f(3), f(3)), { instanceOf: RangeError, message: /^solve: nrhs must be an integer/ });
  t.throws(call('solve', 3, 1, f(9), new Float32Array(3), f(3)), { instanceOf: TypeError, message: /^solve: b is a Float32Array but a is a Float64Array/ });
  t.throws(call('solve', 3, 1, Array.from(f(9)), f(3), f(3)), { instanceOf: TypeError, message: /^solve: a must be a Float32Array or Float64Array/ });
  t.throws(call('solve', 3, 1, f(9), f(3)), { instanceOf: TypeError, message: 'solve: expects 5 arguments, got 4' });
  t.throws(call('solve', 2 ** 31 - 1, 1, f(9), f(3), f(3)), { instanceOf: RangeError, message: /^solve: a has 9 elements/ });
  t.throws(call('lstsq', 4, 3, 1, f(11), f(4), f(3), null), { instanceOf: RangeError, message: 'lstsq: a has 11 elements, needs 12 (m=4, n=3)' });
  t.throws(call('lstsq', 4, 3, 2, f(12), f(7), f(6), null), { instanceOf: RangeError, message: 'lstsq: b has 7 elements, needs 8 (m=4, nrhs=2)' });
  t.throws(call('lstsq', 4, 3, 1, f(12), f(4), f(3), f(2)), { instanceOf: RangeError, message: 'lstsq: s has 2 elements, needs 3 (k=3)' });
  t.throws(call('lstsq', 4, 3, 1, f(12), f(4), f(3), new Float32Array(3)), { instanceOf: TypeError, message: /^lstsq: s is a Float32Array/ });
  t.throws(call('lstsq', 4, 3, 1, f(12), f(4), f(3)), { instanceOf: TypeError, message: 'lstsq: expects 7 arguments, got 6' });
  const shared = f(6);
  t.throws(call('lstsq', 4, 3, 1, f(12), f(4), shared.subarray(0, 3), shared.subarray(2)),
    { instanceOf: RangeError, message: /^lstsq: x and s overlap in memory/ });
  // The singular pivot comes back as a number (the backend wrapper throws SingularMatrixError).
  t.is(addon.solve(2, 1, Float64Array.of(1, 2, 2, 4), f(2), f(2)), 2);
  t.throws(() => load.backend.solve(2, 1, Float64Array.of(1, 2, 2, 4), f(2), f(2)), { instanceOf: SingularMatrixError });
});

cpuAddonTest('solve on cpu: near the singularity threshold the reference elimination decides, bit-for-bit the ts results', (t, load) => {
  const cpu = load.backend;
  let seed = 5;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  const cases: [string, number, Float64Array][] = [['[[1, 1], [1, 1 + 1e-13]]', 2, Float64Array.of(1, 1, 1, 1 + 1e-13)]];
  for (const n of [5, 20, 60]) {
    const a = Float64Array.from({ length: n * n }, rnd);
    for (let j = 0; j < n; j++) a[(n - 1) * n + j] = a[2 * n + j] + 1e-13 * rnd(); // row n−1 ≈ row 2
    cases.push([`${n}×${n} with a nearly repeated row`, n, a]);
  }
  for (const [what, n, a] of cases) {
    const b = Float64Array.from({ length: n * 2 }, rnd);
    const xt = new Float64Array(n * 2), xc = new Float64Array(n * 2);
    tsBackend.solve(n, 2, a, b, xt);
    cpu.solve(n, 2, a, b, xc);
    t.deepEqual(xc, xt, what);
  }
});
