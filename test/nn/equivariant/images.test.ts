import test from 'ava';
import { composePermutations } from '../../../src/nn/equivariant/group';
import {
  dihedralGroup, flipGroup, flipPermutation, rotateImages, rotationGroup, rotationPermutation,
} from '../../../src/nn/equivariant/images';

const apply = (p: Int32Array, x: ArrayLike<number>) => Array.from(p, (i) => x[i]);

// np.rot90 of [[1,2,3],[4,5,6],[7,8,9]] for k = 0..3.
const A = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const ROT = [
  A,
  [3, 6, 9, 2, 5, 8, 1, 4, 7],
  [9, 8, 7, 6, 5, 4, 3, 2, 1],
  [7, 4, 1, 8, 5, 2, 9, 6, 3],
];

test('rotationPermutation is np.rot90 (counter-clockwise)', (t) => {
  t.deepEqual(apply(rotationPermutation(3), A), ROT[1]);
  t.deepEqual(apply(rotationPermutation(2), [1, 2, 3, 4]), [2, 4, 1, 3]);
  t.deepEqual(Array.from(rotationPermutation(1)), [0]);
});

test('flipPermutation: horizontal is np.fliplr, vertical np.flipud', (t) => {
  t.deepEqual(apply(flipPermutation(3, 'horizontal'), A), [3, 2, 1, 6, 5, 4, 9, 8, 7]);
  t.deepEqual(apply(flipPermutation(3, 'vertical'), A), [7, 8, 9, 4, 5, 6, 1, 2, 3]);
  t.throws(() => flipPermutation(3, 'diagonal' as 'horizontal'), { instanceOf: RangeError });
  t.throws(() => rotationPermutation(0), { instanceOf: RangeError });
});

test('element i of rotationGroup is rot90^i; flipGroup lists I, H, V, HV', (t) => {
  const c4 = rotationGroup(3);
  for (let i = 0; i < 4; i++) t.deepEqual(apply(c4.elements[i], A), ROT[i]);
  const f = flipGroup(3);
  const h = flipPermutation(3, 'horizontal');
  const v = flipPermutation(3, 'vertical');
  t.deepEqual(f.elements.map((p) => Array.from(p)), [[0, 1, 2, 3, 4, 5, 6, 7, 8], Array.from(h), Array.from(v),
    Array.from(composePermutations(h, v))]);
  t.is(dihedralGroup(3).order, 8);
});

test('rotateImages matches np.rot90(image, k) per row, k mod 4 (negative and > 3 too)', (t) => {
  const two = Float64Array.from([...A, ...A.map((x) => 10 * x)]);
  for (const k of [-5, -1, 0, 1, 2, 3, 4, 5, 7]) {
    const want = ROT[((k % 4) + 4) % 4];
    const out = rotateImages(two, 3, k);
    t.true(out instanceof Float64Array);
    t.deepEqual(Array.from(out), [...want, ...want.map((x) => 10 * x)], `k = ${k}`);
  }
  const f32 = rotateImages(Float32Array.from([1, 2, 3, 4]), 2, 1);
  t.true(f32 instanceof Float32Array);
  t.deepEqual(Array.from(f32), [2, 4, 1, 3]);
  t.deepEqual(Array.from(rotateImages(Float32Array.from([1, 2, 3, 4]), 2, 4)), [1, 2, 3, 4]);
  t.throws(() => rotateImages(new Float64Array(10), 3, 1), { instanceOf: RangeError });
  t.throws(() => rotateImages(new Float64Array(9), 3, 0.5), { instanceOf: RangeError });
});
