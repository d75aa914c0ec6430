/**
 * Classification metrics, as scikit-learn's `accuracy_score` and
 * `confusion_matrix`, and the support-vector ratio of a trained SVM.
 * Labels are integers, one per sample (Int32Array, number[], ...).
 *
 *     accuracyScore(yVal, svc.predict(Xval));            // 0.91
 *     const { labels, matrix, rows } = confusionMatrix(yVal, yPred);
 *     supportVectorRatio(svc.nSupport, yTrain.length);   // 0.59
 */
import type { Labels } from './estimator';
import { labelArray } from './labels';

/** Fraction of samples whose predicted label equals the true one, in [0, 1]. */
export function accuracyScore(yTrue: Labels, yPred: Labels): number {
  const n = pairLength('accuracyScore', yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < n; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / n;
}

/** A confusion matrix with the labels of its rows and columns. */
export interface ConfusionMatrix {
  /** The labels, in the order of the rows and columns. */
  labels: Int32Array;
  /**
   * Counts, row-major [labels.length × labels.length]: matrix[i·L + j] is the
   * number of samples whose true label is labels[i] and predicted label is
   * labels[j] (scikit-learn's orientation: rows true, columns predicted).
   */
  matrix: Int32Array;
  /** The same counts as nested arrays: rows[i][j] = matrix[i·L + j]. */
  rows: number[][];
}

/**
 * The confusion matrix of predictions, as sklearn.metrics.confusion_matrix.
 * `labels` default: every label in yTrue or yPred, ascending. With `labels`
 * given (non-empty, distinct integers), only those rows and columns are
 * counted, in that order, and samples whose true or predicted label is not
 * among them are left out; at least one of them must occur in yTrue.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, labels?: Labels): ConfusionMatrix {
  const fn = 'confusionMatrix';
  const n = pairLength(fn, yTrue, yPred);
  let order: Int32Array;
  if (labels === undefined) {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      seen.add(yTrue[i]);
      seen.add(yPred[i]);
    }
    order = Int32Array.from([...seen].sort((a, b) => a - b));
  } else {
    order = labelArray(fn, 'labels', labels);
    if (order.length === 0) throw new RangeError(`${fn}: labels is empty; give at least one label`);
  }
  const index = new Map<number, number>();
  order.forEach((label, i) => {
    if (index.has(label)) throw new RangeError(`${fn}: labels[${i}] repeats the label ${label}; labels must be distinct`);
    index.set(label, i);
  });
  if (labels !== undefined) {
    let any = false;
    for (let i = 0; i < n && !any; i++) any = index.has(yTrue[i]);
    if (!any) throw new RangeError(`${fn}: none of labels [${Array.from(order).join(', ')}] occurs in yTrue`);
  }
  const L = order.length;
  const matrix = new Int32Array(L * L);
  for (let i = 0; i < n; i++) {
    const r = index.get(yTrue[i]), c = index.get(yPred[i]);
    if (r !== undefined && c !== undefined) matrix[r * L + c]++;
  }
  const rows = Array.from({ length: L }, (_, i) => Array.from(matrix.subarray(i * L, (i + 1) * L)));
  return { labels: order, matrix, rows };
}

/**
 * The fraction of training samples that are support vectors, in [0, 1]:
 * nSupportVectors / nTrainingSamples. nSupportVectors is a count, or the
 * counts per class (libsvm's / scikit-learn's n_support_), which are summed.
 */
export function supportVectorRatio(nSupportVectors: number | ArrayLike<number>, nTrainingSamples: number): number {
  const fn = 'supportVectorRatio';
  let count: number;
  if (typeof nSupportVectors === 'number') {
    count = nSupportVectors;
  } else if (nSupportVectors !== null && typeof nSupportVectors === 'object' && typeof nSupportVectors.length === 'number') {
    count = 0;
    for (let i = 0; i < nSupportVectors.length; i++) {
      const v = nSupportVectors[i];
      if (!Number.isSafeInteger(v) || v < 0) {
        throw new RangeError(`${fn}: nSupportVectors[${i}] must be a non-negative integer, got ${v}`);
      }
      count += v;
    }
  } else {
    throw new TypeError(`${fn}: nSupportVectors must be a number or an array of counts per class, got ${nSupportVectors === null ? 'null' : typeof nSupportVectors}`);
  }
  if (!Number.isSafeInteger(nTrainingSamples) || nTrainingSamples < 1) {
    throw new RangeError(`${fn}: nTrainingSamples must be a positive integer, got ${nTrainingSamples}`);
  }
  if (!Number.isSafeInteger(count) || count < 0 || count > nTrainingSamples) {
    throw new RangeError(`${fn}: nSupportVectors must be an integer in [0, nTrainingSamples = ${nTrainingSamples}], got ${count}`);
  }
  return count / nTrainingSamples;
}

/** The common length of two label arrays (checked: integers, same length, not empty). */
function pairLength(fn: string, yTrue: Labels, yPred: Labels): number {
  const a = labelArray(fn, 'yTrue', yTrue), b = labelArray(fn, 'yPred', yPred);
  if (a.length !== b.length) throw new RangeError(`${fn}: yTrue has ${a.length} labels but yPred has ${b.length}; they must have the same length`);
  if (a.length === 0) throw new RangeError(`${fn}: yTrue and yPred are empty; give at least one sample`);
  return a.length;
}

