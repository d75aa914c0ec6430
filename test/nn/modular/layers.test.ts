/** nn.modular FullyConnected: lazy parameters, forward values and caches, backward against autograd, bad input. */
import test from 'ava';
import { DTypeError, ShapeError } from '../../../src/errors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { assertClose, autogradSoftmax, randn } from './helpers';

const { FullyConnected, LayerStateError, ReLU } = modular;
const ACTS = ['linear', 'relu', 'softmax'] as const;

for (const be of backendsUnderTest()) {
  test(`${be}: parameters appear on the first forward from X's width, dtype and backend; b starts at 0, gradients at 0`, (t) => {
    const fc = new FullyConnected(8, 'relu', { generator: new Generator(1) });
    t.is(fc.nIn, null);
    t.is(fc.parameters.size, 0);
    const X = randn(new Generator(2), [5, 4], be);
    fc.forward(X);
    t.is(fc.nIn, 4);
    const W = fc.parameters.get('W')!, b = fc.parameters.get('b')!;
    t.deepEqual([...W.shape], [4, 8]);
    t.deepEqual([...b.shape], [1, 8]);
    t.is(W.dtype, 'float64');
    t.is(W.backend.name, be);
    t.true(Array.from(b.data).every((v) => v === 0));
    t.deepEqual([...fc.gradients.keys()], ['W', 'b']);
    // xavier_uniform by default: |W| ≤ sqrt(6 / (4 + 8)).
    t.true(Array.from(W.data).every((v) => Math.abs(v) <= Math.sqrt(6 / 12)));
    t.is(fc.describe(), 'FullyConnected 4→8 relu');
  });

  test(`${be}: with nIn the parameters exist up front (dtype and backend from the options); the same seed gives the same weights`, (t) => {
    const a = new FullyConnected(3, 'linear', { nIn: 6, dtype: 'float64', backend: be, generator: new Generator(7), init: 'he_normal' });
    const b = new FullyConnected(3, 'linear', { nIn: 6, dtype: 'float64', backend: be, generator: new Generator(7), init: 'he_normal' });
    t.deepEqual([...a.parameters.get('W')!.shape], [6, 3]);
    t.deepEqual(Array.from(a.parameters.get('W')!.data), Array.from(b.parameters.get('W')!.data));
    t.is(a.config.init, 'he_normal');
    const f32 = new FullyConnected(3, 'relu', { nIn: 6, dtype: 'float32', backend: be });
    t.is(f32.parameters.get('W')!.dtype, 'float32');
  });

  for (const act of ACTS) {
    test(`${be}: FullyConnected ${act}: Y = σ(XW + b), the cache, and dW, db, dX equal autograd's`, (t) => {
      const gen = new Generator(11);
      const fc = new FullyConnected(5, act, { generator: gen, init: 'normal' });
      const X = randn(gen, [9, 4], be);
      const Y = fc.forward(X);
      t.deepEqual([...Y.shape], [9, 5]);
      t.deepEqual([...fc.cache.keys()], act === 'relu' ? ['X', 'Y'] : ['X', 'Z', 'Y']);
      t.is(fc.cache.get('X'), X);
      t.is(fc.cache.get('Y'), Y);
      // A nonzero bias, then the same net with autograd ops.
      fc.parameters.get('b')!.copy_(randn(gen, [1, 5], be));
      const Y2 = fc.forward(X);
      const W = fc.parameters.get('W')!.detach().requiresGrad_(), b = fc.parameters.get('b')!.detach().requiresGrad_();
      const x = X.detach().requiresGrad_();
      const z = x.matmul(W).add(b);
      const ref = act === 'linear' ? z : act === 'relu' ? z.relu() : autogradSoftmax(z);
      assertClose(t, Y2, ref.detach(), 1e-14, 'Y');
      if (act !== 'relu') assertClose(t, fc.cache.get('Z')!, z.detach(), 1e-14, 'Z');
      const g = randn(gen, [9, 5], be);
      ref.mul(g).sum().backward();
      const dX = fc.backward(g);
      assertClose(t, dX, x.grad!, 1e-13, 'dX');
      assertClose(t, fc.gradients.get('W')!, W.grad!, 1e-13, 'dW');
      assertClose(t, fc.gradients.get('b')!, b.grad!, 1e-13, 'db');
      t.deepEqual([...fc.gradients.get('b')!.shape], [1, 5]);
    });
  }

  test(`${be}: an activation instance can be passed in; it is what the layer uses`, (t) => {
    const relu = new ReLU();
    const fc = new FullyConnected(2, relu);
    t.is(fc.activation, relu);
    t.is(fc.forward(Tensor.ones([3, 2], { dtype: 'float64', backend: be })).shape[1], 2);
  });

  test(`${be}: bad input raises ShapeError / DTypeError / LayerStateError naming the layer`, (t) => {
    const fc = new FullyConnected(3, 'relu', { nIn: 4, dtype: 'float64', backend: be, name: 'hidden' });
    const back = t.throws(() => fc.backward(Tensor.zeros([2, 3], { dtype: 'float64', backend: be })), { instanceOf: LayerStateError });
    t.is(back!.message, 'FullyConnected "hidden": backward called before forward (no cached "X")');
    const wide = t.throws(() => fc.forward(Tensor.zeros([2, 5], { dtype: 'float64', backend: be })), { instanceOf: ShapeError });
    t.is(wide!.message, 'FullyConnected "hidden": the input has 5 columns but the layer has n_in = 4 (X is [2, 5])');
    t.throws(() => fc.forward(Tensor.zeros([4], { dtype: 'float64', backend: be })), { instanceOf: ShapeError, message: /FullyConnected "hidden": expects a batch B×n_in, not \[4\]/ });
    t.throws(() => fc.forward(Tensor.zeros([2, 4], { dtype: 'float32', backend: be })), { instanceOf: DTypeError, message: /FullyConnected "hidden": the input is float32/ });
    fc.forward(Tensor.zeros([2, 4], { dtype: 'float64', backend: be }));
    t.throws(() => fc.backward(Tensor.zeros([2, 4], { dtype: 'float64', backend: be })), { instanceOf: ShapeError, message: /FullyConnected "hidden": dLdY is \[2, 4\] but the forward output was \[2, 3\]/ });
    t.throws(() => new FullyConnected(0), { instanceOf: RangeError, message: /n_out must be a positive integer/ });
    t.throws(() => new FullyConnected(2, 'relu', { nIn: 1.5 }), { instanceOf: RangeError, message: /n_in must be a positive integer/ });
  });
}
