import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backend } from '../../../src/backend';
import { invariance } from '../../../src/experiments/invariance';
import { maxInvarianceError, randomNeuron, sandwichCompositions } from '../../../src/experiments/invariance/neuron';
import { Generator } from '../../../src/random';
import { dihedralGroup, flipGroup, flipPermutation, rotationGroup, rotationPermutation } from '../../../src/nn/equivariant/images';
import { intersectSubspaces, invariantBasis, isInvariant, projectionResidual } from '../../../src/nn/equivariant/subspace';
import { runCli } from '../../helpers/cli';

const commands = [invariance];

/** Orbits of the n×n pixel grid under the group the permutations generate (union-find). */
function orbitCount(n: number, generators: Int32Array[]): number {
  const parent = Array.from({ length: n * n }, (_, i) => i);
  const find = (a: number): number => (parent[a] === a ? a : (parent[a] = find(parent[a])));
  for (const p of generators) p.forEach((b, a) => { parent[find(a)] = find(b); });
  return parent.filter((_, a) => find(a) === a).length;
}

test('the claims: a C4-invariant neuron is not flip-invariant unless it lies in the intersection, which is invariant to T1·T2·T1′', (t) => {
  const n = 6; // C4: 9 dims, of which 6 in the intersection
  const be = backend('ts');
  const gen = new Generator(7);
  const c4 = rotationGroup(n);
  const flips = flipGroup(n);
  const uC4 = invariantBasis(c4, { backend: be });
  const uFlips = invariantBasis(flips, { backend: be });
  const uBoth = intersectSubspaces(uC4, uFlips, { backend: be });
  const x = new Float64Array(200 * n * n);
  gen.fillNormal(x);
  const sandwiches = sandwichCompositions(c4, flips);
  t.is(sandwiches.length, 64);

  const f1 = randomNeuron(uC4, gen);
  t.true(isInvariant(f1.w, uC4).invariant);
  const flipCheck = isInvariant(f1.w, uFlips);
  t.false(flipCheck.invariant);
  t.true(flipCheck.residual > 1e-3, `residual ${flipCheck.residual}`);
  t.true(projectionResidual(f1.w, uBoth) > 1e-3, 'a generic C4 neuron is outside the intersection');
  t.true(maxInvarianceError(f1, c4.elements, x) < 1e-12, 'C4-invariant on the samples');
  t.true(maxInvarianceError(f1, [flipPermutation(n, 'horizontal')], x) > 1e-3, 'f(Hx) differs from f(x)');

  const f3 = randomNeuron(uBoth, gen);
  t.true(isInvariant(f3.w, uC4).invariant);
  t.true(isInvariant(f3.w, uFlips).invariant);
  t.true(maxInvarianceError(f3, sandwiches, x) < 1e-12);
  t.true(maxInvarianceError(f3, dihedralGroup(n).elements, x) < 1e-12);
  // A C4-invariant weight that is flip-invariant lies in the intersection (the converse direction).
  t.true(projectionResidual(f3.w, uBoth) < 1e-12);
});

test.serial('invariance --size 6 on ts writes metrics.json and symmetrized.png with the orbit-count dimensions', async (t) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-invariance-')), 'run');
  const { code, out: printed, err } = await runCli(commands, ['invariance', '--size', '6', '--backend', 'ts', '--samples', '200',
    '--out', out, '--seed', '2']);
  t.is(code, 0, err);
  for (const f of ['metrics.json', 'symmetrized.png']) t.true(fs.existsSync(path.join(out, f)), f);
  t.deepEqual([...fs.readFileSync(path.join(out, 'symmetrized.png')).subarray(1, 4)], [...Buffer.from('PNG')]);
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  const rot = rotationPermutation(6);
  const h = flipPermutation(6, 'horizontal');
  const v = flipPermutation(6, 'vertical');
  const want = { c4: orbitCount(6, [rot]), flips: orbitCount(6, [h, v]), d4: orbitCount(6, [rot, h]) };
  t.deepEqual(want, { c4: 9, flips: 9, d4: 6 });
  t.deepEqual(m.dims, { c4: 9, flips: 9, intersection: 6, d4: 6 });
  t.deepEqual(m.expectedDims, want);
  t.is(m.reynolds.c4.rank, 9);
  t.true(Math.abs(m.reynolds.flips.trace - 9) < 1e-12);
  t.true(m.neuronC4.residualC4 < 1e-12);
  t.true(m.neuronC4.residualFlips > 1e-3);
  t.true(m.neuronC4.maxHorizontalFlipError > 1e-3);
  t.true(m.neuronIntersection.residualFlips < 1e-12);
  t.is(m.neuronIntersection.compositions, 64);
  t.true(m.neuronIntersection.maxCompositionError < 1e-12);
  t.deepEqual({ rank: m.rankZero.rank, dim: m.rankZero.invariantDim, maxAbs: m.rankZero.maxAbs }, { rank: 0, dim: 0, maxAbs: 0 });
  t.true(Object.values(m.claims).every(Boolean), JSON.stringify(m.claims));
  t.is(m.summary['invariant dims C4 / flips / ∩ / D4'], '9 / 9 / 6 / 6');
  t.regex(printed, /not flip-invariant/);
  t.regex(printed, /claims held\s+7\/7/);
});

for (const argv of [['--size', '1'], ['--size', 'abc'], ['--samples', '0'], ['--backend', 'gpu'], ['--bogus', '1']]) {
  test.serial(`invariance ${argv.join(' ')} is a usage error (exit 2, one line)`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-invariance-bad-')), 'run');
    const { code, err } = await runCli(commands, ['invariance', ...argv, '--out', out]);
    t.is(code, 2);
    t.is(err.trim().split('\n').length, 1, err);
    t.false(fs.existsSync(out), 'no output folder');
  });
}
