import test from 'ava';
import { loadBoston } from '../../../src/data';
import {
  analyticGradients, autogradGradients, cost, finiteDifferenceGradients, initNet, PARAMETER_NAMES, relativeError,
} from '../../../src/experiments/logcosh/model';
import { prepareSplits } from '../../../src/experiments/logcosh/train';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';

for (const name of backendsUnderTest()) {
  test(`[${name}] hand-derived gradients of the log-cosh cost equal autograd's (float64 rounding) and central differences (≤ 1e-7)`, (t) => {
    for (const [samples, inputs, hidden, seed] of [[16, 10, 20, 1], [1, 3, 5, 2], [37, 13, 7, 3]]) {
      const gen = new Generator(seed);
      const net = initNet(inputs, hidden, gen, backendByName(name));
      const x = Tensor.randn([samples, inputs], { dtype: 'float64', backend: name, generator: gen });
      const y = Tensor.randn([samples], { dtype: 'float64', backend: name, generator: gen, std: 2 });
      const hand = analyticGradients(net, x, y);
      const auto = autogradGradients(net, x, y);
      const fd = finiteDifferenceGradients(net, x, y, 1e-5);
      for (const k of [...PARAMETER_NAMES, 'x'] as const) {
        t.deepEqual(hand[k].shape, k === 'x' ? x.shape : net[k].shape, k);
        t.true(relativeError(hand[k], auto[k]) <= 1e-14, `${k} vs autograd: ${relativeError(hand[k], auto[k])}`);
        t.true(relativeError(hand[k], fd[k]) <= 1e-7, `${k} vs finite differences: ${relativeError(hand[k], fd[k])}`);
      }
    }
  });
}

function backendByName(name: string) {
  return Tensor.zeros([1], { backend: name as 'ts' }).backend;
}

test('the cost is finite and exact for residuals of ±1000, and its gradient is tanh(r)/N there', (t) => {
  const gen = new Generator(4);
  const net = initNet(2, 3, gen, backendByName('ts'));
  net.w2.data.fill(0);
  net.b2.data[0] = 1000;
  const x = Tensor.zeros([2, 2], { dtype: 'float64', backend: 'ts' });
  const y = Tensor.from([0, 2000], { dtype: 'float64', backend: 'ts' }); // residuals +1000 and -1000
  const j = cost(net, x, y).item();
  t.is(j, 1000 - Math.LN2);
  const g = analyticGradients(net, x, y);
  t.is(g.b2.item(), 0); // tanh(1000)/2 + tanh(-1000)/2
  const one = analyticGradients(net, x.sliceRows(0, 1), y.sliceRows(0, 1));
  t.is(one.b2.item(), 1);
});

test('relativeError is max |a − b| / max |b|', (t) => {
  t.is(relativeError(Tensor.from([1, 2.5]), Tensor.from([1, 2])), 0.25);
  t.is(relativeError(Tensor.from([0, 0]), Tensor.from([0, 0])), 0);
  t.throws(() => relativeError(Tensor.from([1]), Tensor.from([1, 2])), { instanceOf: RangeError });
});

test('Boston splits: 404 / 102 rows, features standardised on the training rows, the target too unless told not to', (t) => {
  const ds = loadBoston();
  const s = prepareSplits(ds, 0.2, true, new Generator(0));
  t.is(s.nTrain, 404);
  t.is(s.nTest, 102);
  for (let c = 0; c < 13; c++) {
    let mean = 0, sq = 0;
    for (let r = 0; r < s.nTrain; r++) mean += s.xTrain[r * 13 + c] / s.nTrain;
    for (let r = 0; r < s.nTrain; r++) sq += (s.xTrain[r * 13 + c] - mean) ** 2 / s.nTrain;
    t.true(Math.abs(mean) < 1e-12 && Math.abs(sq - 1) < 1e-12, `feature ${c}`);
  }
  const ym = s.yTrain.reduce((a, b) => a + b, 0) / s.nTrain;
  t.true(Math.abs(ym) < 1e-12);
  const raw = prepareSplits(ds, 0.2, false, new Generator(0));
  t.deepEqual(Array.from(raw.xTest), Array.from(s.xTest), 'same split for the same seed');
  t.true(Math.abs(raw.yTrain.reduce((a, b) => a + b, 0) / raw.nTrain - s.targetScaler.mean[0]) < 1e-12, 'medv kept as it is');
  t.true(s.targetScaler.scale[0] > 8 && s.targetScaler.scale[0] < 10, `medv std ${s.targetScaler.scale[0]}`);
});
