/**
 * Principal component analysis, as scikit-learn's `PCA` (svd_solver='full',
 * whiten=False): the rows of `components` are the right singular vectors of
 * the centred data, the largest first, with scikit-learn's sign convention.
 *
 *     const pca = new PCA({ nComponents: 0.95 });   // keep 95% of the variance
 *     const Ztrain = pca.fitTransform(Xtrain);       // [n, pca.nComponents]
 *     const Zval = pca.transform(Xval);
 *
 * How it is computed (all in float64, through `linalg`; results rounded
 * once to X's dtype). The centred data Xc [n, d] has singular values s_i;
 * two routes give them and the components:
 *
 * - 'eigh': the symmetric eigendecomposition of the smaller Gram matrix —
 *   Xc Xcᵀ [n, n] when n <= d (its eigenvectors are the left singular
 *   vectors u_i, and the components are v_i = Xcᵀ u_i / s_i), else
 *   Xcᵀ Xc [d, d] (its eigenvectors are the components) — with s_i² its
 *   eigenvalues. For 1000×3136 this is about 2.5× faster than the SVD of Xc
 *   (LAPACK on cpu: a 1000×1000 ?syevd after one GEMM, against ?gesdd of
 *   the whole matrix). Squaring costs accuracy for the small components:
 *   the error of component i is about ε·(s_1/s_i)² (ε = 2^-52), so it is
 *   used only when every kept component has s_1/s_i <= 2^12 for float32
 *   (error <= 2^-28, far below float32's rounding) or <= 2^6 for float64
 *   (error <= 2^-40).
 * - 'svd': linalg.svd of Xc (LAPACK ?gesdd on cpu), exact to rounding, as
 *   scikit-learn; used when the bound above fails (a steep spectrum, or all
 *   components of rank-deficient data: centred data with n <= d has a zero
 *   singular value).
 *
 * `solver: 'auto'` (the default) tries 'eigh' and falls back to 'svd' when
 * the bound fails; 'svd' or 'eigh' force a route ('eigh' then only refuses
 * components whose singular value is zero).
 */
import { noGrad } from '../autograd/mode';
import type { DType } from '../backend/backend';
import { ShapeError } from '../errors';
import * as linalg from '../linalg';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import { pairwiseSum } from './pairwise_sum';

/** How PCA decomposes the centred data (see the module comment). */
export type PCASolver = 'auto' | 'svd' | 'eigh';

/** Options of {@link PCA}. */
export interface PCAOptions {
  /**
   * How many components to keep: a positive integer <= min(samples,
   * features); a fraction in (0, 1), meaning the smallest k whose cumulative
   * explained variance ratio exceeds it (strictly, as scikit-learn 1.2:
   * searchsorted(cumsum(ratio), fraction, side='right') + 1); or undefined
   * for all min(samples, features).
   */
  nComponents?: number;
  /** Default 'auto'. */
  solver?: PCASolver;
}

/** Largest s_1/s_i the 'eigh' route accepts per dtype (error about ε·ratio²). */
const EIGH_MAX_RATIO: Record<DType, number> = { float32: 2 ** 12, float64: 2 ** 6 };

/**
 * Principal component analysis (scikit-learn's PCA with svd_solver='full').
 * Attributes are set by fit, as tensors in X's dtype on X's backend.
 */
export class PCA {
  /** The nComponents asked for (undefined: all). */
  readonly requestedComponents: number | undefined;
  /** The solver asked for. */
  readonly solver: PCASolver;
  /** The route fit took: 'eigh' or 'svd'; null before fit. */
  solverUsed: 'eigh' | 'svd' | null = null;
  /** Number of components kept (n_components_); 0 before fit. */
  nComponents = 0;
  /** Principal axes [nComponents, features] (components_), orthonormal rows, by decreasing variance. */
  components: Tensor | null = null;
  /** Variance along each component, s_i² / (n − 1) [nComponents] (explained_variance_). */
  explainedVariance: Tensor | null = null;
  /** Fraction of the total variance along each component [nComponents] (explained_variance_ratio_). */
  explainedVarianceRatio: Tensor | null = null;
  /** The singular values s_i of the centred data [nComponents] (singular_values_). */
  singularValues: Tensor | null = null;
  /** Per-feature mean of the training data [features] (mean_). */
  mean: Tensor | null = null;
  /** Mean variance of the dropped components, 0 when none is dropped (noise_variance_). */
  noiseVariance = 0;
  /** Rows and columns of the data fit saw (n_samples_, n_features_in_). */
  nSamples = 0;
  nFeatures = 0;

