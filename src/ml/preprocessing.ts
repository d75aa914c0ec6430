/**
 * Standardisation of features, as scikit-learn's `StandardScaler`: each
 * column of X [n, features] is centred on its mean and divided by its
 * (population, ddof 0) standard deviation.
 *
 *     const scaler = new StandardScaler();
 *     const Ztrain = scaler.fitTransform(Xtrain);   // fit on the training rows only
 *     const Zval = scaler.transform(Xval);          // the same mean and scale
 */
import { noGrad } from '../autograd/mode';
import type { Backend } from '../backend/backend';
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

/** Options of {@link StandardScaler} (scikit-learn's with_mean / with_std). */
export interface StandardScalerOptions {
  /** Subtract the mean of each feature (default true). */
  withMean?: boolean;
  /** Divide by the standard deviation of each feature (default true). */
  withStd?: boolean;
}

/**
 * Standardises features: z = (x − mean) / scale, column by column.
 *
 * `fit` computes the mean and the population variance (ddof 0) of each
 * column in float64 (two passes, as scikit-learn's accumulators); `scale`
 * is the square root of the variance, except that a feature scikit-learn
 * calls constant (variance <= n·ε·var + (n·ε·mean)², ε = 2^-52, its
 * `_is_constant_feature` test; an exactly constant column always is) gets
 * scale 1, so it is centred but not blown up. `transform` and
 * `inverseTransform` compute in float64 and return X's dtype on X's
 * backend; the fitted attributes are tensors in the fitted X's dtype on its
 * backend. Non-finite input (NaN, ±Infinity) is a RangeError naming the row
 * and column (scikit-learn instead ignores NaN as missing values).
 */
export class StandardScaler {
  /** Whether `transform` subtracts the mean. */
  readonly withMean: boolean;
  /** Whether `transform` divides by the scale. */
  readonly withStd: boolean;
  /**
   * Per-feature mean [features] (scikit-learn's mean_); null before fit and
   * when both withMean and withStd are false (as scikit-learn).
   */
  mean: Tensor | null = null;
  /** Per-feature population variance [features] (var_); null before fit and when withStd is false. */
  variance: Tensor | null = null;
  /** Per-feature divisor [features] (scale_): the standard deviation, 1 for constant features; null when withStd is false. */
  scale: Tensor | null = null;
  /** Number of features seen by fit (n_features_in_); 0 before fit. */
  nFeatures = 0;
  /** Number of rows seen by fit (n_samples_seen_); 0 before fit. */
  nSamplesSeen = 0;

  private mean64: Float64Array | null = null;
  private scale64: Float64Array | null = null;
  /** float64 copies of the offsets and divisors per backend, made on first use. */
  private readonly onBackend = new Map<Backend, { offset: Tensor; divisor: Tensor }>();

  constructor(options: StandardScalerOptions = {}) {
    for (const key of ['withMean', 'withStd'] as const) {
      const v = options[key];
      if (v !== undefined && typeof v !== 'boolean') {
        throw new TypeError(`StandardScaler: ${key} must be a boolean, got ${typeof v}`);
      }
    }
    this.withMean = options.withMean ?? true;
    this.withStd = options.withStd ?? true;
  }

  /** Whether fit has run. */
  get fitted(): boolean {
    return this.nFeatures > 0;
  }

