/** autograd.jacobian: both modes, batched and not, against Jacobians known in closed form. */
import test from 'ava';
import { jacobian, type JacobianOptions } from '../../src/autograd';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { backendsUnderTest } from '../helpers/backends';
import { maxAbsDiff, rnd } from './helpers';

const WAYS: [string, JacobianOptions][] = [
  ['reverse', { mode: 'reverse' }], ['reverse batched', { mode: 'reverse', batched: true }],
  ['forward', { mode: 'forward' }], ['forward batched', { mode: 'forward', batched: true }],
];

for (const name of backendsUnderTest()) {
  test(`[${name}] a row-wise linear map x Aᵀ has Jacobian A, every way, and x is left alone`, (t) => {
    const gen = new Generator(1);
    const A = rnd(gen, [5, 3], name);
    const x = rnd(gen, [3], name);
    const before = x.toTypedArray();
    for (const [label, options] of WAYS) {
      const J = jacobian((v) => v.matmul(A, { transposeB: true }), x, options);
      t.deepEqual(J.shape, [5, 3], label);
      t.true(maxAbsDiff(J.toTypedArray(), A.toTypedArray()) <= 1e-15, `${label}: ${maxAbsDiff(J.toTypedArray(), A.toTypedArray())}`);
    }
    t.deepEqual(x.toTypedArray(), before);
    t.false(x.requiresGrad);
  });

  test(`[${name}] a nonlinear map: J of tanh(x Wᵀ) ⊙ c is diag(c (1 − y²)) W, every way`, (t) => {
    const gen = new Generator(2);
    const W = rnd(gen, [4, 6], name);
    const c = rnd(gen, [4], name);
    const x = rnd(gen, [6], name);
    const f = (v: Tensor) => v.matmul(W, { transposeB: true }).tanh().mul(c);
    const y = x.matmul(W, { transposeB: true }).tanh().toTypedArray();
    const w = W.toTypedArray(), cs = c.toTypedArray();
    const expected = Tensor.from(Array.from({ length: 24 }, (_, k) => {
      const i = Math.floor(k / 6);
      return cs[i] * (1 - y[i] * y[i]) * w[k];
    }), { dtype: 'float64', backend: name, shape: [4, 6] });
    for (const [label, options] of WAYS) {
      const J = jacobian(f, x, options);
      t.true(maxAbsDiff(J.toTypedArray(), expected.toTypedArray()) <= 1e-14, `${label}: ${maxAbsDiff(J.toTypedArray(), expected.toTypedArray())}`);
    }
  });

  test(`[${name}] shapes: J has shape [...out, ...in] (matrix input, vector output), unbatched ways`, (t) => {
    const gen = new Generator(3);
    const x = rnd(gen, [2, 3], name);
    // out_i = Σ_j x_ij², so ∂out_i/∂x_kj = 2 x_kj if i = k else 0.
    const f = (v: Tensor) => v.square().sum(1);
    const xs = x.toTypedArray();
    const expected = Tensor.from(Array.from({ length: 12 }, (_, k) => {
      const i = Math.floor(k / 6), r = Math.floor((k % 6) / 3);
      return i === r ? 2 * xs[k % 6] : 0;
    }), { dtype: 'float64', backend: name, shape: [2, 2, 3] });
    for (const mode of ['reverse', 'forward'] as const) {
      const J = jacobian(f, x, { mode });
      t.deepEqual(J.shape, [2, 2, 3], mode);
      t.true(maxAbsDiff(J.toTypedArray(), expected.toTypedArray()) <= 1e-15, mode);
    }
  });
}

test('jacobian: an unknown mode is a RangeError', (t) => {
  t.throws(() => jacobian((v) => v, Tensor.zeros([2]), { mode: 'sideways' as 'forward' }), { instanceOf: RangeError, message: /mode must be 'reverse' or 'forward'/ });
});
