import test from 'ava';
import { argmax, reduce } from '../../../src/backend/ts/reduce';
import { REDUCE_OPS, type FloatArray, type ReduceOp } from '../../../src/backend/backend';
import { DTYPES, assertClose, mulberry32, randomArray } from './helpers';

function naiveReduce(op: ReduceOp, outer: number, n: number, inner: number, x: FloatArray): Float64Array {
  const out = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const values = Array.from({ length: n }, (_, k) => x[(o * n + k) * inner + i]);
      out[o * inner + i] = op === 'sum' ? values.reduce((s, v) => s + v, 0)
        : op === 'max' ? Math.max(...values) : Math.min(...values);
    }
  }
  return out;
}

// [outer, n, inner]: row sums (m, c, 1), column sums (1, m, c), a middle axis, ones, and empty axes.
const SHAPES: Array<[number, number, number]> = [
  [5, 7, 1], [1, 6, 9], [3, 4, 5], [1, 1, 1], [4, 1, 3], [3, 0, 2], [0, 5, 3], [2, 3, 0],
];

for (const dt of DTYPES) {
  test(`reduce ${dt.name}: sum/max/min over the middle axis`, (t) => {
    const rng = mulberry32(61);
    for (const op of REDUCE_OPS) {
      for (const [outer, n, inner] of SHAPES) {
        const x = randomArray(rng, dt.Ctor, outer * n * inner);
        const out = new dt.Ctor(outer * inner).fill(NaN);
        reduce(op, outer, n, inner, x, out);
        assertClose(t, out, naiveReduce(op, outer, n, inner, x), dt.tol, `${op} ${outer}×${n}×${inner}`);
      }
    }
  });

  test(`argmax ${dt.name}: the first index of the maximum`, (t) => {
    const rng = mulberry32(62);
    for (const [outer, n, inner] of SHAPES.filter(([, n]) => n > 0)) {
      // Few distinct values, so ties are common.
      const x = new dt.Ctor(outer * n * inner);
      for (let i = 0; i < x.length; i++) x[i] = Math.floor(rng() * 3);
      const out = new Int32Array(outer * inner).fill(-1);
      argmax(outer, n, inner, x, out);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = 0;
          for (let k = 1; k < n; k++) if (x[(o * n + k) * inner + i] > x[(o * n + best) * inner + i]) best = k;
          t.is(out[o * inner + i], best, `${outer}×${n}×${inner} at ${o},${i}`);
        }
      }
    }
  });
}

test('reduce: an empty axis gives the identity; NaN propagates through max/min', (t) => {
  const out = new Float64Array(2);
  reduce('sum', 2, 0, 1, new Float64Array(0), out);
  t.deepEqual(Array.from(out), [0, 0]);
  reduce('max', 2, 0, 1, new Float64Array(0), out);
  t.deepEqual(Array.from(out), [-Infinity, -Infinity]);
  reduce('min', 1, 0, 2, new Float64Array(0), out);
  t.deepEqual(Array.from(out), [Infinity, Infinity]);
  const x = Float64Array.from([1, NaN, 3, 4, 5, 6]);
  reduce('max', 1, 3, 2, x, out);
  t.deepEqual(Array.from(out), [5, NaN]);
  const mins = new Float64Array(3);
  reduce('min', 3, 2, 1, x, mins);
  t.deepEqual(Array.from(mins), [NaN, 3, 5]);
});

test('reduce float32: sums accumulate in doubles', (t) => {
  const x = new Float32Array(4097).fill(2 ** -25);
  x[0] = 1;
  const out = new Float32Array(1);
  reduce('sum', 1, x.length, 1, x, out);
  t.is(out[0], Math.fround(1 + 4096 * 2 ** -25));
});

test('argmax: NaN counts as the maximum, first one wins', (t) => {
  const out = new Int32Array(2);
  argmax(1, 4, 2, Float64Array.from([1, 2, NaN, 2, 5, NaN, NaN, 9]), out);
  t.deepEqual(Array.from(out), [1, 2]);
  argmax(2, 3, 1, Float32Array.from([NaN, 7, 7, -1, 4, 4]), out);
  t.deepEqual(Array.from(out), [0, 1]);
});

test('reduce / argmax: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  t.throws(() => argmax(2, 0, 3, f(0), new Int32Array(6)), { instanceOf: RangeError, message: /n must be at least 1/ });
  t.throws(() => reduce('sum', 2, 3, 4, f(23), f(8)), { instanceOf: RangeError, message: /reduce: x has 23 elements, needs 24 \(outer=2, n=3, inner=4\)/ });
  t.throws(() => reduce('sum', 2, 3, 4, f(24), f(7)), { instanceOf: RangeError, message: /out has 7 elements, needs 8/ });
  t.throws(() => reduce('sum', 2, 3, 4, f(24), new Float32Array(8)), { instanceOf: TypeError });
  t.throws(() => argmax(2, 3, 4, f(24), new Int32Array(7)), { instanceOf: RangeError, message: /out has 7 elements/ });
  const anyReduce = reduce as unknown as (...args: unknown[]) => void;
  t.throws(() => anyReduce('mean', 1, 1, 1, f(1), f(1)), { instanceOf: RangeError, message: /unknown op 'mean'/ });
  t.throws(() => anyReduce('sum', 1, -1, 1, f(1), f(1)), { instanceOf: RangeError });
  const anyArgmax = argmax as unknown as (...args: unknown[]) => void;
  t.throws(() => anyArgmax(1, 2, 1, f(2), f(1)), { instanceOf: TypeError, message: /out must be an Int32Array/ });
});
