/**
 * A numerical gradient checker for any layer or model of nn.modular (the
 * seed's check_gradients notebook): central differences in float64,
 *   ∂f/∂θ_k ≈ (f(…, θ_k + ε, …) − f(…, θ_k − ε, …)) / 2ε,
 * for every element of every parameter and of the input, compared with what
 * backward() gives. For a layer, f = Σ forward(X) ⊙ P with a fixed random P
 * (so backward gets dL/dY = P and every output element matters); for a
 * Model with targets Y, f is the model's cost. The error of each tensor is
 * relative: ‖analytic − numeric‖₂ / (‖analytic‖₂ + ‖numeric‖₂) (0 when both
 * are 0). Parameters are perturbed in place and restored exactly; at the end
 * forward and backward run once more at the unperturbed point.
 */
import { DTypeError } from '../../errors';
import { Generator } from '../../random';
import { formatTable } from '../../report/summary';
import { Tensor } from '../../tensor/tensor';
import type { Layer } from './layer';
import type { CrossEntropy } from './losses';
import { Model } from './model';

export interface GradientCheckOptions {
  /** Central-difference step ε (default 1e-5). */
  eps?: number;
  /** One-hot targets: with a Model, the function checked is its cost. */
  Y?: Tensor;
  /** Seed of the random projection P for a layer (default 12345). */
  seed?: number;
  /** Print the table of errors (console.log). */
  print?: boolean;
}

export interface TensorCheck {
  /** "X" for the input, "<layer>.<key>" or "<key>" for parameters. */
  name: string;
  shape: number[];
  relativeError: number;
  maxAbsError: number;
  analyticNorm: number;
  numericNorm: number;
}

export interface GradientCheckResult {
  tensors: TensorCheck[];
  /** The worst relative error over all tensors. */
  maxRelativeError: number;
  /** The function that was differentiated. */
  objective: 'projection' | 'cost';
  eps: number;
}

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** ‖a − b‖ / (‖a‖ + ‖b‖), 0 when both are zero; also the largest |a_i − b_i|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): { relative: number; maxAbs: number; normA: number; normB: number } {
  if (a.length !== b.length) throw new RangeError(`relativeError: ${a.length} vs ${b.length} values`);
  const diff = new Float64Array(a.length);
  let maxAbs = 0;
  for (let i = 0; i < a.length; i++) {
    diff[i] = a[i] - b[i];
    maxAbs = Math.max(maxAbs, Math.abs(diff[i]));
  }
  const normA = norm(a), normB = norm(b);
  const denominator = normA + normB;
  const relative = denominator === 0 ? 0 : norm(diff) / denominator;
  return { relative: Number.isNaN(relative) ? Infinity : relative, maxAbs, normA, normB };
}

function requireFloat64Host(t: Tensor, what: string): void {
  if (t.dtype !== 'float64') throw new DTypeError(`checkGradients needs float64 tensors; ${what} is ${t.dtype}`);
  if (t.backend.memory !== 'host') throw new DTypeError(`checkGradients perturbs values in place on the host; ${what} is on ${t.backend.name}`);
}

/** Central differences of f with respect to every element of t (perturbed in place, restored exactly). */
function numericGradient(t: Tensor, f: () => number, eps: number): Float64Array {
  const data = t.data;
  const out = new Float64Array(t.size);
  for (let j = 0; j < t.size; j++) {
    const saved = data[j];
    data[j] = saved + eps;
    const plus = f();
    data[j] = saved - eps;
    const minus = f();
    data[j] = saved;
    out[j] = (plus - minus) / (2 * eps);
  }
  return out;
}

