#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * dense-res peer: TensorFlow.js (@tensorflow/tfjs 4.22) with the wasm backend
 * (default) or its pure-JS cpu backend; tf.variable parameters, gradients from
 * tf.variableGrads, plain SGD by tf.train.sgd, one tf.tidy per step. The model is
 * the `dense-res` experiment's (see bench/peers/README.md), float32.
 *
 *   node bench/peers/dense_res_tfjs.js --epochs 2 --train-size 512 [--tf-backend wasm|cpu]
 *
 * Prints one JSON line per epoch on stdout; diagnostics go to stderr.
 */
const path = require('node:path');

// tfjs may greet on console.log (e.g. suggesting tfjs-node); stdout is reserved for the JSON lines.
console.log = console.error;
const tf = require('@tensorflow/tfjs');
const tfwasm = require('@tensorflow/tfjs-backend-wasm');

const D = 784;
const CLASSES = 10;
const EPS = 1e-5;

/** @param {string[]} argv */
function parseArgs(argv) {
  const o = { epochs: 1, hidden: 256, batchSize: 128, trainSize: 60000, maxBatches: 0, layernorm: true, lr: 0.01, seed: 0, tfBackend: 'wasm', explicitTranspose: false };
  /** @type {Record<string, keyof typeof o>} */
  const numeric = { '--epochs': 'epochs', '--hidden': 'hidden', '--batch-size': 'batchSize', '--train-size': 'trainSize', '--max-batches': 'maxBatches', '--lr': 'lr', '--seed': 'seed' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-layernorm') o.layernorm = false;
    else if (a === '--explicit-transpose') o.explicitTranspose = true;
    else if (a === '--tf-backend') o.tfBackend = argv[++i];
    else if (a in numeric) {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v)) usage(`${a} needs a number`);
      /** @type {any} */ (o)[numeric[a]] = v;
    } else usage(`unknown argument ${a}`);
  }
  if (o.tfBackend !== 'wasm' && o.tfBackend !== 'cpu') usage('--tf-backend must be wasm or cpu');
  return o;
}

/** @param {string} msg */
function usage(msg) {
  console.error(`dense_res_tfjs: ${msg}\nusage: node bench/peers/dense_res_tfjs.js [--epochs 1] [--hidden 256] [--batch-size 128] ` +
    '[--train-size 60000] [--max-batches 0] [--no-layernorm] [--lr 0.01] [--seed 0] [--tf-backend wasm|cpu] [--explicit-transpose]');
  process.exit(2);
}

/** Small seeded PRNG (mulberry32), uniform in [0,1). @param {number} seed */
function rngFrom(seed) {
  let a = (seed >>> 0) ^ 0x9e3779b9;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {number} n @param {() => number} rand */
function permutation(n, rand) {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = p[i]; p[i] = p[j]; p[j] = t;
  }
  return p;
}

/**
 * matMul whose gradient transposes explicitly and then multiplies plainly. tfjs's own gradient of
 * matMul calls matMul with transposeA / transposeB, which the wasm backend runs about 15x slower
 * than a plain product (measured for 785x128 by 128x256); this is the opt-in work-around.
 */
const matMulExplicitT = tf.customGrad(/** @type {any} */ ((/** @type {tf.Tensor2D} */ a, /** @type {tf.Tensor2D} */ b, /** @type {tf.GradSaveFunc} */ save) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (/** @type {tf.Tensor2D} */ dy, /** @type {tf.Tensor2D[]} */ [sa, sb]) => [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)],
  };
}));

/**
 * The dense-res model as tf.variables.
 * @param {number} h @param {boolean} layernorm @param {number} seed @param {boolean} [explicitTranspose]
 */
function makeModel(h, layernorm, seed, explicitTranspose = false) {
  /** @type {(a: tf.Tensor, b: tf.Tensor) => tf.Tensor2D} */
  const mm = explicitTranspose ? (a, b) => /** @type {tf.Tensor2D} */ (matMulExplicitT(a, b)) : (a, b) => tf.matMul(/** @type {tf.Tensor2D} */ (a), /** @type {tf.Tensor2D} */ (b));
  /** @param {number} rows fan_in + 1 (the bias row, last) @param {number} cols @param {number} s */
  const he = (rows, cols, s) => tf.variable(tf.randomNormal([rows, cols], 0, Math.sqrt(2 / (rows - 1)), 'float32', s));
  const W = [he(D + 1, h, seed + 1), he(D + h + 1, h, seed + 2), he(D + 2 * h + 1, h, seed + 3), he(h + 1, CLASSES, seed + 4)];
  const gamma = layernorm ? [0, 1, 2].map(() => tf.variable(tf.ones([h]))) : [];
  const beta = layernorm ? [0, 1, 2].map(() => tf.variable(tf.zeros([h]))) : [];

  /** @param {number} i @param {tf.Tensor2D} u */
  const norm = (i, u) => {
    if (!layernorm) return u;
    const { mean, variance } = tf.moments(u, 1, true);
    return u.sub(mean).mul(tf.rsqrt(variance.add(EPS))).mul(gamma[i]).add(beta[i]);
  };
  /** Mean NLL of log-softmax(Z4) for a minibatch. @param {tf.Tensor2D} x @param {tf.Tensor2D} yOneHot */
  const loss = (x, yOneHot) => {
    const ones = tf.ones([x.shape[0], 1]);
    const h1 = tf.relu(norm(0, mm(tf.concat([x, ones], 1), W[0])));
    const h2 = tf.relu(norm(1, mm(tf.concat([x, h1, ones], 1), W[1]).add(h1)));
    const h3 = tf.relu(norm(2, mm(tf.concat([x, h1, h2, ones], 1), W[2]).add(h2)));
    const logp = tf.logSoftmax(mm(tf.concat([h3, ones], 1), W[3]));
    return /** @type {tf.Scalar} */ (tf.neg(tf.mean(tf.sum(logp.mul(yOneHot), 1))));
  };
  return { vars: [...W, ...gamma, ...beta], loss };
}

