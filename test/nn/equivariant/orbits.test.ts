/** Orbit bases of equivariant maps: sharing pattern, counts, and equality with the Kronecker-Reynolds eigenspace. */
import test from 'ava';
import { backend } from '../../../src/backend';
import {
  MatrixGroup, directSum, fixedBasis, invertPermutation, orbitBasisMatrix, pairOrbits, permutationMatrix, pointOrbits,
  projectionResidual, representationElements, rotationRep, trivialRep, type PermRep,
} from '../../../src/nn/equivariant';
import { Generator } from '../../../src/random';
import { backendsUnderTest } from '../../helpers/backends';

/** Row-major Kronecker product of a (p×p) and b (q×q). */
function kron(a: Float64Array, p: number, b: Float64Array, q: number): Float64Array {
  const n = p * q;
  const out = new Float64Array(n * n);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    const v = a[i * p + j];
    if (v === 0) continue;
    for (let k = 0; k < q; k++) for (let l = 0; l < q; l++) out[(i * q + k) * n + j * q + l] = v * b[k * q + l];
  }
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[j * n + i] = a[i * n + j];
  return out;
}

/** The group {ρ2(g) ⊗ ρ1(g⁻¹)ᵀ} acting on vec(W) for W: in → out, as dense matrices. */
function kroneckerGroup(outRep: PermRep, inRep: PermRep): MatrixGroup {
  const [outEls, inEls] = representationElements(outRep, inRep);
  const mats = outEls.map((p2, g) => kron(permutationMatrix(p2), outRep.size,
    transpose(permutationMatrix(invertPermutation(inEls[g])), inRep.size), inRep.size));
  return MatrixGroup.fromGenerators(mats);
}

const cases: [string, PermRep, PermRep][] = [
  ['4×4 → 4×4', rotationRep(4), rotationRep(4)],
  ['5×5 → 3×3', rotationRep(5), rotationRep(3)],
  ['3×3 → 5×5', rotationRep(3), rotationRep(5)],
  ['[h‖g] (2×2 ⊕ 4 invariant) → 3×3', directSum(rotationRep(2), trivialRep(4)), rotationRep(3)],
];

for (const name of backendsUnderTest()) {
  for (const [label, inRep, outRep] of cases) {
    test(`${name}: orbit basis of ${label} spans the eigenvalue-1 eigenspace of the Kronecker Reynolds operator`, (t) => {
      const be = backend(name);
      const group = kroneckerGroup(outRep, inRep);
      t.is(group.order, 4);
      const eigen = fixedBasis(group, { backend: be });
      const orbits = orbitBasisMatrix(pairOrbits(outRep, inRep)).to(be);
      t.is(orbits.shape[1], eigen.shape[1], 'same dimension');
      t.is(orbits.shape[0], inRep.size * outRep.size);
      const cols = (m: typeof eigen) => Array.from({ length: m.shape[1] }, (_, j) => m.slice(1, j, j + 1).flatten());
      for (const v of cols(eigen)) t.true(projectionResidual(v, orbits) < 1e-10, 'eigenvector in the orbit span');
      for (const v of cols(orbits)) t.true(projectionResidual(v, eigen) < 1e-10, 'orbit indicator in the eigenspace');
    });
  }
}

test('pointOrbits: C4 on n×n has ceil(n²/4) orbits; a trivial representation has one orbit per point', (t) => {
  for (const n of [1, 2, 3, 4, 5, 28]) t.is(pointOrbits(rotationRep(n)).count, Math.ceil((n * n) / 4), `n = ${n}`);
  t.is(pointOrbits(trivialRep(7)).count, 7);
  const { orbitOf } = pointOrbits(rotationRep(4));
  t.deepEqual([...orbitOf.subarray(0, 4)], [0, 1, 2, 0], 'numbered by first appearance; corners share an orbit');
});

test('pairOrbits of 28×28 → 28×28 under C4: 784²/4 orbits, and weights built from them commute with the rotation', (t) => {
  const rep = rotationRep(28);
  const orbits = pairOrbits(rep, rep);
  t.is(orbits.count, (784 * 784) / 4, 'no pair is fixed by a rotation on an even grid');
  t.is(orbits.orbitOf.length, 784 * 784);
  const gen = new Generator(1);
  const coef = new Float64Array(orbits.count);
  gen.fillUniform(coef, -1, 1);
  const p = rep.generators[0];
  let worst = 0;
  for (let o = 0; o < 784; o++) {
    for (let i = 0; i < 784; i++) {
      worst = Math.max(worst, Math.abs(coef[orbits.orbitOf[o * 784 + i]] - coef[orbits.orbitOf[p[o] * 784 + p[i]]]));
    }
  }
  t.is(worst, 0, 'W[p(o), p(i)] = W[o, i]');
});

test('pairOrbits refuses representations of different generator counts', (t) => {
  t.throws(() => pairOrbits(rotationRep(3), trivialRep(4, 2)), { message: /same generators/ });
});
