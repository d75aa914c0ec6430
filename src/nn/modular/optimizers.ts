/**
 * Stochastic gradient descent over a layer's (or model's) parameters and
 * gradients, with optional momentum in the seed's form (numpy-ml's SGD):
 *   v ← μ v + η g,   θ ← θ − v          (v starts at 0; μ = 0 is plain θ ← θ − η g).
 * For a constant η this is PyTorch's SGD (v' = μ v' + g, θ ← θ − η v') with v = η v'.
 * Updates are in place, on the backend (scale / axpy kernels).
 */
import { noGrad } from '../../autograd/mode';
import { ShapeError } from '../../errors';
import { shapeString } from '../../tensor/shape';
import type { Tensor } from '../../tensor/tensor';
import { LayerStateError, type Layer } from './layer';

export interface SGDOptions {
  lr: number;
  /** μ in [0, 1) (default 0). */
  momentum?: number;
}

export class SGD {
  lr: number;
  readonly momentum: number;
  /** The velocity v of each parameter, by the parameter's name in the target. */
  readonly velocity = new Map<string, Tensor>();

  constructor(readonly target: Layer, options: SGDOptions) {
    if (!(options.lr > 0) || !Number.isFinite(options.lr)) throw new RangeError(`SGD: lr must be a finite number > 0, not ${options.lr}`);
    const momentum = options.momentum ?? 0;
    if (!(momentum >= 0 && momentum < 1)) throw new RangeError(`SGD: momentum must be in [0, 1), not ${momentum}`);
    this.lr = options.lr;
    this.momentum = momentum;
  }

  /** One update of every parameter from its current gradient. */
  step(): void {
    const grads = this.target.gradients;
    noGrad(() => {
      for (const [name, p] of this.target.parameters) {
        const g = grads.get(name);
        if (!g) throw new LayerStateError(`SGD: no gradient for ${name}; run backward first`);
        if (g.shape.join() !== p.shape.join()) {
          throw new ShapeError(`SGD: the gradient of ${name} is ${shapeString(g.shape)} but the parameter is ${shapeString(p.shape)}`);
        }
        if (this.momentum === 0) {
          p.addScaled_(g, -this.lr);
          continue;
        }
        let v = this.velocity.get(name);
        if (!v || v.shape.join() !== p.shape.join()) this.velocity.set(name, (v = p.zerosLike()));
        v.scale_(this.momentum).addScaled_(g, this.lr);
        p.addScaled_(v, -1);
      }
    });
  }
}
