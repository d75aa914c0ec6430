/**
 * Numerical gradient checking in float64: central differences of a scalar
 * function against the reverse-mode gradient, for every element of every
 * input that requires grad.
 */
import { DTypeError } from '../errors';
import { Generator } from '../random';
import { Tensor } from '../tensor/tensor';
import { computeGradients } from './graph';
import { enableGrad, noGrad } from './mode';

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-6). */
  eps?: number;
  /** Largest accepted error (default 1e-6), see GradcheckResult.maxError. */
  tolerance?: number;
}

export interface GradcheckResult {
  ok: boolean;
  /**
   * The worst |analytic - numeric| / max(1, |analytic|, |numeric|) over all
   * checked elements: relative for gradients above 1, absolute below.
   */
  maxError: number;
  /** Where the worst error is. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  checked: number;
}

/** A scalar from fn's output: itself, or a fixed random projection of it. */
function scalarOf(out: Tensor, projection: Tensor | null): Tensor {
  return projection ? out.mul(projection).sum() : out.sum();
}

/**
 * Compares autograd's gradient of fn with central differences. fn may return
 * any shape; a non-scalar output is reduced with a fixed random projection so
 * every output element matters. Inputs must be float64.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-6;
  inputs.forEach((x, i) => {
    if (x.dtype !== 'float64') throw new DTypeError(`gradcheck needs float64 inputs; input ${i} is ${x.dtype}`);
    if (x.backend.memory !== 'host') throw new DTypeError(`gradcheck perturbs values in place on the host; move input ${i} with .to('cpu')`);
  });
  // Inputs marked requiresGrad are checked; with none marked, all are.
  const anyMarked = inputs.some((x) => x.requiresGrad);
  // Each leaf gets its own copy of the values: perturbing one input must not move another that shares
  // its storage (the same tensor passed twice, or views of one buffer), and the caller's tensors stay untouched.
  const leaves = inputs.map((x) => new Tensor(x.data.slice(), x.shape, x.backend).requiresGrad_(anyMarked ? x.requiresGrad : true));
  const first = noGrad(() => fn(...leaves));
  const projection = first.size === 1 ? null : Tensor.rand(first.shape, { dtype: 'float64', backend: first.backend, generator: new Generator(12345), low: 0.5, high: 1.5 });
  const out = enableGrad(() => scalarOf(fn(...leaves), projection));
  const grads = out.requiresGrad ? computeGradients(out) : new Map<Tensor, Tensor>();

  const f = () => noGrad(() => scalarOf(fn(...leaves), projection).item());
  let maxError = 0;
  let worst: GradcheckResult['worst'] = null;
  let checked = 0;
  leaves.forEach((x, i) => {
    if (!x.requiresGrad) return;
    const analytic = grads.get(x)?.data;
    for (let j = 0; j < x.size; j++) {
      const saved = x.data[j];
      x.data[j] = saved + eps;
      const plus = f();
      x.data[j] = saved - eps;
      const minus = f();
      x.data[j] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic ? analytic[j] : 0;
      const err = Math.abs(a - numeric) / Math.max(1, Math.abs(a), Math.abs(numeric));
      checked++;
      if (!(err <= maxError)) {
        maxError = Number.isNaN(err) ? Infinity : err;
        worst = { input: i, index: j, analytic: a, numeric };
      }
    }
  });
  return { ok: maxError <= tolerance, maxError, worst, checked };
}
