import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scratchNn } from '../../../src/experiments/scratch-nn';
import { loadSafetensors } from '../../../src/io/safetensors';
import { runCli } from '../../helpers/cli';

const commands = [scratchNn];

test.serial('scratch-nn: a short run of both implementations learns, agrees and writes its files', async (t) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-snn-')), 'run');
  const r = await runCli(commands, ['scratch-nn', '--iterations', '300', '--eval-every', '100', '--train-size', '2000',
    '--val-size', '500', '--out', out, '--seed', '1']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /finite-difference check/);
  t.regex(r.out, /max relative error dW/);
  for (const impl of ['scratch', 'framework']) {
    for (const f of [`${impl}-train.csv`, `${impl}-validation.csv`, `${impl}-loss.svg`, `${impl}-error.svg`, `${impl}-weights.safetensors`]) {
      t.true(fs.existsSync(path.join(out, f)), f);
    }
  }
  for (const f of ['metrics.json', 'comparison-loss.svg', 'comparison-error.svg']) t.true(fs.existsSync(path.join(out, f)), f);
  const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  const s = metrics.scratch;
  t.is(s.trainingLoss.length, 300);
  t.is(s.trainingError.length, 300);
  t.deepEqual(s.validationIterations, [0, 100, 200, 300]);
  t.is(s.validationLoss.length, 4);
  t.true(s.validationLoss[3] < s.validationLoss[0], `validation loss ${s.validationLoss}`);
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
  t.true(mean(s.trainingLoss.slice(-50)) < mean(s.trainingLoss.slice(0, 50)), 'training loss falls');
  t.true(s.validationError[3] < 0.5, `validation error ${s.validationError[3]}`);
  t.true(metrics.final.agreement.maxTrainingLossDifference < 1e-8, JSON.stringify(metrics.final.agreement));
  t.true(metrics.gradcheck.maxRelError.dW < 1e-6);
  t.is(metrics.series['scratch-validation'].length, 4);
  const { tensors } = loadSafetensors(path.join(out, 'scratch-weights.safetensors'));
  t.deepEqual(tensors.W.shape, [10, 784]);
  t.deepEqual(tensors.b.shape, [10]);
  t.true(fs.readFileSync(path.join(out, 'comparison-error.svg'), 'utf8').startsWith('<svg'));
});

test.serial('scratch-nn: bad flags exit 2 with one line', async (t) => {
  for (const args of [['--impl', 'torch'], ['--train-size', '2005'], ['--iterations', '0'], ['--bogus']]) {
    const r = await runCli(commands, ['scratch-nn', ...args, '--out', path.join(os.tmpdir(), 'gradnode-snn-never')]);
    t.is(r.code, 2, args.join(' '));
    t.is(r.err.trim().split('\n').length, 1, r.err);
  }
  t.false(fs.existsSync(path.join(os.tmpdir(), 'gradnode-snn-never')));
});
