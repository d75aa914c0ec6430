import test from 'ava';
import { maxPool2d } from '../../../src/backend/ts/pooling';
import { ShapeError } from '../../../src/errors';

const g = (height: number, width: number, k: number, stride = k) =>
  ({ batch: 1, channels: 1, height, width, kernelH: k, kernelW: k, strideH: stride, strideW: stride, padH: 0, padW: 0 });

test('maxPool2d: window maxima, argmax as flat indices, first of ties, first NaN, leftover rows dropped', (t) => {
  // 3×5 input, 2×2 windows: two windows (row 2 and column 4 are left over).
  const x = Float64Array.from([1, 5, 2, 2, 9, 3, 0, 2, 7, 9, 9, 9, 9, 9, 9]);
  const out = new Float64Array(2), arg = new Int32Array(2);
  maxPool2d(g(3, 5, 2), x, out, arg);
  t.deepEqual(Array.from(out), [5, 7]);
  t.deepEqual(Array.from(arg), [1, 8]);
  const ties = Float64Array.from([4, 4, 4, 4]);
  maxPool2d(g(2, 2, 2), ties, out.subarray(0, 1), arg.subarray(0, 1));
  t.is(arg[0], 0);
  const nan = Float64Array.from([1, NaN, 9, NaN]);
  maxPool2d(g(2, 2, 2), nan, out.subarray(0, 1), arg.subarray(0, 1));
  t.true(Number.isNaN(out[0]));
  t.is(arg[0], 1);
  // Overlapping windows (stride 1).
  const o = new Float64Array(4), a = new Int32Array(4);
  maxPool2d(g(3, 3, 2, 1), Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 0]), o, a);
  t.deepEqual(Array.from(o), [5, 6, 8, 8]);
  t.deepEqual(Array.from(a), [4, 5, 7, 7]);
});

test('maxPool2d: bad geometry and arrays are typed errors', (t) => {
  t.throws(() => maxPool2d({ ...g(2, 2, 2), padH: 1 }, new Float64Array(4), new Float64Array(4), new Int32Array(4)), { instanceOf: ShapeError, message: /padding must be 0/ });
  t.throws(() => maxPool2d(g(2, 2, 3), new Float64Array(4), new Float64Array(1), new Int32Array(1)), { instanceOf: ShapeError, message: /does not fit/ });
  t.throws(() => maxPool2d(g(2, 2, 2), new Float64Array(4), new Float64Array(1), new Float64Array(1) as never), { instanceOf: TypeError });
  t.throws(() => maxPool2d(g(2, 2, 2), new Float64Array(3), new Float64Array(1), new Int32Array(1)), { instanceOf: ShapeError, message: /x has 3 elements, needs 4/ });
});
