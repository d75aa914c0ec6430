/**
 * Training the handout's network, linear (784→10) → ReLU → softmax
 * cross-entropy, by plain SGD on minibatches drawn uniformly with
 * replacement: once with the scratch layers and once with the library's
 * modules (nn.Linear, nn.ReLU, nn.functional.crossEntropy, optim.SGD),
 * from the same initial weights and on the same batch sequence.
 */
import { getBackend } from '../../backend';
import type { Backend } from '../../backend/backend';
import { noGrad } from '../../autograd';
import { gatherRows, sampleBatch } from '../../data';
import * as nn from '../../nn';
import { SGD } from '../../optim';
import { Generator } from '../../random';
import type { ProgressBar } from '../../report/progress';
import { Tensor } from '../../tensor';
import { allocateFloats, linear_t, relu_t, rowArgmax, softmax_cross_entropy_t, type FloatDType, type Floats } from './layers';

/** Inputs as rows of `features` values with their labels. */
export interface Split {
  x: Floats;
  y: Int32Array;
  n: number;
  features: number;
}

export interface TrainOptions {
  iterations: number;
  batchSize: number;
  lr: number;
  evalEvery: number;
  /** Seeds the initial weights and, separately, the batch sequence. */
  seed: number;
  dtype: FloatDType;
  classes?: number;
  progress?: ProgressBar;
  /** Scratch only: run linear_t's products on the backend's gemm (default) or as plain loops. */
  loops?: boolean;
}

export interface TrainPoint { t: number; loss: number; error: number }

export interface TrainResult {
  /** One point per update t = 1..iterations: loss and error of the minibatch before that update. */
  train: TrainPoint[];
  /** t = 0, evalEvery, 2·evalEvery, …, and iterations. */
  validation: TrainPoint[];
  w: Floats;
  b: Floats;
  /** Fraction of (validation image, output unit) pairs whose ReLU is off at the end. */
  deadFraction: number;
  seconds: number;
}

/** The initial W (c×a) and b (c), uniform in [0, 1]: the same numbers for both implementations. */
export function initialWeights(seed: number, a: number, c: number, dtype: FloatDType): { w: Floats; b: Floats } {
  const l = new linear_t(a, c, new Generator(seed), dtype);
  return { w: l.w, b: l.b };
}

/** The batch sequence's generator (independent of the initialisation's). */
function batchGenerator(seed: number): Generator {
  return new Generator(seed * 7919 + 104729);
}

/** The iterations at which validation is scored: 0, k, 2k, …, and the last one. */
export function evalPoints(iterations: number, every: number): number[] {
  const out: number[] = [];
  for (let t = 0; t <= iterations; t += every) out.push(t);
  if (out[out.length - 1] !== iterations) out.push(iterations);
  return out;
}

interface Net {
  /** Mean loss, error rate and the number of zero logits over rows [start, start+rows). */
  evaluate(x: Floats, y: Int32Array, rows: number): { loss: number; error: number; zeros: number };
  step(x: Floats, y: Int32Array, rows: number, lr: number): { loss: number; error: number };
  weights(): { w: Floats; b: Floats };
}

class ScratchNet implements Net {
  readonly l1: linear_t;
  readonly l2 = new relu_t();
  readonly l3: softmax_cross_entropy_t;

  constructor(a: number, c: number, init: { w: Floats; b: Floats }, dtype: FloatDType, kernels: Backend | null) {
    this.l1 = new linear_t(a, c, new Generator(0), dtype, kernels);
    this.l1.w.set(init.w);
    this.l1.b.set(init.b);
    this.l3 = new softmax_cross_entropy_t(c);
  }

  evaluate(x: Floats, y: Int32Array, rows: number) {
    const h2 = this.l2.forward(this.l1.forward(x, rows));
    let zeros = 0;
    for (const v of h2) if (v === 0) zeros++;
    return { ...this.l3.forward(h2, y, rows), zeros };
  }

  step(x: Floats, y: Int32Array, rows: number, lr: number) {
    const { l1, l2, l3 } = this;
    for (const l of [l1, l2, l3]) l.zero_grad();
    const h1 = l1.forward(x, rows);
    const h2 = l2.forward(h1);
    const r = l3.forward(h2, y, rows);
    const dh2 = l3.backward();
    const dh1 = l2.backward(dh2);
    l1.backward(dh1);
    const { w, b, dw, db } = l1;
    for (let i = 0; i < w.length; i++) w[i] -= lr * dw[i];
    for (let i = 0; i < b.length; i++) b[i] -= lr * db[i];
    return r;
  }

  weights() { return { w: this.l1.w, b: this.l1.b }; }
}

