/**
 * Stochastic gradient descent with optional momentum (PyTorch's form:
 * v = μ v + g; p -= lr v) and weight decay applied to weights only —
 * parameters with two or more dimensions — unless `decayAll` is set.
 */
import { noGrad } from '../autograd/mode';
import type { Tensor } from '../tensor/tensor';
import { Optimizer, checkRate } from './optimizer';

export interface SGDOptions {
  lr: number;
  momentum?: number;
  weightDecay?: number;
  /** Also decay biases and other 1-D parameters (default false). */
  decayAll?: boolean;
}

export class SGD extends Optimizer {
  lr: number;
  readonly momentum: number;
  readonly weightDecay: number;
  private readonly decayAll: boolean;
  private readonly velocity = new Map<Tensor, Tensor>();

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params);
    this.lr = checkRate('lr', options.lr);
    this.momentum = checkRate('momentum', options.momentum ?? 0);
    this.weightDecay = checkRate('weightDecay', options.weightDecay ?? 0);
    this.decayAll = options.decayAll ?? false;
  }

  step(): void {
    noGrad(() => {
      for (const p of this.params) {
        if (!p.grad) continue;
        let g = p.grad;
        if (this.weightDecay > 0 && (this.decayAll || p.ndim >= 2)) g = g.clone().addScaled_(p, this.weightDecay);
        if (this.momentum > 0) {
          const v = this.velocity.get(p);
          if (v) {
            v.scale_(this.momentum).add_(g);
          } else {
            this.velocity.set(p, g.clone());
          }
          g = this.velocity.get(p)!;
        }
        p.addScaled_(g, -this.lr);
      }
    });
  }
}
