import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { learningCurves, parseShapes, trainingSizes } from '../../../src/experiments/learning-curves';
import { runCli } from '../../helpers/cli';

// src/commands.ts registers learningCurves elsewhere; the tests run the command on its own.
const commands = [learningCurves];

interface Point { size: number; bestEpoch: number; epochs: number; trainAccuracy: number; validationAccuracy: number; testAccuracy: number }

for (const impl of ['manual', 'autograd']) {
  test.serial(`learning-curves --impl ${impl}: a tiny run writes a plot per shape and one early-stopped point per size`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-lc-')), 'run');
    const maxEpochs = 20;
    const { code, out: printed, err } = await runCli(commands, ['learning-curves', '-i', impl,
      '--min-size', '250', '--max-size', '750', '--step', '250', '--max-epochs', String(maxEpochs), '--patience', '5',
      '--validation', '1000', '--shapes', '784,10;784,16,10', '--max-test', '1000', '--out', out, '--seed', '2']);
    t.is(code, 0, err);
    for (const f of ['metrics.json', 'curve_784-10.csv', 'curve_784-16-10.csv', 'learning-curve_784-10.svg', 'learning-curve_784-16-10.svg']) {
      t.true(fs.existsSync(path.join(out, f)), f);
    }
    t.true(fs.readFileSync(path.join(out, 'learning-curve_784-10.svg'), 'utf8').startsWith('<svg'));
    const metrics = JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8'));
    t.deepEqual(metrics.sizes, [250, 500, 750]);
    t.is(metrics.earlyStopping.patience, 5);
    t.is(metrics.earlyStopping.maxEpochs, maxEpochs);
    t.is(metrics.earlyStopping.validationImages, 1000);
    t.regex(metrics.earlyStopping.rule, /patience/);
    for (const series of ['curve_784-10', 'curve_784-16-10']) {
      const points: Point[] = metrics.series[series];
      t.deepEqual(points.map((p) => p.size), [250, 500, 750], series);
      for (const p of points) {
        t.true(p.bestEpoch >= 1 && p.bestEpoch <= p.epochs && p.epochs <= maxEpochs, `${series} ${JSON.stringify(p)}`);
        t.true(p.epochs === maxEpochs || p.epochs - p.bestEpoch === 5, `stopped by patience or the cap: ${JSON.stringify(p)}`);
        t.true(p.trainAccuracy > 0.6, `${series} train ${p.trainAccuracy}`);
        t.true(p.testAccuracy > 0.5, `${series} test ${p.testAccuracy}`);
        t.true(p.validationAccuracy > 0.5, `${series} validation ${p.validationAccuracy}`);
      }
    }
    const text = printed;
    t.regex(text, /best epoch/);
    t.regex(text, /early stopping/);
    t.regex(text, /learning-curve_784-10\.svg, learning-curve_784-16-10\.svg/);
  });
}

test('learning-curves: sizes and shapes parse', (t) => {
  t.is(trainingSizes(250, 10000, 250).length, 40);
  t.deepEqual(trainingSizes(250, 10000, 250).slice(-2), [9750, 10000]);
  t.deepEqual(trainingSizes(100, 350, 100), [100, 200, 300]);
  t.deepEqual(parseShapes('784,10;784,300,100,10'), [[784, 10], [784, 300, 100, 10]]);
  t.deepEqual(parseShapes(' 784,10 ; '), [[784, 10]]);
});

test.serial('learning-curves --help explains the early-stopping rule', async (t) => {
  const { code, out: text } = await runCli(commands, ['learning-curves', '--help']);
  t.is(code, 0);
  t.regex(text, /Early stopping/);
  t.regex(text, /--patience/);
  t.regex(text, /validation/);
});

const bad: [string, string[]][] = [
  ['a bad shape', ['--shapes', '784,10;784,0,10']],
  ['a shape not ending in 10', ['--shapes', '784,300,9']],
  ['no shapes', ['--shapes', ' ; ']],
  ['max below min', ['--min-size', '500', '--max-size', '250']],
  ['too many images', ['--max-size', '58000']],
  ['a zero step', ['--step', '0']],
  ['an unknown impl', ['--impl', 'nn']],
  ['a non-integer patience', ['--patience', '2.5']],
];
for (const [what, argv] of bad) {
  test.serial(`learning-curves with ${what} is a usage error (exit 2, one line, no folder)`, async (t) => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gradnode-lc-bad-')), 'run');
    const { code, err } = await runCli(commands, ['learning-curves', ...argv, '--out', out]);
    t.is(code, 2, err);
    t.is(err.trim().split('\n').length, 1, err);
    t.false(fs.existsSync(out), 'no output folder');
  });
}
