/**
 * Differentiable functions over tensors, including the fused native ones
 * (bias + activation, LayerNorm with residual and relu, log-softmax + NLL).
 * Each records one op, so backward runs the fused backward kernel.
 */
import { record } from '../autograd/graph';
import { noGrad, withoutTangents } from '../autograd/mode';
import { labelIndex } from '../autograd/vjp';
import type { Activation, NormActivation } from '../backend/backend';
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

function lastDim(x: Tensor, what: string): { m: number; n: number } {
  if (x.ndim < 1) throw new ShapeError(`${what} needs at least one dimension`);
  const n = x.shape[x.ndim - 1];
  return { m: n === 0 ? 0 : x.size / n, n };
}

function checkLabels(labels: Int32Array, m: number, c: number, what: string): void {
  if (!(labels instanceof Int32Array)) throw new TypeError(`${what}: labels must be an Int32Array`);
  if (labels.length !== m) throw new ShapeError(`${what}: ${labels.length} labels for ${m} rows`);
  for (let i = 0; i < m; i++) {
    if (labels[i] < 0 || labels[i] >= c) throw new RangeError(`${what}: label ${labels[i]} at row ${i} is outside 0..${c - 1}`);
  }
}

/** act(x + bias) with bias broadcast over the rows of x (…×n); one fused kernel each way. */
export function biasActivation(x: Tensor, bias: Tensor | null, act: Activation = 'identity'): Tensor {
  const { m, n } = lastDim(x, 'biasActivation');
  if (bias && (bias.size !== n || bias.dtype !== x.dtype)) {
    throw new ShapeError(`biasActivation: bias ${shapeString(bias.shape)} (${bias.dtype}) does not fit x ${shapeString(x.shape)} (${x.dtype})`);
  }
  const out = x.backend.alloc(x.dtype, x.size);
  x.backend.biasActivationForward(act, m, n, x.storage, bias?.storage ?? null, out);
  return record('biasActivation', [x, bias], new Tensor(out, x.shape, x.backend), { act });
}

/** x Wᵀ + b, then an activation (PyTorch's layout: weight is out×in). */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null, act: Activation = 'identity'): Tensor {
  const z = x.matmul(weight, { transposeB: true });
  return bias || act !== 'identity' ? biasActivation(z, bias, act) : z;
}

export interface LayerNormOptions {
  eps?: number;
  /** Added to x before normalising (a residual connection). */
  residual?: Tensor | null;
  /** Applied after the affine transform, fused. */
  act?: NormActivation;
}

/** act(gamma · (z - mean) / sqrt(var + eps) + beta) per row over the last axis, z = x (+ residual). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, options: LayerNormOptions = {}): Tensor {
  const { m, n } = lastDim(x, 'layerNorm');
  const eps = options.eps ?? 1e-5;
  const act = options.act ?? 'identity';
  const residual = options.residual ?? null;
  if (gamma.size !== n || beta.size !== n) {
    throw new ShapeError(`layerNorm: gamma ${shapeString(gamma.shape)} and beta ${shapeString(beta.shape)} must have ${n} elements for x ${shapeString(x.shape)}`);
  }
  if (residual && residual.shape.join() !== x.shape.join()) {
    throw new ShapeError(`layerNorm: residual ${shapeString(residual.shape)} must match x ${shapeString(x.shape)}`);
  }
  const be = x.backend;
  const out = be.alloc(x.dtype, x.size);
  const mean = be.alloc(x.dtype, m);
  const rstd = be.alloc(x.dtype, m);
  be.layerNormForward(m, n, x.storage, residual?.storage ?? null, gamma.storage, beta.storage, eps, act, out, mean, rstd);
  return record('layerNorm', [x, residual, gamma, beta], new Tensor(out, x.shape, x.backend), { eps, act, mean, rstd });
}

/** log-softmax over the last axis (stable: the row maximum is subtracted first). */
export function logSoftmax(x: Tensor): Tensor {
  // The internal ops record nothing and carry no tangents: the one recorded op is logSoftmax itself
  // (so forward mode names it in its error instead of the internal "max").
  const out = noGrad(() => withoutTangents(() => {
    const shifted = x.sub(x.max(-1, true));
    return shifted.sub(shifted.exp().sum(-1, true).log());
  }));
  return record('logSoftmax', [x], out, {});
}

