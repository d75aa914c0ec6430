/**
 * ml.SVC: C-support vector classification as scikit-learn's SVC (libsvm):
 * the same dual problem solved the same way (SMO with second-order working
 * sets and shrinking, tolerance 1e-3), one-vs-one for several classes with
 * libsvm's voting, the same attributes. The binary problems run in the
 * backend's svcSolve (native on cpu, two at a time on two cores; the
 * TypeScript reference on ts); kernel values for prediction come from one
 * GEMM of the samples against the support vectors, in float64.
 *
 *     const clf = new ml.SVC({ C: 1, kernel: 'rbf', gamma: 'auto' }).fit(Xtrain, ytrain);
 *     const accuracy = clf.score(Xval, yval);
 *     clf.save('svm.safetensors');  const again = ml.SVC.load('svm.safetensors');
 */
import { noGrad } from '../autograd/mode';
import { SVC_KERNELS, type Backend, type BackendName, type FloatArray, type SvcKernel } from '../backend/backend';
import { gatherRows } from '../data/dataset';
import { ShapeError } from '../errors';
import { loadSafetensors, saveSafetensors } from '../io/safetensors';
import { Tensor } from '../tensor/tensor';
import type { Classifier, Labels } from './estimator';
import { integerLabels, requireFiniteSamples, sampleMatrix } from './labels';

/** gamma: 'scale' = 1/(features·Var(X)), 'auto' = 1/features, or a number > 0. */
export type Gamma = 'scale' | 'auto' | number;

export interface SVCOptions {
  /** Penalty of the margin violations (> 0). Default 1. */
  C?: number;
  /** Default 'rbf'. */
  kernel?: SvcKernel;
  /** Degree of the 'poly' kernel (integer >= 0). Default 3. */
  degree?: number;
  /** Default 'scale', as scikit-learn. */
  gamma?: Gamma;
  /** The constant of 'poly' and 'sigmoid'. Default 0. */
  coef0?: number;
  /** Stopping tolerance (> 0). Default 1e-3. */
  tol?: number;
  /** Shrinking heuristic. Default true. */
  shrinking?: boolean;
  /** Kernel cache per binary problem, in MB (>= 0). Default 200. */
  cacheSize?: number;
  /** Iteration limit per binary problem; 0 = none (scikit-learn's -1). Default 0. */
  maxIter?: number;
}

const DEFAULTS: Required<SVCOptions> = {
  C: 1, kernel: 'rbf', degree: 3, gamma: 'scale', coef0: 0, tol: 1e-3, shrinking: true, cacheSize: 200, maxIter: 0,
};

const FORMAT = 'gradnode.svc/1';

function checkOptions(options: SVCOptions): Required<SVCOptions> {
  if (options === null || typeof options !== 'object') throw new TypeError('ml.SVC: options must be an object');
  for (const key of Object.keys(options)) {
    if (!(key in DEFAULTS)) throw new RangeError(`ml.SVC: unknown option ${JSON.stringify(key)}; expected one of ${Object.keys(DEFAULTS).join(', ')}`);
  }
  const o = { ...DEFAULTS, ...options };
  const bad = (name: string, want: string, got: unknown): never => {
    throw new RangeError(`ml.SVC: ${name} must be ${want}, got ${typeof got === 'string' ? JSON.stringify(got) : String(got)}`);
  };
  if (typeof o.C !== 'number' || !(o.C > 0 && Number.isFinite(o.C))) bad('C', 'a finite number > 0', o.C);
  if (!SVC_KERNELS.includes(o.kernel)) bad('kernel', `one of ${SVC_KERNELS.join(', ')}`, o.kernel);
  if (!Number.isInteger(o.degree) || o.degree < 0) bad('degree', 'an integer >= 0', o.degree);
  const g = o.gamma;
  if (g !== 'scale' && g !== 'auto' && !(typeof g === 'number' && g > 0 && Number.isFinite(g))) bad('gamma', "'scale', 'auto' or a finite number > 0", g);
  if (typeof o.coef0 !== 'number' || !Number.isFinite(o.coef0)) bad('coef0', 'a finite number', o.coef0);
  if (typeof o.tol !== 'number' || !(o.tol > 0 && Number.isFinite(o.tol))) bad('tol', 'a finite number > 0', o.tol);
  if (typeof o.shrinking !== 'boolean') bad('shrinking', 'a boolean', o.shrinking);
  if (typeof o.cacheSize !== 'number' || !(o.cacheSize >= 0 && Number.isFinite(o.cacheSize))) bad('cacheSize', 'a finite number >= 0 (MB)', o.cacheSize);
  if (!Number.isInteger(o.maxIter) || o.maxIter < 0) bad('maxIter', 'an integer >= 0 (0: no limit)', o.maxIter);
  return o;
}

