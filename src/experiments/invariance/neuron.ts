/**
 * The numeric side of the `invariance` demo: a single sigmoid neuron
 * f(x) = σ(wᵀx + b) with weights drawn from an invariant subspace, and the
 * largest change |f(P x) − f(x)| over permutations P and sample inputs.
 *
 * Sampling inputs cannot prove invariance (the subspace test does: w is
 * invariant to G exactly when it lies in G's invariant subspace); it only
 * shows what the projection residual predicts.
 */
import type { Generator } from '../../random';
import { composePermutations, type PermutationGroup } from '../../nn/equivariant/group';
import type { Tensor } from '../../tensor/tensor';

export interface Neuron { w: Float64Array; b: number }

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** w = U α for α ~ N(0, 1) per basis column, scaled to ‖w‖ = 1 (zero for an empty basis); b ~ N(0, 1). */
export function randomNeuron(basis: Tensor, gen: Generator): Neuron {
  const [n, k] = basis.shape;
  const alpha = new Float64Array(k);
  gen.fillNormal(alpha);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += basis.data[i * k + j] * alpha[j];
    w[i] = s;
  }
  const norm = Math.hypot(...w);
  if (norm > 0) for (let i = 0; i < n; i++) w[i] /= norm;
  return { w, b: gen.normal() };
}

/** f(x) = σ(wᵀx + b) for every n-long row of x. */
export function neuronOutputs(neuron: Neuron, x: Float64Array): Float64Array {
  const n = neuron.w.length;
  const out = new Float64Array(x.length / n);
  for (let r = 0; r < out.length; r++) {
    let z = neuron.b;
    for (let a = 0; a < n; a++) z += neuron.w[a] * x[r * n + a];
    out[r] = sigmoid(z);
  }
  return out;
}

/**
 * max over the permutations p and the rows x of |f(P x) − f(x)|, where
 * (P x)[a] = x[p[a]]; wᵀ P x is computed as (Pᵀ w)ᵀ x.
 */
export function maxInvarianceError(neuron: Neuron, perms: readonly Int32Array[], x: Float64Array): number {
  const n = neuron.w.length;
  const base = neuronOutputs(neuron, x);
  let worst = 0;
  for (const p of perms) {
    const moved = new Float64Array(n); // Pᵀ w: moved[p[a]] = w[a]
    for (let a = 0; a < n; a++) moved[p[a]] = neuron.w[a];
    const out = neuronOutputs({ w: moved, b: neuron.b }, x);
    for (let r = 0; r < out.length; r++) worst = Math.max(worst, Math.abs(out[r] - base[r]));
  }
  return worst;
}

/** Every product T1·T2·T1′ (T1, T1′ in g1, T2 in g2) as a permutation: |g1|²·|g2| of them, repeats kept. */
export function sandwichCompositions(g1: PermutationGroup, g2: PermutationGroup): Int32Array[] {
  const out: Int32Array[] = [];
  for (const t1 of g1.elements) {
    for (const t2 of g2.elements) {
      const left = composePermutations(t1, t2);
      for (const t1b of g1.elements) out.push(composePermutations(left, t1b));
    }
  }
  return out;
}
