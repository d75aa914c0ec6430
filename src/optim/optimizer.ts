/** The optimizer base: a list of parameters, zeroGrad(), step(). */
import type { Tensor } from '../tensor/tensor';

export abstract class Optimizer {
  readonly params: Tensor[];

  constructor(params: Iterable<Tensor>) {
    this.params = [...params];
    if (this.params.length === 0) throw new RangeError('An optimizer needs at least one parameter');
    for (const p of this.params) {
      if (!p.requiresGrad) throw new RangeError(`Optimizer parameter of shape [${p.shape.join(', ')}] does not require grad`);
    }
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** Updates every parameter that has a gradient. */
  abstract step(): void;
}

export function checkRate(name: string, value: number, min = 0): number {
  if (!Number.isFinite(value) || value < min) {
    throw new RangeError(`Expected ${name} to be a finite number ≥ ${min} but received ${value}`);
  }
  return value;
}
