/**
 * Seed 002, problem 2: f(x) = W_F ρ(W_L … ρ(W_2 ρ(W_1 x))) with ρ = tanh,
 * W_1 K×D, W_2..W_L K×K, W_F P×K, no biases; and its Jacobian ∂f/∂x (P×D)
 * four ways through the library (autograd.jacobian), by hand (the chain
 * rule written out) and by central differences.
 */
import { jacobian } from '../../autograd/jacobian';
import { noGrad } from '../../autograd/mode';
import type { Backend, DType } from '../../backend/backend';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor';

export interface Sizes { D: number; K: number; P: number }
export const SEED_SIZES: Sizes = { D: 2, K: 30, P: 10 };

/** [W_1, …, W_L, W_F], entries N(0, 1/fan_in) so that tanh neither saturates nor vanishes. */
export function makeWeights(layers: number, sizes: Sizes, gen: Generator, dtype: DType, backend: Backend): Tensor[] {
  const { D, K, P } = sizes;
  const shapes: [number, number][] = [[K, D], ...Array.from({ length: layers - 1 }, (): [number, number] => [K, K]), [P, K]];
  return shapes.map(([rows, cols]) => Tensor.randn([rows, cols], { dtype, backend, generator: gen, std: 1 / Math.sqrt(cols) }));
}

/**
 * f written row-wise (x Wᵀ instead of W x), so that the same code takes one
 * input x of shape [D] and a batch [B, D]: what the batched Jacobians need.
 */
export function network(weights: readonly Tensor[]): (x: Tensor) => Tensor {
  const hidden = weights.slice(0, -1), last = weights[weights.length - 1];
  return (x) => {
    let h = x;
    for (const w of hidden) h = h.matmul(w, { transposeB: true }).tanh();
    return h.matmul(last, { transposeB: true });
  };
}

export const METHODS = ['forward', 'forward-batched', 'reverse', 'reverse-batched'] as const;
export type Method = (typeof METHODS)[number];

export const METHOD_DESCRIPTIONS: Record<Method, string> = {
  forward: 'forward mode: D Jacobian-vector products (jvp, dual numbers), one column each',
  'forward-batched': 'forward mode batched: f on D copies of x carrying the identity as tangents, one pass',
  reverse: 'reverse mode: one forward pass, then P vector-Jacobian products (backward), one row each',
  'reverse-batched': 'reverse mode batched: f on P copies of x, backward seeded with the identity, one pass',
};

/** ∂f/∂x (P×D) by one of the library's four ways. */
export function jacobianBy(method: Method, f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return jacobian(f, x, { mode: method.startsWith('forward') ? 'forward' : 'reverse', batched: method.endsWith('batched') });
}

/**
 * The chain rule written out in float64 loops: J = W_F D_L W_L … D_1 W_1
 * with D_l = diag(1 − h_l²), h_l = tanh(W_l h_{l−1}), h_0 = x; accumulated
 * from the input side (a K×D running product).
 */
export function handJacobian(weights: readonly Tensor[], x: Tensor): Float64Array {
  const mats = weights.map((w) => ({ rows: w.shape[0], cols: w.shape[1], v: w.toTypedArray() }));
  let h = Float64Array.from(x.toTypedArray());
  // running product M (rows × D), starting as the identity D×D
  const D = h.length;
  let M = new Float64Array(D * D);
  for (let i = 0; i < D; i++) M[i * D + i] = 1;
  for (let l = 0; l < mats.length; l++) {
    const { rows, cols, v } = mats[l];
    const last = l === mats.length - 1;
    const z = new Float64Array(rows);
    const next = new Float64Array(rows * D);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += v[r * cols + c] * h[c];
      z[r] = last ? s : Math.tanh(s);
      const scale = last ? 1 : 1 - z[r] * z[r];
      for (let j = 0; j < D; j++) {
        let m = 0;
        for (let c = 0; c < cols; c++) m += v[r * cols + c] * M[c * D + j];
        next[r * D + j] = scale * m;
      }
    }
    h = z;
    M = next;
  }
  return M;
}

/** Central differences (f(x + h e_j) − f(x − h e_j)) / 2h, column by column (P×D, float64). */
export function finiteDifferenceJacobian(f: (x: Tensor) => Tensor, x: Tensor, step = 1e-6): Float64Array {
  const base = Float64Array.from(x.toTypedArray());
  const D = base.length;
  const at = (values: Float64Array) => noGrad(() => f(new Tensor(values, x.shape, x.backend).astype(x.dtype)).toTypedArray());
  const P = at(base).length;
  const J = new Float64Array(P * D);
  for (let j = 0; j < D; j++) {
    const plus = base.slice(), minus = base.slice();
    plus[j] += step;
    minus[j] -= step;
    const fp = at(plus), fm = at(minus);
    for (let i = 0; i < P; i++) J[i * D + j] = (fp[i] - fm[i]) / (2 * step);
  }
  return J;
}

/**
 * The seed's part (e): multiplying M1×M2 by M2×M3 costs M1·M2·M3. J is the
 * chain W_F D_L W_L … D_1 W_1 (diagonal factors cost no matrix products):
 * forward mode multiplies it from the input side, K×D matrices all the way,
 * (L−1)·K·K·D + P·K·D; reverse mode from the output side, P×K matrices,
 * (L−1)·P·K·K + P·K·D. Both also evaluate f once: K·D + (L−1)·K² + P·K.
 */
export function chainCosts(layers: number, { D, K, P }: Sizes): { forward: number; reverse: number; evaluation: number } {
  return {
    forward: (layers - 1) * K * K * D + P * K * D,
    reverse: (layers - 1) * P * K * K + P * K * D,
    evaluation: K * D + (layers - 1) * K * K + P * K,
  };
}

/** max |a − b| over the entries, and the largest |b| (to read it as a relative error). */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): { abs: number; scale: number } {
  if (a.length !== b.length) throw new RangeError(`maxDifference: ${a.length} vs ${b.length} entries`);
  let abs = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    abs = Math.max(abs, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { abs, scale };
}
