/** nn.modular CrossEntropy: the mean cost, dJ/dŶ (against autograd and central differences), one-hot shape checks. */
import test from 'ava';
import { ShapeError } from '../../../src/errors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { assertClose, autogradSoftmax, oneHotRows, randn } from './helpers';

const { CrossEntropy, LayerStateError, checkLossGradient } = modular;

for (const be of backendsUnderTest()) {
  test(`${be}: J = −(1/m) Σ Y ln Ŷ and dJ/dŶ = −Y / (m Ŷ), equal to autograd`, (t) => {
    const gen = new Generator(5);
    const P = autogradSoftmax(randn(gen, [6, 3], be));
    const labels = [0, 2, 1, 1, 0, 2];
    const Y = oneHotRows(labels, 3, be);
    const ce = new CrossEntropy();
    const J = ce.forward(Y, P);
    const expected = -labels.reduce((s, y, i) => s + Math.log(P.data[i * 3 + y]), 0) / 6;
    t.true(Math.abs(J - expected) < 1e-15, `${J} vs ${expected}`);
    t.is(ce.cache.get('Y'), Y);
    t.is(ce.cache.get('Y_hat'), P);
    const d = ce.backward();
    const p = P.detach().requiresGrad_();
    Y.mul(p.log()).sum().scale(-1 / 6).backward();
    assertClose(t, d, p.grad!, 1e-15, 'dJ/dŶ');
    // The seed's signature backward(Y, Ŷ) gives the same.
    assertClose(t, ce.backward(Y, P), d, 0, 'backward(Y, Ŷ)');
    const r = checkLossGradient(ce, Y, P);
    t.true(r.maxRelativeError <= 1e-8, `finite differences ${r.maxRelativeError}`);
  });

  test(`${be}: a zero probability gives a large finite cost (no NaN where Y is 0)`, (t) => {
    const ce = new CrossEntropy();
    const P = Tensor.from([[1, 0, 0], [0.5, 0.5, 0]], { dtype: 'float64', backend: be });
    t.is(ce.forward(oneHotRows([0, 0], 3, be), P), Math.log(2) / 2);
    const J = ce.forward(oneHotRows([1, 0], 3, be), P);
    t.true(Number.isFinite(J) && J > 300, String(J));
    t.true(Array.from(ce.backward().data).every(Number.isFinite));
  });

  test(`${be}: one-hot shape mismatch and backward before forward are clear errors`, (t) => {
    const ce = new CrossEntropy();
    t.throws(() => ce.backward(), { instanceOf: LayerStateError, message: 'CrossEntropy: backward called before forward (no cached Y, Ŷ)' });
    const P = Tensor.full([4, 3], 1 / 3, { dtype: 'float64', backend: be });
    t.throws(() => ce.forward(oneHotRows([0, 1, 2, 0], 4, be), P), { instanceOf: ShapeError, message: 'CrossEntropy: one-hot targets [4, 4] do not match predictions [4, 3]' });
    t.throws(() => ce.forward(oneHotRows([0, 1, 2], 3, be), P), { instanceOf: ShapeError, message: /one-hot targets \[3, 3\] do not match predictions \[4, 3\]/ });
    t.throws(() => ce.forward(Tensor.zeros([3], { dtype: 'float64', backend: be }), Tensor.zeros([3], { dtype: 'float64', backend: be })), { instanceOf: ShapeError, message: /must be m×k/ });
    t.throws(() => ce.backward(oneHotRows([0], 3, be), undefined), { message: /both Y and Ŷ, or neither/ });
  });
}