/** The gamma a fit uses, as scikit-learn resolves it (a zero variance gives 1). */
export function resolveGamma(gamma: Gamma, X: ArrayLike<number>, features: number): number {
  if (typeof gamma === 'number') return gamma;
  if (gamma === 'auto') return 1 / features;
  let mean = 0;
  for (let e = 0; e < X.length; e++) mean += X[e];
  mean /= X.length;
  let variance = 0;
  for (let e = 0; e < X.length; e++) variance += (X[e] - mean) ** 2;
  variance /= X.length;
  return variance > 0 ? 1 / (features * variance) : 1;
}

interface Model {
  classes: Int32Array;
  nFeatures: number;
  gamma: number;
  /** Rows of the training X that are support vectors, grouped by class. */
  supportIndices: Int32Array;
  supportVectors: Tensor;
  nSupport: Int32Array;
  /** [(k − 1) × nSV] row-major, libsvm's sv_coef (scikit-learn's dual_coef_ before its binary sign flip). */
  dualCoef: Float64Array;
  rho: Float64Array;
  iterations: Int32Array;
  /** Prediction pieces: SVs in float64 [nSV, d], their squared norms [1, nSV], coefficients per pair [nSV, P], ρ [P]. */
  sv64: Tensor;
  svNorms: Tensor;
  coefByPair: Tensor;
  rhoT: Tensor;
}

/** Pair p's (i, j) in libsvm's order. */
function pairsOf(k: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out.push([i, j]);
  return out;
}

export class SVC implements Classifier {
  readonly options: Readonly<Required<SVCOptions>>;
  private model: Model | null = null;

  constructor(options: SVCOptions = {}) {
    this.options = Object.freeze(checkOptions(options));
  }

