/** Shared pieces of the nn.modular tests: float64 data, autograd references, closeness. */
import type { ExecutionContext } from 'ava';
import { backend } from '../../../src/backend';
import type { BackendName } from '../../../src/backend/backend';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';

export function randn(gen: Generator, shape: number[], be: BackendName, std = 1): Tensor {
  return Tensor.randn(shape, { dtype: 'float64', backend: be, generator: gen, std });
}

export function oneHotRows(labels: number[], classes: number, be: BackendName): Tensor {
  const v = new Float64Array(labels.length * classes);
  labels.forEach((y, i) => { v[i * classes + y] = 1; });
  return new Tensor(v, [labels.length, classes], backend(be));
}

/** max |a − b| / max(1, max |b|). */
export function maxRelDiff(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>): number {
  const x = a instanceof Tensor ? a.toTypedArray() : a, y = b instanceof Tensor ? b.toTypedArray() : b;
  let d = 0, s = 1;
  for (let i = 0; i < y.length; i++) {
    d = Math.max(d, Math.abs(x[i] - y[i]));
    s = Math.max(s, Math.abs(y[i]));
  }
  return x.length === y.length ? d / s : Infinity;
}

export function assertClose(t: ExecutionContext, a: Tensor, b: Tensor, tol: number, what: string): void {
  t.deepEqual([...a.shape], [...b.shape], `${what}: shape`);
  const e = maxRelDiff(a, b);
  t.true(e <= tol, `${what}: ${e} > ${tol}`);
}

/** Softmax written with plain differentiable Tensor ops (the autograd reference). */
export function autogradSoftmax(z: Tensor): Tensor {
  const e = z.sub(z.max(-1, true).detach()).exp();
  return e.div(e.sum(-1, true));
}
