import { REDUCE_OPS } from '../../../src/backend/backend';
import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, zerosLike } from '../../helpers/random';

// [outer, n, inner]: rows (inner = 1), columns (outer = 1) and middle axes.
const LAYOUTS: [number, number, number][] = [[1, 1, 1], [7, 13, 1], [1, 13, 7], [3, 5, 4], [128, 10, 1], [1, 60000, 1], [1, 1000, 10]];

parity('reduce and argmax match the reference', ({ t, native, ref, dtype, gen }) => {
  for (const op of REDUCE_OPS) {
    for (const [outer, n, inner] of LAYOUTS) {
      const x = randomArray(gen, dtype, outer * n * inner);
      const outRef = zerosLike(x, outer * inner);
      const outNative = zerosLike(x, outer * inner);
      ref.reduce(op, outer, n, inner, x, outRef);
      native.reduce(op, outer, n, inner, x, outNative);
      const scale = new Float64Array(outer * inner).fill(op === 'sum' ? n : 1);
      t.true(maxRelativeError(outNative, outRef, scale) <= tolerance(dtype, n), `${op} ${outer}×${n}×${inner}`);
    }
  }
  for (const [outer, n, inner] of LAYOUTS) {
    const x = randomArray(gen, dtype, outer * n * inner);
    const aRef = new Int32Array(outer * inner);
    const aNative = new Int32Array(outer * inner);
    ref.argmax(outer, n, inner, x, aRef);
    native.argmax(outer, n, inner, x, aNative);
    t.deepEqual(Array.from(aNative), Array.from(aRef), `argmax ${outer}×${n}×${inner}`);
  }
});

parity('argmax takes the first of tied maxima or NaN; empty reductions give their identities', ({ t, native, ref, dtype }) => {
  const x = dtype === 'float64' ? Float64Array.from([1, 3, 3, 2, 5, 5]) : Float32Array.from([1, 3, 3, 2, 5, 5]);
  const idx = new Int32Array(2);
  native.argmax(2, 3, 1, x, idx);
  t.deepEqual(Array.from(idx), [1, 1]);
  // NaN counts as the largest value and the first NaN wins (numpy.argmax), in columns too.
  const withNaN = dtype === 'float64' ? Float64Array.from([1, NaN, 3, NaN, 2, 5]) : Float32Array.from([1, NaN, 3, NaN, 2, 5]);
  for (const [outer, n, inner] of [[2, 3, 1], [1, 3, 2], [1, 2, 3]]) {
    const expected = new Int32Array(outer * inner);
    const actual = new Int32Array(outer * inner);
    ref.argmax(outer, n, inner, withNaN, expected);
    native.argmax(outer, n, inner, withNaN, actual);
    t.deepEqual(Array.from(actual), Array.from(expected), `NaN argmax ${outer}×${n}×${inner}`);
  }
  const out = zerosLike(x, 2).fill(NaN);
  native.reduce('sum', 2, 0, 1, x.subarray(0, 0), out);
  t.deepEqual(Array.from(out), [0, 0]);
  native.reduce('max', 2, 0, 1, x.subarray(0, 0), out);
  t.deepEqual(Array.from(out), [-Infinity, -Infinity]);
});
