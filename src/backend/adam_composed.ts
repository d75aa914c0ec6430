/**
 * adamStep composed from a backend's own elementwise kernels: the ts
 * reference and the cuda backend use it (so the two give the same bits); the
 * cpu addon fuses it into one loop (native/cpu/optim.cc). PyTorch's update:
 *   m = β1·m + (1-β1)·g,  v = β2·v + (1-β2)·g²,
 *   p -= (lr / c1) · m / (sqrt(v) / sqrt(c2) + eps),  c1 = 1 - β1^t, c2 = 1 - β2^t,
 * in nine kernel calls and two temporaries.
 */
import { hostArraysOverlap, isHostArray, storageDType, type Backend, type Storage } from './backend';

function checkScalars(step: number, lr: number, beta1: number, beta2: number, eps: number): void {
  const K = 'adamStep';
  if (!Number.isSafeInteger(step) || step < 1) throw new RangeError(`${K}: step must be an integer >= 1 (the first update is step 1), got ${String(step)}`);
  for (const [name, value] of [['lr', lr], ['eps', eps]] as const) {
    if (typeof value !== 'number' || !(value >= 0 && Number.isFinite(value))) throw new RangeError(`${K}: ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  for (const [name, value] of [['beta1', beta1], ['beta2', beta2]] as const) {
    if (typeof value !== 'number' || !(value >= 0 && value < 1)) throw new RangeError(`${K}: ${name} must be in [0, 1), got ${String(value)}`);
  }
}

function checkArrays(arrays: Record<'p' | 'g' | 'm' | 'v', Storage>): void {
  const names = Object.keys(arrays) as (keyof typeof arrays)[];
  for (const name of names) {
    if (arrays[name].length !== arrays.p.length) {
      throw new RangeError(`adamStep: ${name} has ${arrays[name].length} elements but p has ${arrays.p.length}; they must have the same length`);
    }
  }
  names.forEach((a, i) => names.slice(i + 1).forEach((b) => {
    const x = arrays[a], y = arrays[b];
    if (x.length > 0 && isHostArray(x) && isHostArray(y) && hostArraysOverlap(x, y)) {
      throw new RangeError(`adamStep: ${a} and ${b} overlap in memory (they must be distinct)`);
    }
  }));
}

export function composedAdamStep(be: Pick<Backend, 'alloc' | 'fill' | 'scale' | 'axpy' | 'unary' | 'binary'>): Backend['adamStep'] {
  return (step, lr, beta1, beta2, eps, p, g, m, v) => {
    checkScalars(step, lr, beta1, beta2, eps);
    checkArrays({ p, g, m, v });
    const n = p.length;
    if (n === 0) return;
    const dtype = storageDType(p);
    const c1 = 1 - beta1 ** step, c2 = 1 - beta2 ** step;
    const tmp = be.alloc(dtype, n);
    const epsilon = be.alloc(dtype, 1);
    be.fill(epsilon, eps);
    be.scale(beta1, m, m);
    be.axpy(1 - beta1, g, m);
    be.unary('square', g, tmp);
    be.scale(beta2, v, v);
    be.axpy(1 - beta2, tmp, v);
    be.unary('sqrt', v, tmp);
    be.scale(1 / Math.sqrt(c2), tmp, tmp);
    be.binary('add', [n], tmp, [1], epsilon, [0], tmp);
    be.binary('div', [n], m, [1], tmp, [1], tmp);
    be.axpy(-lr / c1, tmp, p);
  };
}
