/**
 * What `ml` estimators share, so model selection (GridSearchCV, cross
 * validation) can drive any of them, as scikit-learn's estimator API.
 * Samples are the rows of a 2-D tensor X [n, features]; class labels are
 * integers, one per row.
 */
import type { Tensor } from '../tensor/tensor';

/** Integer class labels, one per sample (Int32Array, number[], ...). */
export type Labels = ArrayLike<number>;

/** A hyper-parameter value as GridSearchCV passes it (e.g. C: 10, gamma: 'scale'). */
export type ParamValue = number | string | boolean;

/** One combination of hyper-parameters, by name. */
export type Params = Record<string, ParamValue>;

/** A classifier: fit on (X, y), predict labels, score by accuracy. */
export interface Classifier {
  fit(X: Tensor, y: Labels): this;
  /** Predicted labels, one per row of X. */
  predict(X: Tensor): Int32Array;
  /** Mean accuracy of predict(X) against y. */
  score(X: Tensor, y: Labels): number;
}

/** Makes a fresh, unfitted classifier from one combination of hyper-parameters. */
export type ClassifierFactory = (params: Params) => Classifier;
