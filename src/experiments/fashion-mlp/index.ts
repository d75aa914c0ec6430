/**
 * `fashion-mlp`: seed 003's MLP on Fashion-MNIST. A 784-256-128-10 ReLU
 * network (`--hidden`) trained with Adam on minibatches, a seeded stratified
 * validation split held out of the training images, training and validation
 * loss and accuracy after every epoch, test accuracy at the end.
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { FASHION_MNIST_CLASSES, loadFashionMnist, MinibatchLoader, subset, type ImageDataset } from '../../data';
import { saveSafetensors } from '../../io/safetensors';
import { Generator } from '../../random';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { commonFlags, finishRun, peakRssMiB, percent, startRun } from '../common';
import { createMlp, type MlpModel } from './model';

const EVAL_CHUNK = 1000;
const MAX_LAYERS = 8;
const MAX_WIDTH = 16384;

const DETAILS = 'Data: Fashion-MNIST (Debian package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist, or --data DIR with the '
  + 'four IDX files, raw or .gz), pixels scaled to [0, 1]. --val-size images of the (first --max-train) training images are held out '
  + 'for validation by a seeded stratified split: every class gives its share, rounded by largest remainder so the total is exact; the '
  + 'rest are trained on, reshuffled every epoch. Model: Linear layers 784 → --hidden → 10 with ReLU between them, weights and biases '
  + 'U(±1/sqrt(fan_in)) (PyTorch\'s nn.Linear), softmax cross-entropy, Adam (betas 0.9, 0.999, eps 1e-8). The training loss and '
  + 'accuracy of an epoch are running means over its minibatches (the weights change during the epoch); validation is scored on the '
  + 'whole split after every epoch, the test set (the 10,000 test images, or the first --max-test) once at the end. Seconds per epoch '
  + 'count the training loop only. --impl manual (default) is a hand-written forward/backward on the backend\'s fused kernels with '
  + 'buffers allocated once; --impl nn is nn.Sequential + nn.functional.crossEntropy + autograd + optim.Adam; both give the same curves.';

/** "256,128" → [256, 128]. */
export function parseHidden(raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.length > MAX_LAYERS || parts.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(`--hidden must be 1 to ${MAX_LAYERS} comma-separated widths such as 256,128, not "${raw}"`);
  }
  const widths = parts.map(Number);
  const bad = widths.find((w) => w < 1 || w > MAX_WIDTH);
  if (bad !== undefined) throw new UsageError(`--hidden widths must be between 1 and ${MAX_WIDTH}, not ${bad} (in "${raw}")`);
  return widths;
}

/**
 * Exactly `size` of the indices 0..labels.length-1 for validation, stratified
 * by class: class c of n_c samples gives floor(n_c · size / n) of them, and
 * the samples left over go to the classes with the largest remainders (ties:
 * the lower class). The members of each class are drawn at random with
 * `gen`. Both parts come back in ascending order.
 */
export function stratifiedHoldout(labels: Int32Array, size: number, classes: number, gen: Generator): { train: Int32Array; validation: Int32Array } {
  const n = labels.length;
  const groups: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < n; i++) groups[labels[i]].push(i);
  const quota = groups.map((g) => Math.floor((g.length * size) / n));
  let left = size - quota.reduce((a, b) => a + b, 0);
  const byRemainder = groups.map((g, c) => ({ c, r: (g.length * size) % n })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of byRemainder) {
    if (left === 0) break;
    if (quota[c] < groups[c].length) {
      quota[c]++;
      left--;
    }
  }
  const train: number[] = [];
  const validation: number[] = [];
  groups.forEach((members, c) => {
    gen.shuffle(members);
    members.forEach((idx, i) => (i < quota[c] ? validation : train).push(idx));
  });
  return { train: Int32Array.from(train).sort(), validation: Int32Array.from(validation).sort() };
}

interface Scores { loss: number; accuracy: number }

/** Mean loss and accuracy over a whole data set, in chunks; every row's predicted class goes to `predictions` when given. */
function evaluate(model: MlpModel, ds: ImageDataset, predictions?: Int32Array): Scores {
  const features = model.sizes[0];
  let loss = 0;
  let correct = 0;
  for (let start = 0; start < ds.n; start += EVAL_CHUNK) {
    const B = Math.min(EVAL_CHUNK, ds.n - start);
    const r = model.evaluate(ds.images.subarray(start * features, (start + B) * features), ds.labels.subarray(start, start + B), B,
      predictions?.subarray(start, start + B));
    loss += r.loss * B;
    correct += r.correct;
  }
  return { loss: loss / ds.n, accuracy: correct / ds.n };
}