  /** Trains on X [n, d] and integer labels y (at least two classes). */
  fit(X: Tensor, y: Labels): this {
    const fn = 'ml.SVC.fit';
    const [n, d] = sampleMatrix(fn, X);
    if (n === 0 || d === 0) throw new ShapeError(`${fn}: X must have at least one sample and one feature, got shape [${n}, ${d}]`);
    const labels = integerLabels(fn, y, n);
    const host = X.backend.toHost(X.storage);
    requireFiniteSamples(fn, host, d);
    const classes = Int32Array.from(new Set(labels)).sort();
    if (classes.length < 2) {
      throw new RangeError(`${fn}: y has a single class (${classes[0]}); an SVC needs samples of at least 2 classes`);
    }
    const k = classes.length;
    const classOf = new Map<number, number>();
    classes.forEach((c, i) => classOf.set(c, i));
    const counts = new Int32Array(k);
    for (const v of labels) counts[classOf.get(v)!]++;
    const start = new Int32Array(k + 1);
    for (let c = 0; c < k; c++) start[c + 1] = start[c] + counts[c];
    const perm = new Int32Array(n);
    const fill = start.slice(0, k);
    labels.forEach((v, i) => { perm[fill[classOf.get(v)!]++] = i; });

    const o = this.options;
    const gamma = resolveGamma(o.gamma, host, d);
    const pairs = pairsOf(k);
    const alpha = new Float64Array((k - 1) * n);
    const rho = new Float64Array(pairs.length);
    const iterations = new Int32Array(pairs.length);
    const be = X.backend;
    const grouped = gatherRows(host as Float32Array | Float64Array, d, perm);
    const timedOut = be.svcSolve(n, d, be.fromHost(grouped), counts, {
      kernel: o.kernel, degree: o.degree, gamma, coef0: o.coef0, C: o.C, tol: o.tol, shrinking: o.shrinking,
      cacheMB: o.cacheSize, maxIter: o.maxIter,
    }, alpha, rho, iterations);
    if (timedOut > 0) {
      process.emitWarning(`ml.SVC.fit: ${timedOut} of ${pairs.length} binary problems stopped at maxIter=${o.maxIter} before converging`);
    }

    // libsvm's model: a row is a support vector when any pair gives it a non-zero coefficient.
    const nonzero = new Uint8Array(n);
    let offset = 0;
    for (const [i, j] of pairs) {
      for (let r = 0; r < counts[i]; r++) if (alpha[offset + r] !== 0) nonzero[start[i] + r] = 1;
      for (let r = 0; r < counts[j]; r++) if (alpha[offset + counts[i] + r] !== 0) nonzero[start[j] + r] = 1;
      offset += counts[i] + counts[j];
    }
    const svPos = new Int32Array(n).fill(-1);
    const nSupport = new Int32Array(k);
    const svGrouped: number[] = [];
    for (let c = 0; c < k; c++) {
      for (let g = start[c]; g < start[c + 1]; g++) {
        if (!nonzero[g]) continue;
        svPos[g] = svGrouped.length;
        svGrouped.push(g);
        nSupport[c]++;
      }
    }
    const nSV = svGrouped.length;
    const dualCoef = new Float64Array((k - 1) * nSV);
    offset = 0;
    for (const [i, j] of pairs) {
      // classifier (i, j): class i's coefficients in row j − 1, class j's in row i (libsvm's layout)
      for (let r = 0; r < counts[i]; r++) {
        const g = start[i] + r;
        if (nonzero[g]) dualCoef[(j - 1) * nSV + svPos[g]] = alpha[offset + r];
      }
      for (let r = 0; r < counts[j]; r++) {
        const g = start[j] + r;
        if (nonzero[g]) dualCoef[i * nSV + svPos[g]] = alpha[offset + counts[i] + r];
      }
      offset += counts[i] + counts[j];
    }
    const supportIndices = Int32Array.from(svGrouped, (g) => perm[g]);
    const sv = gatherRows(host as Float32Array | Float64Array, d, supportIndices);
    this.model = buildModel({
      classes, nFeatures: d, gamma, supportIndices, supportVectors: new Tensor(sv, [nSV, d], be), nSupport, dualCoef, rho, iterations,
    });
    return this;
  }

  private fitted(fn: string): Model {
    if (this.model === null) throw new Error(`${fn}: this SVC is not fitted yet; call fit(X, y) first`);
    return this.model;
  }

  /** The class labels, ascending. */
  get classes(): Int32Array { return this.fitted('ml.SVC.classes').classes.slice(); }
  /** The support vectors [nSV, d], grouped by class (libsvm's order). */
  get supportVectors(): Tensor { return this.fitted('ml.SVC.supportVectors').supportVectors; }
  /** Indices into the training X of the support vectors (scikit-learn's support_). */
  get support(): Int32Array { return this.fitted('ml.SVC.support').supportIndices.slice(); }
  /** Support vectors per class. */
  get nSupport(): Int32Array { return this.fitted('ml.SVC.nSupport').nSupport.slice(); }
  /** libsvm's sv_coef, [(k − 1), nSV] as a float64 tensor. */
  get dualCoef(): Tensor {
    const m = this.fitted('ml.SVC.dualCoef');
    return new Tensor(m.dualCoef.slice(), [m.classes.length - 1, m.nSupport.reduce((a, b) => a + b, 0)], m.supportVectors.backend);
  }
  /** ρ of each pair (the intercept is −ρ). */
  get rho(): Float64Array { return this.fitted('ml.SVC.rho').rho.slice(); }
  /** The gamma the fit used ('scale' and 'auto' resolved). */
  get gamma(): number { return this.fitted('ml.SVC.gamma').gamma; }
  /** Features seen by fit. */
  get nFeatures(): number { return this.fitted('ml.SVC.nFeatures').nFeatures; }
  /** SMO iterations of each binary problem (scikit-learn's n_iter_). */
  get iterations(): Int32Array { return this.fitted('ml.SVC.iterations').iterations.slice(); }

