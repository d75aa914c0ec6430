/** Loss modules: values against direct formulas (stable at extreme inputs), gradchecks w.r.t. inputs, targets and a layer's parameters. */
import test from 'ava';
import { backendsUnderTest } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import { CrossEntropyLoss, Linear, LogCoshLoss, MSELoss, NLLLoss } from '../../src/nn';
import * as F from '../../src/nn/functional';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { assertGradcheck, maxAbsDiff, rnd, seeded } from '../autograd/helpers';
import { moduleGradcheck } from './helpers';

for (const name of backendsUnderTest()) {
  const opts = (gen: Generator) => ({ dtype: 'float64' as const, backend: name, generator: gen });
  const f64 = (v: Parameters<typeof Tensor.from>[0], requiresGrad = false) => Tensor.from(v, { dtype: 'float64', backend: name, requiresGrad });

  test(`[${name}] CrossEntropyLoss: logits of ±1000 give a finite, exact loss and gradient`, (t) => {
    const x = f64([[1000, -1000], [-1000, 1000], [0, 0]], true);
    const loss = new CrossEntropyLoss().forward(x, Int32Array.from([0, 0, 1]));
    t.true(Math.abs(loss.item() - (0 + 2000 + Math.LN2) / 3) < 1e-12);
    loss.backward();
    t.true(maxAbsDiff(x.grad!.data, [0, 0, -1 / 3, 1 / 3, 1 / 6, -1 / 6]) < 1e-15);
  });

  test(`[${name}] NLLLoss picks -log p at the labels; MSELoss is the mean squared error`, (t) => {
    const lp = f64([[Math.log(0.2), Math.log(0.8)], [Math.log(0.5), Math.log(0.5)]]);
    t.true(Math.abs(new NLLLoss().forward(lp, Int32Array.from([1, 0])).item() - (-Math.log(0.8) - Math.log(0.5)) / 2) < 1e-15);
    t.is(new MSELoss().forward(f64([1, 2, 3]), f64([1, 0, 6])).item(), (0 + 4 + 9) / 3);
    t.throws(() => new MSELoss().forward(f64([1, 2, 3]), f64([[1, 2, 3]])), { instanceOf: ShapeError });
  });

  test(`[${name}] LogCoshLoss: log(cosh(d)) for moderate d, |d| - log 2 at |d| = 50 and beyond, no overflow`, (t) => {
    const loss = new LogCoshLoss();
    for (const d of [-2.5, -0.3, 0, 0.05, 1, 4]) {
      t.true(Math.abs(loss.forward(f64([d + 1]), f64([1])).item() - Math.log(Math.cosh(d))) < 1e-14, `d=${d}`);
    }
    // Where 1 + exp(-2|d|) would round: log1p keeps the tail (log cosh 20 = 20 - log 2 + e^-40 - ...).
    const tail = loss.forward(f64([20]), f64([0])).item() - (20 - Math.LN2);
    t.true(Math.abs(tail - Math.exp(-40)) <= 1e-3 * Math.exp(-40) + 4e-15, `tail ${tail}`);
    for (const d of [50, -50, 800, -800, 1000, -1000]) {
      const v = loss.forward(f64([d]), f64([0])).item();
      t.true(Number.isFinite(v));
      t.true(Math.abs(v - (Math.abs(d) - Math.LN2)) <= 1e-13 * Math.abs(d), `d=${d}: ${v}`);
    }
    // Float32 too: 50 - log 2 without overflow.
    const v32 = loss.forward(Tensor.from([50], { dtype: 'float32', backend: name }), Tensor.from([0], { dtype: 'float32', backend: name })).item();
    t.true(Math.abs(v32 - (50 - Math.LN2)) < 1e-4);
    // The gradient is tanh(d)/n: ±1/n far out.
    const p = f64([50, -50], true);
    loss.forward(p, f64([0, 0])).backward();
    t.deepEqual(Array.from(p.grad!.data), [0.5, -0.5]);
  });

  test(`[${name}] loss modules equal the functional losses and pass gradcheck`, (t) => {
    const gen = seeded(`${name} loss modules`);
    const logits = rnd(gen, [4, 3], name, -3, 3);
    const labels = Int32Array.from([2, 0, 1, 1]);
    t.is(new CrossEntropyLoss().forward(logits, labels).item(), F.crossEntropy(logits, labels).item());
    t.is(new NLLLoss().forward(F.logSoftmax(logits), labels).item(), F.nllLoss(F.logSoftmax(logits), labels).item());
    const p = rnd(gen, [5], name, -3, 3);
    const y = rnd(gen, [5], name, -3, 3);
    t.is(new MSELoss().forward(p, y).item(), F.mseLoss(p, y).item());
    t.is(new LogCoshLoss().forward(p, y).item(), F.logCoshLoss(p, y).item());
    assertGradcheck(t, (x) => new CrossEntropyLoss().forward(x, labels), [logits], {}, 'CrossEntropyLoss');
    assertGradcheck(t, (x) => new NLLLoss().forward(F.logSoftmax(x), labels), [logits], {}, 'NLLLoss');
    assertGradcheck(t, (a, b) => new MSELoss().forward(a, b), [p, y], {}, 'MSELoss');
    assertGradcheck(t, (a, b) => new LogCoshLoss().forward(a, b), [p, y], {}, 'LogCoshLoss');
  });

  test(`[${name}] a loss through a layer: gradcheck w.r.t. the layer's parameters`, (t) => {
    const gen = seeded(`${name} loss through layer`);
    const layer = new Linear(3, 4, { ...opts(gen), activation: 'tanh' });
    const x = rnd(gen, [5, 3], name);
    const labels = Int32Array.from([0, 3, 2, 1, 1]);
    moduleGradcheck(t, layer, x, (z) => new CrossEntropyLoss().forward(z, labels));
    const target = rnd(gen, [5, 4], name);
    moduleGradcheck(t, layer, x, (z) => new MSELoss().forward(z, target));
    moduleGradcheck(t, layer, x, (z) => new LogCoshLoss().forward(z, target));
    moduleGradcheck(t, layer, x, (z) => new NLLLoss().forward(F.logSoftmax(z), labels));
  });

}
