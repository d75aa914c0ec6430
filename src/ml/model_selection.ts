/**
 * Model selection, as scikit-learn's: stratified k-fold splits
 * (`StratifiedKFold(shuffle=False)`), the expansion of a parameter grid
 * (`ParameterGrid`) and an exhaustive cross-validated search
 * (`GridSearchCV`) over any {@link ClassifierFactory}.
 *
 *     const search = new GridSearchCV({
 *       estimator: (p) => new SVC(p),
 *       paramGrid: { C: [0.1, 1, 10], gamma: ['scale', 0.01] },
 *       cv: 5,
 *       onResult: (row) => console.log(row.params, row.meanScore.toFixed(4)),
 *     }).fit(X, y);
 *     search.bestParams; search.bestScore; search.predict(Xval);
 */
import { performance } from 'perf_hooks';
import { noGrad } from '../autograd/mode';
import { ShapeError } from '../errors';
import { ProgressBar, type ProgressStream } from '../report/progress';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';
import type { Classifier, ClassifierFactory, Labels, ParamValue, Params } from './estimator';
import { labelArray } from './labels';
import { pairwiseSum } from './pairwise_sum';

/** One cross-validation split: sample indices, ascending. */
export interface Fold {
  train: Int32Array;
  test: Int32Array;
}

/**
 * The folds of scikit-learn 1.2's StratifiedKFold(nSplits, shuffle=False)
 * .split(X, y), index for index: classes are numbered by first appearance in
 * y; the per-fold count of each class is the round-robin allocation of the
 * class-sorted labels (fold i gets the classes of y_order[i::nSplits]); the
 * members of each class, in index order, fill fold 0's share first, then
 * fold 1's, and so on. Fold i's test set is those indices, its training set
 * all the others.
 *
 * Errors (as scikit-learn's ValueErrors): nSplits not an integer >= 2,
 * nSplits greater than the number of samples, or greater than the size of
 * every class (RangeError). A class with fewer members than nSplits (but
 * not every class) only warns, as scikit-learn: a process warning
 * (`UserWarning`, code GRADNODE_FEW_CLASS_MEMBERS).
 */