  /**
   * Decision values. 'ovo' (default): [n, k(k − 1)/2], one column per pair
   * (i, j) in libsvm's order, Σ coef·K(x, sv) − ρ, positive for class i.
   * 'ovr': [n, k] as scikit-learn's default decision_function_shape (votes
   * plus a confidence in (−1/3, 1/3)).
   */
  decisionFunction(X: Tensor, shape: 'ovo' | 'ovr' = 'ovo'): Tensor {
    const m = this.fitted('ml.SVC.decisionFunction');
    if (shape !== 'ovo' && shape !== 'ovr') throw new RangeError(`ml.SVC.decisionFunction: shape must be 'ovo' or 'ovr', got ${JSON.stringify(shape)}`);
    const ovo = this.ovo(X, 'ml.SVC.decisionFunction');
    const n = X.shape[0];
    const k = m.classes.length;
    if (shape === 'ovo') return new Tensor(ovo, [n, m.rho.length], X.backend);
    return new Tensor(ovrFromOvo(ovo, n, k), [n, k], X.backend);
  }

  /** Labels by one-vs-one voting (ties go to the lower class, as libsvm). */
  predict(X: Tensor): Int32Array {
    const m = this.fitted('ml.SVC.predict');
    const dec = this.ovo(X, 'ml.SVC.predict');
    const n = X.shape[0];
    const k = m.classes.length;
    const pairs = pairsOf(k);
    const out = new Int32Array(n);
    const votes = new Int32Array(k);
    for (let s = 0; s < n; s++) {
      votes.fill(0);
      pairs.forEach(([i, j], p) => { votes[dec[s * pairs.length + p] > 0 ? i : j]++; });
      let best = 0;
      for (let c = 1; c < k; c++) if (votes[c] > votes[best]) best = c;
      out[s] = m.classes[best];
    }
    return out;
  }

  /** Mean accuracy of predict(X) against y. */
  score(X: Tensor, y: Labels): number {
    const [n] = sampleMatrix('ml.SVC.score', X);
    const truth = integerLabels('ml.SVC.score', y, n);
    if (n === 0) throw new RangeError('ml.SVC.score: X has no samples');
    const pred = this.predict(X);
    let hits = 0;
    for (let i = 0; i < n; i++) hits += pred[i] === truth[i] ? 1 : 0;
    return hits / n;
  }

  /** The ovo decision values, [n × P] row-major, computed in blocks of rows. */
  private ovo(X: Tensor, fn: string): Float64Array {
    const m = this.fitted(fn);
    const [n, d] = sampleMatrix(fn, X);
    if (d !== m.nFeatures) throw new ShapeError(`${fn}: X has ${d} features but the SVC was fitted on ${m.nFeatures}`);
    requireFiniteSamples(fn, X.backend.toHost(X.storage), d);
    const P = m.rho.length;
    const out = new Float64Array(n * P);
    const o = this.options;
    const block = 4096;
    noGrad(() => {
      for (let r0 = 0; r0 < n; r0 += block) {
        const x = X.sliceRows(r0, Math.min(n, r0 + block)).astype('float64').to(m.sv64.backend);
        const dots = x.matmul(m.sv64, { transposeB: true });
        let K: Tensor;
        switch (o.kernel) {
          case 'linear': K = dots; break;
          case 'poly': K = dots.scale(m.gamma).add(o.coef0).pow(o.degree); break;
          case 'sigmoid': K = dots.scale(m.gamma).add(o.coef0).tanh(); break;
          default: K = dots.scale(2).sub(x.square().sum(1, true)).sub(m.svNorms).scale(m.gamma).exp();
        }
        out.set(K.matmul(m.coefByPair).sub(m.rhoT).toTypedArray(), r0 * P);
      }
    });
    return out;
  }

  /**
   * Writes the fitted model to one safetensors file (support vectors in
   * their dtype, coefficients and ρ in float64; options, classes and counts
   * as JSON in its metadata), atomically.
   */
  save(file: string): void {
    const m = this.fitted('ml.SVC.save');
    const be = m.supportVectors.backend;
    const f64 = (values: ArrayLike<number>, shape: number[]): Tensor => new Tensor(Float64Array.from(values), shape, be);
    const nSV = m.supportIndices.length;
    saveSafetensors(file, {
      support_vectors: m.supportVectors,
      dual_coef: f64(m.dualCoef, [m.classes.length - 1, nSV]),
      rho: f64(m.rho, [m.rho.length]),
    }, {
      format: FORMAT,
      svc: JSON.stringify({
        options: this.options, classes: Array.from(m.classes), nFeatures: m.nFeatures, gamma: m.gamma,
        nSupport: Array.from(m.nSupport), support: Array.from(m.supportIndices), iterations: Array.from(m.iterations),
      }),
    });
  }