  private components64: Tensor | null = null;
  private mean64: Tensor | null = null;
  private readonly onBackend = new Map<string, { components: Tensor; mean: Tensor }>();

  /** `new PCA(0.95)` is `new PCA({ nComponents: 0.95 })`. */
  constructor(options: PCAOptions | number = {}) {
    const opts = typeof options === 'number' ? { nComponents: options } : options;
    const k = opts.nComponents;
    if (k !== undefined) {
      const ok = typeof k === 'number' && Number.isFinite(k) && k > 0 && (Number.isInteger(k) || k < 1);
      if (!ok) {
        throw new RangeError(`PCA: nComponents must be a positive integer or a fraction in (0, 1), got ${String(k)}`);
      }
    }
    const solver = opts.solver ?? 'auto';
    if (!['auto', 'svd', 'eigh'].includes(solver)) {
      throw new RangeError(`PCA: solver must be 'auto', 'svd' or 'eigh', got ${JSON.stringify(solver)}`);
    }
    this.requestedComponents = k;
    this.solver = solver;
  }

  /** Whether fit has run. */
  get fitted(): boolean {
    return this.nComponents > 0;
  }

  /** Fits the components on X [n, features] (n >= 2, finite); returns this. */
  fit(X: Tensor): this {
    noGrad(() => this.fitCentred(X));
    return this;
  }

  /** The projections of X on the components: (X − mean) componentsᵀ [n, nComponents], X's dtype on X's backend. */
  transform(X: Tensor): Tensor {
    const p = this.parameters('transform', X, 'X', this.nFeatures);
    return noGrad(() => X.sub(p.mean).matmul(p.components, { transposeB: true }));
  }

  /** fit(X) then the projections of X (computed from the float64 centred data). */
  fitTransform(X: Tensor): Tensor {
    return noGrad(() => {
      const xc = this.fitCentred(X);
      return xc.matmul(this.components64 as Tensor, { transposeB: true }).astype(X.dtype);
    });
  }

  /** Back to feature space: Z components + mean, [n, features] for Z [n, nComponents], Z's dtype on Z's backend. */
  inverseTransform(Z: Tensor): Tensor {
    const p = this.parameters('inverseTransform', Z, 'Z', this.nComponents);
    return noGrad(() => Z.matmul(p.components).add(p.mean));
  }

  /** Fits and returns the float64 centred data (for fitTransform). */
  private fitCentred(X: Tensor): Tensor {
    const fn = 'PCA.fit';
    const [n, d] = requireMatrix(fn, 'X', X);
    if (n < 2) throw new ShapeError(`${fn}: X needs at least 2 samples, got shape ${shapeString(X.shape)}`);
    requireFiniteRows(fn, 'X', hostValues(X), n, d);
    const maxK = Math.min(n, d);
    const requested = this.requestedComponents;
    if (requested !== undefined && requested >= 1 && requested > maxK) {
      throw new RangeError(`${fn}: nComponents=${requested} must be at most min(samples, features) = ${maxK} for X ${shapeString(X.shape)}`);
    }

    const x64 = X.astype('float64');
    const mean = x64.mean(0);
    const xc = x64.sub(mean);

    let fitted: Decomposition | null = null;
    if (this.solver !== 'svd') {
      fitted = eighRoute(xc, n, d, (squares) => this.keep(spectrum(squares, n, fn).ratios));
      const ratio = fitted.s[0] / fitted.s[fitted.k - 1];
      // A kept eigenvalue within rounding (m·ε·λ_1) of 0 belongs to a zero singular value: its component is undetermined.
      const zero = fitted.squares[fitted.k - 1] <= maxK * 2 ** -52 * fitted.squares[0];
      const accurate = !zero && ratio <= EIGH_MAX_RATIO[X.dtype];
      if (this.solver === 'auto' && !accurate) {
        fitted = null;
      } else if (zero) {
        throw new RangeError(`${fn}: singular value ${fitted.k} of the centred data is 0, so solver 'eigh' cannot find its `
          + `component; use solver 'svd' (or 'auto'), or fewer components`);
      }
    }
    if (fitted === null) fitted = svdRoute(xc, (squares) => this.keep(spectrum(squares, n, fn).ratios));
    const { s, squares, k, components } = fitted;
    const { variances, ratios } = spectrum(squares, n, fn);
    const opts = { dtype: X.dtype, backend: X.backend };
    this.solverUsed = fitted.route;
    this.nComponents = k;
    this.nSamples = n;
    this.nFeatures = d;
    this.components64 = components;
    this.mean64 = mean;
    this.components = components.astype(X.dtype);
    this.mean = mean.astype(X.dtype);
    this.explainedVariance = Tensor.from(variances.subarray(0, k), opts);
    this.explainedVarianceRatio = Tensor.from(ratios.subarray(0, k), opts);
    this.singularValues = Tensor.from(s.subarray(0, k), opts);
    this.noiseVariance = k < maxK ? pairwiseSum(variances, k, maxK - k) / (maxK - k) : 0;
    this.onBackend.clear();
    return xc;
  }

