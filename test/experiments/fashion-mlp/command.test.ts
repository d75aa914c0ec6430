import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fashionMlp, parseHidden, stratifiedHoldout } from '../../../src/experiments/fashion-mlp';
import { loadSafetensors } from '../../../src/io/safetensors';
import { Generator } from '../../../src/random';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [fashionMlp];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-fashion-mlp-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const SHORT = ['--max-train', '3000', '--val-size', '500', '--max-test', '1000', '--epochs', '2'];

function metricsOf(out: string) {
  return JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
}

test.serial('fashion-mlp: a short run learns and writes curves, plots and weights', async (t) => {
  const out = path.join(tmp, 'short');
  const r = await runCli(commands, ['fashion-mlp', ...SHORT, '--seed', '1', '--out', out]);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /test accuracy/);
  for (const f of ['metrics.json', 'epochs.csv', 'loss.svg', 'accuracy.svg', 'weights.safetensors']) t.true(fs.existsSync(path.join(out, f)), f);
  const m = metricsOf(out);
  t.deepEqual(m.split, { train: 2500, validation: 500, test: 1000 });
  t.deepEqual(m.sizes, [784, 256, 128, 10]);
  const epochs = m.series.epochs;
  t.is(epochs.length, 2);
  t.deepEqual(epochs.map((p: { epoch: number }) => p.epoch), [1, 2]);
  t.true(epochs[1].trainLoss < epochs[0].trainLoss, `train loss ${epochs[0].trainLoss} → ${epochs[1].trainLoss}`);
  t.true(epochs[1].valLoss < epochs[0].valLoss, `val loss ${epochs[0].valLoss} → ${epochs[1].valLoss}`);
  t.true(epochs[1].valAccuracy > 0.6, `val accuracy ${epochs[1].valAccuracy}`);
  t.true(m.final.testAccuracy > 0.6, `test accuracy ${m.final.testAccuracy}`);
  t.true(epochs.every((p: { seconds: number }) => p.seconds > 0));
  const csv = fs.readFileSync(path.join(out, 'epochs.csv'), 'utf8').trim().split('\n');
  t.is(csv.length, 3);
  t.true(csv[0].startsWith('epoch,trainLoss,trainAccuracy,valLoss,valAccuracy,seconds'));
  t.is(m.testPerClass.length, 10);
  t.is(m.testConfusion.flat().reduce((a: number, b: number) => a + b, 0), 1000);
  for (const f of ['loss.svg', 'accuracy.svg']) t.true(fs.readFileSync(path.join(out, f), 'utf8').startsWith('<svg'), f);
  const ckpt = loadSafetensors(path.join(out, 'weights.safetensors'));
  t.deepEqual(Object.keys(ckpt.tensors).sort(), ['0.bias', '0.weight', '1.bias', '1.weight', '2.bias', '2.weight']);
  t.deepEqual(ckpt.tensors['0.weight'].shape, [256, 784]);
  t.deepEqual(ckpt.tensors['2.bias'].shape, [10]);
  t.is(ckpt.metadata.sizes, '784,256,128,10');
});

test.serial('fashion-mlp: --impl nn (nn.Sequential + autograd + optim.Adam) and the ts backend give the hand-written step\'s curve', async (t) => {
  const curves: Record<string, number>[][] = [];
  for (const [tag, extra] of [['manual', ['--impl', 'manual']], ['nn', ['--impl', 'nn']], ['ts', ['--backend', 'ts']]] as const) {
    const out = path.join(tmp, `impl-${tag}`);
    const r = await runCli(commands, ['fashion-mlp', '--max-train', '1200', '--val-size', '200', '--max-test', '300', '--epochs', '2',
      '--hidden', '64,32', '--batch-size', '100', ...extra, '--out', out]);
    t.is(r.code, 0, r.err);
    curves.push(metricsOf(out).series.epochs);
  }
  for (const other of [1, 2]) {
    for (let e = 0; e < 2; e++) {
      for (const k of ['trainLoss', 'valLoss']) {
        t.true(Math.abs(curves[0][e][k] - curves[other][e][k]) < 1e-4, `run ${other}, epoch ${e + 1} ${k}: ${curves[0][e][k]} vs ${curves[other][e][k]}`);
      }
      t.true(Math.abs(curves[0][e].valAccuracy - curves[other][e].valAccuracy) <= 0.01);
    }
  }
});

test.serial('fashion-mlp: the same seed repeats the run; the split is exact, stratified and seeded', async (t) => {
  const runs = [];
  for (const tag of ['a', 'b']) {
    const out = path.join(tmp, `seed-${tag}`);
    const r = await runCli(commands, ['fashion-mlp', '--max-train', '1000', '--val-size', '150', '--max-test', '100', '--epochs', '1',
      '--hidden', '16', '--out', out]);
    t.is(r.code, 0, r.err);
    runs.push(metricsOf(out).series.epochs[0]);
  }
  t.is(runs[0].trainLoss, runs[1].trainLoss);
  t.is(runs[0].valAccuracy, runs[1].valAccuracy);

  const labels = Int32Array.from({ length: 1003 }, (_, i) => (i * 7) % 10);
  const a = stratifiedHoldout(labels, 101, 10, new Generator(3));
  const b = stratifiedHoldout(labels, 101, 10, new Generator(3));
  t.deepEqual(a, b);
  t.is(a.validation.length, 101);
  t.is(a.train.length, 902);
  const all = [...a.train, ...a.validation].sort((x, y) => x - y);
  t.deepEqual(all, Array.from({ length: 1003 }, (_, i) => i));
  const perClass = new Array(10).fill(0);
  for (const i of a.validation) perClass[labels[i]]++;
  t.true(perClass.every((n) => n === 10 || n === 11), perClass.join(','));
  t.deepEqual(parseHidden('256, 128'), [256, 128]);
});

test.serial('fashion-mlp: missing Fashion-MNIST files name the Debian package and --data', async (t) => {
  const empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
  const never = path.join(tmp, 'never-data');
  const r = await runCli(commands, ['fashion-mlp', '--data', empty, '--out', never]);
  t.is(r.code, 2);
  t.is(r.err.trim().split('\n').length, 1, r.err);
  t.regex(r.err, /dataset-fashion-mnist/);
  t.regex(r.err, /--data/);
  t.false(fs.existsSync(never));
});

test.serial('fashion-mlp: bad flags exit 2 with one line and create no output folder', async (t) => {
  const cases = [
    ['--hidden', ''], ['--hidden', 'abc'], ['--hidden', '256,0'], ['--hidden', '256,,128'], ['--hidden', '1,2,3,4,5,6,7,8,9'],
    ['--hidden', '99999'], ['--hidden', '-5'], ['--hidden', '2.5'],
    ['--lr', '0'], ['--lr', '-1'], ['--lr', '11'], ['--lr', 'x'], ['--epochs', '0'], ['--epochs', '1.5'], ['--batch-size', '0'],
    ['--val-size', '0'], ['--max-train', '3000', '--val-size', '3000'], ['--max-train', '0'], ['--max-test', '0'], ['--max-train', '-2'],
    ['--impl', 'torch'], ['--backend', 'gpu'], ['--seed', 'x'], ['--data', path.join(tmp, 'missing')], ['--bogus'], ['extra'],
  ];
  await expectUsageErrors(t, commands, 'fashion-mlp', cases, path.join(tmp, 'never'));
});
