import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mlp } from '../../../src/experiments/mlp';
import { loadSafetensors } from '../../../src/io/safetensors';
import { runCli } from '../../helpers/cli';

// src/commands.ts registers mlp elsewhere; the tests run the command on its own.
const commands = [mlp];

for (const impl of ['manual', 'nn', 'autograd']) {
  test.serial(`mlp --impl ${impl}: a 25-epoch full-batch run on a slice learns and writes its files`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-mlp-')), 'run');
    const { code, out: printed, err } = await runCli(commands, ['mlp', '-i', impl, '-e', '25', '--shape', '784,32,10',
      '-m', '1000', '-n', '500', '--out', out, '--seed', '1']);
    t.is(code, 0, err);
    for (const f of ['metrics.json', 'epochs.csv', 'loss.svg', 'accuracy.svg', 'weights.safetensors']) {
      t.true(fs.existsSync(path.join(out, f)), f);
    }
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    const epochs = metrics.series.epochs;
    t.is(epochs.length, 25);
    t.true(epochs[24].loss < epochs[0].loss, 'the loss falls');
    t.true(metrics.final.testAccuracy > 0.6, `test accuracy ${metrics.final.testAccuracy}`);
    t.true(metrics.final.bestTestAccuracy >= Math.max(metrics.final.testAccuracy, 0.68), `best ${metrics.final.bestTestAccuracy}`);
    t.true(fs.readFileSync(path.join(out, 'accuracy.svg'), 'utf8').startsWith('<svg'));
    const { tensors } = loadSafetensors(path.join(out, 'weights.safetensors'));
    t.deepEqual(tensors.W1.shape, [32, 784]);
    t.deepEqual(tensors.b2.shape, [10]);
    const summary = printed;
    t.regex(summary, /best test accuracy/);
    t.regex(summary, /seconds per epoch/);
  });
}

test.serial('mlp: the three implementations write the same loss curve for the same seed', async (t) => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-mlp-same-'));
  const curves: number[][] = [];
  for (const impl of ['manual', 'nn', 'autograd']) {
    await runCli(commands, ['mlp', '-i', impl, '-e', '4', '--shape', '784,20,10', '-m', '300', '-n', '100',
      '--seed', '3', '--out', path.join(base, impl)]);
    curves.push(JSON.parse(fs.readFileSync(path.join(base, impl, 'metrics.json'), 'utf8')).series.epochs.map((p: { loss: number }) => p.loss));
  }
  for (const c of curves.slice(1)) {
    c.forEach((v, i) => t.true(Math.abs(v - curves[0][i]) <= 1e-4 * Math.abs(curves[0][i]), `${c} vs ${curves[0]}`));
  }
});

for (const shape of ['784', '784,0,10', '784,abc,10', '100,10', '784,300,9']) {
  test.serial(`mlp --shape ${shape} is a usage error (exit 2, one line)`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-mlp-bad-')), 'run');
    const { code, err } = await runCli(commands, ['mlp', '--shape', shape, '--out', out]);
    t.is(code, 2);
    t.is(err.trim().split('\n').length, 1, err);
    t.false(fs.existsSync(out), 'no output folder');
  });
}