  /** A model written by save(), on `backend` (default: the current one). */
  static load(file: string, options: { backend?: BackendName | Backend } = {}): SVC {
    const { tensors, metadata } = loadSafetensors(file, options);
    const bad = (what: string): never => { throw new RangeError(`ml.SVC.load: ${file}: ${what}`); };
    if (metadata.format !== FORMAT || typeof metadata.svc !== 'string') bad(`not an SVC model (metadata format is ${JSON.stringify(metadata.format)}, expected "${FORMAT}")`);
    let meta: {
      options: SVCOptions; classes: number[]; nFeatures: number; gamma: number; nSupport: number[]; support: number[]; iterations: number[];
    };
    try {
      meta = JSON.parse(metadata.svc);
    } catch {
      return bad('its svc metadata is not valid JSON');
    }
    const { support_vectors: sv, dual_coef: coef, rho } = tensors;
    if (!sv || !coef || !rho) bad('missing one of the tensors support_vectors, dual_coef, rho');
    const k = meta.classes?.length ?? 0;
    const nSV = sv.shape[0];
    const consistent = k >= 2 && sv.ndim === 2 && sv.shape[1] === meta.nFeatures && coef.ndim === 2
      && coef.shape[0] === k - 1 && coef.shape[1] === nSV && rho.size === (k * (k - 1)) / 2
      && meta.nSupport?.length === k && meta.nSupport.reduce((a, b) => a + b, 0) === nSV && meta.support?.length === nSV;
    if (!consistent) bad('the tensor shapes and the metadata do not agree');
    const svc = new SVC(meta.options);
    svc.model = buildModel({
      classes: Int32Array.from(meta.classes), nFeatures: meta.nFeatures, gamma: meta.gamma, supportIndices: Int32Array.from(meta.support),
      supportVectors: sv, nSupport: Int32Array.from(meta.nSupport), dualCoef: Float64Array.from(coef.toTypedArray()),
      rho: Float64Array.from(rho.toTypedArray()), iterations: Int32Array.from(meta.iterations ?? []),
    });
    return svc;
  }
}

/** The prediction tensors of a model (SVs in float64, their norms, the coefficient of each SV in each pair). */
function buildModel(m: Omit<Model, 'sv64' | 'svNorms' | 'coefByPair' | 'rhoT'>): Model {
  const k = m.classes.length;
  const nSV = m.supportIndices.length;
  const pairs = pairsOf(k);
  const classStart = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) classStart[c + 1] = classStart[c] + m.nSupport[c];
  const W = new Float64Array(nSV * pairs.length);
  pairs.forEach(([i, j], p) => {
    for (let s = classStart[i]; s < classStart[i + 1]; s++) W[s * pairs.length + p] = m.dualCoef[(j - 1) * nSV + s];
    for (let s = classStart[j]; s < classStart[j + 1]; s++) W[s * pairs.length + p] = m.dualCoef[i * nSV + s];
  });
  const be = m.supportVectors.backend;
  return noGrad(() => {
    const sv64 = m.supportVectors.astype('float64');
    return {
      ...m,
      sv64,
      svNorms: sv64.square().sum(1).reshape(1, nSV),
      coefByPair: new Tensor(W, [nSV, pairs.length], be),
      rhoT: new Tensor(Float64Array.from(m.rho), [pairs.length], be),
    };
  });
}

/** scikit-learn's _ovr_decision_function on ovo values (positive: the pair's first class). */
function ovrFromOvo(ovo: FloatArray, n: number, k: number): Float64Array {
  const pairs = pairsOf(k);
  const out = new Float64Array(n * k);
  const conf = new Float64Array(k);
  for (let s = 0; s < n; s++) {
    conf.fill(0);
    pairs.forEach(([i, j], p) => {
      const v = ovo[s * pairs.length + p];
      conf[i] += v;
      conf[j] -= v;
      out[s * k + (v >= 0 ? i : j)] += 1;
    });
    for (let c = 0; c < k; c++) out[s * k + c] += conf[c] / (3 * (Math.abs(conf[c]) + 1));
  }
  return out;
}
