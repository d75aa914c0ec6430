/** The reverse-mode graph: backward, accumulation, grad(), noGrad, detach, requiresGrad rules, in-place guards. */
import test from 'ava';
import { enableGrad, grad, isGradEnabled, noGrad } from '../../src/autograd';
import { backendsUnderTest } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import { Tensor } from '../../src/tensor';
import { maxAbsDiff, rnd, seeded } from './helpers';

for (const name of backendsUnderTest()) {
  const f64 = (v: Parameters<typeof Tensor.from>[0], requiresGrad = false) => Tensor.from(v, { dtype: 'float64', backend: name, requiresGrad });

  test(`[${name}] backward of a scalar function of a scalar`, (t) => {
    const x = f64(2, true);
    const y = x.mul(x).add(x.scale(3)).add(1); // x² + 3x + 1, dy/dx = 2x + 3
    t.is(y.item(), 11);
    t.true(y.requiresGrad);
    y.backward();
    t.is(x.grad!.item(), 7);
    t.deepEqual(x.grad!.shape, []);
    t.is(x.grad!.dtype, 'float64');
    t.is(x.grad!.backend.name, name);
  });

  test(`[${name}] gradients accumulate over two backward calls`, (t) => {
    const x = f64([1, -2, 3], true);
    const loss = () => x.square().sum();
    loss().backward();
    t.deepEqual(Array.from(x.grad!.data), [2, -4, 6]);
    loss().backward();
    t.deepEqual(Array.from(x.grad!.data), [4, -8, 12]);
    x.grad = null;
    loss().backward();
    t.deepEqual(Array.from(x.grad!.data), [2, -4, 6]);
  });

  test(`[${name}] a tensor used twice gets the sum of both gradients`, (t) => {
    const x = f64([1, 2, 3], true);
    x.mul(x).sum().backward();
    t.deepEqual(Array.from(x.grad!.data), [2, 4, 6]);
    x.grad = null;
    x.add(x).sum().backward();
    t.deepEqual(Array.from(x.grad!.data), [2, 2, 2]);
    x.grad = null;
    // Through two branches of different lengths: y = x·exp(x) + sum(x)
    const y = x.mul(x.exp()).add(x.sum());
    y.sum().backward();
    const expected = [1, 2, 3].map((v) => Math.exp(v) * (1 + v) + 3);
    t.true(maxAbsDiff(x.grad!.data, expected) < 1e-12);
  });

  test(`[${name}] a diamond graph (one intermediate feeding two branches) is walked once per node`, (t) => {
    const x = f64([0.5, -1], true);
    const h = x.tanh();
    const y = h.mul(h.scale(2)).add(h).sum(); // 2h² + h
    y.backward();
    const expected = [0.5, -1].map((v) => (4 * Math.tanh(v) + 1) * (1 - Math.tanh(v) ** 2));
    t.true(maxAbsDiff(x.grad!.data, expected) < 1e-12);
  });

  test(`[${name}] noGrad stops recording; enableGrad turns it back on inside`, (t) => {
    const x = f64([1, 2], true);
    const y = noGrad(() => x.mul(2));
    t.false(y.requiresGrad);
    t.is(y.gradFn, null);
    t.true(isGradEnabled());
    const z = noGrad(() => {
      t.false(isGradEnabled());
      return enableGrad(() => x.mul(3));
    });
    t.true(z.requiresGrad);
    t.truthy(z.gradFn);
    t.throws(() => y.sum().backward(), { message: /does not require grad/ });
    // noGrad restores the previous state even when fn throws.
    t.throws(() => noGrad(() => { throw new Error('boom'); }), { message: 'boom' });
    t.true(isGradEnabled());
  });

  test(`[${name}] grad() returns gradients without touching .grad`, (t) => {
    const x = f64([1, 2, 3], true);
    const w = f64([0.5, -1, 2], true);
    const unused = f64([7], true);
    const y = x.mul(w).sum();
    const [gx, gw, gu] = grad(y, [x, w, unused]);
    t.deepEqual(Array.from(gx.data), [0.5, -1, 2]);
    t.deepEqual(Array.from(gw.data), [1, 2, 3]);
    t.deepEqual(Array.from(gu.data), [0]);
    t.deepEqual(gu.shape, [1]);
    t.is(x.grad, null);
    t.is(w.grad, null);
    // Gradients with respect to an intermediate tensor, and a seed for a non-scalar output.
    const h = x.square();
    const [gh, gx2] = grad(h, [h, x], f64([1, 0, 2]));
    t.deepEqual(Array.from(gh.data), [1, 0, 2]);
    t.deepEqual(Array.from(gx2.data), [2, 0, 12]);
  });

  test(`[${name}] backward of a non-scalar needs a gradient of the right size`, (t) => {
    const x = f64([[1, 2], [3, 4]], true);
    const y = x.scale(2);
    t.throws(() => y.backward(), { instanceOf: ShapeError });
    t.throws(() => grad(y, [x]), { instanceOf: ShapeError });
    t.throws(() => y.backward(f64([1, 2, 3])), { instanceOf: ShapeError });
    y.backward(f64([[1, 0], [0, 1]]));
    t.deepEqual(x.grad!.toArray(), [[2, 0], [0, 2]]);
    // A one-element non-0-d output counts as a scalar.
    x.grad = null;
    x.sum(0, true).sum(1, true).backward();
    t.deepEqual(x.grad!.toArray(), [[1, 1], [1, 1]]);
  });

  test(`[${name}] in-place ops on a tensor that requires grad throw outside noGrad`, (t) => {
    const x = f64([1, 2], true);
    const other = f64([1, 1]);
    t.throws(() => x.add_(other), { message: /noGrad/ });
    t.throws(() => x.sub_(1), { message: /noGrad/ });
    t.throws(() => x.mul_(2), { message: /noGrad/ });
    t.throws(() => x.div_(2), { message: /noGrad/ });
    t.throws(() => x.addScaled_(other, 0.1), { message: /noGrad/ });
    t.throws(() => x.scale_(2), { message: /noGrad/ });
    t.throws(() => x.fill_(0), { message: /noGrad/ });
    t.throws(() => x.copy_(other), { message: /noGrad/ });
    t.deepEqual(Array.from(x.data), [1, 2]);
    const h = x.mul(2); // an intermediate that requires grad
    t.throws(() => h.add_(1), { message: /noGrad/ });
    // Inside noGrad they work, and on tensors that do not require grad they always do.
    noGrad(() => x.addScaled_(other, 0.5));
    t.deepEqual(Array.from(x.data), [1.5, 2.5]);
    other.mul_(3);
    t.deepEqual(Array.from(other.data), [3, 3]);
  });

  test(`[${name}] detach cuts the graph and shares the data`, (t) => {
    const x = f64([1, 2, 3], true);
    const d = x.detach();
    t.false(d.requiresGrad);
    t.is(d.gradFn, null);
    t.is(d.data, x.data);
    const h = x.square();
    const hd = h.detach();
    t.false(hd.requiresGrad);
    t.is(hd.gradFn, null);
    // Gradient flows only through the attached factor: d(x · sg(x²))/dx = x².
    x.mul(hd).sum().backward();
    t.deepEqual(Array.from(x.grad!.data), [1, 4, 9]);
  });

  test(`[${name}] requiresGrad propagation rules`, (t) => {
    const a = f64([1, 2], true);
    const b = f64([3, 4]);
    t.false(b.add(b).requiresGrad);
    t.true(a.add(b).requiresGrad);
    t.true(b.mul(a).requiresGrad);
    t.is(b.mul(a).gradFn!.op, 'mul');
    t.false(a.add(b).detach().add(b).requiresGrad);
    t.throws(() => a.mul(2).requiresGrad_(false), { message: /detach/ });
    a.requiresGrad_(false);
    t.false(a.add(1).requiresGrad);
    t.throws(() => b.sum().backward(), { message: /does not require grad/ });
    // Creation options: requiresGrad on from/zeros/ones/rand.
    t.true(Tensor.zeros([2], { requiresGrad: true }).requiresGrad);
    t.true(Tensor.rand([2], { requiresGrad: true, backend: name }).requiresGrad);
    t.false(Tensor.rand([2], { backend: name }).requiresGrad);
    // Results of ops are not leaves: they have no .grad after backward; only the leaves do.
    const x = f64([1, 2], true);
    const h = x.scale(2);
    h.sum().backward();
    t.is(h.grad, null);
    t.deepEqual(Array.from(x.grad!.data), [2, 2]);
  });

  test(`[${name}] only the inputs that require grad get gradients`, (t) => {
    const x = f64([1, 2], true);
    const c = f64([5, 6]);
    x.mul(c).sum().backward();
    t.is(c.grad, null);
    t.deepEqual(Array.from(x.grad!.data), [5, 6]);
  });

  test(`[${name}] matmul gradient shapes: 1-D operands and batches`, (t) => {
    const gen = seeded(`${name} matmul shapes`);
    const v = rnd(gen, [3], name).requiresGrad_();
    const m = rnd(gen, [3, 4], name).requiresGrad_();
    const y = v.matmul(m);
    t.deepEqual(y.shape, [4]);
    y.sum().backward();
    t.deepEqual(v.grad!.shape, [3]);
    t.deepEqual(m.grad!.shape, [3, 4]);
    // d/dv Σ_j (v M)_j = row sums of M; d/dM = v ⊗ 1.
    t.true(maxAbsDiff(v.grad!.data, m.sum(1).data) < 1e-12);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) t.is(m.grad!.data[i * 4 + j], v.data[i]);

    const w = rnd(gen, [4], name).requiresGrad_();
    const z = m.detach().requiresGrad_().matmul(w);
    t.deepEqual(z.shape, [3]);
    z.sum().backward();
    t.deepEqual(w.grad!.shape, [4]);

    const p = rnd(gen, [5], name).requiresGrad_();
    const q = rnd(gen, [5], name).requiresGrad_();
    const dot = p.matmul(q);
    t.deepEqual(dot.shape, []);
    dot.backward();
    t.deepEqual(Array.from(p.grad!.data), Array.from(q.data));
    t.deepEqual(Array.from(q.grad!.data), Array.from(p.data));

    // Batched activations against a plain weight: the weight's gradient sums over the batch.
    const xb = rnd(gen, [2, 3, 4], name).requiresGrad_();
    const wt = rnd(gen, [4, 5], name).requiresGrad_();
    xb.matmul(wt).sum().backward();
    t.deepEqual(xb.grad!.shape, [2, 3, 4]);
    t.deepEqual(wt.grad!.shape, [4, 5]);
    const colSums = xb.detach().reshape(6, 4).sum(0); // Σ over batch and rows of x[., k]
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) t.true(Math.abs(wt.grad!.data[k * 5 + j] - colSums.data[k]) < 1e-12);

    // A plain matrix on the left of a batch, with transposes.
    const a = rnd(gen, [4, 3], name).requiresGrad_();
    const bb = rnd(gen, [2, 5, 4], name).requiresGrad_();
    const out = a.matmul(bb, { transposeA: true, transposeB: true });
    t.deepEqual(out.shape, [2, 3, 5]);
    out.sum().backward();
    t.deepEqual(a.grad!.shape, [4, 3]);
    t.deepEqual(bb.grad!.shape, [2, 5, 4]);
  });

  test(`[${name}] mixed float32/float64 operands promote, and each leaf's gradient keeps its dtype`, (t) => {
    const a = Tensor.from([1, 2], { dtype: 'float32', backend: name, requiresGrad: true });
    const b = f64([3, 4], true);
    const y = a.mul(b);
    t.is(y.dtype, 'float64');
    y.sum().backward();
    t.is(a.grad!.dtype, 'float32');
    t.is(b.grad!.dtype, 'float64');
    t.deepEqual(Array.from(a.grad!.data), [3, 4]);
    t.deepEqual(Array.from(b.grad!.data), [1, 2]);
  });

  test(`[${name}] leaves' gradients are independent buffers (in-place edits of one .grad leave the others alone)`, (t) => {
    const x = f64([1, 2, 3, 4], true);
    const w = f64([[1, 1], [1, 1]], true);
    const seed = f64([[1, 2], [3, 4]]);
    x.reshape(2, 2).add(w).backward(seed);
    t.deepEqual(x.grad!.toArray(), [1, 2, 3, 4]);
    t.deepEqual(w.grad!.toArray(), [[1, 2], [3, 4]]);
    // Gradient clipping in place, as a training loop might do it.
    noGrad(() => x.grad!.scale_(0.5));
    t.deepEqual(w.grad!.toArray(), [[1, 2], [3, 4]]);
    t.deepEqual(seed.toArray(), [[1, 2], [3, 4]]);
    // The seed of a leaf's own backward is not aliased either.
    const leaf = f64([1, 2], true);
    const s2 = f64([5, 6]);
    leaf.backward(s2);
    noGrad(() => leaf.grad!.fill_(0));
    t.deepEqual(Array.from(s2.data), [5, 6]);
  });

  test(`[${name}] the gradient of a tensor moved to another backend comes back on its own backend`, (t) => {
    const other = name === 'ts' ? backendsUnderTest().find((n) => n !== 'ts') : 'ts';
    if (!other) {
      t.pass('only one backend here');
      return;
    }
    const x = f64([1, 2, 3], true);
    const y = x.to(other).square().sum().to(name).add(x.sum());
    y.backward();
    t.is(x.grad!.backend.name, name);
    t.deepEqual(Array.from(x.grad!.data), [3, 5, 7]);
  });
}