/**
 * One SGD step; returns the minibatch loss.
 * @param {ReturnType<typeof makeModel>} model @param {tf.Optimizer} opt
 * @param {() => [tf.Tensor2D, tf.Tensor2D]} batch builds (x, one-hot y) inside the step's tidy
 */
function step(model, opt, batch) {
  return tf.tidy(() => {
    const [x, y] = batch();
    const { value, grads } = tf.variableGrads(() => model.loss(x, y), model.vars);
    opt.applyGradients(grads);
    return value.dataSync()[0];
  });
}

/** Loss must fall over 20 full-batch steps on 4 fixed samples with h = 8. @param {ReturnType<typeof parseArgs>} args */
function sanity(args) {
  const rand = rngFrom(1234);
  const xs = new Float32Array(4 * D).map(() => rand());
  const model = makeModel(8, args.layernorm, 1234, args.explicitTranspose);
  const opt = tf.train.sgd(0.05);
  const x = tf.tensor2d(xs, [4, D]);
  const y = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), CLASSES).toFloat();
  const losses = [];
  for (let i = 0; i < 20; i++) losses.push(step(model, opt, () => [x, /** @type {tf.Tensor2D} */ (y)]));
  tf.dispose([x, y, ...model.vars]);
  opt.dispose();
  console.error(`dense_res_tfjs: sanity check (4 samples, h=8, 20 steps): loss ${losses[0].toFixed(4)} -> ${losses[19].toFixed(4)}`);
  if (!losses.every(Number.isFinite) || !(losses[19] < 0.9 * losses[0])) {
    console.error('dense_res_tfjs: sanity check failed: the loss did not decrease');
    process.exit(1);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let threads;
  if (args.tfBackend === 'wasm') {
    // In Node the package's main (dist/tf-backend-wasm.node.js) finds its .wasm next to itself; naming the
    // folder explicitly keeps that true when the package is bundled or required from elsewhere.
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    tfwasm.setWasmPaths(dist);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    threads = `tfjs wasm${simd ? ' SIMD' : ''}, ${mt ? `${tfwasm.getThreadsCount()} threads` : '1 thread (no multithread wasm in Node)'}`;
  } else {
    if (!(await tf.setBackend('cpu'))) throw new Error('tf.setBackend("cpu") failed');
    threads = 'tfjs cpu (plain JS), 1 thread';
  }
  await tf.ready();
  console.error(`dense_res_tfjs: tfjs ${tf.version.tfjs}, backend ${tf.getBackend()}, ${threads}`);
  sanity(args);

  const rand = rngFrom(args.seed);
  const n = args.trainSize;
  const xs = new Float32Array(n * D);
  for (let i = 0; i < xs.length; i++) xs[i] = rand();
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) ys[i] = Math.floor(rand() * CLASSES);
  const X = tf.tensor2d(xs, [n, D]);
  const Y = tf.tensor1d(ys, 'int32');
  const model = makeModel(args.hidden, args.layernorm, args.seed, args.explicitTranspose);
  const opt = tf.train.sgd(args.lr);
  const B = args.batchSize;
  let nBatches = Math.ceil(n / B);
  if (args.maxBatches > 0) nBatches = Math.min(nBatches, args.maxBatches);

  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const start = process.hrtime.bigint();
    const perm = permutation(n, rand);
    let total = 0;
    let seen = 0;
    for (let b = 0; b < nBatches; b++) {
      const idx = perm.subarray(b * B, Math.min(n, (b + 1) * B));
      const loss = step(model, opt, () => {
        const it = tf.tensor1d(idx, 'int32');
        return [tf.gather(X, it), /** @type {tf.Tensor2D} */ (tf.oneHot(tf.gather(Y, it), CLASSES).toFloat())];
      });
      total += loss * idx.length;
      seen += idx.length;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const line = { epoch, seconds: +seconds.toFixed(4), batches: nBatches, loss: +(total / seen).toFixed(6),
      maxRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1), threads, tensors: tf.memory().numTensors };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

main().catch((e) => {
  console.error(`dense_res_tfjs: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
