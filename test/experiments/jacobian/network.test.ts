import test from 'ava';
import { backend } from '../../../src/backend';
import {
  chainCosts, finiteDifferenceJacobian, handJacobian, jacobianBy, makeWeights, maxDifference, METHODS, network, SEED_SIZES,
} from '../../../src/experiments/jacobian/network';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';

for (const name of backendsUnderTest()) {
  test(`[${name}] the four Jacobians equal the chain rule by hand (≤ 1e-12 relative, float64) and central differences`, (t) => {
    const gen = new Generator(5);
    for (const layers of [1, 3, 3, 3, 6]) {
      const weights = makeWeights(layers, SEED_SIZES, gen, 'float64', backend(name));
      const x = Tensor.randn([SEED_SIZES.D], { dtype: 'float64', backend: name, generator: gen, std: 2 });
      const f = network(weights);
      const hand = handJacobian(weights, x);
      const fd = maxDifference(finiteDifferenceJacobian(f, x, 1e-6), hand);
      t.true(fd.abs / fd.scale <= 1e-7, `L=${layers}: finite differences ${fd.abs / fd.scale}`);
      for (const method of METHODS) {
        const J = jacobianBy(method, f, x);
        t.deepEqual(J.shape, [SEED_SIZES.P, SEED_SIZES.D]);
        const d = maxDifference(J.toTypedArray(), hand);
        t.true(d.abs / d.scale <= 1e-12, `L=${layers} ${method}: ${d.abs / d.scale}`);
      }
    }
  });
}

test('network is row-wise: a batch of inputs gives the rows of f applied to each', (t) => {
  const gen = new Generator(6);
  const f = network(makeWeights(3, SEED_SIZES, gen, 'float64', backend('ts')));
  const X = Tensor.randn([4, 2], { dtype: 'float64', backend: 'ts', generator: gen });
  const Y = f(X).toTypedArray();
  for (let i = 0; i < 4; i++) {
    const y = f(X.sliceRows(i, i + 1).reshape(2)).toTypedArray();
    t.deepEqual(Array.from(Y.subarray(i * 10, i * 10 + 10)), Array.from(y));
  }
});

test('chainCosts: the seed\'s matrix-chain counts', (t) => {
  t.deepEqual(chainCosts(3, SEED_SIZES), { forward: 2 * 30 * 30 * 2 + 10 * 30 * 2, reverse: 2 * 10 * 30 * 30 + 10 * 30 * 2, evaluation: 60 + 2 * 900 + 300 });
  t.deepEqual(chainCosts(1, SEED_SIZES), { forward: 600, reverse: 600, evaluation: 360 });
  // Forward mode is cheaper exactly when D < P.
  t.true(chainCosts(10, { D: 12, K: 30, P: 10 }).forward > chainCosts(10, { D: 12, K: 30, P: 10 }).reverse);
});
