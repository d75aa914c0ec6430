/** Shared helpers for the reference-backend tests: a seeded PRNG, dtypes, comparisons, finite differences. */
import type { ExecutionContext } from 'ava';
import type { FloatArray } from '../../../src/backend/backend';

export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG with uniform output in [0, 1). */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo = -1, hi = 1): number {
  return lo + (hi - lo) * rng();
}

/** A standard normal sample (Box–Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng(), v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

export interface DTypeCase {
  name: 'float32' | 'float64';
  Ctor: FloatCtor;
  /** Tolerance relative to max(1, max |expected|) for results computed in doubles and stored once. */
  tol: number;
}

export const DTYPES: readonly DTypeCase[] = [
  { name: 'float64', Ctor: Float64Array, tol: 1e-12 },
  { name: 'float32', Ctor: Float32Array, tol: 1e-5 },
];

/** An array of `length` uniform values in [lo, hi). */
export function randomArray(rng: Rng, Ctor: FloatCtor, length: number, lo = -1, hi = 1): FloatArray {
  const x = new Ctor(length);
  for (let i = 0; i < length; i++) x[i] = uniform(rng, lo, hi);
  return x;
}

/**
 * max |actual - expected| / max(1, max finite |expected|) over the first
 * `length` entries. NaN must meet NaN and equal infinities match; any other
 * mismatch involving NaN or ±Infinity gives Infinity.
 */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>,
                              length = expected.length): number {
  let scale = 1, worst = 0;
  for (let i = 0; i < length; i++) if (Number.isFinite(expected[i])) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < length; i++) {
    const e = expected[i], a = actual[i];
    if (Object.is(e, a) || e === a) continue; // equal infinities and NaN = NaN included
    const d = Math.abs(a - e);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst / scale;
}

/** Asserts relativeError(actual, expected) <= tol. */
export function assertClose(t: ExecutionContext, actual: ArrayLike<number>, expected: ArrayLike<number>,
                            tol: number, message: string, length = expected.length): void {
  t.true(actual.length >= length, `${message}: actual has ${actual.length} entries, expected ${length}`);
  const err = relativeError(actual, expected, length);
  t.true(err <= tol, `${message}: relative error ${err} > ${tol}`);
}

/**
 * Central differences of a scalar function f with respect to every entry of
 * x (perturbed in place and restored): (f(x + h e_i) - f(x - h e_i)) / 2h.
 */
export function numericGradient(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + h;
    const plus = f();
    x[i] = saved - h;
    const minus = f();
    x[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
  }
  return grad;
}

/** Σ x_i y_i in doubles. */
export function dotAll(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** A copy as a Float64Array. */
export function toF64(x: ArrayLike<number>): Float64Array {
  return Float64Array.from(x);
}
