/** mlp: the three implementations (nn, autograd, manual) agree — gradients in float64, loss curves in float32. */
import test from 'ava';
import { backend } from '../../../src/backend';
import type { Backend, DType } from '../../../src/backend/backend';
import { loadMnist } from '../../../src/data';
import { AutogradMlp } from '../../../src/experiments/mlp/autograd';
import { ManualMlp } from '../../../src/experiments/mlp/manual';
import { NnMlp } from '../../../src/experiments/mlp/nn';
import { initMlp, parseShape, type MlpModel, type MlpWeights } from '../../../src/experiments/mlp/weights';
import { UsageError } from '../../../src/cli/flags';
import { oneHot } from '../../../src/nn/activations';
import { Linear } from '../../../src/nn/layers';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { maxRelativeError } from '../../helpers/random';

const IMPLS = ['nn', 'autograd', 'manual'] as const;

function make(impl: (typeof IMPLS)[number], shape: number[], w: MlpWeights, be: Backend): MlpModel {
  if (impl === 'nn') return new NnMlp(shape, w, be);
  if (impl === 'autograd') return new AutogradMlp(shape, w);
  return new ManualMlp(shape, w, be);
}

function randomData(gen: Generator, N: number, d: number, c: number, dtype: DType, be: Backend) {
  const X = Tensor.zeros([N, d], { dtype, backend: be });
  gen.fillUniform(X.data, -1, 1);
  const y = Int32Array.from({ length: N }, () => gen.int(c));
  return { X, y, y1hot: oneHot(y, c, X) };
}

test('the shared initialisation draws what nn.Linear draws from the same seed, in the same order', (t) => {
  const shape = [7, 5, 3];
  const be = backend('ts');
  const w = initMlp(shape, new Generator(11), 'float64', be);
  const gen = new Generator(11);
  const layers = [new Linear(7, 5, { generator: gen, dtype: 'float64', backend: be }), new Linear(5, 3, { generator: gen, dtype: 'float64', backend: be })];
  layers.forEach((l, i) => {
    t.deepEqual(Array.from(l.weight.data), Array.from(w.W[i].data));
    t.deepEqual(Array.from(l.bias!.data), Array.from(w.b[i].data));
  });
  const bound = 1 / Math.sqrt(7);
  t.true(Array.from(w.W[0].data).every((v) => Math.abs(v) <= bound));
  t.true(Array.from(w.b[0].data).every((v) => Math.abs(v) <= bound));
});

test('parseShape accepts ≥2 positive integers with the right ends and rejects the rest', (t) => {
  t.deepEqual(parseShape('784,300,100,10', 784, 10), [784, 300, 100, 10]);
  t.deepEqual(parseShape('784, 10', 784, 10), [784, 10]);
  for (const bad of ['784', '784,0,10', '784,-3,10', '784,x,10', '784,1.5,10', '', '785,10', '784,300,9', '784,,10']) {
    t.throws(() => parseShape(bad, 784, 10), { instanceOf: UsageError }, bad);
  }
});

for (const name of backendsUnderTest()) {
  test(`[${name}] float64: the three implementations' gradients agree, and match central differences`, (t) => {
    const be = backend(name);
    const gen = new Generator(5);
    for (const shape of [[6, 5, 4, 3], [6, 3]]) {
      const w = initMlp(shape, gen, 'float64', be);
      const { X, y, y1hot } = randomData(gen, 9, shape[0], shape[shape.length - 1], 'float64', be);
      const grads = IMPLS.map((impl) => make(impl, shape, w, be).gradients(X, y, y1hot));
      for (const key of Object.keys(grads[2])) {
        for (const k of [0, 1]) {
          t.deepEqual(grads[k][key].shape, grads[2][key].shape, key);
          const err = maxRelativeError(grads[k][key].data, grads[2][key].data);
          t.true(err < 1e-9, `${IMPLS[k]} vs manual ${key} [${shape}]: ${err}`);
        }
      }
      // Central differences of the manual loss (lr 0 leaves the weights alone).
      const loss = (ww: MlpWeights) => new ManualMlp(shape, ww, be).trainOneEpoch(X, y, y1hot, 0);
      const eps = 1e-6;
      let worst = 0;
      for (const kind of ['W', 'b'] as const) {
        w[kind].forEach((p, li) => {
          for (let j = 0; j < p.size; j++) {
            const saved = p.data[j];
            p.data[j] = saved + eps;
            const up = loss(w);
            p.data[j] = saved - eps;
            const down = loss(w);
            p.data[j] = saved;
            const numeric = (up - down) / (2 * eps);
            const analytic = grads[2][`${kind}${li + 1}`].data[j];
            worst = Math.max(worst, Math.abs(numeric - analytic) / Math.max(1, Math.abs(numeric)));
          }
        });
      }
      t.true(worst < 1e-7, `central differences [${shape}]: ${worst}`);
    }
  });

  test(`[${name}] float32 on 500 MNIST images: the same seed gives the same loss curve in all three implementations`, (t) => {
    const be = backend(name);
    const train = loadMnist({ split: 'train', limit: 500 });
    const shape = [784, 30, 20, 10];
    const X = new Tensor(train.images.subarray(0, train.n * 784), [train.n, 784], be);
    const y1hot = oneHot(train.labels, 10, X);
    const curves = IMPLS.map((impl) => {
      const model = make(impl, shape, initMlp(shape, new Generator(42), 'float32', be), be);
      const losses = Array.from({ length: 5 }, () => model.trainOneEpoch(X, train.labels, y1hot, 0.5));
      return { losses, predicted: model.predict(X) };
    });
    for (const k of [0, 1]) {
      const err = maxRelativeError(curves[k].losses, curves[2].losses);
      t.true(err < 1e-4, `${IMPLS[k]} vs manual: ${curves[k].losses} vs ${curves[2].losses} (${err})`);
    }
    t.true(curves[2].losses[4] < curves[2].losses[0], `the loss falls: ${curves[2].losses}`);
    let agree = 0;
    for (let i = 0; i < train.n; i++) if (curves[0].predicted[i] === curves[2].predicted[i] && curves[1].predicted[i] === curves[2].predicted[i]) agree++;
    t.true(agree >= train.n - 2, `predictions agree on ${agree}/${train.n}`);
  });
}
