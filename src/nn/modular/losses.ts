/**
 * The cross-entropy cost of seed 003 over a batch of m one-hot targets Y and
 * predicted probabilities Ŷ (m × k, e.g. a Softmax output):
 *   J = −(1/m) Σ_i Y_i · ln Ŷ_i,        dJ/dŶ = −(1/m) Y ⊘ Ŷ.
 * Ŷ is clamped at the dtype's smallest normal number before the log and the
 * division, so a probability that underflowed to 0 gives a large finite cost
 * instead of NaN (0 · ln 0). Forward returns J as a number; backward returns
 * dJ/dŶ. Both run as Tensor ops on the backend, with autograd off.
 */
import { noGrad } from '../../autograd/mode';
import { DTypeError, ShapeError } from '../../errors';
import { shapeString } from '../../tensor/shape';
import type { Tensor } from '../../tensor/tensor';
import { LayerStateError, type TensorMap } from './layer';

const TINY = { float32: 1.1754943508222875e-38, float64: 2.2250738585072014e-308 } as const;

export class CrossEntropy {
  readonly name = 'cross_entropy';
  /** Y and Ŷ of the last forward. */
  readonly cache: TensorMap = new Map();

  private check(Y: Tensor, Yhat: Tensor): void {
    if (Yhat.ndim !== 2) throw new ShapeError(`CrossEntropy: predictions must be m×k, not ${shapeString(Yhat.shape)}`);
    if (Y.shape.join() !== Yhat.shape.join()) {
      throw new ShapeError(`CrossEntropy: one-hot targets ${shapeString(Y.shape)} do not match predictions ${shapeString(Yhat.shape)}`);
    }
    if (Y.dtype !== Yhat.dtype) throw new DTypeError(`CrossEntropy: targets are ${Y.dtype} but predictions are ${Yhat.dtype}`);
    if (Y.backend !== Yhat.backend) throw new RangeError(`CrossEntropy: targets are on ${Y.backend.name} but predictions on ${Yhat.backend.name}`);
    if (Yhat.shape[0] === 0) throw new ShapeError('CrossEntropy: an empty batch has no mean cost');
  }

  /** The mean cost J over the batch; caches Y and Ŷ. */
  forward(Y: Tensor, Yhat: Tensor): number {
    this.check(Y, Yhat);
    this.cache.set('Y', Y);
    this.cache.set('Y_hat', Yhat);
    const m = Yhat.shape[0];
    return noGrad(() => Y.mul(Yhat.maximum(TINY[Yhat.dtype]).log()).sum().scale(-1 / m).item());
  }

  /** dJ/dŶ for the given Y and Ŷ, or for those of the last forward. */
  backward(Y?: Tensor, Yhat?: Tensor): Tensor {
    if ((Y === undefined) !== (Yhat === undefined)) throw new RangeError('CrossEntropy.backward takes both Y and Ŷ, or neither');
    const y = Y ?? this.cache.get('Y');
    const yhat = Yhat ?? this.cache.get('Y_hat');
    if (!y || !yhat) throw new LayerStateError('CrossEntropy: backward called before forward (no cached Y, Ŷ)');
    this.check(y, yhat);
    const m = yhat.shape[0];
    return noGrad(() => y.div(yhat.maximum(TINY[yhat.dtype])).scale(-1 / m));
  }
}
