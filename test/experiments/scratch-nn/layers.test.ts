import test from 'ava';
import { getBackend } from '../../../src/backend';
import { Generator } from '../../../src/random';
import { checkLinearGradients, maxRelErrors, relativeError } from '../../../src/experiments/scratch-nn/gradcheck';
import { linear_t, relu_t, softmax_cross_entropy_t } from '../../../src/experiments/scratch-nn/layers';

test('linear_t: finite differences match dW, db, dh (5 outputs k, 10 entries each, float64)', (t) => {
  const rows = checkLinearGradients(new Generator(3));
  t.is(rows.length, 5 * 3 * 10);
  const max = maxRelErrors(rows);
  for (const p of ['dW', 'db', 'dh'] as const) t.true(max[p] < 1e-6, `${p}: max relative error ${max[p]}`);
  // the row-k entries of dW are the input itself, so they are not trivially zero
  t.true(rows.filter((r) => r.param === 'dW' && r.analytic > 0).length >= 20);
});

test('linear_t: a wrong gradient is caught by the check', (t) => {
  t.true(relativeError(1, 1.001) > 1e-6);
  t.is(relativeError(0, 0), 0);
});

test('linear_t forward is h Wᵀ + bᵀ on a minibatch', (t) => {
  const l = new linear_t(3, 2, new Generator(1));
  l.w.set([1, 2, 3, 4, 5, 6]);
  l.b.set([0.5, -1]);
  const out = l.forward(Float64Array.from([1, 0, 1, 0, 1, 0]), 2);
  t.deepEqual(Array.from(out), [4.5, 9, 2.5, 4]);
  for (const v of new linear_t(50, 4, new Generator(2)).w) t.true(v >= 0 && v < 1);
});

test('relu_t and softmax_cross_entropy_t backward match finite differences of the loss', (t) => {
  const gen = new Generator(5);
  const rows = 3;
  const c = 4;
  const h = new Float64Array(rows * c);
  gen.fillNormal(h);
  h[1] = 0.7; // keep every entry away from the kink
  for (let i = 0; i < h.length; i++) if (Math.abs(h[i]) < 0.05) h[i] = 0.3;
  const y = Int32Array.from([2, 0, 3]);
  const relu = new relu_t();
  const sce = new softmax_cross_entropy_t(c);
  const lossAt = (x: Float64Array) => sce.forward(relu.forward(x), y).loss;
  lossAt(h);
  const g = relu.backward(sce.backward());
  for (let i = 0; i < h.length; i++) {
    const e = 1e-6;
    const hp = h.slice(); hp[i] += e;
    const hm = h.slice(); hm[i] -= e;
    const n = (lossAt(hp) - lossAt(hm)) / (2 * e);
    t.true(Math.abs(n - g[i]) < 1e-8, `entry ${i}: analytic ${g[i]} numeric ${n}`);
    if (h[i] < 0) t.is(g[i], 0);
  }
  const r = sce.forward(Float64Array.from([1, 2, 0, 0, 5, 0, 3, 3, 3, 0, 0, 9]), y);
  t.is(r.error, 1 / 3);
});

test('linear_t on the backend gemm matches the plain loops (forward and backward)', (t) => {
  const gen = new Generator(9);
  const loops = new linear_t(30, 7, new Generator(4), 'float64');
  const gemm = new linear_t(30, 7, new Generator(4), 'float64', getBackend());
  const h = new Float64Array(5 * 30);
  gen.fillNormal(h);
  const d = new Float64Array(5 * 7);
  gen.fillNormal(d);
  const close = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    t.is(x.length, y.length);
    for (let i = 0; i < x.length; i++) t.true(Math.abs(x[i] - y[i]) < 1e-12, `${i}: ${x[i]} vs ${y[i]}`);
  };
  close(loops.forward(h, 5), gemm.forward(h, 5));
  close(loops.backward(d), gemm.backward(d));
  close(loops.dw, gemm.dw);
  close(loops.db, gemm.db);
});
