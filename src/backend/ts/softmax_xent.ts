/**
 * Log-softmax fused with the negative log-likelihood loss, and its backward.
 *
 * Forward, per row of c logits: logProbs = (x - max) - log Σ_j exp(x_j - max),
 * stable for any finite logits (±1000 included). Sums are in doubles and the
 * loss is summed from the unrounded double values. The argmax is the first
 * index of the row maximum; a NaN counts as larger than any number, so a row
 * holding NaN reports its first NaN (as numpy.argmax does). The returned loss
 * is the mean over rows; for m = 0 that is 0/0 = NaN.
 *
 * Labels are checked to lie in [0, c) before anything is written (an O(m)
 * pass over the labels, never over the logits).
 */
import type { FloatArray } from '../backend';
import { checkFloatArrays, checkInt32Array, checkLength, checkNumber, checkSize } from '../check';

export function logSoftmaxNllForward(m: number, c: number, logits: FloatArray, labels: Int32Array,
                                     logProbs: FloatArray, argmax: Int32Array | null): number {
  const K = 'logSoftmaxNllForward';
  checkSize(K, 'm', m);
  checkSize(K, 'c', c);
  checkFloatArrays(K, { logits, logProbs });
  checkInt32Array(K, 'labels', labels);
  checkInt32Array(K, 'argmax', argmax, true);
  const detail = `m=${m}, c=${c}`;
  checkLength(K, 'logits', logits, m * c, detail);
  checkLength(K, 'logProbs', logProbs, m * c, detail);
  if (argmax !== null) checkLength(K, 'argmax', argmax, m, `m=${m}`);
  checkLabels(K, m, c, labels);

  let total = 0;
  for (let i = 0; i < m; i++) {
    const row = i * c;
    const best = firstMaxIndex(logits, row, c);
    if (argmax !== null) argmax[i] = best;
    const max = logits[row + best];
    let sumExp = 0;
    for (let j = 0; j < c; j++) sumExp += Math.exp(logits[row + j] - max);
    // (x - max) - log Σ exp(x - max): subtracting max first keeps the small log-probs exact.
    const logSum = Math.log(sumExp);
    for (let j = 0; j < c; j++) logProbs[row + j] = (logits[row + j] - max) - logSum;
    total -= (logits[row + labels[i]] - max) - logSum;
  }
  return total / m;
}

export function logSoftmaxNllBackward(m: number, c: number, logProbs: FloatArray, labels: Int32Array,
                                      gradLoss: number, dLogits: FloatArray): void {
  const K = 'logSoftmaxNllBackward';
  checkSize(K, 'm', m);
  checkSize(K, 'c', c);
  checkNumber(K, 'gradLoss', gradLoss);
  checkFloatArrays(K, { logProbs, dLogits });
  checkInt32Array(K, 'labels', labels);
  const detail = `m=${m}, c=${c}`;
  checkLength(K, 'logProbs', logProbs, m * c, detail);
  checkLength(K, 'dLogits', dLogits, m * c, detail);
  checkLabels(K, m, c, labels);

  const scale = gradLoss / m;
  for (let i = 0; i < m; i++) {
    const row = i * c, label = labels[i];
    for (let j = 0; j < c; j++) {
      dLogits[row + j] = scale * (Math.exp(logProbs[row + j]) - (j === label ? 1 : 0));
    }
  }
}

/**
 * Index (relative to `start`) of the first maximum of x[start .. start+count),
 * NaN counting as the largest value. count must be at least 1.
 */
export function firstMaxIndex(x: ArrayLike<number>, start: number, count: number): number {
  let best = 0, bestValue = x[start];
  if (bestValue !== bestValue) return 0;
  for (let j = 1; j < count; j++) {
    const v = x[start + j];
    if (v !== v) return j;
    if (v > bestValue) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}

function checkLabels(kernel: string, m: number, c: number, labels: Int32Array): void {
  checkLength(kernel, 'labels', labels, m, `m=${m}`);
  for (let i = 0; i < m; i++) {
    const label = labels[i];
    if (label < 0 || label >= c) {
      throw new RangeError(`${kernel}: labels[${i}] = ${label} is outside [0, ${c})`);
    }
  }
}
