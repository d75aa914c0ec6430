import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { logcosh } from '../../../src/experiments/logcosh';
import { expectUsageErrors, runCli } from '../../helpers/cli';

const commands = [logcosh];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-logcosh-'));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

function metricsOf(out: string) {
  return JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
}

test.serial('logcosh: gradients agree three ways, Boston training lowers the MSE, files are written', async (t) => {
  const out = path.join(tmp, 'std');
  const r = await runCli(commands, ['logcosh', '--epochs', '4', '--out', out, '--seed', '3']);
  t.is(r.code, 0, r.err);
  t.regex(r.out, /hand vs autograd/);
  for (const f of ['metrics.json', 'epochs.csv', 'gradcheck.csv', 'mse.svg', 'mse-standardized.svg']) t.true(fs.existsSync(path.join(out, f)), f);
  const m = metricsOf(out);
  for (const k of ['W1', 'b1', 'w2', 'b2', 'x']) {
    t.true(m.gradientCheck[k].analyticVsAutograd <= 1e-14, `${k}: ${m.gradientCheck[k].analyticVsAutograd}`);
    t.true(m.gradientCheck[k].analyticVsFiniteDifferences <= 1e-7, `${k}: ${m.gradientCheck[k].analyticVsFiniteDifferences}`);
  }
  const epochs = m.series.epochs;
  t.is(epochs.length, 5);
  t.deepEqual(epochs.map((p: { epoch: number }) => p.epoch), [0, 1, 2, 3, 4]);
  t.true(epochs[4].testMse < 0.5 * epochs[0].testMse, `test MSE ${epochs[0].testMse} → ${epochs[4].testMse}`);
  t.true(epochs[4].trainMse < 40, `train MSE ${epochs[4].trainMse}`);
  // medv units are the standardised ones times the training split's variance of medv.
  const s = m.split.targetStd ** 2;
  for (const p of epochs) t.true(Math.abs(p.testMse - p.testMseStandardized * s) <= 1e-9 * p.testMse);
  t.true(m.leastSquares.testMse > 10 && m.leastSquares.testMse < 60, `OLS ${m.leastSquares.testMse}`);
  t.is(m.split.train, 404);
  t.true(fs.readFileSync(path.join(out, 'mse.svg'), 'utf8').startsWith('<svg'));
});

test.serial('logcosh --no-standardize-target starts slowly: after 3 epochs its MSE is far above the standardised run', async (t) => {
  const results: number[] = [];
  for (const [tag, extra] of [['a', []], ['b', ['--no-standardize-target']]] as const) {
    const out = path.join(tmp, `slow-${tag}`);
    const r = await runCli(commands, ['logcosh', '--epochs', '3', '--check-samples', '2', '--out', out, ...extra]);
    t.is(r.code, 0, r.err);
    results.push(metricsOf(out).series.epochs[3].trainMse);
  }
  t.true(results[1] > 5 * results[0], `standardised ${results[0]}, raw ${results[1]}`);
});

test.serial('logcosh: bad flags and bad data files exit 2 with one line and create no output folder', async (t) => {
  const bad = path.join(tmp, 'bad.csv');
  fs.writeFileSync(bad, 'crim,zn\n1,2\n');
  const cases = [
    ['--lr', '0'], ['--lr', '-1'], ['--lr', '11'], ['--fd-step', '0'], ['--fd-step', '1'], ['--test-fraction', '1'], ['--test-fraction', '0'],
    ['--test-fraction', 'x'], ['--hidden', '0'], ['--hidden', '2.5'], ['--epochs', '0'], ['--batch-size', '0'], ['--check-samples', '0'],
    ['--data', path.join(tmp, 'missing.csv')], ['--data', bad], ['--backend', 'gpu'], ['--bogus'],
  ];
  await expectUsageErrors(t, commands, 'logcosh', cases, path.join(tmp, 'never'));
});
