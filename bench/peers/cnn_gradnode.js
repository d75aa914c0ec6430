#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * gradnode's contender for bench/cnn.js: the `cnn` experiment's network (makeCnn: nn.Conv2d /
 * nn.MaxPool2d / nn.Linear, crossEntropy, optim.Adam lr 1e-3) on random 1×28×28 inputs.
 *   node bench/peers/cnn_gradnode.js [--backend cpu] [--batches 60] [--warmup 5] [--batch-size 128]
 * Prints one JSON line: seconds per training step over the timed batches (protocol of bench/peers/cnn_torch.py).
 */
const { backend } = require('../../dist/backend');
const { Generator } = require('../../dist/random');
const { Tensor } = require('../../dist/tensor');
const { Adam } = require('../../dist/optim');
const { crossEntropy } = require('../../dist/nn/functional');
const { makeCnn } = require('../../dist/experiments/cnn/model');

const args = process.argv.slice(2);
const arg = require('../lib/args').argReader(args);
const be = backend(/** @type {'cpu'} */ (arg('backend', 'cpu')));
const batches = Number(arg('batches', '60')), warmup = Number(arg('warmup', '5')), B = Number(arg('batch-size', '128'));
const gen = new Generator(Number(arg('seed', '0')));
const model = makeCnn([1, 28, 28], 10, gen, be);
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const n = (batches + warmup) * B;
const x = new Float32Array(n * 784);
gen.fillUniform(x);
const y = Int32Array.from({ length: n }, () => gen.int(10));
let start = 0n, loss = NaN;
for (let b = 0; b < batches + warmup; b++) {
  if (b === warmup) start = process.hrtime.bigint();
  opt.zeroGrad();
  const l = crossEntropy(model.forward(new Tensor(x.subarray(b * B * 784, (b + 1) * B * 784), [B, 1, 28, 28], be)), y.subarray(b * B, (b + 1) * B));
  l.backward();
  opt.step();
  loss = l.item();
}
const secondsPerBatch = Number(process.hrtime.bigint() - start) / 1e9 / batches;
const blas = be.name === 'cpu' ? /** @type {any} */ (be).info().blasThreads : 1;
const threads = be.name === 'cpu' ? `conv and pooling: images over ${blas} threads; OpenBLAS ${blas} threads; other kernels 1 thread` : 'pure TypeScript, 1 thread';
process.stdout.write(`${JSON.stringify({ secondsPerBatch, threads, loss })}\n`);
