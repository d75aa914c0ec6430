import test from 'ava';
import { backend } from '../../../src/backend';
import type { Backend } from '../../../src/backend/backend';
import { MatrixGroup, PermutationGroup, type FiniteGroup } from '../../../src/nn/equivariant/group';
import { dihedralGroup, flipGroup, rotationGroup } from '../../../src/nn/equivariant/images';
import {
  fixedBasis, intersectSubspaces, invariantBasis, isInvariant, matrixRank, orthonormalize, projectionResidual,
  reynoldsOperator, trace,
} from '../../../src/nn/equivariant/subspace';
import { Tensor } from '../../../src/tensor/tensor';
import { backendsUnderTest } from '../../helpers/backends';

/** Number of orbits of a permutation group on its points (union-find over the generators' elements). */
function orbitCount(g: PermutationGroup): number {
  const parent = Array.from({ length: g.degree }, (_, i) => i);
  const find = (a: number): number => (parent[a] === a ? a : (parent[a] = find(parent[a])));
  for (const p of g.elements) p.forEach((b, a) => { parent[find(a)] = find(b); });
  return parent.filter((_, a) => find(a) === a).length;
}

const column = (u: Tensor, j: number): Float64Array => {
  const [n, k] = u.shape;
  return Float64Array.from({ length: n }, (_, i) => u.data[i * k + j]);
};

/** max over columns w and elements g of ‖wᵀ T_g − wᵀ‖∞ (left) or ‖T_g w − w‖∞ (right). */
function maxDefect(group: FiniteGroup, u: Tensor, side: 'left' | 'right'): number {
  const n = group.degree;
  let worst = 0;
  for (let i = 0; i < group.order; i++) {
    const m = group.matrix(i);
    for (let j = 0; j < u.shape[1]; j++) {
      const w = column(u, j);
      for (let a = 0; a < n; a++) {
        let s = 0;
        for (let b = 0; b < n; b++) s += side === 'left' ? w[b] * m[b * n + a] : m[a * n + b] * w[b];
        worst = Math.max(worst, Math.abs(s - w[a]));
      }
    }
  }
  return worst;
}