  /** Computes the mean and scale of each column of X [n, features] (n >= 1); returns this. */
  fit(X: Tensor): this {
    const [n, d] = requireData('StandardScaler.fit', 'X', X);
    const x = hostValues(X);
    requireFiniteRows('StandardScaler.fit', 'X', x, n, d);
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
    for (let j = 0; j < d; j++) mean[j] /= n;
    const variance = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const t = x[i * d + j] - mean[j];
        variance[j] += t * t;
      }
    }
    for (let j = 0; j < d; j++) variance[j] /= n;
    const scale = new Float64Array(d);
    const eps = 2 ** -52;
    for (let j = 0; j < d; j++) {
      const constant = variance[j] <= n * eps * variance[j] + (n * mean[j] * eps) ** 2;
      scale[j] = constant ? 1 : Math.sqrt(variance[j]);
    }

    const opts = { dtype: X.dtype, backend: X.backend };
    const keepMean = this.withMean || this.withStd;
    this.mean = keepMean ? Tensor.from(mean, opts) : null;
    this.variance = this.withStd ? Tensor.from(variance, opts) : null;
    this.scale = this.withStd ? Tensor.from(scale, opts) : null;
    this.mean64 = this.withMean ? mean : new Float64Array(d);
    this.scale64 = this.withStd ? scale : new Float64Array(d).fill(1);
    this.onBackend.clear();
    this.nFeatures = d;
    this.nSamplesSeen = n;
    return this;
  }

  /** (X − mean) / scale for X [n, features] with the fitted feature count: X's dtype, on X's backend. */
  transform(X: Tensor): Tensor {
    const { offset, divisor } = this.parameters('transform', X);
    return noGrad(() => {
      let z = X.astype('float64');
      if (this.withMean) z = z.sub(offset);
      if (this.withStd) z = z.div(divisor);
      return z === X ? X.clone() : z.astype(X.dtype);
    });
  }

  /** fit(X) then transform(X). */
  fitTransform(X: Tensor): Tensor {
    return this.fit(X).transform(X);
  }

  /** The inverse of transform: Z · scale + mean, X's dtype on Z's backend. */
  inverseTransform(Z: Tensor): Tensor {
    const { offset, divisor } = this.parameters('inverseTransform', Z, 'Z');
    return noGrad(() => {
      let x = Z.astype('float64');
      if (this.withStd) x = x.mul(divisor);
      if (this.withMean) x = x.add(offset);
      return x === Z ? Z.clone() : x.astype(Z.dtype);
    });
  }

  private parameters(method: string, X: Tensor, name = 'X'): { offset: Tensor; divisor: Tensor } {
    const fn = `StandardScaler.${method}`;
    if (!this.fitted || !this.mean64 || !this.scale64) throw new Error(`${fn}: this StandardScaler is not fitted yet; call fit(X) first`);
    const [n, d] = requireData(fn, name, X, false);
    if (d !== this.nFeatures) {
      throw new ShapeError(`${fn}: ${name} has ${d} features but this StandardScaler was fitted on ${this.nFeatures}`);
    }
    requireFiniteRows(fn, name, hostValues(X), n, d);
    let cached = this.onBackend.get(X.backend);
    if (!cached) {
      const opts = { dtype: 'float64' as const, backend: X.backend };
      cached = { offset: Tensor.from(this.mean64, opts), divisor: Tensor.from(this.scale64, opts) };
      this.onBackend.set(X.backend, cached);
    }
    return cached;
  }
}

/** [rows, features] of a 2-D tensor, with TypeError / ShapeError messages naming the argument. */
function requireData(fn: string, name: string, X: Tensor, needRows = true): [number, number] {
  if (!(X instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor, got ${describe(X)}`);
  if (X.ndim !== 2) throw new ShapeError(`${fn}: ${name} must be a matrix [samples, features], got shape ${shapeString(X.shape)}`);
  const [n, d] = X.shape;
  if (d === 0) throw new ShapeError(`${fn}: ${name} has no features (shape ${shapeString(X.shape)})`);
  if (needRows && n === 0) throw new ShapeError(`${fn}: ${name} has no samples (shape ${shapeString(X.shape)})`);
  return [n, d];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return typeof v;
}

/** The values of a tensor on the host (no copy on host backends). */
function hostValues(t: Tensor): ArrayLike<number> {
  return t.backend.memory === 'host' ? t.data : t.toTypedArray();
}

/** Throws a RangeError naming the first NaN or ±Infinity of the row-major [n, d] values. */
function requireFiniteRows(fn: string, name: string, x: ArrayLike<number>, n: number, d: number): void {
  for (let i = 0; i < n * d; i++) {
    if (!Number.isFinite(x[i])) {
      throw new RangeError(`${fn}: ${name}[${Math.floor(i / d)}, ${i % d}] is ${x[i]}; the data must be finite`);
    }
  }
}
