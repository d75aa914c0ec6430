/**
 * Bias add fused with an activation, and its backward.
 *
 * relu(v) is v for v > 0, +0 for v <= 0 (including -0) and NaN for NaN: NaN
 * propagates, as Math.max(v, 0) and PyTorch do. In the backward the relu
 * derivative is read from the forward output as `out > 0`; masked entries
 * of dX are exactly 0 (a select, not a multiply, so an infinite dOut under
 * the mask gives 0, not NaN).
 */
import { ACTIVATIONS, type Activation, type FloatArray } from '../backend';
import { checkFloatArrays, checkLength, checkOption, checkSize } from '../check';

/** max(v, 0) with NaN propagated and -0 mapped to +0. */
export function relu(v: number): number {
  return v > 0 || v !== v ? v : 0;
}

export function biasActivationForward(act: Activation, m: number, n: number, x: FloatArray,
                                      bias: FloatArray | null, out: FloatArray): void {
  const K = 'biasActivationForward';
  checkOption(K, 'act', act, ACTIVATIONS);
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkFloatArrays(K, { x, out }, { bias });
  const detail = `m=${m}, n=${n}`;
  checkLength(K, 'x', x, m * n, detail);
  checkLength(K, 'out', out, m * n, detail);
  if (bias !== null) checkLength(K, 'bias', bias, n, `n=${n}`);

  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const v = x[row + j] + (bias === null ? 0 : bias[j]);
      out[row + j] = act === 'relu' ? relu(v) : act === 'tanh' ? Math.tanh(v) : v;
    }
  }
}

export function biasActivationBackward(act: Activation, m: number, n: number, dOut: FloatArray,
                                       out: FloatArray, dX: FloatArray, dBias: FloatArray | null): void {
  const K = 'biasActivationBackward';
  checkOption(K, 'act', act, ACTIVATIONS);
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkFloatArrays(K, { dOut, out, dX }, { dBias });
  const detail = `m=${m}, n=${n}`;
  checkLength(K, 'dOut', dOut, m * n, detail);
  checkLength(K, 'out', out, m * n, detail);
  checkLength(K, 'dX', dX, m * n, detail);
  if (dBias !== null) checkLength(K, 'dBias', dBias, n, `n=${n}`);

  // Column sums of dX, accumulated in doubles.
  const sums = dBias === null ? null : new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) {
      const g = dOut[row + j], y = out[row + j];
      dX[row + j] = act === 'relu' ? (y > 0 ? g : 0) : act === 'tanh' ? g * (1 - y * y) : g;
      // Sum what was stored, so dBias is exactly Σ_i dX[i, j] up to the final rounding.
      if (sums !== null) sums[j] += dX[row + j];
    }
  }
  if (dBias !== null && sums !== null) for (let j = 0; j < n; j++) dBias[j] = sums[j];
}
