/** nn.modular gradient checker: ≤ 1e-8 on every layer type and on a whole model + cost, per tensor; it catches a wrong backward; it restores what it perturbs. */
import test from 'ava';
import { DTypeError } from '../../../src/errors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import type { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';
import { oneHotRows, randn } from './helpers';

const { CrossEntropy, FullyConnected, Linear, Model, ReLU, Sequential, Softmax, checkGradients, checkLossGradient, formatGradientCheck, relativeError } = modular;

const TOL = 1e-8;

/** A Linear activation whose backward is wrong by a factor 2. */
class BrokenLinear extends Linear {
  override backward(dLdY: Tensor): Tensor { return super.backward(dLdY).scale(2); }
}

for (const be of backendsUnderTest()) {
  const layers: [string, () => modular.Layer][] = [
    ['Linear', () => new Linear()],
    ['ReLU', () => new ReLU()],
    ['Softmax', () => new Softmax()],
    ['FullyConnected linear', () => new FullyConnected(5, 'linear', { generator: new Generator(1) })],
    ['FullyConnected relu', () => new FullyConnected(5, 'relu', { generator: new Generator(2) })],
    ['FullyConnected softmax', () => new FullyConnected(5, 'softmax', { generator: new Generator(3), init: 'normal' })],
    ['Sequential', () => new Sequential([new FullyConnected(6, 'relu', { generator: new Generator(4) }), new FullyConnected(3, 'softmax', { generator: new Generator(5) })])],
  ];
  for (const [label, make] of layers) {
    test(`${be}: ${label}: every parameter and the input within ${TOL}`, (t) => {
      const layer = make();
      const X = randn(new Generator(7), [8, 4], be);
      const r = checkGradients(layer, X);
      const params = [...layer.parameters.keys()];
      t.deepEqual(r.tensors.map((c) => c.name), [...params, 'X']);
      for (const c of r.tensors) {
        t.true(c.relativeError <= TOL, `${c.name}: ${c.relativeError}`);
        t.true(c.analyticNorm > 0, `${c.name} has a nonzero gradient`);
      }
      t.is(r.objective, 'projection');
      t.is(r.maxRelativeError, Math.max(...r.tensors.map((c) => c.relativeError)));
    });
  }

  test(`${be}: a whole Model with its cross-entropy cost, per tensor within ${TOL}; printed as a table`, (t) => {
    const gen = new Generator(11);
    const model = new Model([new FullyConnected(10, 'relu', { generator: gen }), new FullyConnected(3, 'softmax', { generator: gen })], new CrossEntropy());
    const X = randn(gen, [12, 4], be);
    const Y = oneHotRows([0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 1, 0], 3, be);
    const log = console.log;
    let printed = '';
    console.log = (s: string) => { printed += s; };
    let r: modular.GradientCheckResult;
    try {
      r = checkGradients(model, X, { Y, print: true });
    } finally {
      console.log = log;
    }
    t.is(r.objective, 'cost');
    t.deepEqual(r.tensors.map((c) => [c.name, c.shape]), [
      ['fully_connected_0.W', [4, 10]], ['fully_connected_0.b', [1, 10]], ['fully_connected_1.W', [10, 3]], ['fully_connected_1.b', [1, 3]], ['X', [12, 4]],
    ]);
    for (const c of r.tensors) t.true(c.relativeError <= TOL, `${c.name}: ${c.relativeError}`);
    t.is(printed, formatGradientCheck(r));
    t.regex(printed, /dJ\/dfully_connected_0\.W\s+\[4×10\]/);
    t.regex(printed, /relative error/);
  });

  test(`${be}: the cost alone: dJ/dŶ within ${TOL}`, (t) => {
    const gen = new Generator(12);
    const P = new Softmax().forward(randn(gen, [5, 4], be));
    const r = checkLossGradient(new CrossEntropy(), oneHotRows([3, 1, 0, 2, 1], 4, be), P);
    t.true(r.maxRelativeError <= TOL, String(r.maxRelativeError));
  });

  test(`${be}: a wrong backward is caught; parameters and X are left as they were, gradients as at the unperturbed point`, (t) => {
    const bad = checkGradients(new Sequential([new FullyConnected(3, 'relu', { generator: new Generator(1) }), new BrokenLinear()]), randn(new Generator(2), [4, 2], be));
    t.true(bad.maxRelativeError > 0.3, String(bad.maxRelativeError));
    const fc = new FullyConnected(3, 'relu', { generator: new Generator(3) });
    const X = randn(new Generator(4), [4, 2], be);
    const before = Array.from(X.data);
    checkGradients(fc, X);
    t.deepEqual(Array.from(X.data), before);
    const W = Array.from(fc.parameters.get('W')!.data);
    const dW = Array.from(fc.gradients.get('W')!.data);
    checkGradients(fc, X);
    t.deepEqual(Array.from(fc.parameters.get('W')!.data), W, 'restored exactly');
    t.deepEqual(Array.from(fc.gradients.get('W')!.data), dW, 'gradients of the unperturbed point');
  });

  test(`${be}: float32 tensors and targets for a plain layer are refused`, (t) => {
    const X32 = randn(new Generator(1), [2, 2], be).astype('float32');
    t.throws(() => checkGradients(new ReLU(), X32), { instanceOf: DTypeError, message: /needs float64 tensors; the input X is float32/ });
    const fc = new FullyConnected(2, 'relu', { nIn: 2, dtype: 'float32', backend: be });
    t.throws(() => checkGradients(fc, randn(new Generator(1), [2, 2], be)), { instanceOf: DTypeError });
    t.throws(() => checkGradients(new ReLU(), randn(new Generator(1), [2, 2], be), { Y: randn(new Generator(1), [2, 2], be) }), { instanceOf: TypeError, message: /targets Y are for a Model/ });
  });
}

test('relativeError: ‖a − b‖ / (‖a‖ + ‖b‖), 0 for two zero vectors', (t) => {
  t.is(relativeError([0, 0], [0, 0]).relative, 0);
  t.is(relativeError([3, 4], [0, 0]).relative, 1);
  const d = (1 + 1e-6) - 1;
  t.true(Math.abs(relativeError([1, 1], [1, 1 + 1e-6]).relative - d / (Math.SQRT2 + Math.hypot(1, 1 + 1e-6))) < 1e-18);
  t.is(relativeError([1, 2], [1, 2]).maxAbs, 0);
});