  /**
   * The number of components to keep given the explained variance ratios of
   * all min(n, d) components: the count asked for, all, or scikit-learn's
   * searchsorted(stable_cumsum(ratio), fraction, side='right') + 1 (at most
   * min(n, d), which rounding could otherwise exceed).
   */
  private keep(ratios: Float64Array): number {
    const k = this.requestedComponents;
    const maxK = ratios.length;
    if (k === undefined) return maxK;
    if (k >= 1) return k;
    let cumulative = 0, count = 0;
    for (let i = 0; i < maxK; i++) {
      cumulative += ratios[i];
      if (cumulative <= k) count = i + 1;
      else break;
    }
    return Math.min(count + 1, maxK);
  }

  private parameters(method: string, X: Tensor, name: string, width: number): { components: Tensor; mean: Tensor } {
    const fn = `PCA.${method}`;
    if (!this.fitted || !this.components64 || !this.mean64) throw new Error(`${fn}: this PCA is not fitted yet; call fit(X) first`);
    const [n, cols] = requireMatrix(fn, name, X, false);
    if (cols !== width) {
      const what = name === 'X' ? `features but this PCA was fitted on ${width}` : `columns but this PCA has ${width} components`;
      throw new ShapeError(`${fn}: ${name} has ${cols} ${what}`);
    }
    requireFiniteRows(fn, name, hostValues(X), n, cols);
    const key = `${X.backend.name}:${X.dtype}`;
    let p = this.onBackend.get(key);
    if (!p || p.components.backend !== X.backend) {
      p = { components: this.components64.to(X.backend).astype(X.dtype), mean: this.mean64.to(X.backend).astype(X.dtype) };
      this.onBackend.set(key, p);
    }
    return p;
  }
}

/**
 * Explained variances s²/(n − 1) and their ratios to the total, computed as
 * scikit-learn does (total = numpy's pairwise sum of the variances), so
 * fractions select the same count. Zero total variance is a RangeError.
 */
function spectrum(squares: Float64Array, n: number, fn: string): { variances: Float64Array; ratios: Float64Array } {
  const variances = squares.map((v) => v / (n - 1));
  const total = pairwiseSum(variances, 0, variances.length);
  if (!(total > 0)) throw new RangeError(`${fn}: X has zero variance (all ${n} rows are equal); it has no principal components`);
  return { variances, ratios: variances.map((v) => v / total) };
}


interface Decomposition {
  route: 'eigh' | 'svd';
  /** All min(n, d) singular values, descending. */
  s: Float64Array;
  /** Their squares (from the eigenvalues directly on the 'eigh' route). */
  squares: Float64Array;
  /** Components kept. */
  k: number;
  /** float64 [k, d], sign-fixed as scikit-learn's svd_flip. */
  components: Tensor;
}

/**
 * The 'eigh' route: eigh of Xc Xcᵀ (n <= d) or Xcᵀ Xc (d < n). Eigenvalues
 * come ascending; index i of the descending order is column m−1−i.
 */