function limitOf(flags: FlagValues, name: 'maxTrain' | 'maxTest', flag: string): number | undefined {
  const v = flags[name] as number;
  if (v === 0) throw new UsageError(`--${flag} must be -1 (all) or a positive number of images, not 0`);
  return v < 0 ? undefined : v;
}

export const fashionMlp: Command = {
  name: 'fashion-mlp',
  describe: 'MLP (784-256-128-10, ReLU) on Fashion-MNIST with Adam: training/validation loss and accuracy per epoch, test accuracy',
  flags: [
    { name: 'hidden', type: 'string', default: '256,128', description: `hidden widths, comma-separated (1 to ${MAX_LAYERS} layers)` },
    { name: 'epochs', alias: 'e', type: 'int', default: 8, min: 1, max: 10000, description: 'training epochs' },
    { name: 'lr', alias: 'l', type: 'number', default: 1e-3, max: 10, description: 'Adam learning rate (> 0)' },
    { name: 'batch-size', type: 'int', default: 128, min: 1, max: 65536, description: 'minibatch size (the last batch of an epoch may be smaller)' },
    { name: 'val-size', type: 'int', default: 6000, min: 1, description: 'training images held out for validation (stratified, seeded)' },
    { name: 'impl', alias: 'i', type: 'string', default: 'manual', choices: ['manual', 'nn'], description: 'hand-written step on fused kernels, or nn.Sequential + autograd + optim.Adam' },
    { name: 'max-train', alias: 'm', type: 'int', default: -1, min: -1, description: 'use only the first N training images, validation included (-1 = all 60,000)' },
    { name: 'max-test', alias: 'n', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all 10,000)' },
    ...commonFlags({ data: 'folder with the Fashion-MNIST IDX files, raw or .gz (default: /usr/share/datasets/fashion-mnist from the Debian package dataset-fashion-mnist)' }),
  ],
  details: DETAILS,
  async run(flags) {
    // Everything the user gave is checked before the output folder exists.
    const hidden = parseHidden(flags.hidden as string);
    const lr = flags.lr as number;
    if (!(lr > 0)) throw new UsageError(`--lr must be positive, not ${lr}`);
    const maxTrain = limitOf(flags, 'maxTrain', 'max-train');
    const maxTest = limitOf(flags, 'maxTest', 'max-test');
    const dataDir = flags.data as string | undefined;
    const all = loadFashionMnist({ split: 'train', dataDir, limit: maxTrain });
    const test = loadFashionMnist({ split: 'test', dataDir, limit: maxTest });
    const valSize = flags.valSize as number;
    if (valSize >= all.n) {
      throw new UsageError(`--val-size ${valSize} leaves no training images out of ${all.n}${maxTrain ? ' (see --max-train)' : ''}`);
    }
    const batchSize = flags.batchSize as number;
    const epochs = flags.epochs as number;
    const impl = flags.impl as 'manual' | 'nn';
    const ctx = startRun('fashion-mlp', flags);

    const sizes = [784, ...hidden, 10];
    const initGen = new Generator(ctx.generator.int(1 << 30));
    const splitGen = new Generator(ctx.generator.int(1 << 30));
    const shuffleGen = new Generator(ctx.generator.int(1 << 30));
    const split = stratifiedHoldout(all.labels, valSize, all.classes, splitGen);
    const val = subset(all, split.validation);
    const model = createMlp(impl, sizes, ctx.backend, initGen, Math.max(batchSize, EVAL_CHUNK), lr);
    const loader = new MinibatchLoader({ dataset: all, batchSize, generator: shuffleGen, indices: split.train });
    console.log(`fashion-mlp: ${split.train.length} training / ${val.n} validation / ${test.n} test images, ${sizes.join('-')} ReLU, `
      + `Adam lr ${lr}, batch ${batchSize}, ${epochs} epochs, impl ${impl}, backend ${ctx.backend.name}`);
    ctx.metrics.set('sizes', sizes);
    ctx.metrics.set('split', { train: split.train.length, validation: val.n, test: test.n });

    const points: Record<string, number>[] = [];
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const bar = new ProgressBar({ total: loader.batchesPerEpoch, label: `epoch ${epoch}/${epochs}` });
      let loss = 0;
      let correct = 0;
      let seen = 0;
      const start = process.hrtime.bigint();
      for (const b of loader) {
        const r = model.trainStep(b.x, b.y, b.size);
        loss += r.loss * b.size;
        correct += r.correct;
        seen += b.size;
        bar.tick(1, { loss: loss / seen });
      }
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const v = evaluate(model, val);
      bar.done({ loss: loss / seen, 'val acc': percent(v.accuracy) });
      const point = {
        epoch, trainLoss: loss / seen, trainAccuracy: correct / seen, valLoss: v.loss, valAccuracy: v.accuracy, seconds, peakRssMiB: peakRssMiB(),
      };
      points.push(point);
      ctx.metrics.push('epochs', point);
      if (!Number.isFinite(point.trainLoss)) {
        console.log(`fashion-mlp: the training loss is ${point.trainLoss} at epoch ${epoch}; stopping (try a smaller --lr)`);
        break;
      }
    }
    const predictions = new Int32Array(test.n);
    const t = evaluate(model, test, predictions);
    // confusion[true][predicted]
    const confusion = Array.from({ length: test.classes }, () => new Array<number>(test.classes).fill(0));
    for (let i = 0; i < test.n; i++) confusion[test.labels[i]][predictions[i]]++;

    const x = points.map((p) => p.epoch);
    const col = (k: string) => points.map((p) => p[k]);
    const tag = `${sizes.join('-')}, Adam lr ${lr}, batch ${batchSize}`;
    await savePlot(path.join(ctx.dir, 'loss.svg'), {
      title: `fashion-mlp loss (${tag})`, xLabel: 'epoch', yLabel: 'mean cross-entropy', integerX: true,
      series: [{ name: 'train (running mean)', x, y: col('trainLoss') }, { name: 'validation', x, y: col('valLoss') }],
    });
    await savePlot(path.join(ctx.dir, 'accuracy.svg'), {
      title: `fashion-mlp accuracy (${tag})`, xLabel: 'epoch', yLabel: 'accuracy', integerX: true,
      series: [{ name: 'train (running mean)', x, y: col('trainAccuracy') }, { name: 'validation', x, y: col('valAccuracy') }],
    });
    saveSafetensors(path.join(ctx.dir, 'weights.safetensors'), model.weights(), {
      experiment: 'fashion-mlp', sizes: sizes.join(','), activation: 'relu',
    });

    const classes = confusion.map((row, c) => {
      const images = row.reduce((a, b) => a + b, 0);
      return { class: c, name: FASHION_MNIST_CLASSES[c] ?? String(c), images, accuracy: images ? row[c] / images : NaN };
    });
    console.log(formatTable(['class', 'name', 'test images', 'test accuracy'],
      classes.map((r) => [r.class, r.name, r.images, percent(r.accuracy)])));
    const last = points[points.length - 1];
    const sorted = col('seconds').sort((a, b) => a - b);
    const medianSeconds = sorted[sorted.length >> 1];
    const final = {
      valAccuracy: last.valAccuracy, valLoss: last.valLoss, trainAccuracy: last.trainAccuracy, trainLoss: last.trainLoss,
      testAccuracy: t.accuracy, testLoss: t.loss,
    };
    ctx.metrics.set('final', final);
    ctx.metrics.set('testPerClass', classes);
    ctx.metrics.set('testConfusion', confusion);
    ctx.metrics.set('medianEpochSeconds', medianSeconds);
    ctx.metrics.set('details', DETAILS);
    finishRun(ctx, 'fashion-mlp', [
      ['validation accuracy (last epoch)', percent(final.valAccuracy)],
      ['best validation accuracy', `${percent(Math.max(...col('valAccuracy')))} (epoch ${points[col('valAccuracy').indexOf(Math.max(...col('valAccuracy')))].epoch})`],
      ['test accuracy', percent(final.testAccuracy)],
      ['train accuracy (last epoch, running)', percent(final.trainAccuracy)],
      ['train / validation / test loss', `${final.trainLoss.toFixed(4)} / ${final.valLoss.toFixed(4)} / ${final.testLoss.toFixed(4)}`],
      ['epochs', points.length],
      ['seconds per epoch (median)', medianSeconds.toFixed(2)],
      ['peak RSS', `${last.peakRssMiB.toFixed(0)} MiB`],
      ['parameters', model.parameterCount()],
      ['files', 'epochs.csv, loss.svg, accuracy.svg, weights.safetensors'],
    ]);
  },
};
