/** nn.modular SGD: plain and momentum updates follow v ← μv + ηg, θ ← θ − v; it matches optim.SGD; bad options; training lowers the cost. */
import test from 'ava';
import type { BackendName } from '../../../src/backend/backend';
import { modular } from '../../../src/nn';
import { SGD as TorchSGD } from '../../../src/optim';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { maxRelDiff, oneHotRows, randn } from './helpers';

const { CrossEntropy, FullyConnected, LayerStateError, Model, SGD } = modular;
type Layer = modular.Layer;

/** A layer with one parameter whose gradient the test sets by hand. */
function fixture(be: BackendName, values: number[]): Layer {
  const W = Tensor.from(values, { dtype: 'float64', backend: be });
  return {
    name: 'fixed', parameters: new Map([['W', W]]), gradients: new Map(), cache: new Map(),
    forward: (X) => X, backward: (d) => d,
  };
}

for (const be of backendsUnderTest()) {
  test(`${be}: without momentum θ ← θ − η g`, (t) => {
    const layer = fixture(be, [1, -2, 3]);
    const sgd = new SGD(layer, { lr: 0.5 });
    layer.gradients.set('W', Tensor.from([0.2, 0.4, -1], { dtype: 'float64', backend: be }));
    sgd.step();
    t.deepEqual(Array.from(layer.parameters.get('W')!.data), [1 - 0.1, -2 - 0.2, 3 + 0.5]);
    t.is(sgd.velocity.size, 0);
  });

  test(`${be}: with momentum v ← μ v + η g, θ ← θ − v over three steps; the same trajectory as optim.SGD (PyTorch's form)`, (t) => {
    const lr = 0.1, mu = 0.9;
    const layer = fixture(be, [1, -2, 3]);
    const sgd = new SGD(layer, { lr, momentum: mu });
    const ref = Tensor.from([1, -2, 3], { dtype: 'float64', backend: be }).requiresGrad_();
    const torch = new TorchSGD([ref], { lr, momentum: mu });
    const gs = [[0.2, 0.4, -1], [-0.3, 0.1, 0.5], [1, 1, 1]];
    let theta = [1, -2, 3], v = [0, 0, 0];
    for (const g of gs) {
      layer.gradients.set('W', Tensor.from(g, { dtype: 'float64', backend: be }));
      sgd.step();
      v = v.map((vi, i) => mu * vi + lr * g[i]);
      theta = theta.map((x, i) => x - v[i]);
      const W = layer.parameters.get('W')!;
      t.true(maxRelDiff(W, theta) < 1e-15, `${Array.from(W.data)} vs ${theta}`);
      t.true(maxRelDiff(sgd.velocity.get('W')!, v) < 1e-15);
      ref.grad = Tensor.from(g, { dtype: 'float64', backend: be });
      torch.step();
      t.true(maxRelDiff(ref.detach(), theta) < 1e-14, 'optim.SGD agrees for a constant lr');
    }
  });

  test(`${be}: SGD on a Model lowers the cost; a missing gradient and bad options are refused`, (t) => {
    const gen = new Generator(1);
    const model = new Model([new FullyConnected(8, 'relu', { generator: gen }), new FullyConnected(3, 'softmax', { generator: gen })], new CrossEntropy());
    const X = randn(gen, [30, 4], be);
    const labels = Array.from({ length: 30 }, (_, i) => (X.data[i * 4] > 0.5 ? 2 : X.data[i * 4] > -0.5 ? 1 : 0));
    const Y = oneHotRows(labels, 3, be);
    const sgd = new SGD(model, { lr: 0.2, momentum: 0.5 });
    const first = model.loss(X, Y);
    for (let i = 0; i < 50; i++) {
      model.loss(X, Y);
      model.backward();
      sgd.step();
    }
    const last = model.loss(X, Y);
    t.true(last < 0.5 * first, `${first} → ${last}`);
    const bare = fixture(be, [1]);
    t.throws(() => new SGD(bare, { lr: 0.1 }).step(), { instanceOf: LayerStateError, message: 'SGD: no gradient for W; run backward first' });
    t.throws(() => new SGD(bare, { lr: 0 }), { message: /lr must be a finite number > 0/ });
    t.throws(() => new SGD(bare, { lr: 0.1, momentum: 1 }), { message: /momentum must be in \[0, 1\)/ });
    t.throws(() => new SGD(bare, { lr: 0.1, momentum: -0.1 }), { message: /momentum must be in \[0, 1\)/ });
  });
}
