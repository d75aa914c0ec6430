/** Seeded random test data. */
import type { DType, FloatArray } from '../../src/backend/backend';
import { Generator } from '../../src/random';

export function randomArray(gen: Generator, dtype: DType, length: number, low = -1, high = 1): FloatArray {
  const out = dtype === 'float64' ? new Float64Array(length) : new Float32Array(length);
  gen.fillUniform(out, low, high);
  return out;
}

export function randomLabels(gen: Generator, m: number, c: number): Int32Array {
  const out = new Int32Array(m);
  for (let i = 0; i < m; i++) out[i] = gen.int(c);
  return out;
}

export function zerosLike(a: FloatArray, length = a.length): FloatArray {
  return a instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

/** Largest |a_i - b_i| / scale_i (scale defaults to max(1, |b_i|)); NaNs must match. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>, scale?: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return Infinity;
      continue;
    }
    if (a[i] === b[i]) continue;
    const s = scale ? scale[i] : Math.max(1, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]) / (s === 0 ? 1 : s));
  }
  return worst;
}
