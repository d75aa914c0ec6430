import test from 'ava';
import { Tensor } from '../../../src/tensor/tensor';
import {
  composePermutations, invertPermutation, MatrixGroup, PermutationGroup, permutationMatrix,
} from '../../../src/nn/equivariant/group';
import { dihedralGroup, flipGroup, rotationGroup } from '../../../src/nn/equivariant/images';

const perm = (...v: number[]) => Int32Array.from(v);

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

function isIdentity(m: Float64Array, n: number, tol = 1e-9): boolean {
  return m.every((v, k) => Math.abs(v - (k % (n + 1) === 0 ? 1 : 0)) <= tol);
}

test('composePermutations is the matrix product P_p P_q, and (P x)[a] = x[p[a]]', (t) => {
  const p = perm(2, 0, 1, 3);
  const q = perm(1, 3, 0, 2);
  const r = composePermutations(p, q);
  t.deepEqual(Array.from(permutationMatrix(r)), Array.from(matmul(permutationMatrix(p), permutationMatrix(q), 4)));
  const x = [10, 11, 12, 13];
  const P = permutationMatrix(p);
  const px = [0, 1, 2, 3].map((a) => x.reduce((s, v, b) => s + P[a * 4 + b] * v, 0));
  t.deepEqual(px, Array.from(p, (i) => x[i]));
  t.deepEqual(Array.from(composePermutations(p, invertPermutation(p))), [0, 1, 2, 3]);
  t.throws(() => composePermutations(p, perm(0, 1)), { instanceOf: RangeError });
});

test('closure orders: C4 = 4, flips = 4, D4 = 8, a cyclic group element i = g^i', (t) => {
  t.is(rotationGroup(5).order, 4);
  t.is(flipGroup(5).order, 4);
  t.is(dihedralGroup(5).order, 8);
  t.is(dihedralGroup(4).order, 8);
  const g = perm(1, 2, 3, 4, 0);
  const c5 = PermutationGroup.fromGenerators([g]);
  t.is(c5.order, 5);
  let power: Int32Array = perm(0, 1, 2, 3, 4);
  for (let i = 0; i < 5; i++) {
    t.deepEqual(Array.from(c5.elements[i]), Array.from(power));
    power = composePermutations(power, g);
  }
  t.is(PermutationGroup.fromGenerators([perm(1, 0, 2), perm(0, 2, 1)]).order, 6); // S3
});

test('PermutationGroup compose, inverse and matrix agree with the permutations', (t) => {
  const d4 = dihedralGroup(3);
  for (let i = 0; i < d4.order; i++) {
    t.is(d4.compose(i, d4.inverse(i)), 0);
    t.is(d4.compose(0, i), i);
    for (let j = 0; j < d4.order; j++) {
      t.deepEqual(Array.from(d4.elements[d4.compose(i, j)]), Array.from(composePermutations(d4.elements[i], d4.elements[j])));
    }
    t.deepEqual(Array.from(d4.matrix(i)), Array.from(permutationMatrix(d4.elements[i])));
  }
  t.is(d4.indexOf(d4.elements[5]), 5);
  t.throws(() => d4.compose(0, 8), { instanceOf: RangeError });
});

test('PermutationGroup rejects non-permutations, mixed lengths, no generators and closures past maxOrder', (t) => {
  t.throws(() => PermutationGroup.fromGenerators([perm(0, 0, 1)]), { instanceOf: RangeError, message: /not a permutation/ });
  t.throws(() => PermutationGroup.fromGenerators([perm(0, 3, 1)]), { instanceOf: RangeError, message: /not a permutation/ });
  t.throws(() => PermutationGroup.fromGenerators([perm(1, 0), perm(0, 2, 1)]), { instanceOf: RangeError });
  t.throws(() => PermutationGroup.fromGenerators([]), { instanceOf: RangeError });
  // S6 has 720 elements.
  t.throws(() => PermutationGroup.fromGenerators([perm(1, 0, 2, 3, 4, 5), perm(1, 2, 3, 4, 5, 0)], { maxOrder: 100 }),
    { instanceOf: RangeError, message: /maxOrder = 100/ });
  t.is(PermutationGroup.fromGenerators([perm(1, 0, 2, 3, 4, 5), perm(1, 2, 3, 4, 5, 0)]).order, 720);
});

test('MatrixGroup: a 60° rotation generates 6 elements, {I, -I} 2, and compose/inverse match the matrices', (t) => {
  const c = Math.cos(Math.PI / 3);
  const s = Math.sin(Math.PI / 3);
  for (const gen of [[[c, -s], [s, c]], Float64Array.of(c, -s, s, c), Tensor.from([[c, -s], [s, c]], { dtype: 'float64' })]) {
    const g = MatrixGroup.fromGenerators([gen]);
    t.is(g.order, 6);
    t.is(g.degree, 2);
    t.true(isIdentity(g.matrix(0), 2));
    for (let i = 0; i < 6; i++) {
      t.true(isIdentity(matmul(g.matrix(i), g.matrix(g.inverse(i)), 2), 2));
      for (let j = 0; j < 6; j++) {
        const want = matmul(g.matrix(i), g.matrix(j), 2);
        t.true(g.matrix(g.compose(i, j)).every((v, k) => Math.abs(v - want[k]) < 1e-9));
      }
    }
  }
  const pm = MatrixGroup.fromGenerators([[[-1, 0, 0], [0, -1, 0], [0, 0, -1]]]);
  t.is(pm.order, 2);
  t.is(pm.inverse(1), 1);
  // A non-orthogonal group: C2 conjugated by [[1, 1], [0, 1]].
  t.is(MatrixGroup.fromGenerators([[[1, -2], [0, -1]]]).order, 2);
  // D4 as 2×2 matrices.
  t.is(MatrixGroup.fromGenerators([[[0, -1], [1, 0]], [[-1, 0], [0, 1]]]).order, 8);
});

test('MatrixGroup errors: non-square, mixed sizes, non-finite, infinite order, singular', (t) => {
  t.throws(() => MatrixGroup.fromGenerators([[[1, 0, 0], [0, 1, 0]]]), { instanceOf: RangeError, message: /not square/ });
  t.throws(() => MatrixGroup.fromGenerators([Float64Array.of(1, 0, 0)]), { instanceOf: RangeError, message: /not square/ });
  t.throws(() => MatrixGroup.fromGenerators([Tensor.zeros([2, 3])]), { instanceOf: RangeError, message: /not square/ });
  t.throws(() => MatrixGroup.fromGenerators([[[1, 0], [0, 1]], [[1]]]), { instanceOf: RangeError });
  t.throws(() => MatrixGroup.fromGenerators([[[NaN, 0], [0, 1]]]), { instanceOf: RangeError, message: /non-finite/ });
  t.throws(() => MatrixGroup.fromGenerators([[[1, 1], [0, 1]]]), { instanceOf: RangeError, message: /maxOrder = 10000/ });
  t.throws(() => MatrixGroup.fromGenerators([[[1, 1], [0, 1]]], { maxOrder: 50 }), { instanceOf: RangeError, message: /maxOrder = 50/ });
  t.throws(() => MatrixGroup.fromGenerators([[[0, 1], [0, 0]]]), { instanceOf: RangeError, message: /not invertible/ });
  t.throws(() => MatrixGroup.fromGenerators([[[1, 0], [0, 0]]]), { instanceOf: RangeError, message: /not invertible/ });
  t.throws(() => MatrixGroup.fromGenerators([]), { instanceOf: RangeError });
});
