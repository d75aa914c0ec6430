/** SGD: hand-computed updates (momentum, weight decay on weights only unless decayAll), convergence, argument checks. */
import test from 'ava';
import { SGD } from '../../src/optim';
import { Tensor } from '../../src/tensor';
import { leastSquares, param, setGrad } from './helpers';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-14) => a.length === b.length && b.every((v, i) => Math.abs(a[i] - v) <= tol);

test('plain SGD: p -= lr·g; the gradient itself is left alone; lr can change between steps', (t) => {
  const p = param([1, -2, 3]);
  const opt = new SGD([p], { lr: 0.1 });
  setGrad(p, [1, 2, -4]);
  opt.step();
  t.true(close(p.data, [0.9, -2.2, 3.4]));
  t.deepEqual(Array.from(p.grad!.data), [1, 2, -4]);
  t.true(p.requiresGrad);
  t.is(p.gradFn, null);
  opt.lr = 0.5;
  opt.step();
  t.true(close(p.data, [0.4, -3.2, 5.4]));
});

test('momentum (PyTorch form v = μv + g, p -= lr·v) over three steps', (t) => {
  const p = param([1, 1]);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
  const grads = [[1, -1], [2, 0], [-1, 3]];
  const expected = [1, 1];
  const v = [0, 0];
  grads.forEach((g, step) => {
    setGrad(p, g);
    opt.step();
    for (let i = 0; i < 2; i++) {
      v[i] = step === 0 ? g[i] : 0.9 * v[i] + g[i];
      expected[i] -= 0.1 * v[i];
    }
    t.true(close(p.data, expected), `step ${step + 1}: ${Array.from(p.data)} vs ${expected}`);
  });
  // The first velocity is a copy: the stored gradient was not modified by later steps.
  t.deepEqual(Array.from(p.grad!.data), [-1, 3]);
});

test('weight decay applies to a 2-D weight but not to a 1-D bias unless decayAll', (t) => {
  const w = param([1, 2, 3, 4], [2, 2]);
  const b = param([1, -1]);
  const opt = new SGD([w, b], { lr: 0.1, weightDecay: 0.5 });
  setGrad(w, [0, 0, 0, 0]);
  setGrad(b, [1, 1]);
  opt.step();
  // w -= 0.1·(0 + 0.5 w) = 0.95 w; b -= 0.1·g only.
  t.true(close(w.data, [0.95, 1.9, 2.85, 3.8]));
  t.true(close(b.data, [0.9, -1.1]));

  const w2 = param([1, 2, 3, 4], [2, 2]);
  const b2 = param([1, -1]);
  const all = new SGD([w2, b2], { lr: 0.1, weightDecay: 0.5, decayAll: true });
  setGrad(w2, [0, 0, 0, 0]);
  setGrad(b2, [1, 1]);
  all.step();
  t.true(close(w2.data, [0.95, 1.9, 2.85, 3.8]));
  // b -= 0.1·(g + 0.5 b)
  t.true(close(b2.data, [1 - 0.1 * (1 + 0.5), -1 - 0.1 * (1 - 0.5)]));
  t.deepEqual(Array.from(b2.grad!.data), [1, 1], 'the decay does not write into .grad');
});

test('momentum with weight decay: the decayed gradient goes into the velocity', (t) => {
  const w = param([2, -2], [1, 2]);
  const opt = new SGD([w], { lr: 0.1, momentum: 0.5, weightDecay: 0.1 });
  setGrad(w, [1, 1]);
  opt.step(); // g' = [1.2, 0.8], v = g', w = [1.88, -2.08]
  t.true(close(w.data, [1.88, -2.08]));
  setGrad(w, [1, 1]);
  opt.step(); // g' = [1.188, 0.792], v = 0.5·[1.2, 0.8] + g' = [1.788, 1.192]
  t.true(close(w.data, [1.88 - 0.1788, -2.08 - 0.1192]));
});

test('parameters without a gradient are skipped; zeroGrad clears gradients', (t) => {
  const a = param([1]);
  const b = param([2]);
  const opt = new SGD([a, b], { lr: 1, momentum: 0.9 });
  setGrad(a, [1]);
  opt.step();
  t.deepEqual(Array.from(a.data), [0]);
  t.deepEqual(Array.from(b.data), [2]);
  opt.zeroGrad();
  t.is(a.grad, null);
  t.is(b.grad, null);
  opt.step();
  t.deepEqual(Array.from(a.data), [0]);
});

test('SGD minimises a least-squares problem (with and without momentum)', (t) => {
  for (const momentum of [0, 0.9]) {
    const { w, b, loss, error } = leastSquares(1);
    const opt = new SGD([w, b], { lr: momentum ? 0.1 : 0.5, momentum });
    const first = loss().item();
    for (let i = 0; i < 300; i++) {
      opt.zeroGrad();
      loss().backward();
      opt.step();
    }
    t.true(loss().item() < 1e-8 * first, `momentum ${momentum}: loss ${loss().item()} from ${first}`);
    t.true(error() < 1e-4, `momentum ${momentum}: parameter error ${error()}`);
  }
});

test('SGD on a quadratic: the first steps equal gradient descent by hand', (t) => {
  // f(x) = ½ xᵀ A x with A = diag(1, 10): x_{k+1} = (I - lr A) x_k.
  const x = param([1, 1]);
  const a = Tensor.from([1, 10], { dtype: 'float64', backend: 'ts' });
  const opt = new SGD([x], { lr: 0.05 });
  for (let k = 1; k <= 5; k++) {
    opt.zeroGrad();
    x.square().mul(a).sum().scale(0.5).backward();
    opt.step();
    t.true(close(x.data, [0.95 ** k, 0.5 ** k], 1e-15));
  }
});

test('bad hyper-parameters throw RangeError naming them', (t) => {
  const p = () => [param([1])];
  t.throws(() => new SGD(p(), { lr: -0.1 }), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => new SGD(p(), { lr: Number.NaN }), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => new SGD(p(), { lr: Infinity }), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => new SGD(p(), {} as never), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => new SGD(p(), { lr: 0.1, momentum: -0.5 }), { instanceOf: RangeError, message: /momentum/ });
  t.throws(() => new SGD(p(), { lr: 0.1, weightDecay: -1 }), { instanceOf: RangeError, message: /weightDecay/ });
  t.throws(() => new SGD([], { lr: 0.1 }), { instanceOf: RangeError, message: /at least one parameter/ });
  t.throws(() => new SGD([Tensor.zeros([2])], { lr: 0.1 }), { instanceOf: RangeError, message: /does not require grad/ });
  t.notThrows(() => new SGD(p(), { lr: 0.1, momentum: 0, weightDecay: 0 }));
});

test('step() records nothing even when called with grad recording on', (t) => {
  const p = param([1, 2]);
  const opt = new SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.1, decayAll: true });
  setGrad(p, [1, 1]);
  opt.step();
  t.is(p.gradFn, null);
  // A later backward through p still works and sees the updated values.
  p.grad = null;
  p.square().sum().backward();
  t.true(close(p.grad!.data, Array.from(p.data).map((v) => 2 * v)));
});
