#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * gradnode's contender for bench/mlp.js: one full-batch gradient-descent epoch of the `mlp`
 * experiment's manual implementation (ManualMlp) per epoch, on random data.
 *   node bench/peers/mlp_gradnode.js [--backend cpu] [--epochs 3] [--train-size 60000] [--shape 784,300,100,10] [--lr 0.1]
 * Prints one JSON line per epoch (protocol: bench/peers/README.md).
 */
const { backend } = require('../../dist/backend');
const { Generator } = require('../../dist/random');
const { Tensor } = require('../../dist/tensor');
const { ManualMlp } = require('../../dist/experiments/mlp/manual');
const { initMlp } = require('../../dist/experiments/mlp/weights');

const args = process.argv.slice(2);
const arg = require('../lib/args').argReader(args);
const be = backend(arg('backend', 'cpu'));
const epochs = Number(arg('epochs', '3'));
const n = Number(arg('train-size', '60000'));
const shape = arg('shape', '784,300,100,10').split(',').map(Number);
const lr = Number(arg('lr', '0.1'));
const gen = new Generator(Number(arg('seed', '0')));

const x = new Float32Array(n * shape[0]);
gen.fillUniform(x);
const X = new Tensor(x, [n, shape[0]], be);
const y = Int32Array.from({ length: n }, () => gen.int(shape[shape.length - 1]));
const model = new ManualMlp(shape, initMlp(shape, gen, 'float32', be), be, n);
const threads = be.name === 'cpu' ? `OpenBLAS ${/** @type {any} */ (be).info().blasThreads} threads, elementwise kernels 1 thread` : 'pure TypeScript, 1 thread';
let first = NaN;
for (let epoch = 1; epoch <= epochs; epoch++) {
  const start = process.hrtime.bigint();
  const loss = model.trainOneEpoch(X, y, X, lr);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (epoch === 1) first = loss;
  process.stdout.write(`${JSON.stringify({ epoch, seconds, batches: 1, loss, maxRssMB: process.resourceUsage().maxRSS / 1024, threads })}\n`);
}
if (epochs > 1 && !(model.trainOneEpoch(X, y, X, lr) < first)) {
  process.stderr.write('mlp_gradnode: the loss did not fall\n');
  process.exit(1);
}