/** Checks backward() of a layer (or of a Model's cost, when options.Y is given) against central differences. */
export function checkGradients(target: Layer, X: Tensor, options: GradientCheckOptions = {}): GradientCheckResult {
  const eps = options.eps ?? 1e-5;
  if (!(eps > 0)) throw new RangeError(`checkGradients: eps must be > 0, not ${eps}`);
  requireFloat64Host(X, 'the input X');
  const Y = options.Y;
  if (Y !== undefined && !(target instanceof Model)) throw new TypeError('checkGradients: targets Y are for a Model (layers are checked through a random projection)');
  if (Y) requireFloat64Host(Y, 'the targets Y');
  const x = new Tensor(X.data.slice(), X.shape, X.backend); // the caller's X stays untouched

  let projection: Tensor | null = null;
  const objective = (): number => {
    if (Y) return (target as Model).loss(x, Y);
    const out = target.forward(x);
    projection ??= Tensor.rand(out.shape, { dtype: 'float64', backend: out.backend, generator: new Generator(options.seed ?? 12345), low: -1, high: 1 });
    return out.mul(projection).sum().item();
  };
  const analytic = (): Tensor => {
    objective();
    return Y ? (target as Model).backward() : target.backward(projection!);
  };

  // Builds lazy parameters, then the analytic gradients at the unperturbed point (copied: later calls replace them).
  objective();
  const dX = analytic().toTypedArray().slice();
  const params = [...target.parameters];
  const grads = target.gradients;
  const analyticGrads = params.map(([name, p]) => {
    requireFloat64Host(p, `the parameter ${name}`);
    const g = grads.get(name);
    if (!g) throw new RangeError(`checkGradients: backward left no gradient for ${name}`);
    return g.toTypedArray().slice();
  });

  const tensors: TensorCheck[] = [];
  const add = (name: string, shape: readonly number[], a: ArrayLike<number>, n: ArrayLike<number>) => {
    const e = relativeError(a, n);
    tensors.push({ name, shape: [...shape], relativeError: e.relative, maxAbsError: e.maxAbs, analyticNorm: e.normA, numericNorm: e.normB });
  };
  params.forEach(([name, p], i) => add(name, p.shape, analyticGrads[i], numericGradient(p, objective, eps)));
  add('X', x.shape, dX, numericGradient(x, objective, eps));
  analytic(); // leave cache and gradients as at the unperturbed point

  const result: GradientCheckResult = {
    tensors, maxRelativeError: Math.max(0, ...tensors.map((t) => t.relativeError)), objective: Y ? 'cost' : 'projection', eps,
  };
  if (options.print) console.log(formatGradientCheck(result));
  return result;
}

/** Checks CrossEntropy.backward (dJ/dŶ) against central differences of its forward. */
export function checkLossGradient(cost: CrossEntropy, Y: Tensor, Yhat: Tensor, options: Pick<GradientCheckOptions, 'eps' | 'print'> = {}): GradientCheckResult {
  const eps = options.eps ?? 1e-5;
  requireFloat64Host(Y, 'the targets Y');
  requireFloat64Host(Yhat, 'the predictions Ŷ');
  const yhat = new Tensor(Yhat.data.slice(), Yhat.shape, Yhat.backend);
  cost.forward(Y, yhat);
  const analytic = cost.backward().toTypedArray().slice();
  const numeric = numericGradient(yhat, () => cost.forward(Y, yhat), eps);
  const e = relativeError(analytic, numeric);
  const result: GradientCheckResult = {
    tensors: [{ name: 'Y_hat', shape: [...Yhat.shape], relativeError: e.relative, maxAbsError: e.maxAbs, analyticNorm: e.normA, numericNorm: e.normB }],
    maxRelativeError: e.relative, objective: 'cost', eps,
  };
  if (options.print) console.log(formatGradientCheck(result));
  return result;
}

/** The errors as a table: one row per tensor. */
export function formatGradientCheck(result: GradientCheckResult): string {
  return formatTable(['gradient', 'shape', 'relative error', 'max |analytic − numeric|', '‖analytic‖'],
    result.tensors.map((t) => [`d${result.objective === 'cost' ? 'J' : 'f'}/d${t.name}`, `[${t.shape.join('×')}]`,
      t.relativeError.toExponential(2), t.maxAbsError.toExponential(2), t.analyticNorm.toPrecision(4)]));
}
