/**
 * The seed's one-hidden-layer regression network and its log-cosh cost:
 *
 *   a_i = W1 x_i + b1,   h_i = tanh(a_i),   ŷ_i = w2ᵀ h_i + b2,
 *   J = (1/N) Σ_i log cosh(ŷ_i − y_i).
 *
 * Its gradients three ways: written out by hand (part (a)), by the library's
 * autograd (part (b)), and by central finite differences written here (part
 * (c); not autograd.gradcheck).
 */
import { grad } from '../../autograd';
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import * as F from '../../nn/functional';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor';

/** W1: hidden × inputs, b1: hidden, w2: hidden, b2: one value. */
export interface LogCoshNet {
  W1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

export const PARAMETER_NAMES = ['W1', 'b1', 'w2', 'b2'] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];
/** The gradients of J: the parameters' and the inputs' (x, N × inputs). */
export type Gradients = Record<ParameterName | 'x', Tensor>;

/** Float64 weights and biases U(±1/sqrt(fan_in)), as torch.nn.Linear starts them. */
export function initNet(inputs: number, hidden: number, gen: Generator, backend: Backend): LogCoshNet {
  const o = { dtype: 'float64' as const, backend, generator: gen };
  const u = (shape: number[], fanIn: number) => Tensor.rand(shape, { ...o, low: -1 / Math.sqrt(fanIn), high: 1 / Math.sqrt(fanIn) });
  return { W1: u([hidden, inputs], inputs), b1: u([hidden], inputs), w2: u([hidden], hidden), b2: u([1], hidden) };
}

/** The parameters as a list, in PARAMETER_NAMES order. */
export function parameters(net: LogCoshNet): Tensor[] {
  return PARAMETER_NAMES.map((k) => net[k]);
}

/** ŷ for the rows of x (N × inputs): a vector of N predictions. */
export function predict(net: LogCoshNet, x: Tensor): Tensor {
  const h = F.linear(x, net.W1, net.b1, 'tanh');
  return h.matmul(net.w2.reshape(-1, 1)).reshape(-1).add(net.b2);
}

/** J = mean log cosh(ŷ − y), computed stably (nn.functional.logCoshLoss). */
export function cost(net: LogCoshNet, x: Tensor, y: Tensor): Tensor {
  return F.logCoshLoss(predict(net, x), y);
}

/**
 * Part (a), with r_i = ŷ_i − y_i and δ_i = (1/N) tanh(r_i) · w2 ⊙ (1 − h_i²)
 * (d log cosh(r)/dr = tanh r; d tanh(a)/da = 1 − tanh²a):
 *
 *   ∂J/∂b2 = (1/N) Σ_i tanh(r_i)          ∂J/∂w2 = (1/N) Σ_i tanh(r_i) h_i
 *   ∂J/∂b1 = Σ_i δ_i                       ∂J/∂W1 = Σ_i δ_i x_iᵀ
 *   ∂J/∂x_i = W1ᵀ δ_i
 *
 * Batched: with H the N × hidden matrix of the h_i and Δ that of the δ_i,
 * ∂J/∂W1 = Δᵀ X, ∂J/∂w2 = Hᵀ g (g_i = tanh(r_i)/N) and ∂J/∂X = Δ W1.
 */
export function analyticGradients(net: LogCoshNet, x: Tensor, y: Tensor): Gradients {
  return noGrad(() => {
    const n = x.shape[0];
    const h = F.linear(x, net.W1, net.b1, 'tanh');                        // N × hidden
    const r = h.matmul(net.w2.reshape(-1, 1)).reshape(-1).add(net.b2).sub(y); // N
    const g = r.tanh().scale(1 / n);                                        // N
    const delta = g.reshape(-1, 1).mul(net.w2.reshape(1, -1)).mul(h.square().neg().add(1)); // N × hidden
    return {
      W1: delta.matmul(x, { transposeA: true }),
      b1: delta.sum(0),
      w2: h.matmul(g.reshape(-1, 1), { transposeA: true }).reshape(-1),
      b2: g.sum().reshape(1),
      x: delta.matmul(net.W1),
    };
  });
}

/** Part (b): the same gradients by reverse-mode autograd through cost(). */
export function autogradGradients(net: LogCoshNet, x: Tensor, y: Tensor): Gradients {
  const leaves = [...parameters(net), x].map((t) => t.detach().requiresGrad_());
  const [W1, b1, w2, b2, xs] = leaves;
  const [gW1, gb1, gw2, gb2, gx] = grad(cost({ W1, b1, w2, b2 }, xs, y), leaves);
  return { W1: gW1, b1: gb1, w2: gw2, b2: gb2, x: gx };
}

/**
 * Part (c): central differences (J(θ + h e_k) − J(θ − h e_k)) / 2h for every
 * entry k of every parameter and of x, perturbing a float64 copy in place.
 * Host backends only (it writes single entries).
 */
export function finiteDifferenceGradients(net: LogCoshNet, x: Tensor, y: Tensor, step = 1e-5): Gradients {
  const copy = (t: Tensor) => new Tensor(Float64Array.from(t.toTypedArray()), t.shape, t.backend);
  const work: Record<ParameterName | 'x', Tensor> = {
    W1: copy(net.W1), b1: copy(net.b1), w2: copy(net.w2), b2: copy(net.b2), x: copy(x),
  };
  const evaluate = () => noGrad(() => cost(work, work.x, y).item());
  const out = {} as Gradients;
  for (const name of [...PARAMETER_NAMES, 'x'] as const) {
    const values = work[name].data;
    const g = new Float64Array(values.length);
    for (let k = 0; k < values.length; k++) {
      const saved = values[k];
      values[k] = saved + step;
      const plus = evaluate();
      values[k] = saved - step;
      const minus = evaluate();
      values[k] = saved;
      g[k] = (plus - minus) / (2 * step);
    }
    out[name] = new Tensor(g, work[name].shape, work[name].backend);
  }
  return out;
}

/**
 * max_k |a_k − b_k| / max_k |b_k|: the error of a relative to the size of
 * the reference b (entrywise ratios would blow up at entries near zero).
 */
export function relativeError(a: Tensor, b: Tensor): number {
  const x = a.toTypedArray(), r = b.toTypedArray();
  if (x.length !== r.length) throw new RangeError(`relativeError: ${x.length} vs ${r.length} entries`);
  let diff = 0, scale = 0;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - r[i]));
    scale = Math.max(scale, Math.abs(r[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