/** softmax over the last axis, stable. */
export function softmax(x: Tensor): Tensor {
  return logSoftmax(x).exp();
}

/** Mean cross-entropy of logits (m×c) against class labels: one fused log-softmax + NLL kernel. */
export function crossEntropy(logits: Tensor, labels: Int32Array): Tensor {
  if (logits.ndim !== 2) throw new ShapeError(`crossEntropy needs m×c logits, not ${shapeString(logits.shape)}`);
  const [m, c] = logits.shape;
  checkLabels(labels, m, c, 'crossEntropy');
  const logProbs = logits.backend.alloc(logits.dtype, m * c);
  const loss = logits.backend.logSoftmaxNllForward(m, c, logits.storage, labels, logProbs, null);
  const out = Tensor.full([], loss, { dtype: logits.dtype, backend: logits.backend });
  return record('logSoftmaxNll', [logits], out, { labels, logProbs });
}

/** Mean negative log-likelihood of log-probabilities (m×c) at the labels. */
export function nllLoss(logProbs: Tensor, labels: Int32Array): Tensor {
  if (logProbs.ndim !== 2) throw new ShapeError(`nllLoss needs m×c log-probabilities, not ${shapeString(logProbs.shape)}`);
  const [m, c] = logProbs.shape;
  checkLabels(labels, m, c, 'nllLoss');
  // -(1/m) Σ_i logProbs[i, labels[i]], on the backend: gather each row's label column, sum, scale.
  const be = logProbs.backend;
  const picked = be.alloc(logProbs.dtype, m);
  be.gather(logProbs.storage, labelIndex(labels, c), picked);
  const out = be.alloc(logProbs.dtype, 1);
  be.reduce('sum', 1, m, 1, picked, out);
  be.scale(m === 0 ? 0 : -1 / m, out, out);
  return record('nll', [logProbs], new Tensor(out, [], logProbs.backend), { labels });
}

function checkSameShape(a: Tensor, b: Tensor, what: string): void {
  if (a.shape.join() !== b.shape.join()) {
    throw new ShapeError(`${what}: prediction ${shapeString(a.shape)} and target ${shapeString(b.shape)} differ`);
  }
}

/** Mean squared error. */
export function mseLoss(prediction: Tensor, target: Tensor): Tensor {
  checkSameShape(prediction, target, 'mseLoss');
  return prediction.sub(target).square().mean();
}

/**
 * Mean of log(cosh(prediction - target)), computed stably as
 * |d| + log1p(exp(-2|d|)) - log 2 (no overflow for |d| = 1000, and no
 * rounding of 1 + exp(-2|d|) for large |d|); its derivative is tanh(d).
 */
export function logCoshLoss(prediction: Tensor, target: Tensor): Tensor {
  checkSameShape(prediction, target, 'logCoshLoss');
  const a = prediction.sub(target).abs();
  return a.add(a.scale(-2).exp().log1p()).sub(Math.LN2).mean();
}

/** [x, 1]: a column of ones appended, so a bias folds into the weights. */
export function appendOnes(x: Tensor): Tensor {
  if (x.ndim !== 2) throw new ShapeError(`appendOnes needs a matrix, not ${shapeString(x.shape)}`);
  return Tensor.concat([x, Tensor.ones([x.shape[0], 1], { dtype: x.dtype, backend: x.backend })], 1);
}

export { conv2d, conv2dMaxPool2d, flatten, maxPool2d, type Conv2dMaxPool2dOptions, type Conv2dOptions, type MaxPool2dOptions } from './conv';
