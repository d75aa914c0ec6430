/** The public linalg module: solve, lstsq, eigh, svd on tensors, on every host backend and on cuda (over the mock addon). */
import test from 'ava';
import * as gradnode from '../../src';
import { createCudaBackend } from '../../src/backend/cuda';
import type { Backend, BackendName } from '../../src/backend/backend';
import { ShapeError, SingularMatrixError } from '../../src/errors';
import * as linalg from '../../src/linalg';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { MockCudaAddon } from '../helpers/mock_cuda';

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

function values(t: Tensor): number[] {
  return Array.from(t.toTypedArray());
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

const contenders: [string, BackendName | Backend][] = [
  ...backendsUnderTest().map((name): [string, BackendName] => [name, name]),
  ['cuda over the mock addon', createCudaBackend(new MockCudaAddon())],
];

test('the package exports linalg and SingularMatrixError', (t) => {
  t.is(gradnode.linalg.solve, linalg.solve);
  t.is(gradnode.linalg.lstsq, linalg.lstsq);
  t.is(gradnode.SingularMatrixError, SingularMatrixError);
  t.is(linalg.SingularMatrixError, SingularMatrixError);
});

for (const [label, be] of contenders) {
  const gen = () => new Generator(2024);
  const f64 = (v: Parameters<typeof Tensor.from>[0]) => Tensor.from(v, { dtype: 'float64', backend: be });
  const randn = (shape: number[], g: Generator, dtype: 'float32' | 'float64' = 'float64') =>
    Tensor.randn(shape, { dtype, backend: be, generator: g });

  test(`[${label}] solve: vector and matrix right-hand sides, residual <= 1e-12 relative in float64`, (t) => {
    const x = linalg.solve(f64([[2, 1], [1, 3]]), f64([3, 5]));
    t.deepEqual(x.shape, [2]);
    t.true(maxAbs(values(x).map((v, i) => v - [0.8, 1.4][i])) < 1e-15);
    const g = gen();
    for (const [n, k] of [[1, 1], [7, 3], [50, 1], [101, 4]]) {
      const A = randn([n, n], g), B = randn([n, k], g);
      const X = linalg.solve(A, B);
      t.deepEqual(X.shape, [n, k]);
      t.is(X.dtype, 'float64');
      t.is(X.backend, A.backend);
      const r = values(A.matmul(X).sub(B));
      const rel = norm(r) / (norm(values(A)) * norm(values(X)) + norm(values(B)));
      t.true(rel <= 1e-12, `n=${n}: relative residual ${rel}`);
      const Xv = linalg.solve(A, B.reshape(n * k).slice(0, 0, n));
      t.deepEqual(Xv.shape, [n]);
    }
  });

  test(`[${label}] solve: float32, mixed dtypes promote to float64`, (t) => {
    const g = gen();
    const A = randn([6, 6], g, 'float32'), b = randn([6], g, 'float32');
    const x = linalg.solve(A, b);
    t.is(x.dtype, 'float32');
    const r = values(A.matmul(x).sub(b));
    t.true(maxAbs(r) < 1e-4, `residual ${maxAbs(r)}`);
    t.is(linalg.solve(A, b.astype('float64')).dtype, 'float64');
  });

  test(`[${label}] solve: singular matrices throw SingularMatrixError; shape errors name the argument and shapes`, (t) => {
    t.throws(() => linalg.solve(f64([[1, 2], [2, 4]]), f64([1, 2])), { instanceOf: SingularMatrixError, message: /^solve: the 2×2 matrix is singular: pivot 2/ });
    t.throws(() => linalg.solve(f64([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), f64([1, 2, 3])), { instanceOf: SingularMatrixError });
    t.throws(() => linalg.solve(f64([[1, 2, 3], [4, 5, 6]]), f64([1, 2])),
      { instanceOf: ShapeError, message: 'linalg.solve: A must be square, got shape [2, 3]' });
    t.throws(() => linalg.solve(f64([1, 2]), f64([1, 2])),
      { instanceOf: ShapeError, message: 'linalg.solve: A must be a matrix (2-D), got shape [2]' });
    t.throws(() => linalg.solve(f64([[1, 0], [0, 1]]), f64([1, 2, 3])),
      { instanceOf: ShapeError, message: 'linalg.solve: B must have shape [2] or [2, k] to match A [2, 2], got [3]' });
    t.throws(() => linalg.solve(f64([[1, 0], [0, 1]]), f64([[[1], [2]]])), { instanceOf: ShapeError, message: /B must have shape/ });
    t.throws(() => linalg.solve(f64([[1, 0], [0, NaN]]), f64([1, 2])), { instanceOf: RangeError, message: 'solve: a[1, 1] is NaN; the matrix must be finite' });
  });

  test(`[${label}] lstsq: numpy's answers (solution, residuals, rank, singular values)`, (t) => {
    // numpy.linalg.lstsq([[1,0],[1,1],[1,2]], [1,2,2]) = ([7/6, 1/2], [1/6], 2, ...)
    const A = f64([[1, 0], [1, 1], [1, 2]]);
    const r = linalg.lstsq(A, f64([1, 2, 2]));
    t.deepEqual(r.solution.shape, [2]);
    t.true(maxAbs(values(r.solution).map((v, i) => v - [7 / 6, 1 / 2][i])) < 1e-14, `${values(r.solution)}`);
    t.deepEqual(r.residuals.shape, [1]);
    t.true(Math.abs(r.residuals.item() - 1 / 6) < 1e-14);
    t.is(r.rank, 2);
    const s = values(r.singularValues);
    const ev = [4 + Math.sqrt(10), 4 - Math.sqrt(10)]; // eigenvalues of AᵀA = [[3,3],[3,5]]
    t.true(maxAbs(s.map((v, i) => v - Math.sqrt(ev[i]))) < 1e-14, `${s}`);
    // Two right-hand sides: residuals per column.
    const two = linalg.lstsq(A, f64([[1, 0], [2, 1], [2, 2]]));
    t.deepEqual(two.solution.shape, [2, 2]);
    t.deepEqual(two.residuals.shape, [2]);
    t.true(maxAbs(values(two.solution).map((v, i) => v - [7 / 6, 0, 1 / 2, 1][i])) < 1e-14);
    t.true(maxAbs(values(two.residuals).map((v, i) => v - [1 / 6, 0][i])) < 1e-14);
    // Rank-deficient (repeated column) and wide: minimum norm, no residuals (as numpy).
    const dup = linalg.lstsq(f64([[1, 1], [2, 2], [3, 3]]), f64([1, 2, 3]));
    t.is(dup.rank, 1);
    t.deepEqual(dup.residuals.shape, [0]);
    t.true(maxAbs(values(dup.solution).map((v) => v - 0.5)) < 1e-14);
    const wide = linalg.lstsq(f64([[1, 1]]), f64([2]));
    t.is(wide.rank, 1);
    t.deepEqual(wide.residuals.shape, [0]);
    t.true(maxAbs(values(wide.solution).map((v) => v - 1)) < 1e-14);
  });

  test(`[${label}] lstsq agrees with the normal equations and with solve on well-conditioned problems`, (t) => {
    const g = gen();
    for (const [m, n] of [[30, 4], [200, 7], [13, 13]]) {
      const X = randn([m, n], g), y = randn([m], g);
      const { solution, rank, residuals } = linalg.lstsq(X, y);
      t.is(rank, n);
      const normal = linalg.solve(X.matmul(X, { transposeA: true }), X.matmul(y, { transposeA: true }));
      const d = maxAbs(values(solution.sub(normal)));
      t.true(d <= 1e-12 * Math.max(1, maxAbs(values(normal))), `${m}×${n}: lstsq vs normal equations ${d}`);
      if (m > n) {
        const rss = values(X.matmul(solution).sub(y)).reduce((s, v) => s + v * v, 0);
        t.true(Math.abs(residuals.item() - rss) <= 1e-12 * Math.max(1, rss));
      }
    }
  });

  test(`[${label}] lstsq: shape errors`, (t) => {
    t.throws(() => linalg.lstsq(f64([1, 2]), f64([1, 2])), { instanceOf: ShapeError, message: 'linalg.lstsq: A must be a matrix (2-D), got shape [2]' });
    t.throws(() => linalg.lstsq(f64([[1], [2], [3]]), f64([1, 2])),
      { instanceOf: ShapeError, message: 'linalg.lstsq: B must have shape [3] or [3, k] to match A [3, 1], got [2]' });
  });

  test(`[${label}] eigh and svd wrap the kernels`, (t) => {
    const { values: ev, vectors } = linalg.eigh(f64([[2, 1], [1, 2]]));
    t.true(maxAbs(values(ev).map((v, i) => v - [1, 3][i])) < 1e-14);
    t.deepEqual(vectors.shape, [2, 2]);
    // A v = λ v for each column.
    const A = f64([[2, 1], [1, 2]]);
    const av = values(A.matmul(vectors)), v = values(vectors), l = values(ev);
    t.true(maxAbs(av.map((x, i) => x - v[i] * l[i % 2])) < 1e-14);
    const g = gen();
    const M = randn([5, 3], g);
    const { u, s, vt } = linalg.svd(M);
    t.deepEqual([u.shape, s.shape, vt.shape], [[5, 3], [3], [3, 3]]);
    const back = u.mul(s).matmul(vt);
    t.true(maxAbs(values(back.sub(M))) < 1e-13);
    t.throws(() => linalg.eigh(f64([[1, 2, 3]])), { instanceOf: ShapeError, message: 'linalg.eigh: A must be square, got shape [1, 3]' });
    t.throws(() => linalg.svd(f64([1, 2, 3])), { instanceOf: ShapeError, message: 'linalg.svd: A must be a matrix (2-D), got shape [3]' });
  });
}

test('linalg: operands on different backends are refused', (t) => {
  const other = createCudaBackend(new MockCudaAddon());
  const A = Tensor.from([[1, 0], [0, 1]], { dtype: 'float64', backend: 'ts' });
  const b = Tensor.from([1, 2], { dtype: 'float64', backend: other });
  t.throws(() => linalg.solve(A, b), { instanceOf: RangeError, message: /different backends \(ts and cuda\)/ });
});

// ---- audit: non-finite input on every function, dtype and backend; cpu against the ts reference ----

for (const [label, be] of contenders) {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`[${label}] ${dtype}: NaN and ±Infinity in any operand of solve, lstsq, eigh, svd throw a RangeError naming the entry`, (t) => {
      const base = [4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]; // symmetric positive definite
      for (const bad of [NaN, Infinity, -Infinity]) {
        const A = (at = -1) => Tensor.from(base.map((v, i) => (i === at ? bad : v)), { dtype, backend: be, shape: [3, 3] });
        const b = (at = -1) => Tensor.from([1, 2, 3].map((v, i) => (i === at ? bad : v)), { dtype, backend: be });
        const B2 = (at = -1) => Tensor.from([1, 2, 3, 4, 5, 6].map((v, i) => (i === at ? bad : v)), { dtype, backend: be, shape: [3, 2] });
        const matrix = (fn: string, i: number, j: number) => ({ instanceOf: RangeError, message: `${fn}: a[${i}, ${j}] is ${bad}; the matrix must be finite` });
        const rhs = (fn: string, i: number, j: number) => ({ instanceOf: RangeError, message: `${fn}: b[${i}, ${j}] is ${bad}; the right-hand side must be finite` });
        t.throws(() => linalg.solve(A(7), b()), matrix('solve', 2, 1));
        t.throws(() => linalg.solve(A(), b(2)), rhs('solve', 2, 0));
        t.throws(() => linalg.solve(A(), B2(3)), rhs('solve', 1, 1));
        t.throws(() => linalg.lstsq(A(5), b()), matrix('lstsq', 1, 2));
        t.throws(() => linalg.lstsq(A(), b(1)), rhs('lstsq', 1, 0));
        t.throws(() => linalg.lstsq(A().slice(1, 0, 2), B2(4)), rhs('lstsq', 2, 0)); // a tall 3×2 A
        t.throws(() => linalg.eigh(A(7)), matrix('symEig', 2, 1));
        t.throws(() => linalg.eigh(A(0)), matrix('symEig', 0, 0));
        t.throws(() => linalg.svd(A(2)), matrix('svd', 0, 2));
        t.throws(() => linalg.svd(A(3).slice(1, 0, 2).T), matrix('svd', 0, 1)); // wide 2×3
        // eigh reads only the lower triangle (numpy's UPLO='L'): a bad upper entry is never looked at.
        const { values: ev } = linalg.eigh(A(5));
        const ref = values(linalg.eigh(A()).values);
        t.true(maxAbs(values(ev).map((v, i) => v - ref[i])) === 0);
        t.true(values(ev).every(Number.isFinite));
      }
    });
  }
}

