/**
 * `invariance`: invariant neurons for finite groups of linear maps, the demo
 * of C4 rotations and the flip group {I, H, V, HV} on n×n images
 * (hw Q2.3–Q2.5).
 *
 * For each group: the Reynolds operator T̄ (rank, trace) and the basis of
 * { w : wᵀ T̄ = wᵀ }. A neuron σ(wᵀx + b) with w = U_C4 α is C4-invariant;
 * whether it is also flip-invariant is decided by w's projection residual
 * onto the flip subspace (not by sampling inputs), and sampled f(Hx) − f(x)
 * shows the same. A neuron from span(U_C4) ∩ span(U_flips) (which equals
 * the D4 invariant subspace, computed directly as a cross-check) is invariant
 * to every composition T1·T2·T1′. Finally {I, −I}: T̄ = 0 (rank 0), so an
 * invariant neuron is σ(b), its bias alone. Writes metrics.json and
 * symmetrized.png: an asymmetric test pattern, its projections onto the
 * C4, flip and intersection subspaces (its Reynolds averages), and the
 * weights of the two neurons, as n×n images.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { MatrixGroup, type FiniteGroup } from '../../nn/equivariant/group';
import { dihedralGroup, flipGroup, flipPermutation, rotationGroup } from '../../nn/equivariant/images';
import {
  intersectSubspaces, invariantBasis, matrixRank, projectionResidual, reynoldsOperator, trace,
} from '../../nn/equivariant/subspace';
import { imageGridPng, type GridImage } from '../../report/image';
import type { Backend } from '../../backend/backend';
import { Tensor } from '../../tensor/tensor';
import { commonFlags, finishRun, startRun } from '../common';
import { maxInvarianceError, randomNeuron, sandwichCompositions } from './neuron';

/** Orbit counts of the pixel grid, i.e. the expected invariant dimensions. */
export function expectedDims(n: number): { c4: number; flips: number; d4: number } {
  const m = Math.ceil(n / 2);
  return { c4: Math.ceil((n * n) / 4), flips: m * m, d4: (m * (m + 1)) / 2 };
}

function reynoldsStats(group: FiniteGroup, be: Backend): { order: number; rank: number; trace: number; maxAbs: number } {
  const r = reynoldsOperator(group, { backend: be });
  let maxAbs = 0;
  for (const v of r.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  return { order: group.order, rank: matrixRank(r, { backend: be }), trace: trace(r), maxAbs };
}

/** max over both directions of the projection residual of one basis's columns onto the other. */
function spanDistance(a: Tensor, b: Tensor): number {
  const col = (u: Tensor, j: number) => Float64Array.from({ length: u.shape[0] }, (_, i) => u.data[i * u.shape[1] + j]);
  let worst = 0;
  for (let j = 0; j < a.shape[1]; j++) worst = Math.max(worst, projectionResidual(col(a, j), b));
  for (let j = 0; j < b.shape[1]; j++) worst = Math.max(worst, projectionResidual(col(b, j), a));
  return worst;
}

/** An asymmetric n×n test pattern: an "F" on a left-to-right ramp. */
export function testPattern(n: number): Float64Array {
  const x = new Float64Array(n * n);
  const at = (f: number) => Math.min(n - 1, Math.floor(f * n));
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) x[r * n + c] = (0.3 * c) / n;
  for (let r = at(0.15); r <= at(0.85); r++) x[r * n + at(0.3)] = 1;
  for (let c = at(0.3); c <= at(0.75); c++) x[at(0.15) * n + c] = 1;
  for (let c = at(0.3); c <= at(0.6); c++) x[at(0.5) * n + c] = 1;
  return x;
}

/** U Uᵀ x: the orthogonal projection of x onto span(U) (the Reynolds average T̄x for an orthogonal group). */
function project(u: Tensor, x: Float64Array): Float64Array {
  const v = new Tensor(x, [x.length], u.backend);
  return u.matmul(u.matmul(v, { transposeA: true })).data as Float64Array;
}

