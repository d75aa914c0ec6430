/** Checks shared by the `ml` estimators: sample matrices and integer labels. */
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import type { Tensor } from '../tensor/tensor';
import type { Labels } from './estimator';

/** [n, d] of a 2-D sample matrix, or a ShapeError naming the function. */
export function sampleMatrix(fn: string, X: Tensor, name = 'X'): [number, number] {
  if (X === null || typeof X !== 'object' || !Array.isArray(X.shape)) {
    throw new TypeError(`${fn}: ${name} must be a Tensor of shape [samples, features]`);
  }
  if (X.ndim !== 2) throw new ShapeError(`${fn}: ${name} must be 2-D [samples, features], got shape ${shapeString(X.shape)}`);
  return [X.shape[0], X.shape[1]];
}

/** The labels as an Int32Array of length n: integers, or a RangeError naming the first bad one. */
export function integerLabels(fn: string, y: Labels, n: number, name = 'y'): Int32Array {
  const out = labelArray(fn, name, y);
  if (out.length !== n) throw new RangeError(`${fn}: ${name} has ${out.length} labels but X has ${n} samples; they must match`);
  return out;
}

/** Labels as an Int32Array (TypeError for a non-array, RangeError naming the first non-integer). */
export function labelArray(fn: string, name: string, y: Labels): Int32Array {
  if (y === null || typeof y !== 'object' || typeof (y as { length?: unknown }).length !== 'number') {
    throw new TypeError(`${fn}: ${name} must be an array of integer labels, got ${y === null ? 'null' : typeof y}`);
  }
  const out = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) {
      throw new RangeError(`${fn}: ${name}[${i}] is ${v}; labels must be 32-bit integers`);
    }
    out[i] = v;
  }
  return out;
}

/** The first non-finite entry of X (host values) as a RangeError, if any. */
export function requireFiniteSamples(fn: string, values: ArrayLike<number>, d: number, name = 'X'): void {
  for (let e = 0; e < values.length; e++) {
    if (!Number.isFinite(values[e])) {
      throw new RangeError(`${fn}: ${name}[${Math.floor(e / d)}, ${e % d}] is ${values[e]}; features must be finite (no NaN or Infinity)`);
    }
  }
}
