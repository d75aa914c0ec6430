/** Tensor.retainGrad(): non-leaf gradients kept in `.grad` by backward(), as PyTorch's retain_grad(). */
import test from 'ava';
import { grad, noGrad } from '../../src/autograd';
import * as nn from '../../src/nn';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { maxAbsDiff, rnd } from './helpers';

for (const name of backendsUnderTest()) {
  const f64 = (v: Parameters<typeof Tensor.from>[0], requiresGrad = false) => Tensor.from(v, { dtype: 'float64', backend: name, requiresGrad });

  test(`[${name}] retained gradients of a chain equal grad()`, (t) => {
    const gen = new Generator(3);
    const x = rnd(gen, [4, 5], name);
    const w1 = rnd(gen, [5, 6], name).requiresGrad_();
    const w2 = rnd(gen, [6, 3], name).requiresGrad_();
    const z1 = x.matmul(w1);
    const h1 = z1.tanh().retainGrad();
    const z2 = h1.matmul(w2).retainGrad();
    const loss = z2.square().mean();
    const [gh1, gz2, gw1] = grad(loss, [h1, z2, w1]);
    t.is(h1.grad, null, 'grad() leaves .grad alone');
    loss.backward();
    t.true(h1.retainsGrad && z2.retainsGrad);
    t.false(z1.retainsGrad);
    t.is(z1.grad, null, 'a non-leaf without retainGrad keeps no gradient');
    t.deepEqual(h1.grad!.shape, [4, 6]);
    t.is(h1.grad!.dtype, 'float64');
    t.is(h1.grad!.backend.name, name);
    t.true(maxAbsDiff(h1.grad!.data, gh1.data) < 1e-15);
    t.true(maxAbsDiff(z2.grad!.data, gz2.data) < 1e-15);
    t.true(maxAbsDiff(w1.grad!.data, gw1.data) < 1e-15);
    // d mean(z²) / dz = 2z / size
    t.true(maxAbsDiff(z2.grad!.data, Array.from(z2.data, (v) => (2 * v) / z2.size)) < 1e-15);
  });

  test(`[${name}] retained gradients accumulate over two backward calls`, (t) => {
    const x = f64([1, -2, 3], true);
    const h = x.scale(2).retainGrad(); // h = 2x
    const loss = h.square().sum(); // dL/dh = 2h = 4x
    loss.backward();
    t.deepEqual(Array.from(h.grad!.data), [4, -8, 12]);
    t.deepEqual(Array.from(x.grad!.data), [8, -16, 24]);
    loss.backward();
    t.deepEqual(Array.from(h.grad!.data), [8, -16, 24]);
    t.deepEqual(Array.from(x.grad!.data), [16, -32, 48]);
    h.grad = null;
    loss.backward();
    t.deepEqual(Array.from(h.grad!.data), [4, -8, 12]);
  });

  test(`[${name}] an intermediate used twice gets the sum of both gradients`, (t) => {
    const x = f64([0.5, -1, 2], true);
    const h = x.tanh().retainGrad();
    h.mul(h).add(h).sum().backward(); // h² + h: dL/dh = 2h + 1
    const expected = [0.5, -1, 2].map((v) => 2 * Math.tanh(v) + 1);
    t.true(maxAbsDiff(h.grad!.data, expected) < 1e-15);
    t.true(maxAbsDiff(x.grad!.data, expected.map((g, i) => g * (1 - Math.tanh([0.5, -1, 2][i]) ** 2))) < 1e-15);
  });

  test(`[${name}] a retained gradient has storage of its own`, (t) => {
    const x = f64([1, 2], true);
    const b = f64([3, 4], true);
    const h = x.scale(2).retainGrad();
    const y = h.add(b).retainGrad(); // add passes the same gradient to h and b
    const seed = f64([1, 1]);
    y.backward(seed);
    t.deepEqual(Array.from(h.grad!.data), [1, 1]);
    t.deepEqual(Array.from(y.grad!.data), [1, 1]);
    h.grad!.data[0] = 99;
    y.grad!.data[1] = 77;
    t.deepEqual(Array.from(b.grad!.data), [1, 1]);
    t.deepEqual(Array.from(x.grad!.data), [2, 2]);
    t.deepEqual(Array.from(seed.data), [1, 1]);
    t.deepEqual(Array.from(h.grad!.data), [99, 1]);
  });

  test(`[${name}] the root can retain its own gradient`, (t) => {
    const x = f64([1, 2, 3], true);
    const loss = x.sum().retainGrad();
    loss.backward();
    t.is(loss.grad!.item(), 1);
    t.deepEqual(loss.grad!.shape, []);
  });

  test(`[${name}] retainGrad on a leaf is a no-op; on a tensor without grad it throws`, (t) => {
    const x = f64([1, 2], true);
    t.is(x.retainGrad(), x);
    t.false(x.retainsGrad);
    x.square().sum().backward();
    t.deepEqual(Array.from(x.grad!.data), [2, 4]);
    const c = f64([1, 2]);
    t.throws(() => c.retainGrad(), { message: /does not require grad/ });
    t.throws(() => c.tanh().retainGrad(), { message: /does not require grad/ });
    t.throws(() => noGrad(() => x.tanh()).retainGrad(), { message: /does not require grad/ });
    t.false(c.retainsGrad);
  });

  test(`[${name}] layer outputs of an nn.Linear tanh stack (fused bias + tanh) retain dL/dh`, (t) => {
    const gen = new Generator(11);
    const layers = [new nn.Linear(7, 5, { dtype: 'float64', backend: name, generator: gen, activation: 'tanh' }),
      new nn.Linear(5, 5, { dtype: 'float64', backend: name, generator: gen, activation: 'tanh' }),
      new nn.Linear(5, 3, { dtype: 'float64', backend: name, generator: gen })];
    const x = rnd(gen, [6, 7], name);
    const hidden: Tensor[] = [];
    let h = x;
    for (const layer of layers.slice(0, -1)) {
      h = layer.forward(h).retainGrad();
      hidden.push(h);
    }
    const loss = nn.functional.crossEntropy(layers[2].forward(h), Int32Array.from([0, 1, 2, 0, 1, 2]));
    const expected = grad(loss, hidden);
    loss.backward();
    hidden.forEach((hi, i) => t.true(maxAbsDiff(hi.grad!.data, expected[i].data) < 1e-14, `layer ${i + 1}`));
    t.true(hidden.every((hi) => hi.grad!.toTypedArray().some((v) => v !== 0)));
  });
}
