/** nn.modular Sequential / Model: layer names, chained forward/backward against autograd of the whole net + cost, state dicts, errors. */
import test from 'ava';
import { ShapeError } from '../../../src/errors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { assertClose, autogradSoftmax, maxRelDiff, oneHotRows, randn } from './helpers';

const { CrossEntropy, FullyConnected, LayerStateError, Model, ReLU, Sequential } = modular;

function twoLayer(seed: number, hidden = 6): InstanceType<typeof Model> {
  const gen = new Generator(seed);
  return new Model([new FullyConnected(hidden, 'relu', { generator: gen }), new FullyConnected(3, 'softmax', { generator: gen })], new CrossEntropy());
}

const LABELS = [0, 1, 2, 2, 1, 0, 1, 2];

for (const be of backendsUnderTest()) {
  test(`${be}: a Model names its layers, chains forward, and its backward equals autograd of the same net with the cost`, (t) => {
    const model = twoLayer(1);
    t.deepEqual(model.layers.map((l) => l.name), ['fully_connected_0', 'fully_connected_1']);
    t.is(model.parameters.size, 0, 'lazy layers have no parameters before the first forward');
    const X = randn(new Generator(2), [8, 4], be);
    const Y = oneHotRows(LABELS, 3, be);
    const J = model.loss(X, Y);
    t.deepEqual([...model.parameters.keys()], ['fully_connected_0.W', 'fully_connected_0.b', 'fully_connected_1.W', 'fully_connected_1.b']);
    t.deepEqual([...model.cache.keys()], ['fully_connected_0.X', 'fully_connected_0.Y', 'fully_connected_1.X', 'fully_connected_1.Z', 'fully_connected_1.Y']);
    t.is(model.parameterCount(), 4 * 6 + 6 + 6 * 3 + 3);
    const dX = model.backward();
    t.deepEqual([...model.gradients.keys()], [...model.parameters.keys()]);

    const p = model.stateDict();
    const [W1, b1, W2, b2] = ['fully_connected_0.W', 'fully_connected_0.b', 'fully_connected_1.W', 'fully_connected_1.b'].map((k) => p[k].detach().requiresGrad_());
    const x = X.detach().requiresGrad_();
    const yhat = autogradSoftmax(x.matmul(W1).add(b1).relu().matmul(W2).add(b2));
    const cost = Y.mul(yhat.log()).sum().scale(-1 / 8);
    t.true(Math.abs(cost.item() - J) < 1e-14, `${cost.item()} vs ${J}`);
    cost.backward();
    assertClose(t, dX, x.grad!, 1e-12, 'dJ/dX');
    const grads = model.gradients;
    assertClose(t, grads.get('fully_connected_0.W')!, W1.grad!, 1e-12, 'dW1');
    assertClose(t, grads.get('fully_connected_0.b')!, b1.grad!, 1e-12, 'db1');
    assertClose(t, grads.get('fully_connected_1.W')!, W2.grad!, 1e-12, 'dW2');
    assertClose(t, grads.get('fully_connected_1.b')!, b2.grad!, 1e-12, 'db2');
    t.deepEqual(Array.from(model.predict(X)), Array.from(yhat.detach().argmax(1)));
  });

  test(`${be}: Sequential is itself a layer (nested, explicit names kept); stateDict / loadStateDict round-trip`, (t) => {
    const gen = new Generator(3);
    const inner = new Sequential([new FullyConnected(5, 'linear', { generator: gen, name: 'proj' }), new ReLU()], { name: 'block' });
    const model = new Model([inner, new FullyConnected(3, 'softmax', { generator: gen })], new CrossEntropy());
    t.deepEqual(inner.layers.map((l) => l.name), ['proj', 'relu_1']);
    const X = randn(gen, [4, 2], be);
    const out = model.forward(X);
    t.deepEqual([...out.shape], [4, 3]);
    t.deepEqual([...model.parameters.keys()], ['block.proj.W', 'block.proj.b', 'fully_connected_1.W', 'fully_connected_1.b']);
    const other = new Model([new Sequential([new FullyConnected(5, 'linear', { nIn: 2, dtype: 'float64', backend: be, name: 'proj' }), new ReLU()], { name: 'block' }),
      new FullyConnected(3, 'softmax', { nIn: 5, dtype: 'float64', backend: be })], new CrossEntropy());
    other.loadStateDict(model.stateDict());
    t.deepEqual(Array.from(other.forward(X).data), Array.from(out.data));
    t.throws(() => other.loadStateDict({}), { instanceOf: ShapeError, message: /missing \[block.proj.W/ });
    t.throws(() => new Sequential([new ReLU({ name: 'a' }), new ReLU({ name: 'a' })]), { message: /two layers are named "a"/ });
    t.throws(() => new Sequential([]), { message: /at least one layer/ });
  });

  test(`${be}: errors from inside a model name the layer; backward before a loss is refused`, (t) => {
    const model = twoLayer(4);
    t.throws(() => model.backward(), { instanceOf: LayerStateError, message: /CrossEntropy: backward called before forward/ });
    t.throws(() => model.backward(Tensor.zeros([2, 3], { dtype: 'float64', backend: be })), { instanceOf: LayerStateError, message: /FullyConnected "fully_connected_1": backward called before forward/ });
    model.forward(randn(new Generator(5), [3, 4], be));
    t.throws(() => model.forward(randn(new Generator(5), [3, 5], be)), { instanceOf: ShapeError, message: /FullyConnected "fully_connected_0": the input has 5 columns but the layer has n_in = 4/ });
    t.throws(() => model.loss(randn(new Generator(5), [3, 4], be), oneHotRows([0, 1], 3, be)), { instanceOf: ShapeError, message: /one-hot targets \[2, 3\] do not match predictions \[3, 3\]/ });
  });
}

const bes = backendsUnderTest();
if (bes.length > 1) {
  test(`the same model gives the same cost and gradients on ${bes.join(' and ')}`, (t) => {
    const results = bes.map((be) => {
      const model = twoLayer(9, 16);
      const J = model.loss(randn(new Generator(10), [12, 4], be), oneHotRows([...LABELS, 0, 1, 2, 0], 3, be));
      const dX = model.backward();
      return { J, dX, grads: model.gradients };
    });
    const [a, b] = results;
    t.true(Math.abs(a.J - b.J) < 1e-13);
    t.true(maxRelDiff(a.dX, b.dX) < 1e-13);
    for (const [k, g] of a.grads) t.true(maxRelDiff(g, b.grads.get(k)!) < 1e-13, k);
  });
}
