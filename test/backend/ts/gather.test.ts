import test from 'ava';
import { gather, scatterAdd } from '../../../src/backend/ts/gather';
import { DTypeError, ShapeError } from '../../../src/errors';
import { DTYPES, assertClose, mulberry32, randomArray } from './helpers';

// [length indices point into, number of indices]: empty, size 1, all indices equal, many repeats.
const LAYOUTS: Array<[number, number]> = [[0, 0], [5, 0], [1, 1], [1, 6], [4, 30], [17, 17], [50, 7]];

for (const dt of DTYPES) {
  test(`gather ${dt.name}: out[j] = src[index[j]]`, (t) => {
    const rng = mulberry32(71);
    for (const [n, m] of LAYOUTS) {
      const src = randomArray(rng, dt.Ctor, n);
      const index = Int32Array.from({ length: m }, () => Math.floor(rng() * n));
      const out = new dt.Ctor(m).fill(NaN);
      gather(src, index, out);
      const expected: number[] = [];
      for (let j = 0; j < m; j++) expected.push(src[index[j]]);
      t.deepEqual(Array.from(out), expected, `${n} → ${m}`);
    }
  });

  test(`scatterAdd ${dt.name}: out[index[j]] += src[j], repeated indices accumulate`, (t) => {
    const rng = mulberry32(72);
    for (const [n, m] of LAYOUTS) {
      const src = randomArray(rng, dt.Ctor, m);
      const index = Int32Array.from({ length: m }, () => Math.floor(rng() * n));
      const out = randomArray(rng, dt.Ctor, n);
      const expected = Float64Array.from(out);
      for (let j = 0; j < m; j++) expected[index[j]] += src[j];
      scatterAdd(src, index, out);
      assertClose(t, out, expected, dt.tol * Math.max(1, m), `${m} → ${n}`);
    }
  });
}

test('scatterAdd is the adjoint of gather and sums every repeat', (t) => {
  const out = new Float64Array(3);
  scatterAdd(Float64Array.from([1, 10, 100, 1000]), Int32Array.from([2, 0, 2, 2]), out);
  t.deepEqual(Array.from(out), [10, 0, 1101]);
  const g = new Float64Array(4);
  gather(Float64Array.from([7, 8, 9]), Int32Array.from([2, 0, 2, 2]), g);
  t.deepEqual(Array.from(g), [9, 7, 9, 9]);
});

test('gather / scatterAdd argument errors name the kernel; nothing is written on a bad index', (t) => {
  const f = (n: number) => new Float32Array(n);
  t.throws(() => gather(f(3), Int32Array.from([0, 3]), f(2)),
    { instanceOf: RangeError, message: 'gather: index[1] = 3 is outside [0, 3) (src has 3 elements)' });
  t.throws(() => gather(f(3), Int32Array.from([-1]), f(1)), { instanceOf: RangeError, message: /^gather: index\[0\] = -1/ });
  t.throws(() => gather(f(0), Int32Array.from([0]), f(1)), { instanceOf: RangeError, message: /^gather: index\[0\] = 0 is outside \[0, 0\)/ });
  t.throws(() => gather(f(3), Int32Array.from([0, 1]), f(3)), { instanceOf: ShapeError, message: /^gather: out has 3 elements but index has 2/ });
  t.throws(() => gather(f(3), [0, 1] as never, f(2)), { instanceOf: TypeError, message: /^gather: index must be an Int32Array/ });
  t.throws(() => gather(f(3), Int32Array.from([0]), new Float64Array(1)), { instanceOf: DTypeError, message: /^gather: / });
  t.throws(() => gather([1, 2] as never, Int32Array.from([0]), f(1)), { instanceOf: TypeError, message: /^gather: src must be/ });

  const out = Float64Array.from([1, 2]);
  t.throws(() => scatterAdd(Float64Array.from([5, 5]), Int32Array.from([1, 2]), out),
    { instanceOf: RangeError, message: 'scatterAdd: index[1] = 2 is outside [0, 2) (out has 2 elements)' });
  t.deepEqual(Array.from(out), [1, 2], 'out is untouched');
  t.throws(() => scatterAdd(Float64Array.from([5]), Int32Array.from([-2147483648]), out), { instanceOf: RangeError, message: /^scatterAdd: / });
  t.throws(() => scatterAdd(f(3), Int32Array.from([0, 1]), f(2)), { instanceOf: ShapeError, message: /^scatterAdd: src has 3 elements but index has 2/ });
  t.throws(() => scatterAdd(f(1), new Uint32Array(1) as never, f(2)), { instanceOf: TypeError, message: /^scatterAdd: index must be an Int32Array/ });
  t.throws(() => scatterAdd(new Float64Array(1), Int32Array.from([0]), f(1)), { instanceOf: DTypeError, message: /^scatterAdd: / });
});
