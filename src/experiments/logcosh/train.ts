/**
 * Part (d): the log-cosh network trained on Boston house prices. Features
 * (and, unless told not to, the target) are standardised with statistics of
 * the training split; minibatches are reshuffled every epoch; train and test
 * MSE are measured after every epoch on whole splits, in standardised units
 * and in medv units ($1000s, squared).
 */
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import { gatherRows, randomSplit, Standardizer, type RegressionDataset } from '../../data';
import { Adam } from '../../optim';
import type { Generator } from '../../random';
import type { ProgressBar } from '../../report/progress';
import { Tensor } from '../../tensor';
import { cost, initNet, parameters, predict, type LogCoshNet } from './model';

export interface TrainOptions {
  hidden: number;
  lr: number;
  batchSize: number;
  epochs: number;
  testFraction: number;
  standardizeTarget: boolean;
}

export interface EpochPoint {
  epoch: number;
  /** Mean log-cosh cost over the epoch's minibatches (in the units the model is trained in); NaN at epoch 0. */
  trainCost: number;
  trainMse: number;
  testMse: number;
  trainMseStandardized: number;
  testMseStandardized: number;
}

/** The splits as the model sees them: standardised features, target in training units. */
export interface BostonSplits {
  xTrain: Float64Array;
  yTrain: Float64Array;
  xTest: Float64Array;
  yTest: Float64Array;
  nTrain: number;
  nTest: number;
  d: number;
  /** Target statistics of the training split (used for the standardised MSE whether or not the model is trained on it). */
  targetScaler: Standardizer;
  /** Whether yTrain / yTest are standardised. */
  standardizedTarget: boolean;
}

export function prepareSplits(ds: RegressionDataset, testFraction: number, standardizeTarget: boolean, gen: Generator): BostonSplits {
  const { train, test } = randomSplit(ds.n, testFraction, gen);
  const pick = (idx: Int32Array) => ({ x: gatherRows(ds.features, ds.d, idx), y: gatherRows(ds.target, 1, idx) });
  const tr = pick(train), te = pick(test);
  const scaler = Standardizer.fit(tr.x, train.length, ds.d);
  const targetScaler = Standardizer.fit(tr.y, train.length, 1);
  const y = (v: Float64Array) => (standardizeTarget ? targetScaler.transform(v) : v);
  return {
    xTrain: scaler.transform(tr.x), yTrain: y(tr.y), xTest: scaler.transform(te.x), yTest: y(te.y),
    nTrain: train.length, nTest: test.length, d: ds.d, targetScaler, standardizedTarget: standardizeTarget,
  };
}

/** MSE of predictions against the target, in medv units and standardised, whatever units the model predicts in. */
function mse(pred: ArrayLike<number>, y: ArrayLike<number>, s: BostonSplits): { medv: number; standardized: number } {
  const scale = s.targetScaler.scale[0];
  const unit = s.standardizedTarget ? scale : 1; // model units → medv
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += ((pred[i] - y[i]) * unit) ** 2;
  const medv = sum / y.length;
  return { medv, standardized: medv / (scale * scale) };
}

export function evaluate(net: LogCoshNet, s: BostonSplits, be: Backend): { train: { medv: number; standardized: number }; test: { medv: number; standardized: number } } {
  return noGrad(() => {
    const run = (x: Float64Array, n: number) => predict(net, new Tensor(x.slice(), [n, s.d], be)).toTypedArray();
    return { train: mse(run(s.xTrain, s.nTrain), s.yTrain, s), test: mse(run(s.xTest, s.nTest), s.yTest, s) };
  });
}

export function trainBoston(s: BostonSplits, o: TrainOptions, gen: Generator, be: Backend, progress?: ProgressBar): { net: LogCoshNet; epochs: EpochPoint[] } {
  const net = initNet(s.d, o.hidden, gen, be);
  for (const p of parameters(net)) p.requiresGrad_();
  const opt = new Adam(parameters(net), { lr: o.lr });
  const point = (epoch: number, trainCost: number): EpochPoint => {
    const e = evaluate(net, s, be);
    return { epoch, trainCost, trainMse: e.train.medv, testMse: e.test.medv, trainMseStandardized: e.train.standardized, testMseStandardized: e.test.standardized };
  };
  const epochs: EpochPoint[] = [point(0, NaN)];
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = gen.permutation(s.nTrain);
    let costSum = 0, batches = 0;
    for (let start = 0; start < s.nTrain; start += o.batchSize) {
      const idx = order.subarray(start, Math.min(start + o.batchSize, s.nTrain));
      const x = new Tensor(gatherRows(s.xTrain, s.d, idx), [idx.length, s.d], be);
      const y = new Tensor(gatherRows(s.yTrain, 1, idx), [idx.length], be);
      opt.zeroGrad();
      const j = cost(net, x, y);
      j.backward();
      opt.step();
      costSum += j.item();
      batches++;
    }
    const p = point(epoch, costSum / batches);
    epochs.push(p);
    progress?.tick(1, { 'train MSE': p.trainMse, 'test MSE': p.testMse });
  }
  return { net, epochs };
}

/**
 * Ordinary least squares on the same standardised features (with an
 * intercept), through linalg.lstsq: the linear baseline's train and test MSE
 * in medv units.
 */
export function leastSquaresBaseline(s: BostonSplits, be: Backend, lstsq: (a: Tensor, b: Tensor) => Tensor): { trainMse: number; testMse: number } {
  const design = (x: Float64Array, n: number) => {
    const a = new Float64Array(n * (s.d + 1));
    for (let i = 0; i < n; i++) {
      a.set(x.subarray(i * s.d, (i + 1) * s.d), i * (s.d + 1));
      a[i * (s.d + 1) + s.d] = 1;
    }
    return new Tensor(a, [n, s.d + 1], be);
  };
  const w = lstsq(design(s.xTrain, s.nTrain), new Tensor(s.yTrain.slice(), [s.nTrain, 1], be));
  const run = (x: Float64Array, n: number) => design(x, n).matmul(w).toTypedArray();
  return { trainMse: mse(run(s.xTrain, s.nTrain), s.yTrain, s).medv, testMse: mse(run(s.xTest, s.nTest), s.yTest, s).medv };
}
