/**
 * Permutation representations of a finitely generated group, as the
 * equivariant layers consume them: one permutation of 0..size-1 per
 * generator, with generator j of every representation standing for the same
 * group element (so C4 on 28×28 inputs and on 8×8 features share one
 * generator, the 90° rotation). Also the group action on the rows of a batch.
 */
import { ShapeError } from '../../errors';
import type { Tensor } from '../../tensor/tensor';
import { PermutationGroup } from './group';
import { rotationPermutation } from './images';

export interface PermRep {
  /** Dimension of the space the group permutes. */
  readonly size: number;
  /** One permutation per group generator (convention of group.ts: (P x)[a] = x[p[a]]). */
  readonly generators: readonly Int32Array[];
}

/** C4 on n×n images: the 90° counter-clockwise rotation as the one generator. */
export function rotationRep(n: number): PermRep {
  return { size: n * n, generators: [rotationPermutation(n)] };
}

/** The group acting as the identity on `size` points (an invariant block). */
export function trivialRep(size: number, generatorCount = 1): PermRep {
  const id = Int32Array.from({ length: size }, (_, i) => i);
  return { size, generators: Array.from({ length: generatorCount }, () => id) };
}

/** diag(ρa(g), ρb(g)) on the concatenation [a‖b] (e.g. [h‖g] with ρb trivial). */
export function directSum(a: PermRep, b: PermRep): PermRep {
  checkCompatible(a, b);
  const generators = a.generators.map((ga, j) => {
    const out = new Int32Array(a.size + b.size);
    out.set(ga);
    const gb = b.generators[j];
    for (let i = 0; i < b.size; i++) out[a.size + i] = a.size + gb[i];
    return out;
  });
  return { size: a.size + b.size, generators };
}

export function checkCompatible(a: PermRep, b: PermRep): void {
  if (a.generators.length !== b.generators.length) {
    throw new ShapeError(`Representations of one group need the same generators: ${a.generators.length} vs ${b.generators.length}`);
  }
}

/**
 * ρ(g) for every element g of the group, for each representation given,
 * listed in one consistent order (closure of the joint generators, identity
 * first; for C4 element i is the rotation by 90°·i).
 */
export function representationElements(...reps: PermRep[]): Int32Array[][] {
  if (reps.length === 0) throw new RangeError('representationElements needs at least one representation');
  reps.slice(1).forEach((r) => checkCompatible(reps[0], r));
  const joint = reps.reduce(directSum);
  const group = PermutationGroup.fromGenerators(joint.generators);
  return reps.map((_, r) => {
    const offset = reps.slice(0, r).reduce((s, x) => s + x.size, 0);
    return group.elements.map((e) => Int32Array.from(e.subarray(offset, offset + reps[r].size), (v) => v - offset));
  });
}

/** The index that applies ρ to every row of a batch×size matrix: (x ρᵀ)[b, a] = x[b, p[a]]. */
export function rowActionIndex(perms: readonly Int32Array[], batch: number): Int32Array {
  const size = perms[0].length;
  const index = new Int32Array(batch * perms.length * size);
  let j = 0;
  for (let b = 0; b < batch; b++) {
    for (const p of perms) {
      for (let a = 0; a < size; a++) index[j++] = b * size + p[a];
    }
  }
  return index;
}

/** ρ(g) applied to each row of x (batch × size); differentiable. */
export function actOnRows(x: Tensor, perm: Int32Array): Tensor {
  if (x.ndim !== 2 || x.shape[1] !== perm.length) {
    throw new ShapeError(`actOnRows: x must be batch×${perm.length}, not [${x.shape.join(', ')}]`);
  }
  return x.take(rowActionIndex([perm], x.shape[0]), x.shape);
}
