import test from 'ava';
import { backend } from '../../../src/backend';
import { irisSplit, loadIris } from '../../../src/data';
import { buildModel, combinationSeed, errorRate, pickBest, prepareData } from '../../../src/experiments/iris/train';
import { Generator } from '../../../src/random';

test('pickBest: lowest validation error, ties by lower final train loss (a non-finite loss loses), then the first', (t) => {
  t.is(pickBest([{ validationError: 0.1, finalTrainLoss: 0.1 }, { validationError: 0.05, finalTrainLoss: 0.9 }]), 1);
  t.is(pickBest([{ validationError: 0.05, finalTrainLoss: 0.3 }, { validationError: 0.05, finalTrainLoss: 0.2 }]), 1);
  t.is(pickBest([{ validationError: 0.05, finalTrainLoss: NaN }, { validationError: 0.05, finalTrainLoss: 5 }]), 1);
  t.is(pickBest([{ validationError: 0, finalTrainLoss: 0.2 }, { validationError: 0, finalTrainLoss: 0.2 }]), 0);
});

test('combinationSeed: fixed per (seed, name), different across names and seeds', (t) => {
  t.is(combinationSeed(0, 'lr0.1-hidden8'), combinationSeed(0, 'lr0.1-hidden8'));
  t.not(combinationSeed(0, 'lr0.1-hidden8'), combinationSeed(0, 'lr0.1-hidden32'));
  t.not(combinationSeed(0, 'lr0.1-hidden8'), combinationSeed(1, 'lr0.1-hidden8'));
  t.true(Number.isSafeInteger(combinationSeed(123, 'x')) && combinationSeed(123, 'x') >= 0);
});

test('prepareData: train columns standardised to mean 0 and std 1; one-hot targets; the model is 4→h→3', (t) => {
  const ds = loadIris();
  const data = prepareData(ds, irisSplit(ds, new Generator(0)), backend('ts'));
  for (let j = 0; j < 4; j++) {
    const col = Array.from({ length: 90 }, (_, i) => data.train.features[i * 4 + j]);
    const mu = col.reduce((a, b) => a + b, 0) / 90;
    t.true(Math.abs(mu) < 1e-12);
    t.true(Math.abs(col.reduce((a, b) => a + (b - mu) ** 2, 0) / 90 - 1) < 1e-12);
  }
  t.deepEqual([...data.test.Y.shape], [30, 3]);
  t.deepEqual(Array.from(data.test.Y.argmax(1)), Array.from(data.test.labels));
  const model = buildModel(7, 3, 'he_uniform', new Generator(1));
  const e = errorRate(model, data.validation);
  t.true(e >= 0 && e <= 1);
  t.deepEqual([...model.parameters.values()].map((p) => [...p.shape]), [[4, 7], [1, 7], [7, 3], [1, 3]]);
});