/** Aligns the sign of column j of b (rows×cols, row-major) with column j of a; returns the signs. */
function columnSigns(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number): number[] {
  return Array.from({ length: cols }, (_, j) => {
    let dot = 0;
    for (let i = 0; i < rows; i++) dot += a[i * cols + j] * b[i * cols + j];
    return dot < 0 ? -1 : 1;
  });
}

/** max |a − sign_j·b| over the columns (colSigns) or rows (rowSigns) of row-major matrices, relative to max(1, |a|). */
function alignedDiff(a: ArrayLike<number>, b: ArrayLike<number>, cols: number, signs: number[], byRow = false): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const sign = byRow ? signs[Math.floor(i / cols)] : signs[i % cols];
    worst = Math.max(worst, Math.abs(a[i] - sign * b[i]) / Math.max(1, Math.abs(a[i])));
  }
  return worst;
}

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return a.length === b.length ? worst : Infinity;
}

if (backendsUnderTest().includes('cpu')) {
  for (const dtype of ['float32', 'float64'] as const) {
    // cpu runs LAPACK (in float32 for float32 eigh and svd), ts its Jacobi / elimination in doubles: they agree to the dtype's accuracy.
    const tol = dtype === 'float64' ? 1e-10 : 2e-4;
    const pair = (shape: number[], g: Generator): [Tensor, Tensor] => {
      const ts = Tensor.randn(shape, { dtype, backend: 'ts', generator: g });
      return [ts, ts.to('cpu')];
    };

    test(`cpu and ts agree (${dtype}): solve`, (t) => {
      const g = new Generator(11);
      for (const [n, k] of [[1, 1], [5, 1], [12, 3], [40, 2]]) {
        const [A, Ac] = pair([n, n], g), [B, Bc] = pair([n, k], g);
        const x = linalg.solve(A, B), xc = linalg.solve(Ac, Bc);
        t.is(xc.dtype, dtype);
        t.is(xc.backend.name, 'cpu');
        const d = relDiff(values(xc), values(x)) / Math.max(1, maxAbs(values(x)));
        t.true(d < (dtype === 'float64' ? 1e-11 : 1e-4), `n=${n}: ${d}`);
        const bv = B.reshape(n * k).slice(0, 0, n);
        t.true(relDiff(values(linalg.solve(Ac, bv.to('cpu'))), values(linalg.solve(A, bv))) / Math.max(1, maxAbs(values(x))) < tol);
      }
      // The same singular matrices on both.
      for (const be of ['ts', 'cpu'] as const) {
        t.throws(() => linalg.solve(Tensor.from([[1, 2], [2, 4]], { dtype, backend: be }), Tensor.from([1, 1], { dtype, backend: be })),
          { instanceOf: SingularMatrixError, message: /^solve: the 2×2 matrix is singular: pivot 2 / });
        t.throws(() => linalg.solve(Tensor.zeros([3, 3], { dtype, backend: be }), Tensor.ones([3], { dtype, backend: be })),
          { instanceOf: SingularMatrixError, message: /pivot 1 / });
      }
    });

    test(`cpu and ts agree (${dtype}): lstsq on tall, wide, square and rank-deficient A`, (t) => {
      const g = new Generator(12);
      for (const [m, n, k] of [[20, 4, 1], [9, 9, 2], [3, 7, 1], [15, 6, 3]]) {
        const [A, Ac] = pair([m, n], g), [B, Bc] = pair([m, k], g);
        const r = linalg.lstsq(A, B), rc = linalg.lstsq(Ac, Bc);
        const what = `${m}×${n}, ${k} rhs`;
        t.is(rc.rank, r.rank, what);
        t.true(relDiff(values(rc.solution), values(r.solution)) < tol, `${what}: solution`);
        t.true(relDiff(values(rc.singularValues), values(r.singularValues)) < tol, `${what}: singular values`);
        t.deepEqual(rc.residuals.shape, r.residuals.shape);
        t.true(relDiff(values(rc.residuals), values(r.residuals)) < tol, `${what}: residuals`);
      }
      // Rank-deficient: a repeated column; both give rank 2 and the same minimum-norm solution.
      const base = Tensor.randn([8, 2], { dtype, backend: 'ts', generator: g });
      const D = Tensor.concat([base, base.slice(1, 0, 1)], 1);
      const y = Tensor.randn([8], { dtype, backend: 'ts', generator: g });
      const r = linalg.lstsq(D, y), rc = linalg.lstsq(D.to('cpu'), y.to('cpu'));
      t.is(r.rank, 2);
      t.is(rc.rank, 2);
      t.true(relDiff(values(rc.solution), values(r.solution)) < tol);
      t.deepEqual(rc.residuals.shape, [0]);
    });

    test(`cpu and ts agree (${dtype}): eigh values, and vectors up to sign`, (t) => {
      const g = new Generator(13);
      for (const n of [1, 2, 6, 30]) {
        const [M, Mc] = pair([n, n], g);
        const S = M.add(M.T), Sc = Mc.add(Mc.T);
        const e = linalg.eigh(S), ec = linalg.eigh(Sc);
        t.is(ec.values.dtype, dtype);
        const scale = Math.max(1, maxAbs(values(e.values)));
        t.true(relDiff(values(ec.values), values(e.values)) / scale < tol, `n=${n}: values`);
        const v = values(e.vectors), vc = values(ec.vectors);
        t.true(alignedDiff(vc, v, n, columnSigns(vc, v, n, n)) < tol, `n=${n}: vectors ${alignedDiff(vc, v, n, columnSigns(vc, v, n, n))}`);
        // Each backend's own answer: S V = V diag(values).
        for (const r of [e, ec]) {
          const sv = values(r.vectors.mul(r.values)); // column j times values[j]
          const av = values((r === e ? S : Sc).matmul(r.vectors));
          t.true(maxAbs(av.map((x, i) => x - sv[i])) / scale < tol);
        }
      }
    });

    test(`cpu and ts agree (${dtype}): svd singular values, and u / vt up to a shared sign`, (t) => {
      const g = new Generator(14);
      for (const [m, n] of [[1, 1], [8, 3], [3, 8], [12, 12], [40, 7]]) {
        const [A, Ac] = pair([m, n], g);
        const r = linalg.svd(A), rc = linalg.svd(Ac);
        const k = Math.min(m, n);
        const what = `${m}×${n}`;
        t.is(rc.s.dtype, dtype);
        t.true(relDiff(values(rc.s), values(r.s)) < tol, `${what}: s`);
        const u = values(r.u), uc = values(rc.u);
        const signs = columnSigns(uc, u, m, k);
        t.true(alignedDiff(uc, u, k, signs) < tol, `${what}: u`);
        t.true(alignedDiff(values(rc.vt), values(r.vt), n, signs, true) < tol, `${what}: vt`);
        // Each backend reconstructs A.
        for (const [x, orig] of [[r, A], [rc, Ac]] as const) {
          t.true(maxAbs(values(x.u.mul(x.s).matmul(x.vt).sub(orig))) < tol * Math.max(1, values(r.s)[0]), `${what}: A = U S Vt`);
        }
      }
    });
  }
}

for (const [label, be] of contenders) {
  test(`[${label}] finite input whose result overflows is a RangeError, not NaN`, (t) => {
    const A = Tensor.from([[1e308, 1e308], [-1e308, 1e308]], { dtype: 'float64', backend: be });
    const b = Tensor.from([1e308, 1e308], { dtype: 'float64', backend: be });
    t.throws(() => linalg.solve(A, b), { instanceOf: RangeError, message: /linalg\.solve: the result overflows float64/ });
    const big = Tensor.full([2, 2], 1e308, { dtype: 'float64', backend: be });
    t.throws(() => linalg.svd(big), { instanceOf: RangeError, message: /linalg\.svd: the result overflows/ });
  });
}
