#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * gradnode's contender for bench/dense-res.js (protocol: bench/peers/README.md):
 * the hand-derived dense-res step (ManualDenseRes) on the chosen backend,
 * exactly as `node dist/run.js dense-res` trains, on random data.
 *   node bench/peers/dense_res_gradnode.js --backend cpu|cuda|ts [--epochs 1] [--hidden 256] [--batch-size 128]
 *     [--train-size 60000] [--max-batches 0] [--no-layernorm] [--lr 0.01] [--seed 0]
 */
const { backend } = require('../../dist/backend');
const { Generator } = require('../../dist/random');
const { MinibatchLoader } = require('../../dist/data');
const { ManualDenseRes } = require('../../dist/experiments/dense-res/manual');
const { initDenseRes } = require('../../dist/experiments/dense-res/weights');

const args = process.argv.slice(2);
/** @param {string} name @param {number} fallback */
const num = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
/** @param {string} name @param {string} fallback */
const str = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const epochs = num('epochs', 1);
const hidden = num('hidden', 256);
const batchSize = num('batch-size', 128);
const trainSize = num('train-size', 60000);
const maxBatches = num('max-batches', 0);
const lr = num('lr', 0.01);
const seed = num('seed', 0);
const layerNorm = !args.includes('--no-layernorm');
const be = backend(str('backend', 'cpu'));

const gen = new Generator(seed);
const shape = { inputs: 784, hidden, classes: 10, layerNorm };

// Sanity: a tiny fixed problem must learn, so a broken build cannot win.
{
  const tiny = new ManualDenseRes({ inputs: 784, hidden: 8, classes: 10, layerNorm }, initDenseRes({ inputs: 784, hidden: 8, classes: 10, layerNorm }, new Generator(1), 'float32', be), be, 'float32', 4);
  const x = new Float32Array(4 * 784);
  new Generator(2).fillUniform(x);
  const y = Int32Array.from([0, 1, 2, 3]);
  const first = tiny.evaluate(x, y, 4).loss;
  for (let i = 0; i < 20; i++) tiny.trainStep(x, y, 4, 0.05);
  const last = tiny.evaluate(x, y, 4).loss;
  process.stderr.write(`sanity check (4 samples, h=8, 20 steps): loss ${first.toFixed(4)} -> ${last.toFixed(4)}\n`);
  if (!(last < 0.9 * first)) {
    process.stderr.write('sanity check failed: the loss did not fall by 10%\n');
    process.exit(1);
  }
}

const images = new Float32Array(trainSize * 784);
gen.fillUniform(images);
const labels = Int32Array.from({ length: trainSize }, () => gen.int(10));
const model = new ManualDenseRes(shape, initDenseRes(shape, gen, 'float32', be), be, 'float32', batchSize);
const loader = new MinibatchLoader({ dataset: { images, labels, n: trainSize }, batchSize, generator: gen });
const threads = be.name === 'cpu' ? `OpenBLAS ${/** @type {any} */ (be).info().blasThreads} threads, elementwise kernels 1 thread`
  : be.name === 'cuda' ? 'CUDA device' : 'pure TypeScript, 1 thread';

for (let epoch = 1; epoch <= epochs; epoch++) {
  const start = process.hrtime.bigint();
  let loss = 0;
  let seen = 0;
  let batches = 0;
  for (const b of loader) {
    loss += model.trainStep(b.x, b.y, b.size, lr).loss * b.size;
    seen += b.size;
    if (++batches === maxBatches) break;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(`${JSON.stringify({ epoch, seconds, batches, loss: loss / seen, maxRssMB: process.resourceUsage().maxRSS / 1024, threads })}\n`);
}
