import test from 'ava';
import { Generator } from '../../../src/random';
import { evalPoints, train, type Split } from '../../../src/experiments/scratch-nn/train';

function synthetic(n: number, seed: number): Split {
  const gen = new Generator(seed);
  const features = 784;
  const x = new Float64Array(n * features);
  gen.fillUniform(x, 0, 1);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = gen.int(10);
    for (let j = 0; j < 40; j++) x[i * features + y[i] * 40 + j] += 1; // a learnable class signal
  }
  return { x, y, n, features };
}

test('evalPoints: 0, every k, and the last iteration', (t) => {
  t.deepEqual(evalPoints(3000, 1000), [0, 1000, 2000, 3000]);
  t.deepEqual(evalPoints(2500, 1000), [0, 1000, 2000, 2500]);
});

test('scratch and framework give the same losses on the same batches (float64, 20 steps)', (t) => {
  const data = { train: synthetic(300, 1), validation: synthetic(50, 2) };
  const options = { iterations: 20, batchSize: 64, lr: 0.1, evalEvery: 10, seed: 4, dtype: 'float64' as const };
  const a = train('scratch', data, options);
  const b = train('framework', data, options);
  const loops = train('scratch', data, { ...options, loops: true });
  for (let i = 0; i < 20; i++) t.true(Math.abs(loops.train[i].loss - a.train[i].loss) < 1e-9 * a.train[i].loss);
  t.is(a.train.length, 20);
  t.deepEqual(a.validation.map((p) => p.t), [0, 10, 20]);
  for (let i = 0; i < 20; i++) {
    const rel = Math.abs(a.train[i].loss - b.train[i].loss) / Math.abs(a.train[i].loss);
    t.true(rel < 1e-9, `step ${i + 1}: ${a.train[i].loss} vs ${b.train[i].loss}`);
    t.is(a.train[i].error, b.train[i].error);
  }
  for (let i = 0; i < a.validation.length; i++) t.true(Math.abs(a.validation[i].loss - b.validation[i].loss) < 1e-9 * a.validation[i].loss);
  let maxDiff = 0;
  for (let i = 0; i < a.w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a.w[i] - b.w[i]));
  t.true(maxDiff < 1e-10, `max |ΔW| ${maxDiff}`);
  t.true(a.train[19].loss < a.train[0].loss, 'the loss falls');
});
