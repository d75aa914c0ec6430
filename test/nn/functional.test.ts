/** nn.functional: values against direct formulas, stability at extreme inputs, argument errors, gradchecks. */
import test from 'ava';
import { backendsUnderTest } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import * as F from '../../src/nn/functional';
import { Tensor } from '../../src/tensor';
import { assertGradcheck, awayFromZero, maxAbsDiff, rnd, seeded } from '../autograd/helpers';

/** Row-major direct log-softmax of an m×c array, in doubles. */
function directLogSoftmax(x: ArrayLike<number>, m: number, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    const row = Array.from({ length: c }, (_, j) => x[i * c + j]);
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    out.push(...row.map((v) => v - lse));
  }
  return out;
}

for (const name of backendsUnderTest()) {
  const f64 = (v: Parameters<typeof Tensor.from>[0], requiresGrad = false) => Tensor.from(v, { dtype: 'float64', backend: name, requiresGrad });

  test(`[${name}] crossEntropy equals the mean of -log softmax at the labels`, (t) => {
    const gen = seeded(`${name} ce`);
    const x = rnd(gen, [5, 4], name, -3, 3);
    const labels = Int32Array.from([0, 3, 1, 1, 2]);
    const lp = directLogSoftmax(x.data, 5, 4);
    const expected = -[0, 1, 2, 3, 4].reduce((s, i) => s + lp[i * 4 + labels[i]], 0) / 5;
    t.true(Math.abs(F.crossEntropy(x, labels).item() - expected) < 1e-12);
    t.deepEqual(F.crossEntropy(x, labels).shape, []);
    // The same through logSoftmax + nllLoss, and through the loss gradient (softmax - onehot) / m.
    t.true(Math.abs(F.nllLoss(F.logSoftmax(x), labels).item() - expected) < 1e-12);
    const xl = x.detach().requiresGrad_();
    F.crossEntropy(xl, labels).backward();
    const expectedGrad = lp.map((v, k) => (Math.exp(v) - (labels[Math.floor(k / 4)] === k % 4 ? 1 : 0)) / 5);
    t.true(maxAbsDiff(xl.grad!.data, expectedGrad) < 1e-12);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    test(`[${name}] crossEntropy of logits ±1000 is finite and right (${dtype})`, (t) => {
      const x = Tensor.from([[1000, -1000, 0], [-1000, 1000, 1000], [5, 5, 5]], { dtype, backend: name, requiresGrad: true });
      // Row losses: label 0 -> ~0; label 0 -> 2000 + log 2; all-equal row -> log 3.
      const loss = F.crossEntropy(x, Int32Array.from([0, 0, 2]));
      const expected = (0 + 2000 + Math.LN2 + Math.log(3)) / 3;
      t.true(Number.isFinite(loss.item()));
      t.true(Math.abs(loss.item() - expected) < (dtype === 'float64' ? 1e-12 : 1e-3), `${loss.item()} vs ${expected}`);
      loss.backward();
      t.true(Array.from(x.grad!.data).every(Number.isFinite));
      const g = x.grad!.toArray() as number[][];
      t.true(Math.abs(g[0][0]) < 1e-6);
      t.true(Math.abs(g[1][0] + 1 / 3) < 1e-6);
      t.true(Math.abs(g[1][1] - 1 / 6) < 1e-6);
      // Softmax and log-softmax at ±1000 stay finite and exact.
      const sm = F.softmax(x.detach());
      t.true(Array.from(sm.data).every(Number.isFinite));
      t.deepEqual((sm.toArray() as number[][])[0].map((v) => Math.round(v * 1e6) / 1e6), [1, 0, 0]);
      const ls = F.logSoftmax(x.detach()).toArray() as number[][];
      t.true(Math.abs(ls[0][1] + 2000) < 1e-3);
      t.true(Math.abs(ls[1][0] + 2000 + Math.LN2) < 1e-3);
    });
  }

  test(`[${name}] crossEntropy corner cases: a single class, a batch of one, one-hot logits`, (t) => {
    t.is(F.crossEntropy(f64([[3], [-7]]), Int32Array.from([0, 0])).item(), 0);
    const one = F.crossEntropy(f64([[1, 2, 3]]), Int32Array.from([2])).item();
    t.true(Math.abs(one - (Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3)) < 1e-12);
    const oneHot = F.crossEntropy(f64([[0, 1, 0], [1, 0, 0]]), Int32Array.from([1, 0])).item();
    t.true(Math.abs(oneHot - (Math.log(2 + Math.E) - 1)) < 1e-12);
  });

  test(`[${name}] crossEntropy and nllLoss check their labels and shapes`, (t) => {
    const x = f64([[1, 2], [3, 4]]);
    for (const fn of [F.crossEntropy, F.nllLoss]) {
      t.throws(() => fn(x, Int32Array.from([0, 2])), { instanceOf: RangeError, message: /label 2 at row 1/ });
      t.throws(() => fn(x, Int32Array.from([-1, 0])), { instanceOf: RangeError });
      t.throws(() => fn(x, Int32Array.from([0])), { instanceOf: ShapeError });
      t.throws(() => fn(x, [0, 1] as unknown as Int32Array), { instanceOf: TypeError });
      t.throws(() => fn(f64([1, 2]), Int32Array.from([0])), { instanceOf: ShapeError });
    }
  });

  test(`[${name}] nllLoss is -mean of the picked entries`, (t) => {
    const lp = f64([[-1, -2, -3], [-0.5, -0.25, -4]], true);
    const loss = F.nllLoss(lp, Int32Array.from([2, 1]));
    t.is(loss.item(), (3 + 0.25) / 2);
    loss.backward();
    t.deepEqual(lp.grad!.toArray(), [[0, 0, -0.5], [0, -0.5, 0]]);
  });

  test(`[${name}] softmax rows sum to 1 and logSoftmax equals the direct formula`, (t) => {
    const gen = seeded(`${name} softmax`);
    const x = rnd(gen, [4, 6], name, -10, 10);
    const s = F.softmax(x);
    for (const v of s.sum(1).data) t.true(Math.abs(v - 1) < 1e-14);
    t.true(Array.from(s.data).every((v) => v > 0 && v <= 1));
    t.true(maxAbsDiff(F.logSoftmax(x).data, directLogSoftmax(x.data, 4, 6)) < 1e-12);
    // Over the last axis of a 3-D tensor.
    const y = rnd(gen, [2, 3, 5], name, -3, 3);
    t.true(maxAbsDiff(F.softmax(y).sum(-1).data, new Float64Array(6).fill(1)) < 1e-14);
    t.true(maxAbsDiff(F.logSoftmax(y).data, directLogSoftmax(y.data, 6, 5)) < 1e-12);
    // Shift invariance.
    t.true(maxAbsDiff(F.softmax(x.add(123)).data, s.data) < 1e-14);
  });

  test(`[${name}] logCoshLoss equals log(cosh(d)) for moderate d and |d| - log 2 far out, without overflow`, (t) => {
    const d = [-3, -1.5, -0.2, 0, 0.1, 0.7, 2, 3.5];
    const p = f64(d);
    const zero = f64(d.map(() => 0));
    const expected = d.reduce((s, v) => s + Math.log(Math.cosh(v)), 0) / d.length;
    t.true(Math.abs(F.logCoshLoss(p, zero).item() - expected) < 1e-14);
    // As a difference: prediction - target.
    t.true(Math.abs(F.logCoshLoss(p.add(2), zero.add(2)).item() - expected) < 1e-14);
    for (const far of [50, -50, 1000, -1000]) {
      const v = F.logCoshLoss(f64([far]), f64([0])).item();
      t.true(Number.isFinite(v), `d=${far}`);
      t.true(Math.abs(v - (Math.abs(far) - Math.LN2)) < 1e-12 * Math.abs(far), `d=${far}: ${v}`);
    }
    // Its derivative is tanh(d) / n, finite at |d| = 1000 too.
    const q = f64([-1000, -50, -1, 0, 0.5, 50], true);
    F.logCoshLoss(q, f64([0, 0, 0, 0, 0, 0])).backward();
    t.true(maxAbsDiff(q.grad!.data, [-1000, -50, -1, 0, 0.5, 50].map((v) => Math.tanh(v) / 6)) < 1e-15);
  });

  test(`[${name}] mseLoss equals the mean squared difference; shapes must match`, (t) => {
    const p = f64([[1, 2], [3, 4]], true);
    const y = f64([[0, 2], [5, 3]]);
    const loss = F.mseLoss(p, y);
    t.is(loss.item(), (1 + 0 + 4 + 1) / 4);
    loss.backward();
    t.deepEqual(p.grad!.toArray(), [[0.5, 0], [-1, 0.5]]);
    t.throws(() => F.mseLoss(p, f64([1, 2, 3, 4])), { instanceOf: ShapeError });
    t.throws(() => F.logCoshLoss(p, f64([1, 2, 3, 4])), { instanceOf: ShapeError });
  });

  test(`[${name}] linear equals x Wᵀ + b then the activation, with and without bias`, (t) => {
    const gen = seeded(`${name} linear`);
    const x = rnd(gen, [3, 4], name);
    const w = rnd(gen, [5, 4], name);
    const b = rnd(gen, [5], name);
    const direct = x.matmul(w.T).add(b);
    t.true(maxAbsDiff(F.linear(x, w, b).data, direct.data) < 1e-14);
    t.true(maxAbsDiff(F.linear(x, w, b, 'relu').data, direct.relu().data) < 1e-14);
    t.true(maxAbsDiff(F.linear(x, w, b, 'tanh').data, direct.tanh().data) < 1e-14);
    t.true(maxAbsDiff(F.linear(x, w).data, x.matmul(w.T).data) < 1e-14);
    t.true(maxAbsDiff(F.linear(x, w, null, 'tanh').data, x.matmul(w.T).tanh().data) < 1e-14);
    t.deepEqual(F.linear(x, w).shape, [3, 5]);
    t.throws(() => F.linear(x, rnd(gen, [5, 3], name)), { instanceOf: ShapeError });
    t.throws(() => F.biasActivation(x, rnd(gen, [3], name)), { instanceOf: ShapeError });
    t.throws(() => F.biasActivation(x, Tensor.zeros([4], { dtype: 'float32', backend: name })), { instanceOf: ShapeError });
  });

  test(`[${name}] layerNorm equals the direct formula (with residual and relu); checks its shapes`, (t) => {
    const gen = seeded(`${name} layerNorm`);
    const [m, n] = [3, 5];
    const x = rnd(gen, [m, n], name, -2, 2);
    const r = rnd(gen, [m, n], name, -2, 2);
    const gamma = rnd(gen, [n], name, 0.5, 1.5);
    const beta = rnd(gen, [n], name, -0.5, 0.5);
    const eps = 1e-5;
    const direct = (withResidual: boolean, relu: boolean) => {
      const out: number[] = [];
      for (let i = 0; i < m; i++) {
        const z = Array.from({ length: n }, (_, j) => x.data[i * n + j] + (withResidual ? r.data[i * n + j] : 0));
        const mu = z.reduce((s, v) => s + v, 0) / n;
        const variance = z.reduce((s, v) => s + (v - mu) ** 2, 0) / n;
        for (let j = 0; j < n; j++) {
          const v = gamma.data[j] * (z[j] - mu) / Math.sqrt(variance + eps) + beta.data[j];
          out.push(relu ? Math.max(v, 0) : v);
        }
      }
      return out;
    };
    t.true(maxAbsDiff(F.layerNorm(x, gamma, beta).data, direct(false, false)) < 1e-12);
    t.true(maxAbsDiff(F.layerNorm(x, gamma, beta, { residual: r }).data, direct(true, false)) < 1e-12);
    t.true(maxAbsDiff(F.layerNorm(x, gamma, beta, { residual: r, act: 'relu' }).data, direct(true, true)) < 1e-12);
    // gamma = 1, beta = 0: each row has mean 0 and (biased) variance 1 - eps·rstd².
    const plain = F.layerNorm(x, Tensor.ones([n], { dtype: 'float64', backend: name }), Tensor.zeros([n], { dtype: 'float64', backend: name }));
    for (const v of plain.mean(1).data) t.true(Math.abs(v) < 1e-14);
    t.throws(() => F.layerNorm(x, rnd(gen, [4], name), beta), { instanceOf: ShapeError });
    t.throws(() => F.layerNorm(x, gamma, beta, { residual: rnd(gen, [n, m], name) }), { instanceOf: ShapeError });
  });

  test(`[${name}] appendOnes adds a column of ones; the gradient reaches x only`, (t) => {
    const x = f64([[1, 2], [3, 4], [5, 6]], true);
    const y = F.appendOnes(x);
    t.deepEqual(y.toArray(), [[1, 2, 1], [3, 4, 1], [5, 6, 1]]);
    t.is(y.dtype, 'float64');
    t.is(y.backend.name, name);
    y.mul(f64([[1, 2, 3], [4, 5, 6], [7, 8, 9]])).sum().backward();
    t.deepEqual(x.grad!.toArray(), [[1, 2], [4, 5], [7, 8]]);
    // [X, 1] W is X W[:-1] + W[-1] (the folded bias).
    const gen = seeded(`${name} appendOnes`);
    const xs = rnd(gen, [4, 3], name);
    const w = rnd(gen, [4, 2], name);
    t.true(maxAbsDiff(F.appendOnes(xs).matmul(w).data, xs.matmul(w.slice(0, 0, 3)).add(w.slice(0, 3, 4)).data) < 1e-14);
    t.deepEqual(F.appendOnes(Tensor.zeros([0, 2], { dtype: 'float64', backend: name })).shape, [0, 3]);
    t.throws(() => F.appendOnes(f64([1, 2])), { instanceOf: ShapeError });
    t.is(F.appendOnes(Tensor.zeros([2, 2], { dtype: 'float32', backend: name })).dtype, 'float32');
  });

  test(`[${name}] gradcheck of the losses with respect to predictions and targets`, (t) => {
    const gen = seeded(`${name} loss gradcheck`);
    assertGradcheck(t, (p, y) => F.mseLoss(p, y), [rnd(gen, [3, 2], name), rnd(gen, [3, 2], name)], {}, 'mse');
    assertGradcheck(t, (p, y) => F.logCoshLoss(p, y), [awayFromZero(gen, [3, 2], name, 0.1, 3), Tensor.zeros([3, 2], { dtype: 'float64', backend: name })], {}, 'logCosh');
    assertGradcheck(t, (p, y) => F.logCoshLoss(p, y), [rnd(gen, [4], name, -3, 3), rnd(gen, [4], name, -3, 3)], {}, 'logCosh (target)');
    assertGradcheck(t, (x) => F.crossEntropy(x, Int32Array.from([2, 0, 1])), [rnd(gen, [3, 4], name, -3, 3)], {}, 'crossEntropy');
    assertGradcheck(t, (x) => F.nllLoss(F.logSoftmax(x), Int32Array.from([2, 0, 1])), [rnd(gen, [3, 4], name, -3, 3)], {}, 'nll∘logSoftmax');
  });
}
