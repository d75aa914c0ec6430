/**
 * The dense residual MLP's parameters in the spec's layout (bias folded in
 * as the last row of each weight matrix):
 *   W1: (d+1)×h, W2: (d+h+1)×h, W3: (d+2h+1)×h, W4: (h+1)×C,
 * and per LayerNorm a gamma (ones) and beta (zeros) of length h.
 */
import type { Backend, DType } from '../../backend/backend';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor/tensor';
import * as init from '../../nn/init';

export interface DenseResShape {
  inputs: number;
  hidden: number;
  classes: number;
  layerNorm: boolean;
}

export interface DenseResWeights {
  W1: Tensor; W2: Tensor; W3: Tensor; W4: Tensor;
  gamma: [Tensor, Tensor, Tensor];
  beta: [Tensor, Tensor, Tensor];
}

/** He-normal weights (std sqrt(2 / fan_in), fan_in = the inputs, not counting the bias row), LN gamma = 1, beta = 0. */
export function initDenseRes(shape: DenseResShape, generator: Generator, dtype: DType, backend: Backend): DenseResWeights {
  const { inputs: d, hidden: h, classes: c } = shape;
  const he = (rows: number, cols: number) =>
    init.heNormal_(Tensor.zeros([rows, cols], { dtype, backend }), generator, { fanIn: rows - 1, fanOut: cols });
  const t = { dtype, backend };
  return {
    W1: he(d + 1, h), W2: he(d + h + 1, h), W3: he(d + 2 * h + 1, h), W4: he(h + 1, c),
    gamma: [Tensor.ones([h], t), Tensor.ones([h], t), Tensor.ones([h], t)],
    beta: [Tensor.zeros([h], t), Tensor.zeros([h], t), Tensor.zeros([h], t)],
  };
}

/** Name → tensor, for checkpoints and comparisons (LN entries only with LayerNorm). */
export function namedWeights(w: DenseResWeights, layerNorm: boolean): Record<string, Tensor> {
  const out: Record<string, Tensor> = { W1: w.W1, W2: w.W2, W3: w.W3, W4: w.W4 };
  if (layerNorm) {
    w.gamma.forEach((g, i) => { out[`ln${i + 1}.gamma`] = g; });
    w.beta.forEach((b, i) => { out[`ln${i + 1}.beta`] = b; });
  }
  return out;
}

/** The interface both implementations (manual and autograd) offer the training loop. */
export interface DenseResModel {
  readonly shape: DenseResShape;
  /** One SGD step on a batch of B rows (x: B×d). Returns the mean loss and the number of correct predictions. */
  trainStep(x: Float32Array | Float64Array, y: Int32Array, batch: number, lr: number): { loss: number; correct: number };
  /** Mean loss and correct count on a batch, without updating. */
  evaluate(x: Float32Array | Float64Array, y: Int32Array, batch: number): { loss: number; correct: number };
  /** Gradients of the mean loss on a batch, in the spec's layout (no update). */
  gradients(x: Float32Array | Float64Array, y: Int32Array, batch: number): Record<string, Tensor>;
  /** The current parameters in the spec's layout (copies). */
  weights(): Record<string, Tensor>;
}