function eighRoute(xc: Tensor, n: number, d: number, keep: (squares: Float64Array) => number): Decomposition {
  const small = n <= d;
  const m = small ? n : d;
  const gram = small ? xc.matmul(xc, { transposeB: true }) : xc.matmul(xc, { transposeA: true });
  const { values, vectors } = linalg.eigh(gram);
  const lambda = hostValues(values), vec = hostValues(vectors);
  const squares = new Float64Array(m), s = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    squares[i] = Math.max(lambda[m - 1 - i], 0);
    s[i] = Math.sqrt(squares[i]);
  }
  const k = keep(squares);
  const be = xc.backend;
  if (small) {
    // u_i = column m−1−i of the eigenvectors; component i = sign_i · u_iᵀ Xc / s_i.
    const w = new Float64Array(k * n);
    for (let i = 0; i < k; i++) {
      const col = m - 1 - i;
      const sign = signOfLargest((r) => vec[r * m + col], n);
      const f = s[i] > 0 ? sign / s[i] : 0;
      for (let r = 0; r < n; r++) w[i * n + r] = f * vec[r * m + col];
    }
    const components = Tensor.from(w, { dtype: 'float64', backend: be, shape: [k, n] }).matmul(xc);
    return { route: 'eigh', s, squares, k, components };
  }
  // v_i = column m−1−i; u_i ∝ Xc v_i decides the sign.
  const vk = new Float64Array(d * k);
  for (let r = 0; r < d; r++) for (let i = 0; i < k; i++) vk[r * k + i] = vec[r * m + m - 1 - i];
  const V = Tensor.from(vk, { dtype: 'float64', backend: be, shape: [d, k] });
  const p = hostValues(xc.matmul(V));
  const out = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    const sign = signOfLargest((r) => p[r * k + i], n);
    for (let j = 0; j < d; j++) out[i * d + j] = sign * vk[j * k + i];
  }
  return { route: 'eigh', s, squares, k, components: Tensor.from(out, { dtype: 'float64', backend: be, shape: [k, d] }) };
}

/** The 'svd' route: linalg.svd of Xc, signs by svd_flip on u. */
function svdRoute(xc: Tensor, keep: (squares: Float64Array) => number): Decomposition {
  const [n, d] = xc.shape;
  const { u, s: sv, vt } = linalg.svd(xc);
  const m = Math.min(n, d);
  const s = Float64Array.from(hostValues(sv));
  const squares = s.map((v) => v * v);
  const k = keep(squares);
  const uh = hostValues(u), vth = hostValues(vt);
  const out = new Float64Array(k * d);
  for (let i = 0; i < k; i++) {
    const sign = signOfLargest((r) => uh[r * m + i], n);
    for (let j = 0; j < d; j++) out[i * d + j] = sign * vth[i * d + j];
  }
  return { route: 'svd', s, squares, k, components: Tensor.from(out, { dtype: 'float64', backend: xc.backend, shape: [k, d] }) };
}

/**
 * scikit-learn's svd_flip (u-based): the sign of the entry of largest
 * |value| of a column of u, the first one on ties (numpy's argmax); a zero
 * column counts as positive.
 */
function signOfLargest(at: (row: number) => number, rows: number): number {
  let best = 0, bestAbs = -1;
  for (let r = 0; r < rows; r++) {
    const a = Math.abs(at(r));
    if (a > bestAbs) {
      bestAbs = a;
      best = r;
    }
  }
  return at(best) < 0 ? -1 : 1;
}

function requireMatrix(fn: string, name: string, X: Tensor, needRows = true): [number, number] {
  if (!(X instanceof Tensor)) throw new TypeError(`${fn}: ${name} must be a Tensor, got ${X === null ? 'null' : typeof X}`);
  if (X.ndim !== 2) throw new ShapeError(`${fn}: ${name} must be a matrix [samples, features], got shape ${shapeString(X.shape)}`);
  const [n, d] = X.shape;
  if (d === 0) throw new ShapeError(`${fn}: ${name} has no columns (shape ${shapeString(X.shape)})`);
  if (needRows && n === 0) throw new ShapeError(`${fn}: ${name} has no samples (shape ${shapeString(X.shape)})`);
  return [n, d];
}

/** The values of a tensor on the host (no copy on host backends). */
function hostValues(t: Tensor): ArrayLike<number> & { [i: number]: number } {
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