class FrameworkNet implements Net {
  readonly linear: nn.Linear;
  readonly relu = new nn.ReLU();
  readonly optimizer: SGD;
  private lr: number;

  constructor(a: number, c: number, init: { w: Floats; b: Floats }, dtype: FloatDType, backend: Backend | undefined, lr: number) {
    this.linear = new nn.Linear(a, c, { dtype, backend });
    this.linear.weight.data.set(init.w);
    this.linear.bias!.data.set(init.b);
    this.lr = lr;
    this.optimizer = new SGD(this.linear.parameters(), { lr });
  }

  private tensor(x: Floats, rows: number): Tensor {
    return new Tensor(x, [rows, x.length / rows], this.linear.weight.backend);
  }

  private scores(logits: Tensor, y: Int32Array, rows: number): number {
    const c = logits.shape[1];
    let wrong = 0;
    for (let n = 0; n < rows; n++) if (rowArgmax(logits.data, n, c) !== y[n]) wrong++;
    return wrong / rows;
  }

  evaluate(x: Floats, y: Int32Array, rows: number) {
    return noGrad(() => {
      const logits = this.relu.forward(this.linear.forward(this.tensor(x, rows)));
      const loss = nn.functional.crossEntropy(logits, y).item();
      let zeros = 0;
      for (const v of logits.data) if (v === 0) zeros++;
      return { loss, error: this.scores(logits, y, rows), zeros };
    });
  }

  step(x: Floats, y: Int32Array, rows: number, lr: number) {
    if (lr !== this.lr) this.optimizer.lr = this.lr = lr;
    this.optimizer.zeroGrad();
    const logits = this.relu.forward(this.linear.forward(this.tensor(x, rows)));
    const loss = nn.functional.crossEntropy(logits, y);
    loss.backward();
    this.optimizer.step();
    return { loss: loss.item(), error: this.scores(logits, y, rows) };
  }

  weights() { return { w: this.linear.weight.data, b: this.linear.bias!.data }; }
}

const EVAL_CHUNK = 1000;

function evaluateSplit(net: Net, s: Split, dtype: FloatDType): { loss: number; error: number; zeros: number } {
  let loss = 0;
  let error = 0;
  let zeros = 0;
  for (let start = 0; start < s.n; start += EVAL_CHUNK) {
    const rows = Math.min(EVAL_CHUNK, s.n - start);
    const x = allocateFloats(dtype, rows * s.features);
    x.set(s.x.subarray(start * s.features, (start + rows) * s.features));
    const r = net.evaluate(x, s.y.subarray(start, start + rows), rows);
    loss += r.loss * rows;
    error += r.error * rows;
    zeros += r.zeros;
  }
  return { loss: loss / s.n, error: error / s.n, zeros };
}

export type Impl = 'scratch' | 'framework';

/** Trains one implementation; `backend` is used by the framework version. */
export function train(impl: Impl, data: { train: Split; validation: Split }, options: TrainOptions, backend?: Backend): TrainResult {
  const { train: tr, validation: va } = data;
  const a = tr.features;
  const c = options.classes ?? 10;
  const init = initialWeights(options.seed, a, c, options.dtype);
  const net: Net = impl === 'scratch'
    ? new ScratchNet(a, c, init, options.dtype, options.loops ? null : (backend ?? getBackend()))
    : new FrameworkNet(a, c, init, options.dtype, backend, options.lr);
  const gen = batchGenerator(options.seed);
  const idx = new Int32Array(options.batchSize);
  const y = new Int32Array(options.batchSize);
  const checkpoints = new Set(evalPoints(options.iterations, options.evalEvery));
  const trainPoints: TrainPoint[] = [];
  const validation: TrainPoint[] = [];
  let last = { loss: NaN, error: NaN, zeros: 0 };
  const started = process.hrtime.bigint();
  for (let t = 0; ; t++) {
    if (checkpoints.has(t)) {
      last = evaluateSplit(net, va, options.dtype);
      validation.push({ t, loss: last.loss, error: last.error });
    }
    if (t === options.iterations) break;
    sampleBatch(gen, tr.n, options.batchSize, idx);
    const x = gatherRows(tr.x, a, idx);
    for (let i = 0; i < idx.length; i++) y[i] = tr.y[idx[i]];
    const r = net.step(x, y, options.batchSize, options.lr);
    trainPoints.push({ t: t + 1, loss: r.loss, error: r.error });
    options.progress?.tick(1, { loss: r.loss, 'val err': last.error });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { w, b } = net.weights();
  return { train: trainPoints, validation, w: w.slice(), b: b.slice(), deadFraction: last.zeros / (va.n * c), seconds };
}
