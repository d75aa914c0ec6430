/** nn.modular activations: values, caches, backward against autograd (the softmax Jacobian too), errors. */
import test from 'ava';
import { ShapeError } from '../../../src/errors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { assertClose, autogradSoftmax, randn } from './helpers';

const { Linear, ReLU, Softmax, LayerStateError, activationFromName } = modular;

for (const be of backendsUnderTest()) {
  test(`${be}: Linear is the identity both ways and caches Z and Y`, (t) => {
    const Z = randn(new Generator(1), [5, 3], be);
    const a = new Linear();
    const Y = a.forward(Z);
    t.deepEqual(Array.from(Y.data), Array.from(Z.data));
    t.is(a.cache.get('Z'), Z);
    t.is(a.cache.get('Y'), Y);
    t.deepEqual(a.parameters.size + a.gradients.size, 0);
    const g = randn(new Generator(2), [5, 3], be);
    t.deepEqual(Array.from(a.backward(g).data), Array.from(g.data));
    t.is(a.fused, 'identity');
  });

  test(`${be}: ReLU forward is max(z, 0), backward masks by Y > 0 (matches autograd)`, (t) => {
    const gen = new Generator(3);
    const Z = randn(gen, [7, 4], be);
    const a = new ReLU();
    const Y = a.forward(Z);
    t.deepEqual(Array.from(Y.data), Array.from(Z.data, (v) => Math.max(v, 0)));
    t.deepEqual([...a.cache.keys()], ['Z', 'Y']);
    const g = randn(gen, [7, 4], be);
    const dZ = a.backward(g);
    t.deepEqual(Array.from(dZ.data), Array.from(g.data, (v, i) => (Z.data[i] > 0 ? v : 0)));
    const z = Z.detach().requiresGrad_();
    z.relu().mul(g).sum().backward();
    assertClose(t, dZ, z.grad!, 0, 'dL/dZ vs autograd');
    t.is(a.fused, 'relu');
  });

  test(`${be}: Softmax rows sum to 1, stable for huge logits; backward through the Jacobian matches autograd and the explicit Jacobian`, (t) => {
    const gen = new Generator(4);
    const Z = randn(gen, [6, 5], be, 3);
    const a = new Softmax();
    const S = a.forward(Z);
    for (let i = 0; i < 6; i++) {
      const row = Array.from(S.data.subarray(i * 5, i * 5 + 5));
      t.true(Math.abs(row.reduce((x, y) => x + y, 0) - 1) < 1e-14);
    }
    const g = randn(gen, [6, 5], be);
    const dZ = a.backward(g);
    const z = Z.detach().requiresGrad_();
    autogradSoftmax(z).mul(g).sum().backward();
    assertClose(t, dZ, z.grad!, 1e-13, 'dL/dZ vs autograd');
    // Row by row with the explicit Jacobian J = diag(s) − s sᵀ.
    for (let i = 0; i < 6; i++) {
      const s = Array.from(S.data.subarray(i * 5, i * 5 + 5)), dy = Array.from(g.data.subarray(i * 5, i * 5 + 5));
      for (let j = 0; j < 5; j++) {
        let v = 0;
        for (let k = 0; k < 5; k++) v += ((j === k ? s[j] : 0) - s[j] * s[k]) * dy[k];
        t.true(Math.abs(v - dZ.data[i * 5 + j]) < 1e-14, `row ${i}, ${j}`);
      }
    }
    const big = a.forward(Tensor.from([[1000, 0, -1000]], { dtype: 'float64', backend: be }));
    t.deepEqual(Array.from(big.data), [1, 0, 0]);
    t.is(a.fused, null);
  });

  test(`${be}: activations refuse backward before forward and a dLdY of the wrong shape, naming the layer`, (t) => {
    for (const name of ['linear', 'relu', 'softmax'] as const) {
      const a = activationFromName(name);
      const err = t.throws(() => a.backward(Tensor.zeros([2, 2], { dtype: 'float64', backend: be })), { instanceOf: LayerStateError });
      t.regex(err!.message, /backward called before forward/);
      t.true(err!.message.startsWith(a.kind), err!.message);
      a.forward(Tensor.zeros([2, 3], { dtype: 'float64', backend: be }));
      const e2 = t.throws(() => a.backward(Tensor.zeros([3, 2], { dtype: 'float64', backend: be })), { instanceOf: ShapeError });
      t.regex(e2!.message, /dLdY is \[3, 2\] but the forward output was \[2, 3\]/);
    }
    t.throws(() => activationFromName('tanh' as 'relu'), { message: /Unknown activation "tanh"/ });
  });
}
