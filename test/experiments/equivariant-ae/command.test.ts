import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { equivariantAe } from '../../../src/experiments/equivariant-ae';
import { loadSafetensors } from '../../../src/io/safetensors';
import { runCli } from '../../helpers/cli';

const commands = [equivariantAe];

test.serial('equivariant-ae: a short run writes the table, grids, attention plot and weights; equivariant models score the same on rotated digits', async (t) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-eqae-')), 'run');
  const { code, out: printed, err } = await runCli(commands, ['equivariant-ae', '-e', '2', '-m', '1500', '-n', '300',
    '--sides', '28,12,6', '--images', '8', '--out', out, '--seed', '2']);
  t.is(code, 0, err);
  for (const f of ['metrics.json', 'reconstructions-mlp-ae.png', 'reconstructions-eq-ae.png', 'reconstructions-attn-ae.png',
    'attention.svg', 'reconstruction-loss.svg', 'classifier-accuracy.svg', 'rotations-reconstruction.svg',
    'rotations-classification.svg', 'epochs-eq-ae.csv', 'weights-attn-ae.safetensors', 'weights-inv-clf.safetensors']) {
    t.true(fs.existsSync(path.join(out, f)), f);
  }
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  const models = metrics.models;
  t.deepEqual(Object.keys(models), ['mlp-ae', 'eq-ae', 'attn-ae', 'inv-clf', 'mlp-clf']);
  for (const name of ['eq-ae', 'attn-ae']) {
    const losses: number[] = models[name].rotations.map((r: { loss: number }) => r.loss);
    for (const l of losses) t.true(Math.abs(l - losses[0]) <= 1e-5 * losses[0], `${name}: ${losses}`);
    t.true(models[name].symmetryError < 1e-4);
  }
  const invariant: number[] = models['inv-clf'].rotations.map((r: { accuracy: number }) => r.accuracy);
  t.true(invariant.every((a) => Math.abs(a - invariant[0]) <= 1 / 300), `inv-clf: ${invariant}`);
  const plain: number[] = models['mlp-clf'].rotations.map((r: { accuracy: number }) => r.accuracy);
  t.true(plain[0] > 0.6 && Math.max(...plain.slice(1)) < plain[0] - 0.2, `mlp-clf: ${plain}`);
  const plainAe: number[] = models['mlp-ae'].rotations.map((r: { loss: number }) => r.loss);
  t.true(Math.min(...plainAe.slice(1)) > plainAe[0], `mlp-ae: ${plainAe}`);
  t.is(metrics.attention.shownImages.length, 8);
  for (const alpha of metrics.attention.shownImages) t.true(Math.abs(alpha.reduce((a: number, b: number) => a + b) - 1) < 1e-5);
  t.is(metrics.basis784.orbits, 153664);
  t.is(metrics.series['epochs-eq-ae'].length, 2);
  t.true(fs.readFileSync(path.join(out, 'attention.svg'), 'utf8').startsWith('<svg'));
  const png = fs.readFileSync(path.join(out, 'reconstructions-eq-ae.png'));
  t.is(png.subarray(1, 4).toString(), 'PNG');
  t.deepEqual(loadSafetensors(path.join(out, 'weights-eq-ae.safetensors')).tensors['encoder.0.coefficients'].shape, [784 * 144 / 4]);
  t.regex(printed, /attention weights are (close to uniform|not uniform)/);
  t.regex(printed, /28×28→28×28 orbit basis/);
});

for (const [flags, message] of [
  [['--sides', '27,8'], /--sides must start with 28/],
  [['--sides', '28'], /--sides must be at least two/],
  [['--sides', '28,x'], /--sides must be/],
  [['--models', 'eq-ae,foo'], /--models .* unknown: foo/],
  [['--bias', 'rows'], /bias/],
] as const) {
  test.serial(`equivariant-ae ${flags.join(' ')} is a usage error (exit 2, one line, no output folder)`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-eqae-bad-')), 'run');
    const { code, err } = await runCli(commands, ['equivariant-ae', ...flags, '--out', out]);
    t.is(code, 2);
    t.is(err.trim().split('\n').length, 1, err);
    t.regex(err, message);
    t.false(fs.existsSync(out));
  });
}
