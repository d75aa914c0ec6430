/**
 * `cnn`: seed 003's small CNN (conv-ReLU-pool twice, FC 128, FC 10) trained
 * with Adam on Fashion-MNIST (default) or CIFAR-10 (--dataset cifar10 --data
 * DIR, the official binary batches); train and test loss and accuracy per
 * epoch, test predictions as predictions.csv (id,label).
 */
import * as path from 'node:path';
import type { Command } from '../../cli/command';
import { UsageError, type FlagValues } from '../../cli/flags';
import { loadCifar10, loadFashionMnist, MinibatchLoader, type ImageDataset } from '../../data';
import { saveSafetensors } from '../../io/safetensors';
import * as F from '../../nn/functional';
import { Adam } from '../../optim';
import { Generator } from '../../random';
import { writeCsv } from '../../report/files';
import { savePlot } from '../../report/plot';
import { ProgressBar } from '../../report/progress';
import { formatTable } from '../../report/summary';
import { Tensor } from '../../tensor';
import { commonFlags, finishRun, percent, startRun } from '../common';
import { evaluateCnn, makeCnn, type TestScores } from './model';

/** Images per forward pass when scoring (the im2col buffers of 250 images stay near 60 MB). */
const EVAL_CHUNK = 250;

const DETAILS = 'Network: conv(C→32, 3×3, pad 1)-ReLU-maxpool 2, conv(32→64, 3×3, pad 1)-ReLU-maxpool 2, flatten, FC→128-ReLU, FC→classes '
  + '(channels and sizes follow the data set: 1×28×28 for Fashion-MNIST, 3×32×32 for CIFAR-10), PyTorch\'s default initialisation, '
  + 'Adam, shuffled minibatches (seeded). Train loss/accuracy are running means over each epoch; test loss/accuracy are scored after '
  + 'each epoch on the whole test set. Fashion-MNIST comes from the Debian package dataset-fashion-mnist (or --data DIR with the IDX '
  + 'files); CIFAR-10 from --data DIR holding data_batch_1.bin..data_batch_5.bin and test_batch.bin (the "CIFAR-10 binary version" '
  + 'from https://www.cs.toronto.edu/~kriz/cifar.html; no package ships it).';

function limitOf(flags: FlagValues, name: 'maxTrain' | 'maxTest', flag: string): number | undefined {
  const v = flags[name] as number;
  if (v === 0 || v < -1) throw new UsageError(`--${flag} must be -1 (all) or a positive count, not ${v}`);
  return v === -1 ? undefined : v;
}

function loadData(flags: FlagValues): { train: ImageDataset; test: ImageDataset } {
  const dataDir = flags.data as string | undefined;
  const maxTrain = limitOf(flags, 'maxTrain', 'max-train'), maxTest = limitOf(flags, 'maxTest', 'max-test');
  if (flags.dataset === 'cifar10') {
    if (!dataDir) throw new UsageError('--dataset cifar10 needs --data DIR: a folder with data_batch_1.bin..data_batch_5.bin and test_batch.bin (the CIFAR-10 binary version, https://www.cs.toronto.edu/~kriz/cifar.html)');
    return { train: loadCifar10({ split: 'train', dataDir, limit: maxTrain }), test: loadCifar10({ split: 'test', dataDir, limit: maxTest }) };
  }
  return { train: loadFashionMnist({ split: 'train', dataDir, limit: maxTrain }), test: loadFashionMnist({ split: 'test', dataDir, limit: maxTest }) };
}

