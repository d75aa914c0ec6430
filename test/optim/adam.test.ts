/** Adam: bias correction, hand-computed steps, weight decay on weights only, convergence, argument checks. */
import test from 'ava';
import { Adam } from '../../src/optim';
import { Tensor } from '../../src/tensor';
import { leastSquares, param, setGrad } from './helpers';

/** Adam for one scalar, by the paper (Kingma & Ba, Algorithm 1, with eps outside the sqrt). */
function adamReference(p0: number, grads: number[], lr: number, b1: number, b2: number, eps: number, wd = 0): number[] {
  let p = p0, m = 0, v = 0;
  return grads.map((g0, i) => {
    const g = g0 + wd * p;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const mHat = m / (1 - b1 ** (i + 1));
    const vHat = v / (1 - b2 ** (i + 1));
    p -= lr * mHat / (Math.sqrt(vHat) + eps);
    return p;
  });
}

test('step 1 moves every parameter by about lr·sign(g), whatever the gradient scale (bias correction)', (t) => {
  const p = param([1, 1, 1, 1]);
  const opt = new Adam([p], { lr: 0.01 });
  setGrad(p, [1e-3, -5, 1e4, -0.2]);
  opt.step();
  const moved = Array.from(p.data).map((v) => v - 1);
  [-0.01, 0.01, -0.01, 0.01].forEach((e, i) => t.true(Math.abs(moved[i] - e) < 1e-7, `${moved[i]} vs ${e}`));
});

test('three steps match the paper\'s algorithm by hand, for several betas', (t) => {
  for (const [b1, b2] of [[0.9, 0.999], [0.5, 0.9], [0, 0.99]] as const) {
    const grads = [[0.5, -2], [1, -1], [-0.25, 3]];
    const p = param([1, -1]);
    const opt = new Adam([p], { lr: 0.1, betas: [b1, b2], eps: 1e-8 });
    const ref = [0, 1].map((i) => adamReference([1, -1][i], grads.map((g) => g[i]), 0.1, b1, b2, 1e-8));
    grads.forEach((g, step) => {
      setGrad(p, g);
      opt.step();
      for (let i = 0; i < 2; i++) t.true(Math.abs(p.data[i] - ref[i][step]) < 1e-14, `betas ${b1},${b2} step ${step + 1}`);
    });
  }
});

test('weight decay (L2 on the gradient) applies to a 2-D weight, not to a 1-D bias', (t) => {
  const w = param([1, 2, 3, 4], [2, 2]);
  const b = param([1, 2]);
  const opt = new Adam([w, b], { lr: 0.1, weightDecay: 0.5 });
  const grads = [[0.1, -0.2], [0.3, 0.1]];
  for (const g of grads) {
    setGrad(w, [g[0], g[0], g[1], g[1]]);
    setGrad(b, g);
    opt.step();
  }
  const wRef = [1, 2, 3, 4].map((p0, i) => adamReference(p0, grads.map((g) => g[i < 2 ? 0 : 1]), 0.1, 0.9, 0.999, 1e-8, 0.5)[1]);
  const bRef = [1, 2].map((p0, i) => adamReference(p0, grads.map((g) => g[i]), 0.1, 0.9, 0.999, 1e-8)[1]);
  t.true(wRef.every((v, i) => Math.abs(w.data[i] - v) < 1e-14));
  t.true(bRef.every((v, i) => Math.abs(b.data[i] - v) < 1e-14));
  t.deepEqual(Array.from(b.grad!.data), [0.3, 0.1], '.grad is not modified');
});

test('a parameter whose first gradient comes late gets its own bias correction (first update ≈ lr·sign(g))', (t) => {
  const a = param([0]);
  const late = param([0]);
  const opt = new Adam([a, late], { lr: 0.01 });
  setGrad(a, [1]);
  opt.step();
  opt.step();
  t.is(late.data[0], 0);
  setGrad(late, [-3]);
  opt.step();
  t.true(Math.abs(late.data[0] - 0.01) < 1e-7, `first update of the late parameter: ${late.data[0]}`);
  // And from there it follows the paper's algorithm from its own step 1.
  setGrad(late, [2]);
  opt.step();
  const ref = adamReference(0, [-3, 2], 0.01, 0.9, 0.999, 1e-8);
  t.true(Math.abs(late.data[0] - ref[1]) < 1e-15);
});

test('Adam minimises a least-squares problem', (t) => {
  const { w, b, loss, error } = leastSquares(2);
  const opt = new Adam([w, b], { lr: 0.05 });
  const first = loss().item();
  for (let i = 0; i < 600; i++) {
    opt.zeroGrad();
    loss().backward();
    opt.step();
    if (i === 400) opt.lr = 0.005;
  }
  t.true(loss().item() < 1e-6 * first, `loss ${loss().item()} from ${first}`);
  t.true(error() < 1e-2, `parameter error ${error()}`);
});

test('Adam minimises a badly scaled quadratic (per-coordinate step sizes)', (t) => {
  const x = param([1, 1]);
  const scale = Tensor.from([1, 1000], { dtype: 'float64', backend: 'ts' });
  const opt = new Adam([x], { lr: 0.01 });
  for (let i = 0; i < 1000; i++) {
    opt.zeroGrad();
    x.square().mul(scale).sum().backward();
    opt.step();
  }
  t.true(Math.abs(x.data[0]) < 0.05 && Math.abs(x.data[1]) < 0.05, `${Array.from(x.data)}`);
});

test('bad hyper-parameters throw RangeError naming them', (t) => {
  const p = () => [param([1])];
  t.throws(() => new Adam(p(), { lr: -1 }), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => new Adam(p(), { lr: Number.NaN }), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => new Adam(p(), { betas: [1, 0.999] }), { instanceOf: RangeError, message: /betas/ });
  t.throws(() => new Adam(p(), { betas: [0.9, 1.5] }), { instanceOf: RangeError, message: /betas/ });
  t.throws(() => new Adam(p(), { betas: [-0.1, 0.999] }), { instanceOf: RangeError, message: /betas\[0\]/ });
  t.throws(() => new Adam(p(), { betas: [0.9, Number.NaN] }), { instanceOf: RangeError, message: /betas\[1\]/ });
  t.throws(() => new Adam(p(), { eps: -1e-8 }), { instanceOf: RangeError, message: /eps/ });
  t.throws(() => new Adam(p(), { weightDecay: -0.1 }), { instanceOf: RangeError, message: /weightDecay/ });
  t.throws(() => new Adam([]), { instanceOf: RangeError });
  t.notThrows(() => new Adam(p()));
});