function maxOrthoError(u: Tensor): number {
  const [, k] = u.shape;
  let worst = 0;
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      const x = column(u, a);
      const y = column(u, b);
      worst = Math.max(worst, Math.abs(x.reduce((s, v, i) => s + v * y[i], 0) - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

const backends: [string, Backend][] = backendsUnderTest().map((name) => [name, backend(name)]);

for (const [name, be] of backends) {
  test(`${name}: invariant dimensions are the orbit counts (C4 = ceil(n²/4), flips, D4) and every basis vector is invariant`, (t) => {
    for (const n of [3, 4, 5]) {
      const groups: [string, PermutationGroup][] = [['C4', rotationGroup(n)], ['flips', flipGroup(n)], ['D4', dihedralGroup(n)]];
      for (const [gname, g] of groups) {
        const u = invariantBasis(g, { backend: be });
        t.is(u.dtype, 'float64');
        t.is(u.backend, be);
        t.is(u.shape[0], n * n);
        t.is(u.shape[1], orbitCount(g), `${gname} n=${n}`);
        if (gname === 'C4') t.is(u.shape[1], Math.ceil((n * n) / 4));
        if (gname === 'flips') t.is(u.shape[1], Math.ceil(n / 2) ** 2);
        t.true(maxDefect(g, u, 'left') < 1e-10, `${gname} n=${n}`);
        t.true(maxOrthoError(u) < 1e-10);
        const r = reynoldsOperator(g, { backend: be });
        t.true(Math.abs(trace(r) - u.shape[1]) < 1e-12);
        t.is(matrixRank(r), u.shape[1]);
        t.is(fixedBasis(g, { backend: be }).shape[1], u.shape[1]);
      }
    }
  });

  test(`${name}: the Reynolds operator of a permutation group is the mean of its matrices`, (t) => {
    const g = dihedralGroup(3);
    const r = reynoldsOperator(g, { backend: be });
    const want = new Float64Array(81);
    for (let i = 0; i < g.order; i++) g.matrix(i).forEach((v, k) => { want[k] += v / g.order; });
    t.true(r.data.every((v, k) => Math.abs(v - want[k]) < 1e-15));
    t.deepEqual(r.shape, [9, 9]);
  });

  test(`${name}: left and right bases differ for a non-orthogonal group, each meeting its own definition`, (t) => {
    // C2 = {I, S}, S = diag(1, -1, 1) conjugated by a non-orthogonal A: A S A⁻¹.
    const A = [[1, 2, 0], [0, 1, 1], [0, 0, 1]];
    const Ainv = [[1, -2, 2], [0, 1, -1], [0, 0, 1]];
    const S = [1, -1, 1];
    const M = A.map((row, i) => Ainv[0].map((_, j) => row.reduce((s, a, k) => s + a * S[k] * Ainv[k][j], 0)));
    const g = MatrixGroup.fromGenerators([M]);
    t.is(g.order, 2);
    const left = invariantBasis(g, { backend: be });
    const right = fixedBasis(g, { backend: be });
    t.is(left.shape[1], 2);
    t.is(right.shape[1], 2);
    t.true(maxDefect(g, left, 'left') < 1e-10);
    t.true(maxDefect(g, right, 'right') < 1e-10);
    t.true(maxDefect(g, left, 'right') > 1e-3, 'a left basis vector is not a right one');
    t.true(maxDefect(g, right, 'left') > 1e-3);
    const residuals = [0, 1].map((j) => projectionResidual(column(left, j), right));
    t.true(Math.max(...residuals) > 1e-3, `residuals ${residuals}`);
  });

  test(`${name}: {I, -I} has a rank-0 Reynolds operator and an empty invariant basis`, (t) => {
    const n = 4;
    const minus = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? -1 : 0)));
    const g = MatrixGroup.fromGenerators([minus]);
    const r = reynoldsOperator(g, { backend: be });
    t.true(r.data.every((v) => v === 0));
    t.is(matrixRank(r), 0);
    const u = invariantBasis(g, { backend: be });
    t.deepEqual(u.shape, [n, 0]);
    t.is(projectionResidual([1, 2, 3, 4], u), 1);
    t.false(isInvariant([1, 0, 0, 0], u).invariant);
    t.true(isInvariant([0, 0, 0, 0], u).invariant, 'only w = 0 (the bias alone) is invariant');
  });

  test(`${name}: projection residual is 0 in the span and positive outside it`, (t) => {
    const u = invariantBasis(rotationGroup(4), { backend: be });
    const w = new Float64Array(16);
    for (let j = 0; j < u.shape[1]; j++) column(u, j).forEach((v, i) => { w[i] += (j + 1) * v; });
    t.true(projectionResidual(w, u) < 1e-12);
    t.true(isInvariant(Tensor.from(Array.from(w), { dtype: 'float64' }), u).invariant);
    const off = Float64Array.from(w);
    off[0] += 1;
    const r = projectionResidual(off, u);
    t.true(r > 0.1, `residual ${r}`);
    t.deepEqual(isInvariant(off, u), { residual: r, invariant: false });
    t.true(Math.abs(projectionResidual([1, 0, 0, 0, ...new Array(12).fill(0)], u) - Math.sqrt(3 / 4)) < 1e-12);
    t.throws(() => projectionResidual([1, 2], u), { instanceOf: RangeError });
  });

  test(`${name}: C4 ∩ flips spans the D4 invariant subspace`, (t) => {
    for (const n of [3, 4, 5, 6]) {
      const c4 = invariantBasis(rotationGroup(n), { backend: be });
      const flips = invariantBasis(flipGroup(n), { backend: be });
      const d4 = invariantBasis(dihedralGroup(n), { backend: be });
      const both = intersectSubspaces(c4, flips, { backend: be });
      t.is(both.shape[1], d4.shape[1], `n=${n}`);
      t.true(maxOrthoError(both) < 1e-10);
      for (let j = 0; j < both.shape[1]; j++) {
        t.true(projectionResidual(column(both, j), d4) < 1e-10);
        t.true(projectionResidual(column(d4, j), both) < 1e-10);
      }
      t.true(maxDefect(dihedralGroup(n), both, 'left') < 1e-10);
    }
  });
}

test('intersectSubspaces orthonormalizes its inputs and handles trivial intersections', (t) => {
  const be = backend('ts');
  // span{e0, e1} ∩ span{e1 + e2, 2 e0} = span{e0}, given non-orthonormal.
  const u = Tensor.from([[1, 1], [0, 1], [0, 0]], { dtype: 'float64' });
  const v = Tensor.from([[0, 2], [1, 0], [1, 0]], { dtype: 'float64' });
  const w = intersectSubspaces(u, v, { backend: be });
  t.deepEqual(w.shape, [3, 1]);
  t.true(Math.abs(Math.abs(w.data[0]) - 1) < 1e-12);
  const none = intersectSubspaces(Tensor.from([[1], [0], [0]], { dtype: 'float64' }), Tensor.from([[0], [1], [0]], { dtype: 'float64' }));
  t.deepEqual(none.shape, [3, 0]);
  t.deepEqual(intersectSubspaces(u, new Tensor(new Float64Array(0), [3, 0])).shape, [3, 0]);
  const o = orthonormalize(Tensor.from([[1, 2, 0], [1, 2, 1], [0, 0, 0]], { dtype: 'float64' }));
  t.deepEqual(o.shape, [3, 2], 'the dependent column is dropped');
  t.true(maxOrthoError(o) < 1e-14);
});