export const cnn: Command = {
  name: 'cnn',
  describe: 'small CNN (Conv2d/MaxPool2d via im2col + GEMM) trained with Adam on Fashion-MNIST or CIFAR-10; curves and predictions.csv',
  flags: [
    { name: 'dataset', type: 'string', default: 'fashion-mnist', choices: ['fashion-mnist', 'cifar10'], description: 'data set (cifar10 needs --data DIR)' },
    { name: 'epochs', type: 'int', default: 8, min: 1, max: 1000, description: 'training epochs' },
    { name: 'lr', type: 'number', default: 1e-3, max: 10, description: 'Adam learning rate (> 0)' },
    { name: 'batch-size', type: 'int', default: 128, min: 1, max: 10000, description: 'minibatch size' },
    { name: 'max-train', type: 'int', default: -1, min: -1, description: 'use only the first N training images (-1 = all)' },
    { name: 'max-test', type: 'int', default: -1, min: -1, description: 'use only the first N test images (-1 = all)' },
    ...commonFlags({ data: 'folder with the data set\'s files (Fashion-MNIST IDX files, or the CIFAR-10 .bin batches)' }),
  ],
  details: DETAILS,
  async run(flags) {
    const lr = flags.lr as number;
    if (!(lr > 0)) throw new UsageError(`--lr must be positive, not ${lr}`);
    const { train, test } = loadData(flags); // before the output folder exists
    const ctx = startRun('cnn', flags);
    const be = ctx.backend;
    const model = makeCnn(train.shape, train.classes, new Generator(ctx.generator.int(1 << 30)), be);
    const opt = new Adam(model.parameters(), { lr });
    const batchSize = flags.batchSize as number;
    const loader = new MinibatchLoader({ dataset: train, batchSize, generator: new Generator(ctx.generator.int(1 << 30)) });
    const epochs = flags.epochs as number;
    console.log(`cnn: ${train.name} ${train.n} training / ${test.n} test images of ${train.shape.join('×')}, ${epochs} epochs, `
      + `Adam lr ${lr}, batch ${batchSize}, backend ${be.name}`);
    const batches = Math.ceil(train.n / batchSize);
    let last: TestScores = { loss: NaN, accuracy: NaN, predictions: new Int32Array(0) };
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const bar = new ProgressBar({ total: batches, label: `epoch ${epoch}/${epochs}` });
      let loss = 0, correct = 0, seen = 0;
      const started = process.hrtime.bigint();
      for (const b of loader) {
        const x = new Tensor(b.x, [b.size, ...train.shape], be);
        opt.zeroGrad();
        const logits = model.forward(x);
        const l = F.crossEntropy(logits, b.y);
        l.backward();
        opt.step();
        const predicted = logits.argmax(1);
        for (let i = 0; i < b.size; i++) if (predicted[i] === b.y[i]) correct++;
        loss += l.item() * b.size;
        seen += b.size;
        bar.tick(1, { loss: loss / seen, acc: percent(correct / seen) });
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      last = evaluateCnn(model, test, EVAL_CHUNK, be);
      bar.done({ loss: loss / seen, 'test acc': percent(last.accuracy) });
      ctx.metrics.push('epochs', { epoch, trainLoss: loss / seen, trainAccuracy: correct / seen, testLoss: last.loss, testAccuracy: last.accuracy, seconds });
    }
    const points = ctx.metrics.series('epochs');
    console.log(formatTable(['epoch', 'train loss', 'train acc', 'test loss', 'test acc', 's/epoch'],
      points.map((p) => [p.epoch, p.trainLoss.toFixed(4), percent(p.trainAccuracy), p.testLoss.toFixed(4), percent(p.testAccuracy), p.seconds.toFixed(1)])));
    const x = points.map((p) => p.epoch);
    const tag = `${train.name}, ${be.name}`;
    await savePlot(path.join(ctx.dir, 'loss.svg'), {
      title: `cnn (${tag}): loss`, xLabel: 'epoch', yLabel: 'cross-entropy', integerX: true,
      series: [{ name: 'train (running mean)', x, y: points.map((p) => p.trainLoss) }, { name: 'test', x, y: points.map((p) => p.testLoss) }],
    });
    await savePlot(path.join(ctx.dir, 'accuracy.svg'), {
      title: `cnn (${tag}): accuracy`, xLabel: 'epoch', yLabel: 'accuracy', integerX: true,
      series: [{ name: 'train (running mean)', x, y: points.map((p) => p.trainAccuracy) }, { name: 'test', x, y: points.map((p) => p.testAccuracy) }],
    });
    writeCsv(path.join(ctx.dir, 'predictions.csv'), ['id', 'label'], Array.from(last.predictions, (label, id) => [id, label]));
    saveSafetensors(path.join(ctx.dir, 'weights.safetensors'), model.stateDict(), { experiment: 'cnn', dataset: train.name });
    const final = points[points.length - 1];
    const meanSeconds = points.reduce((s, p) => s + p.seconds, 0) / points.length;
    ctx.metrics.set('final', { testLoss: final.testLoss, testAccuracy: final.testAccuracy, secondsPerEpoch: meanSeconds });
    ctx.metrics.set('details', DETAILS);
    finishRun(ctx, 'cnn', [
      [`test accuracy after epoch ${final.epoch}`, percent(final.testAccuracy)],
      ['test loss', final.testLoss.toFixed(4)],
      ['train accuracy (last epoch, running mean)', percent(final.trainAccuracy)],
      ['seconds per epoch (mean)', meanSeconds.toFixed(1)],
      ['files', 'epochs.csv, loss.svg, accuracy.svg, predictions.csv, weights.safetensors'],
    ]);
  },
};
