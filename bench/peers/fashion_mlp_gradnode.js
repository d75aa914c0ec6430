#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * gradnode's contender for bench/fashion-mlp.js: the `fashion-mlp` experiment's training step
 * (createMlp: --impl manual, the default, or nn) on Fashion-MNIST, as `node dist/run.js fashion-mlp` trains:
 * MinibatchLoader (a fresh seeded permutation every epoch, reused batch buffers), Adam lr 1e-3.
 *   node bench/peers/fashion_mlp_gradnode.js [--backend cpu] [--impl manual|nn] [--epochs 3] [--hidden 256,128]
 *     [--batch-size 128] [--train-size 60000] [--lr 0.001] [--seed 0] [--data DIR]
 * Data: the first --train-size training images, loaded before timing starts. One JSON line per epoch on stdout
 * (protocol: bench/peers/README.md); exits 1 when the loss does not fall.
 */
const { backend } = require('../../dist/backend');
const { Generator } = require('../../dist/random');
const { loadFashionMnist, MinibatchLoader } = require('../../dist/data');
const { createMlp } = require('../../dist/experiments/fashion-mlp/model');

const args = process.argv.slice(2);
const arg = require('../lib/args').argReader(args);
const be = backend(arg('backend', 'cpu'));
const impl = /** @type {'manual' | 'nn'} */ (arg('impl', 'manual'));
const epochs = Number(arg('epochs', '3'));
const sizes = [784, ...arg('hidden', '256,128').split(',').map(Number), 10];
const batchSize = Number(arg('batch-size', '128'));
const trainSize = Number(arg('train-size', '60000'));
const lr = Number(arg('lr', '0.001'));
const gen = new Generator(Number(arg('seed', '0')));
const dataDir = args.includes('--data') ? arg('data', '') : undefined;

const train = loadFashionMnist({ split: 'train', dataDir, limit: trainSize });
const model = createMlp(impl, sizes, be, gen, batchSize, lr);
const loader = new MinibatchLoader({ dataset: train, batchSize, generator: gen });
const threads = be.name === 'cpu' ? `OpenBLAS ${/** @type {any} */ (be).info().blasThreads} threads, elementwise kernels 1 thread`
  : be.name === 'cuda' ? 'CUDA device' : 'pure TypeScript, 1 thread';
const losses = [];
for (let epoch = 1; epoch <= epochs; epoch++) {
  const start = process.hrtime.bigint();
  let loss = 0;
  let batches = 0;
  for (const b of loader) {
    loss += model.trainStep(b.x, b.y, b.size).loss * b.size;
    batches++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  losses.push(loss / train.n);
  process.stdout.write(`${JSON.stringify({ epoch, seconds, batches, loss: loss / train.n, maxRssMB: process.resourceUsage().maxRSS / 1024, threads })}\n`);
}
if (!(losses[losses.length - 1] < 1.5 && (losses.length === 1 || losses[losses.length - 1] < losses[0]))) {
  process.stderr.write(`fashion_mlp_gradnode: the loss did not fall (${losses.join(', ')})\n`);
  process.exit(1);
}
