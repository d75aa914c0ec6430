/**
 * Orbits of a permutation group, found from its generators alone by
 * union-find (the orbits are the connected components of the graph with an
 * edge a → p(a) per generator p), so no group element is ever listed.
 *
 * The orbits of (output, input) index pairs under (o, i) ↦ (ρ2(g) o, ρ1(g) i)
 * are the weight-sharing pattern of an equivariant linear map: W satisfies
 * ρ2(g) W ρ1(g)⁻¹ = W for all g exactly when W[o, i] is constant on each
 * orbit, so the orbit indicators are a basis of the eigenvalue-1 eigenspace
 * of the Reynolds operator (1/|G|) Σ_g ρ2(g) ⊗ ρ1(g⁻¹)ᵀ. Building it costs
 * O(k·m·generators) time and one int32 per weight entry, instead of the
 * (k·m)² Kronecker matrix.
 */
import { Tensor } from '../../tensor/tensor';
import { checkCompatible, type PermRep } from './representation';

export interface Orbits {
  /** Orbit number of each point, numbered by first appearance (0..count-1). */
  readonly orbitOf: Int32Array;
  readonly count: number;
}

/** Weight-sharing pattern of an equivariant out×in matrix: the orbit of entry (o, i) is orbitOf[o * cols + i]. */
export interface PairOrbits extends Orbits {
  readonly rows: number;
  readonly cols: number;
}

function find(parent: Int32Array, a: number): number {
  let root = a;
  while (parent[root] !== root) root = parent[root];
  while (parent[a] !== root) {
    const next = parent[a];
    parent[a] = root;
    a = next;
  }
  return root;
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a);
  const rb = find(parent, b);
  if (ra !== rb) parent[ra > rb ? ra : rb] = ra > rb ? rb : ra;
}

/** Relabels union-find roots as 0..count-1 in order of first appearance; reuses `parent` as the output. */
function label(parent: Int32Array): Orbits {
  const n = parent.length;
  for (let a = 0; a < n; a++) find(parent, a);
  // Roots are the smallest member of their set (union keeps the smaller root), so a root is met before its members.
  let count = 0;
  for (let a = 0; a < n; a++) parent[a] = parent[a] === a ? count++ : parent[parent[a]];
  return { orbitOf: parent, count };
}

/** Orbits of the points 0..size-1. */
export function pointOrbits(rep: PermRep): Orbits {
  const parent = Int32Array.from({ length: rep.size }, (_, i) => i);
  for (const p of rep.generators) for (let a = 0; a < rep.size; a++) union(parent, a, p[a]);
  return label(parent);
}

/** Orbits of the (output, input) pairs of an outRep.size × inRep.size matrix. */
export function pairOrbits(outRep: PermRep, inRep: PermRep): PairOrbits {
  checkCompatible(outRep, inRep);
  const rows = outRep.size;
  const cols = inRep.size;
  const parent = new Int32Array(rows * cols);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  outRep.generators.forEach((p2, j) => {
    const p1 = inRep.generators[j];
    for (let o = 0; o < rows; o++) {
      const row = o * cols;
      const image = p2[o] * cols;
      for (let i = 0; i < cols; i++) union(parent, row + i, image + p1[i]);
    }
  });
  return { ...label(parent), rows, cols };
}

/** The orbit indicators as a dense (rows·cols) × count matrix with unit columns (small sizes: tests, demos). */
export function orbitBasisMatrix(orbits: Orbits, options: { dtype?: 'float32' | 'float64' } = {}): Tensor {
  const n = orbits.orbitOf.length;
  const sizes = new Float64Array(orbits.count);
  for (const o of orbits.orbitOf) sizes[o]++;
  const basis = new Float64Array(n * orbits.count);
  for (let a = 0; a < n; a++) {
    const o = orbits.orbitOf[a];
    basis[a * orbits.count + o] = 1 / Math.sqrt(sizes[o]);
  }
  return Tensor.from(basis, { shape: [n, orbits.count], dtype: options.dtype ?? 'float64' });
}