const sci = (x: number): string => x.toExponential(2);

export const invariance: Command = {
  name: 'invariance',
  describe: 'invariant neurons: Reynolds operators and invariant subspaces of C4 rotations and flips on n×n images, their intersection, the rank-0 case {I, -I}',
  flags: [
    { name: 'size', type: 'int', default: 28, min: 2, description: 'image side n (inputs are n² long; the eigenproblems are n²×n², so large n wants the cpu backend)' },
    { name: 'samples', type: 'int', default: 1000, min: 1, description: 'random N(0, 1) inputs for the numeric invariance checks' },
    ...commonFlags(),
  ],
  async run(flags) {
    const n = flags.size as number;
    const samples = flags.samples as number;
    const ctx = startRun('invariance', flags, { hostOnly: 'the Reynolds and subspace tools work on host matrices' });
    const be = ctx.backend;
    const gen = ctx.generator;
    const d = n * n;
    console.log(`invariance: C4 rotations and flips {I, H, V, HV} on ${n}×${n} images (${d} inputs), ${samples} random inputs, backend ${be.name}`);

    const c4 = rotationGroup(n);
    const flips = flipGroup(n);
    const d4 = dihedralGroup(n);
    const expected = expectedDims(n);
    const reynolds = { c4: reynoldsStats(c4, be), flips: reynoldsStats(flips, be) };
    const t0 = Date.now();
    const uC4 = invariantBasis(c4, { backend: be });
    const uFlips = invariantBasis(flips, { backend: be });
    const uBoth = intersectSubspaces(uC4, uFlips, { backend: be });
    const uD4 = invariantBasis(d4, { backend: be });
    const basisSeconds = (Date.now() - t0) / 1000;
    const dims = { c4: uC4.shape[1], flips: uFlips.shape[1], intersection: uBoth.shape[1], d4: uD4.shape[1] };
    const intersectionVsD4 = spanDistance(uBoth, uD4);

    const x = new Float64Array(samples * d);
    gen.fillNormal(x);
    const rotations = c4.elements.slice(1);
    const h = flipPermutation(n, 'horizontal');
    const sandwiches = sandwichCompositions(c4, flips);

    // Q2.4: a C4-invariant neuron, tested against the flips by its weights.
    const f1 = randomNeuron(uC4, gen);
    const neuronC4 = {
      residualC4: projectionResidual(f1.w, uC4),
      residualFlips: projectionResidual(f1.w, uFlips),
      maxRotationError: maxInvarianceError(f1, rotations, x),
      maxHorizontalFlipError: maxInvarianceError(f1, [h], x),
      maxFlipError: maxInvarianceError(f1, flips.elements.slice(1), x),
      maxCompositionError: maxInvarianceError(f1, sandwiches, x),
    };
    // Q2.5: a neuron from the intersection is invariant to every T1·T2·T1′.
    const f3 = randomNeuron(uBoth, gen);
    const neuronBoth = {
      residualC4: projectionResidual(f3.w, uC4),
      residualFlips: projectionResidual(f3.w, uFlips),
      compositions: sandwiches.length,
      maxCompositionError: maxInvarianceError(f3, sandwiches, x),
    };
    // Q2.3: {I, -I} has T̄ = 0, so the invariant subspace is {0}: σ(wᵀx + b) = σ(b).
    const minusI = new Float64Array(d * d);
    for (let i = 0; i < d; i++) minusI[i * d + i] = -1;
    const pm = MatrixGroup.fromGenerators([minusI], { backend: be });
    const uPm = invariantBasis(pm, { backend: be });
    const wRandom = new Float64Array(d);
    gen.fillNormal(wRandom);
    const rankZero = {
      ...reynoldsStats(pm, be),
      invariantDim: uPm.shape[1],
      residualRandomWeights: projectionResidual(wRandom, uPm),
    };

    const pattern = testPattern(n);
    const images: GridImage[] = [pattern, project(uC4, pattern), project(uFlips, pattern), project(uBoth, pattern), f1.w, f3.w]
      .map((pixels) => ({ pixels, width: n, height: n }));
    await imageGridPng(path.join(ctx.dir, 'symmetrized.png'), images, {
      columns: images.length, scale: Math.max(2, Math.ceil(56 / n)), normalize: 'minmax',
    });

    const claims = {
      dimsMatchOrbitCounts: dims.c4 === expected.c4 && dims.flips === expected.flips && dims.d4 === expected.d4,
      intersectionIsD4: dims.intersection === dims.d4 && intersectionVsD4 < 1e-8,
      c4NeuronIsC4Invariant: neuronC4.residualC4 < 1e-8,
      c4NeuronIsNotFlipInvariant: neuronC4.residualFlips > 1e-3,
      intersectionNeuronIsInvariantToBoth: neuronBoth.residualC4 < 1e-8 && neuronBoth.residualFlips < 1e-8,
      intersectionNeuronInvariantToCompositions: neuronBoth.maxCompositionError < 1e-12,
      rankZeroMeansBiasOnly: rankZero.rank === 0 && rankZero.invariantDim === 0,
    };
    ctx.metrics.set('size', n);
    ctx.metrics.set('samples', samples);
    ctx.metrics.set('expectedDims', expected);
    ctx.metrics.set('reynolds', reynolds);
    ctx.metrics.set('dims', dims);
    ctx.metrics.set('intersectionVsD4', intersectionVsD4);
    ctx.metrics.set('basisSeconds', basisSeconds);
    ctx.metrics.set('neuronC4', neuronC4);
    ctx.metrics.set('neuronIntersection', neuronBoth);
    ctx.metrics.set('rankZero', rankZero);
    ctx.metrics.set('claims', claims);
    const held = Object.values(claims).filter(Boolean).length;
    const total = Object.keys(claims).length;
    finishRun(ctx, 'invariance', [
      ['image side n (inputs)', `${n} (${d})`],
      ['C4 Reynolds rank / trace', `${reynolds.c4.rank} / ${reynolds.c4.trace.toFixed(6)}`],
      ['flips Reynolds rank / trace', `${reynolds.flips.rank} / ${reynolds.flips.trace.toFixed(6)}`],
      ['invariant dims C4 / flips / ∩ / D4', `${dims.c4} / ${dims.flips} / ${dims.intersection} / ${dims.d4}`],
      ['expected (orbit counts)', `${expected.c4} / ${expected.flips} / - / ${expected.d4}`],
      ['∩ vs D4 subspace distance', sci(intersectionVsD4)],
      ['C4 neuron residual on C4 / flips', `${sci(neuronC4.residualC4)} / ${sci(neuronC4.residualFlips)}`],
      ['C4 neuron max |f(Rx)-f(x)| / |f(Hx)-f(x)|', `${sci(neuronC4.maxRotationError)} / ${sci(neuronC4.maxHorizontalFlipError)}`],
      ['C4 neuron', neuronC4.residualFlips > 1e-3 ? 'not flip-invariant' : 'flip-invariant'],
      ['∩ neuron residual on C4 / flips', `${sci(neuronBoth.residualC4)} / ${sci(neuronBoth.residualFlips)}`],
      [`∩ neuron max |f(T1 T2 T1' x)-f(x)| (${sandwiches.length})`, sci(neuronBoth.maxCompositionError)],
      ['C4 neuron, same compositions', sci(neuronC4.maxCompositionError)],
      ['{I,-I}: Reynolds max|.| / rank / dim', `${rankZero.maxAbs} / ${rankZero.rank} / ${rankZero.invariantDim} (neuron = σ(b))`],
      ['claims held', `${held}/${total}`],
      ['basis seconds', basisSeconds.toFixed(2)],
      ['backend', be.name],
      ['image', 'symmetrized.png (x; its C4, flip, ∩ projections; w of both neurons)'],
    ]);
  },
};
