/**
 * The `hw1_training.py` network: shape (n_0, n_1, …, n_L), ReLU hidden
 * layers, softmax output, mean cross-entropy. Parameters in PyTorch's
 * layout: W_i is n_i × n_{i-1}, b_i has n_i entries, all uniform in
 * ±1/sqrt(n_{i-1}), drawn layer by layer (W_i row-major, then b_i) from one
 * seeded generator — the order nn.Linear draws them in, so every
 * implementation starts from the same numbers.
 */
import type { Backend, DType } from '../../backend/backend';
import { UsageError } from '../../cli/flags';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor/tensor';
import * as init from '../../nn/init';

export interface MlpWeights {
  W: Tensor[];
  b: Tensor[];
}

/** U(±1/sqrt(n_in)) weights and biases for every layer of the shape. */
export function initMlp(shape: readonly number[], generator: Generator, dtype: DType, backend: Backend): MlpWeights {
  const W: Tensor[] = [];
  const b: Tensor[] = [];
  for (let i = 1; i < shape.length; i++) {
    const t = { dtype, backend };
    W.push(init.uniformFanIn_(Tensor.zeros([shape[i], shape[i - 1]], t), generator, shape[i - 1]));
    b.push(init.uniformFanIn_(Tensor.zeros([shape[i]], t), generator, shape[i - 1]));
  }
  return { W, b };
}

/** Name → tensor ("W1", "b1", …), for checkpoints and comparisons. */
export function namedMlpWeights(w: MlpWeights): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  w.W.forEach((W, i) => {
    out[`W${i + 1}`] = W;
    out[`b${i + 1}`] = w.b[i];
  });
  return out;
}

/**
 * Parses --shape "784,300,100,10": at least two positive integers; the
 * first must be `inputs` and the last `classes` (when given).
 */
export function parseShape(text: string, inputs?: number, classes?: number): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const shape = parts.map(Number);
  if (parts.length < 2 || parts.some((s) => !/^\d+$/.test(s)) || shape.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new UsageError(`--shape must be at least two positive integers separated by commas (e.g. 784,300,100,10), not "${text}"`);
  }
  if (inputs !== undefined && shape[0] !== inputs) {
    throw new UsageError(`--shape must start with ${inputs} (the image pixels), not ${shape[0]}`);
  }
  if (classes !== undefined && shape[shape.length - 1] !== classes) {
    throw new UsageError(`--shape must end with ${classes} (the classes), not ${shape[shape.length - 1]}`);
  }
  return shape;
}

/** The API every implementation offers `hw1_training.py`'s loop. */
export interface MlpModel {
  readonly shape: readonly number[];
  /**
   * One full-batch gradient-descent step on all rows of X (N × n_0) with
   * labels y (and their N × n_L one-hot y1hot); returns the mean
   * cross-entropy of the forward pass (before the update).
   */
  trainOneEpoch(X: Tensor, y: Int32Array, y1hot: Tensor, lr: number): number;
  /** The argmax class of every row of X. */
  predict(X: Tensor): Int32Array;
  /** Gradients of the mean loss on (X, y) without updating, named as weights(). */
  gradients(X: Tensor, y: Int32Array, y1hot: Tensor): Record<string, Tensor>;
  /** The current parameters ("W1", "b1", …; copies). */
  weights(): Record<string, Tensor>;
}
