import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initStudy } from '../../../src/experiments/init-study';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [initStudy];
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-init-'));
const LABELS = ['d=0.01', 'd=0.1', 'd=2', 'xavier'];
const SLUGS = ['d0.01', 'd0.1', 'd2', 'xavier'];
const PLOTS = ['activation-mean', 'activation-abs-mean', 'saturation', 'weight-grad-norm', 'output-grad-norm'];

test.serial('init-study: a short run probes, trains and writes every file; the numbers show what each init does', async (t) => {
  const out = path.join(tmp(), 'run');
  const r = await runCli(commands, ['init-study', '--max-train', '4000', '--max-test', '1000', '--epochs', '2', '--out', out]);
  t.is(r.code, 0, r.err);
  for (const p of PLOTS) {
    for (const f of [`${p}.svg`, `${p}-after.svg`]) t.true(fs.readFileSync(path.join(out, f), 'utf8').startsWith('<svg'), f);
  }
  t.true(fs.existsSync(path.join(out, 'accuracy.svg')));
  for (const s of SLUGS) {
    t.true(fs.existsSync(path.join(out, `epochs-${s}.csv`)), s);
    const probeCsv = fs.readFileSync(path.join(out, `probe-before-${s}.csv`), 'utf8').trim().split('\n');
    t.is(probeCsv.length, 1 + 9, 'header, 8 hidden layers and the output layer');
    t.true(probeCsv[0].startsWith('layer,activationMean,activationAbsMean,saturatedFraction,weightGradNorm,outputGradNorm'));
    t.true(fs.existsSync(path.join(out, `probe-after-${s}.csv`)));
  }
  const m = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
  t.is(m.model.depth, 8);
  t.is(m.model.linearLayers, 9);
  t.is(m.probeBatch.size, 256);
  t.deepEqual(Object.keys(m.results), LABELS);
  for (const label of LABELS) {
    const res = m.results[label];
    for (const phase of ['before', 'after']) {
      for (const key of ['activationMean', 'activationAbsMean', 'saturatedFraction', 'weightGradNorm', 'outputGradNorm']) {
        t.is(res[phase][key].length, 8, `${label} ${phase} ${key}`);
      }
    }
    t.is(res.epochs.length, 3, 'epochs 0..2');
    t.is(res.weightBounds.length, 9);
  }
  const [small, mid, large, xavier] = LABELS.map((l) => m.results[l]);
  // d=0.01: the backward signal dies by orders of magnitude towards the input, activations vanish, one class is predicted.
  t.true(small.before.outputGradNorm[0] / small.before.outputGradNorm[7] < 1e-6, `${small.before.outputGradNorm}`);
  t.true(small.before.activationAbsMean[7] < 1e-6);
  t.true(Math.max(...small.before.weightGradNorm) < 1e-8);
  t.true(small.mostPredictedTestFraction > 0.9);
  t.true(mid.before.outputGradNorm[0] / mid.before.outputGradNorm[7] < 1e-2);
  // d=2: most tanh units saturate.
  t.true(large.meanSaturatedFraction.before > 0.5, `${large.meanSaturatedFraction.before}`);
  t.true(xavier.meanSaturatedFraction.before < 0.05);
  // xavier learns, d=0.01 does not.
  t.true(xavier.testAccuracy > small.testAccuracy + 0.2, `${xavier.testAccuracy} vs ${small.testAccuracy}`);
  t.true(xavier.trainAccuracyByEpoch[2] > xavier.trainAccuracyByEpoch[0]);
  t.deepEqual(xavier.weightBounds, [Math.sqrt(6 / 834), ...Array(7).fill(Math.sqrt(6 / 100)), Math.sqrt(6 / 60)]);
  t.deepEqual(small.weightBounds, Array(9).fill(0.01));
  t.regex(m.findings.stuck, /d=0\.01/);
  t.regex(m.findings.saturatedAtInit, /d=2/);
  t.regex(m.findings.vanishingAtInit, /d=0\.01/);
  t.is(m.series['epochs-xavier'].length, 3);
  t.regex(r.out, /learns \(test accuracy > 50%\)/);
  t.regex(r.out, /8 × \(Linear → tanh\), width 50, then Linear 50→10/);
});

test.serial('init-study: --depth, --width and --inits shape the run; the same seed repeats it', async (t) => {
  const dir = tmp();
  const args = ['init-study', '--inits', 'xavier,0.5', '--depth', '3', '--width', '20', '--max-train', '600', '--max-test', '200',
    '--epochs', '1', '--probe-batch', '100', '--batch-size', '64', '--lr', '0.05', '--seed', '3'];
  const runs = [];
  for (const name of ['a', 'b']) {
    const r = await runCli(commands, [...args, '--out', path.join(dir, name)]);
    t.is(r.code, 0, r.err);
    runs.push(JSON.parse(fs.readFileSync(path.join(dir, name, 'metrics.json'), 'utf8')));
  }
  const [a, b] = runs;
  t.deepEqual(Object.keys(a.results), ['xavier', 'd=0.5']);
  t.is(a.results.xavier.before.activationMean.length, 3);
  t.is(a.results['d=0.5'].weightBounds.length, 4);
  t.deepEqual(a.model.layerShapes, [[784, 20], [20, 20], [20, 20], [20, 10]]);
  t.is(a.probeBatch.size, 100);
  const timeless = (m: { results: Record<string, { epochs: { seconds?: number }[] }> }) => JSON.stringify(m.results, (k, v) => (k === 'seconds' ? undefined : v));
  t.is(timeless(a), timeless(b));
  t.true(a.results.xavier.epochs[1].seconds > 0);
});

test.serial('init-study: --help says what depth counts', async (t) => {
  const r = await runCli(commands, ['init-study', '--help']);
  t.is(r.code, 0);
  t.regex(r.out, /--depth D counts the hidden layers/);
  t.regex(r.out, /--inits/);
});

test.serial('init-study: bad flags exit 2 with one line and create no output folder', async (t) => {
  const never = path.join(tmp(), 'never');
  const cases = [
    ['--inits', '0.01,foo'], ['--inits', '0.1,0.1'], ['--inits', ''], ['--inits', '-1'], ['--inits', '0'],
    ['--depth', '0'], ['--depth', '65'], ['--depth', '2.5'], ['--width', '0'], ['--width', 'x'],
    ['--epochs', '0'], ['--lr', '0'], ['--lr', '-0.1'], ['--lr', 'abc'], ['--batch-size', '0'],
    ['--probe-batch', '0'], ['--probe-batch', '300', '--max-train', '200'],
    ['--max-train', '0'], ['--max-train', '-2'], ['--max-test', '0'], ['--max-test', '-5'],
    ['--backend', 'tpu'], ['--seed', '1.5'], ['--data', path.join(os.tmpdir(), 'gradnode-no-such-dir')], ['--bogus'],
  ];
  await expectUsageErrors(t, commands, 'init-study', cases, never);
});
