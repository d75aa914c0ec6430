/** Adam (Kingma & Ba) with bias correction; optional L2 weight decay on weights (≥ 2-D) only. */
import { noGrad } from '../autograd/mode';
import type { Tensor } from '../tensor/tensor';
import { Optimizer, checkRate } from './optimizer';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Per parameter: the moments and its own step count (a parameter may first get a gradient late). */
  private readonly moments = new Map<Tensor, { m: Tensor; v: Tensor; t: number }>();

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params);
    this.lr = checkRate('lr', options.lr ?? 1e-3);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    checkRate('betas[0]', this.beta1);
    checkRate('betas[1]', this.beta2);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new RangeError(`Expected betas below 1 but received [${this.beta1}, ${this.beta2}]`);
    this.eps = checkRate('eps', options.eps ?? 1e-8);
    this.weightDecay = checkRate('weightDecay', options.weightDecay ?? 0);
  }

  step(): void {
    noGrad(() => {
      for (const p of this.params) {
        if (!p.grad) continue;
        let g = p.grad;
        if (this.weightDecay > 0 && p.ndim >= 2) g = g.clone().addScaled_(p, this.weightDecay);
        let state = this.moments.get(p);
        if (!state) {
          state = { m: p.zerosLike(), v: p.zerosLike(), t: 0 };
          this.moments.set(p, state);
        }
        state.t++;
        // One fused kernel: m, v and then p -= lr · (m / c1) / (sqrt(v) / sqrt(c2) + eps).
        p.backend.adamStep(state.t, this.lr, this.beta1, this.beta2, this.eps, p.storage, g.storage, state.m.storage, state.v.storage);
      }
    });
  }
}