export function stratifiedKFold(y: Labels, nSplits: number): Fold[] {
  const fn = 'stratifiedKFold';
  if (!Number.isSafeInteger(nSplits) || nSplits < 2) {
    throw new RangeError(`${fn}: nSplits must be an integer >= 2, got ${String(nSplits)}`);
  }
  const labels = labelArray(fn, 'y', y);
  const n = labels.length;
  if (nSplits > n) throw new RangeError(`${fn}: nSplits=${nSplits} is greater than the number of samples (${n})`);

  // Classes numbered by first appearance.
  const code = new Map<number, number>();
  const encoded = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = code.get(labels[i]);
    if (c === undefined) {
      c = code.size;
      code.set(labels[i], c);
    }
    encoded[i] = c;
  }
  const nClasses = code.size;
  const counts = new Int32Array(nClasses);
  for (const c of encoded) counts[c]++;
  const largest = Math.max(...counts), smallest = Math.min(...counts);
  if (nSplits > largest) {
    throw new RangeError(`${fn}: nSplits=${nSplits} is greater than the number of members of every class (the largest has ${largest})`);
  }
  if (nSplits > smallest) {
    process.emitWarning(`${fn}: the least populated class in y has only ${smallest} members, which is less than nSplits=${nSplits}`,
      { type: 'UserWarning', code: 'GRADNODE_FEW_CLASS_MEMBERS' });
  }

  // allocation[f][c]: members of class c in fold f = how often c occurs in y_order[f::nSplits].
  const order = Int32Array.from(encoded).sort();
  const allocation = Array.from({ length: nSplits }, () => new Int32Array(nClasses));
  for (let i = 0; i < n; i++) allocation[i % nSplits][order[i]]++;
  const testFold = new Int32Array(n);
  const fold = new Int32Array(nClasses), used = new Int32Array(nClasses);
  for (let i = 0; i < n; i++) {
    const c = encoded[i];
    while (used[c] >= allocation[fold[c]][c]) {
      fold[c]++;
      used[c] = 0;
    }
    testFold[i] = fold[c];
    used[c]++;
  }
  const sizes = new Int32Array(nSplits);
  for (const f of testFold) sizes[f]++;
  return Array.from({ length: nSplits }, (_, f) => {
    const test = new Int32Array(sizes[f]), train = new Int32Array(n - sizes[f]);
    let a = 0, b = 0;
    for (let i = 0; i < n; i++) {
      if (testFold[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    return { train, test };
  });
}

/** Values to try per hyper-parameter; a list of such grids searches their union. */
export type ParamGrid = Readonly<Record<string, readonly ParamValue[]>> | readonly Readonly<Record<string, readonly ParamValue[]>>[];

/**
 * Every combination of a parameter grid, in scikit-learn's ParameterGrid
 * order: per grid (in list order), the keys sorted (by code point, as
 * Python's sorted), then the cartesian product with the last key varying
 * fastest. An empty grid `{}` is one empty combination. Each value list must
 * be a non-empty array of numbers, strings or booleans (TypeError for a
 * non-array or another value type, RangeError for an empty list).
 */
export function parameterGrid(grid: ParamGrid): Params[] {
  const grids = checkGrid('parameterGrid', grid);
  const out: Params[] = [];
  for (const g of grids) {
    const keys = Object.keys(g).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const index = new Array<number>(keys.length).fill(0);
    for (;;) {
      const params: Params = {};
      keys.forEach((key, i) => { params[key] = g[key][index[i]]; });
      out.push(params);
      let i = keys.length - 1;
      while (i >= 0 && ++index[i] === g[keys[i]].length) index[i--] = 0;
      if (i < 0) break;
    }
  }
  return out;
}

function checkGrid(fn: string, grid: ParamGrid): Readonly<Record<string, readonly ParamValue[]>>[] {
  const isRecord = (g: unknown): g is Record<string, unknown> =>
    g !== null && typeof g === 'object' && !Array.isArray(g) && !ArrayBuffer.isView(g);
  const grids: unknown[] = Array.isArray(grid) ? grid : [grid];
  if (!Array.isArray(grid) && !isRecord(grid)) {
    throw new TypeError(`${fn}: the parameter grid must be an object of value lists or an array of them, got ${describe(grid)}`);
  }
  if (grids.length === 0) throw new RangeError(`${fn}: the parameter grid is an empty list: there is no combination to try`);
  grids.forEach((g, gi) => {
    const where = Array.isArray(grid) ? `paramGrid[${gi}]` : 'paramGrid';
    if (!isRecord(g)) throw new TypeError(`${fn}: ${where} must be an object of value lists, got ${describe(g)}`);
    for (const [key, values] of Object.entries(g)) {
      if (!Array.isArray(values)) {
        throw new TypeError(`${fn}: ${where}.${key} must be an array of values, got ${describe(values)}; wrap a single value in a list`);
      }
      if (values.length === 0) throw new RangeError(`${fn}: ${where}.${key} is an empty list; give at least one value`);
      values.forEach((v: unknown, i: number) => {
        if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') {
          throw new TypeError(`${fn}: ${where}.${key}[${i}] is ${describe(v)}; values must be numbers, strings or booleans`);
        }
      });
    }
  });
  return grids as Readonly<Record<string, readonly ParamValue[]>>[];
}

/** The scores of one combination, as it finishes (GridSearchCV's onResult). */
export interface CandidateResult {
  /** Position in the grid order (cv_results_ row). */
  index: number;
  params: Params;
  /** Test-fold score (accuracy) per split, in fold order (split<i>_test_score). */
  splitScores: number[];
  /** Mean of splitScores (mean_test_score). */
  meanScore: number;
  /** Population standard deviation of splitScores (std_test_score). */
  stdScore: number;
  /** Mean seconds of fit per split (mean_fit_time). */
  fitSeconds: number;
  /** Mean seconds of score per split (mean_score_time). */
  scoreSeconds: number;
}

/** A row of GridSearchCV.cvResults: a combination's scores and its rank. */
export interface CVResultRow extends CandidateResult {
  /** 1 for the best mean score; ties share the smallest rank (rank_test_score, method 'min'). */
  rank: number;
}

/** Options of {@link GridSearchCV}. */
export interface GridSearchCVOptions {
  /** Makes a fresh classifier from one combination of parameters. */
  estimator: ClassifierFactory;
  /** The values to try (see {@link parameterGrid}). */
  paramGrid: ParamGrid;
  /** Number of stratified folds (default 5, as scikit-learn). */
  cv?: number;
  /** Fit the best combination on all of X, y after the search (default true). */
  refit?: boolean;
  /** A progress bar over combinations × folds (off by default); `label` default 'grid search'. */
  progress?: boolean | { label?: string; stream?: ProgressStream };
  /** Called after each combination's folds, so a command can print rows as they finish. */
  onResult?: (row: CandidateResult) => void;
}

/**
 * Exhaustive search over a parameter grid by stratified k-fold cross
 * validation, as scikit-learn 1.2's GridSearchCV(estimator, param_grid,
 * cv=k) for a classifier: the folds are stratifiedKFold(y, cv); each
 * combination (grid order) is fitted on every training fold and scored with
 * its score() (accuracy) on the test fold; means, population standard
 * deviations (numpy's pairwise sums, so equal to numpy's bit for bit) and
 * ranks (method 'min' over the unrounded means; NaN means rank last) as
 * cv_results_; the best is the first combination of rank 1, refitted on all
 * the data when refit is true. An estimator that throws stops the search
 * (scikit-learn's error_score='raise').
 */
export class GridSearchCV implements Classifier {
  readonly estimator: ClassifierFactory;
  /** The combinations, in grid order. */
  readonly candidates: readonly Params[];
  readonly cv: number;
  readonly refit: boolean;
  /** One row per combination, in grid order; empty before fit. */
  cvResults: CVResultRow[] = [];
  /** Index into cvResults of the best combination (best_index_); -1 before fit. */
  bestIndex = -1;
  /** The best combination (best_params_); null before fit. */
  bestParams: Params | null = null;
  /** Its mean cross-validated score (best_score_); NaN before fit. */
  bestScore = NaN;
  /** The best combination fitted on all the data (best_estimator_); null before fit or with refit false. */
  bestEstimator: Classifier | null = null;
  /** Seconds the refit took (refit_time_). */
  refitSeconds = 0;
  /** Number of folds used (n_splits_). */
  nSplits = 0;

  private readonly progress: GridSearchCVOptions['progress'];
  private readonly onResult: GridSearchCVOptions['onResult'];

  constructor(options: GridSearchCVOptions) {
    const fn = 'GridSearchCV';
    if (options === null || typeof options !== 'object') throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
    if (typeof options.estimator !== 'function') {
      throw new TypeError(`${fn}: estimator must be a function (params) => classifier, got ${describe(options.estimator)}`);
    }
    this.candidates = parameterGrid(checkGrid(fn, options.paramGrid));
    const cv = options.cv ?? 5;
    if (!Number.isSafeInteger(cv) || cv < 2) throw new RangeError(`${fn}: cv must be an integer >= 2, got ${String(cv)}`);
    if (options.refit !== undefined && typeof options.refit !== 'boolean') {
      throw new TypeError(`${fn}: refit must be a boolean, got ${describe(options.refit)}`);
    }
    if (options.onResult !== undefined && typeof options.onResult !== 'function') {
      throw new TypeError(`${fn}: onResult must be a function, got ${describe(options.onResult)}`);
    }
    this.estimator = options.estimator;
    this.cv = cv;
    this.refit = options.refit ?? true;
    this.progress = options.progress;
    this.onResult = options.onResult;
  }

  /** Runs the search on X [n, features] and labels y (one per row); returns this. */
  fit(X: Tensor, y: Labels): this {
    const fn = 'GridSearchCV.fit';
    if (!(X instanceof Tensor)) throw new TypeError(`${fn}: X must be a Tensor, got ${describe(X)}`);
    if (X.ndim !== 2) throw new ShapeError(`${fn}: X must be a matrix [samples, features], got shape ${shapeString(X.shape)}`);
    const labels = labelArray(fn, 'y', y);
    const [n, d] = X.shape;
    if (labels.length !== n) throw new ShapeError(`${fn}: X has ${n} rows but y has ${labels.length} labels`);
    const folds = stratifiedKFold(labels, this.cv);
    const parts = folds.map((f) => ({
      Xtrain: rows(X, f.train, d), ytrain: pick(labels, f.train),
      Xtest: rows(X, f.test, d), ytest: pick(labels, f.test),
    }));

    const bar = this.progress ? new ProgressBar({
      total: this.candidates.length * folds.length,
      label: (typeof this.progress === 'object' ? this.progress.label : undefined) ?? 'grid search',
      stream: typeof this.progress === 'object' ? this.progress.stream : undefined,
    }) : null;
    const results: CandidateResult[] = [];
    let best = -Infinity;
    this.candidates.forEach((params, index) => {
      const splitScores: number[] = [], fitTimes: number[] = [], scoreTimes: number[] = [];
      for (const part of parts) {
        const model = this.estimator({ ...params });
        let t0 = performance.now();
        model.fit(part.Xtrain, part.ytrain);
        fitTimes.push((performance.now() - t0) / 1000);
        t0 = performance.now();
        const score = model.score(part.Xtest, part.ytest);
        scoreTimes.push((performance.now() - t0) / 1000);
        if (typeof score !== 'number') throw new TypeError(`${fn}: score() of ${JSON.stringify(params)} returned ${describe(score)}, not a number`);
        splitScores.push(score);
        bar?.tick(1);
      }
      const { mean, std } = meanStd(splitScores);
      const row: CandidateResult = {
        index, params: { ...params }, splitScores, meanScore: mean, stdScore: std,
        fitSeconds: meanStd(fitTimes).mean, scoreSeconds: meanStd(scoreTimes).mean,
      };
      results.push(row);
      if (mean > best) best = mean;
      bar?.tick(0, { best });
      this.onResult?.({ ...row, params: { ...row.params }, splitScores: [...splitScores] });
    });
    bar?.done();

    const ranks = rankMin(results.map((r) => r.meanScore));
    this.cvResults = results.map((r, i) => ({ ...r, rank: ranks[i] }));
    this.nSplits = folds.length;
    this.bestIndex = ranks.indexOf(Math.min(...ranks));
    this.bestParams = { ...this.candidates[this.bestIndex] };
    this.bestScore = results[this.bestIndex].meanScore;
    this.bestEstimator = null;
    this.refitSeconds = 0;
    if (this.refit) {
      const t0 = performance.now();
      this.bestEstimator = this.estimator({ ...this.bestParams }).fit(X, labels);
      this.refitSeconds = (performance.now() - t0) / 1000;
    }
    return this;
  }

  /** The best estimator's predictions (needs fit with refit true). */
  predict(X: Tensor): Int32Array {
    return this.best('predict').predict(X);
  }

  /** The best estimator's accuracy on (X, y) (needs fit with refit true). */
  score(X: Tensor, y: Labels): number {
    return this.best('score').score(X, y);
  }

  private best(method: string): Classifier {
    if (this.bestIndex < 0) throw new Error(`GridSearchCV.${method}: this GridSearchCV is not fitted yet; call fit(X, y) first`);
    if (!this.bestEstimator) throw new Error(`GridSearchCV.${method}: refit is false, so there is no best estimator; construct with refit: true`);
    return this.bestEstimator;
  }
}

/** Rows `index` of X [n, d], as a new [index.length, d] tensor on X's backend (a gather). */
function rows(X: Tensor, index: Int32Array, d: number): Tensor {
  const flat = new Int32Array(index.length * d);
  for (let i = 0; i < index.length; i++) {
    const base = index[i] * d;
    for (let j = 0; j < d; j++) flat[i * d + j] = base + j;
  }
  return noGrad(() => X.take(flat, [index.length, d]));
}

function pick(labels: Int32Array, index: Int32Array): Int32Array {
  const out = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) out[i] = labels[index[i]];
  return out;
}


/** numpy's mean and population std (np.average, then sqrt of the average squared deviation). */
function meanStd(values: readonly number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = pairwiseSum(values) / n;
  return { mean, std: Math.sqrt(pairwiseSum(values.map((v) => (v - mean) * (v - mean))) / n) };
}

/**
 * scipy.stats.rankdata(−means, method='min') as scikit-learn 1.2 ranks:
 * 1 + the number of strictly larger means; NaN means count as tied with
 * nanmin − 1 (last); all NaN: every rank 1.
 */
function rankMin(means: readonly number[]): number[] {
  const finite = means.filter((m) => !Number.isNaN(m));
  if (finite.length === 0) return means.map(() => 1);
  const floor = Math.min(...finite) - 1;
  const m = means.map((v) => (Number.isNaN(v) ? floor : v));
  return m.map((v) => 1 + m.filter((w) => w > v).length);
}


function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return `an object (${(v as object).constructor?.name ?? 'Object'})`;
  return typeof v === 'string' ? `the string ${JSON.stringify(v)}` : typeof v;
}
