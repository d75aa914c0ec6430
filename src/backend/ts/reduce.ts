/**
 * Reductions over the middle axis of x viewed as outer×n×inner:
 * out[o, i] = op_k x[o, k, i].
 *
 * Sums are accumulated in doubles in order k = 0, 1, ...; max/min follow
 * Math.max/Math.min (NaN propagates). An empty axis (n = 0) gives the
 * identity of the op: 0 for sum, -Infinity for max, +Infinity for min.
 * argmax writes the first index of the maximum; a NaN counts as larger than
 * any number (its first occurrence wins, as in numpy.argmax), matching max,
 * which returns NaN there. argmax needs n >= 1.
 */
import { REDUCE_OPS, type FloatArray, type ReduceOp } from '../backend';
import { checkFloatArrays, checkInt32Array, checkLength, checkOption, checkSize } from '../check';
import { firstMaxIndex } from './softmax_xent';

export function reduce(op: ReduceOp, outer: number, n: number, inner: number, x: FloatArray,
                       out: FloatArray): void {
  const K = 'reduce';
  checkOption(K, 'op', op, REDUCE_OPS);
  checkSize(K, 'outer', outer);
  checkSize(K, 'n', n);
  checkSize(K, 'inner', inner);
  checkFloatArrays(K, { x, out });
  const detail = `outer=${outer}, n=${n}, inner=${inner}`;
  checkLength(K, 'x', x, outer * n * inner, detail);
  checkLength(K, 'out', out, outer * inner, detail);

  const identity = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
  const combine = op === 'sum' ? (s: number, v: number) => s + v : op === 'max' ? Math.max : Math.min;
  // One row of inner accumulators per outer index, so x is read contiguously.
  const accumulators = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    accumulators.fill(identity);
    for (let k = 0; k < n; k++) {
      const row = (o * n + k) * inner;
      for (let i = 0; i < inner; i++) accumulators[i] = combine(accumulators[i], x[row + i]);
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = accumulators[i];
  }
}

export function argmax(outer: number, n: number, inner: number, x: FloatArray, out: Int32Array): void {
  const K = 'argmax';
  checkSize(K, 'outer', outer);
  checkSize(K, 'n', n);
  checkSize(K, 'inner', inner);
  if (n < 1) throw new RangeError(`${K}: n must be at least 1 (the maximum of an empty axis has no index)`);
  if (n > 0x7fffffff) throw new RangeError(`${K}: n=${n} does not fit the Int32Array output`);
  checkFloatArrays(K, { x });
  checkInt32Array(K, 'out', out);
  const detail = `outer=${outer}, n=${n}, inner=${inner}`;
  checkLength(K, 'x', x, outer * n * inner, detail);
  checkLength(K, 'out', out, outer * inner, detail);

  if (inner === 1) {
    for (let o = 0; o < outer; o++) out[o] = firstMaxIndex(x, o * n, n);
    return;
  }
  // Walk k outermost so x is read contiguously; keep the running best per column.
  const best = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner, outRow = o * inner;
    for (let i = 0; i < inner; i++) {
      best[i] = x[base + i];
      out[outRow + i] = 0;
    }
    for (let k = 1; k < n; k++) {
      const row = base + k * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[row + i], b = best[i];
        // Replace on a strictly larger value, or on the first NaN (once best is NaN nothing beats it).
        if (v > b || (v !== v && b === b)) {
          best[i] = v;
          out[outRow + i] = k;
        }
      }
    }
  }
}
