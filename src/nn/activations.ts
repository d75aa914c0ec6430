/**
 * The course's activation and loss functions, written as compositions of
 * differentiable Tensor ops (so autograd differentiates them), over the last
 * axis:
 *   relu(x) = max(x, 0)
 *   softmax(x) = exp(x) / Σ exp(x)               (textbook: overflows to NaN at logit 1000)
 *   stableSoftmax(x) = softmax(x - max(x))       (the same values, no overflow)
 *   averageCrossEntropy(z, y) = mean_i [logsumexp(z_i) - z_i,y_i]   (from logits)
 */
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor, allocate } from '../tensor/tensor';

/** max(x, 0) elementwise. */
export function relu(x: Tensor): Tensor {
  return x.relu();
}

/**
 * The plain textbook softmax exp(x) / Σ exp(x) over the last axis. It is
 * deliberately not stabilised: exp overflows for large logits (about 89 in
 * float32, 710 in float64) and the row becomes NaN. Use stableSoftmax.
 */
export function softmax(x: Tensor): Tensor {
  const e = x.exp();
  return e.div(e.sum(-1, true));
}

/** softmax over the last axis with the row maximum subtracted first (no overflow; the same values). */
export function stableSoftmax(x: Tensor): Tensor {
  // The shift is a constant to the gradient (softmax is shift-invariant), so it is detached.
  return softmax(x.sub(x.max(-1, true).detach()));
}

/** log Σ exp(x) over the last axis (keeping the axis), stabilised by the row maximum. */
export function logSumExp(x: Tensor): Tensor {
  const m = x.max(-1, true).detach();
  return x.sub(m).exp().sum(-1, true).log().add(m);
}

/** A one-hot m×c matrix of labels in 0..c-1. */
export function oneHot(labels: Int32Array, classes: number, like: Pick<Tensor, 'dtype' | 'backend'>): Tensor {
  const values = allocate(like.dtype, labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new RangeError(`oneHot: label ${y} at row ${i} is outside 0..${classes - 1}`);
    values[i * classes + y] = 1;
  }
  return new Tensor(values, [labels.length, classes], like.backend);
}

/**
 * Mean over rows of the cross-entropy between softmax(logits) (m×c) and the
 * targets, computed from the logits via log-sum-exp (finite for any finite
 * logits): labels as class indices (Int32Array of m) or as an m×c one-hot
 * (or any probability) matrix.
 */
export function averageCrossEntropy(logits: Tensor, labels: Int32Array | Tensor): Tensor {
  if (logits.ndim !== 2) throw new ShapeError(`averageCrossEntropy needs m×c logits, not ${shapeString(logits.shape)}`);
  const [m, c] = logits.shape;
  let target: Tensor;
  if (labels instanceof Tensor) {
    if (labels.shape.join() !== logits.shape.join()) {
      throw new ShapeError(`averageCrossEntropy: targets ${shapeString(labels.shape)} do not match logits ${shapeString(logits.shape)}`);
    }
    target = labels.dtype === logits.dtype ? labels.detach() : labels.detach().astype(logits.dtype);
  } else {
    if (labels.length !== m) throw new ShapeError(`averageCrossEntropy: ${labels.length} labels for ${m} rows`);
    target = oneHot(labels, c, logits);
  }
  // -Σ_j t_j log p_j with log p = z - logsumexp(z); a 0 target times a finite log-probability is 0.
  const logProbs = logits.sub(logSumExp(logits));
  return target.mul(logProbs).sum().scale(-1 / m);
}
