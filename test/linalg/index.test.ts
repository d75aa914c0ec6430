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
