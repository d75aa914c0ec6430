/**
 * The iris experiment's model and training loop, on nn.modular: a two-layer
 * network FullyConnected(hidden, ReLU) → FullyConnected(3, Softmax) with the
 * cross-entropy cost, trained by minibatch SGD (momentum) on standardised
 * features; whole-split cost and error after every epoch.
 */
import type { Backend } from '../../backend/backend';
import { gatherRows, Standardizer, type ClassificationDataset, type TrainValidationTestSplit } from '../../data';
import { oneHot } from '../../nn/activations';
import { CrossEntropy, FullyConnected, Model, SGD, type InitName } from '../../nn/modular';
import { Generator } from '../../random';
import { Tensor } from '../../tensor';

/** One split as tensors: standardised features, one-hot targets, labels. */
export interface SplitTensors {
  X: Tensor;
  Y: Tensor;
  labels: Int32Array;
  /** The standardised features on the host (minibatches are gathered from them). */
  features: Float64Array;
  n: number;
}

export interface PreparedData {
  train: SplitTensors;
  validation: SplitTensors;
  test: SplitTensors;
  scaler: Standardizer;
  d: number;
  classes: number;
}

/** Standardises every split with the train split's column means and population stds (float64). */
export function prepareData(ds: ClassificationDataset, split: TrainValidationTestSplit, be: Backend): PreparedData {
  const trainRaw = gatherRows(ds.features, ds.d, split.train);
  const scaler = Standardizer.fit(trainRaw, split.train.length, ds.d);
  const make = (idx: Int32Array): SplitTensors => {
    const features = scaler.transform(gatherRows(ds.features, ds.d, idx));
    const labels = idx.map((i) => ds.labels[i]);
    const X = new Tensor(features.slice(), [idx.length, ds.d], be);
    return { X, Y: oneHot(labels, ds.classes, X), labels, features, n: idx.length };
  };
  return { train: make(split.train), validation: make(split.validation), test: make(split.test), scaler, d: ds.d, classes: ds.classes };
}

export interface TrainOptions {
  lr: number;
  hidden: number;
  epochs: number;
  batchSize: number;
  momentum: number;
  init: InitName;
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  trainError: number;
  validationError: number;
}

export interface TrainResult {
  model: Model;
  /** Epoch 0 (the initial weights) and every epoch after it. */
  curve: EpochPoint[];
  finalTrainLoss: number;
  finalValidationLoss: number;
  trainError: number;
  validationError: number;
  testError: number;
  testLoss: number;
  /** Whether the cost went non-finite (training stops there). */
  diverged: boolean;
}

/** The two-layer network of the seed's section 3.5. */
export function buildModel(hidden: number, classes: number, init: InitName, gen: Generator): Model {
  return new Model([
    new FullyConnected(hidden, 'relu', { init, generator: gen }),
    new FullyConnected(classes, 'softmax', { init, generator: gen }),
  ], new CrossEntropy());
}

/** Fraction of rows whose argmax prediction is not the label. */
export function errorRate(model: Model, s: SplitTensors): number {
  const predicted = model.predict(s.X);
  let wrong = 0;
  for (let i = 0; i < s.n; i++) if (predicted[i] !== s.labels[i]) wrong++;
  return wrong / s.n;
}

function evaluate(model: Model, s: SplitTensors): { loss: number; error: number } {
  return { loss: model.loss(s.X, s.Y), error: errorRate(model, s) };
}

/** Trains one (lr, hidden) combination; `gen` draws the initial weights and the epoch shuffles. */
export function trainCombination(data: PreparedData, options: TrainOptions, gen: Generator, onEpoch?: (p: EpochPoint) => void): TrainResult {
  const model = buildModel(options.hidden, data.classes, options.init, gen);
  const be = data.train.X.backend;
  const sgd = new SGD(model, { lr: options.lr, momentum: options.momentum });
  const { train, validation, test } = data;
  const batch = Math.min(options.batchSize, train.n);
  const point = (epoch: number): EpochPoint => {
    const tr = evaluate(model, train), va = evaluate(model, validation);
    return { epoch, trainLoss: tr.loss, validationLoss: va.loss, trainError: tr.error, validationError: va.error };
  };
  const curve: EpochPoint[] = [point(0)];
  let diverged = !Number.isFinite(curve[0].trainLoss);
  for (let epoch = 1; epoch <= options.epochs && !diverged; epoch++) {
    const order = gen.permutation(train.n);
    for (let start = 0; start < train.n; start += batch) {
      const rows = order.subarray(start, Math.min(start + batch, train.n));
      const X = new Tensor(gatherRows(train.features, data.d, rows), [rows.length, data.d], be);
      const Y = oneHot(rows.map((i) => train.labels[i]), data.classes, X);
      model.loss(X, Y);
      model.backward();
      sgd.step();
    }
    const p = point(epoch);
    curve.push(p);
    onEpoch?.(p);
    if (!Number.isFinite(p.trainLoss)) diverged = true;
  }
  const last = curve[curve.length - 1];
  const te = evaluate(model, test);
  return {
    model, curve, finalTrainLoss: last.trainLoss, finalValidationLoss: last.validationLoss,
    trainError: last.trainError, validationError: last.validationError, testError: te.error, testLoss: te.loss, diverged,
  };
}

/** A seed for one combination from the run's seed and the combination's name (so a combination gives the same run alone or in a sweep). */
export function combinationSeed(seed: number, name: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${name}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The best combination: lowest validation error, ties broken by lower final train loss, then by order. */
export function pickBest<T extends { validationError: number; finalTrainLoss: number }>(results: readonly T[]): number {
  let best = 0;
  results.forEach((r, i) => {
    const b = results[best];
    const lossOf = (x: T) => (Number.isFinite(x.finalTrainLoss) ? x.finalTrainLoss : Infinity);
    if (r.validationError < b.validationError || (r.validationError === b.validationError && lossOf(r) < lossOf(b))) best = i;
  });
  return best;
}
