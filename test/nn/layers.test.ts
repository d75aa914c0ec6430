/** nn layers: float64 gradchecks with respect to inputs and parameters, values, initialisation. */
import test from 'ava';
import { gradcheck } from '../../src/autograd';
import { backendsUnderTest } from '../helpers/backends';
import type { Activation } from '../../src/backend/backend';
import { Identity, LayerNorm, Linear, LogSoftmax, Module, ReLU, Sequential, Sigmoid, Softmax, Tanh } from '../../src/nn';
import * as F from '../../src/nn/functional';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';
import { assertGradcheck, awayFromZero, maxAbsDiff, rnd, seeded } from '../autograd/helpers';
import { moduleGradcheck } from './helpers';

for (const name of backendsUnderTest()) {
  const opts = (gen: Generator) => ({ dtype: 'float64' as const, backend: name, generator: gen });

  for (const activation of ['identity', 'relu', 'tanh'] as Activation[]) {
    for (const bias of [true, false]) {
      test(`[${name}] Linear (${activation}, ${bias ? 'with' : 'without'} bias): gradcheck w.r.t. input and parameters; value`, (t) => {
        const gen = seeded(`${name} linear ${activation} ${bias}`);
        const layer = new Linear(4, 3, { ...opts(gen), activation, bias });
        t.is(layer.bias === null, !bias);
        t.deepEqual(layer.parameters().length, bias ? 2 : 1);
        const x = rnd(gen, [5, 4], name, -2, 2);
        const y = layer.forward(x);
        t.deepEqual(y.shape, [5, 3]);
        let direct = x.matmul(layer.weight.detach().T);
        if (layer.bias) direct = direct.add(layer.bias.detach());
        if (activation === 'relu') direct = direct.relu();
        if (activation === 'tanh') direct = direct.tanh();
        t.true(maxAbsDiff(y.data, direct.data) < 1e-14);
        // Keep relu's pre-activations off the kink for the check.
        if (activation === 'relu') {
          const pre = F.linear(x, layer.weight.detach(), layer.bias?.detach() ?? null);
          t.true(Array.from(pre.data).every((v) => Math.abs(v) > 1e-4));
        }
        moduleGradcheck(t, layer, x);
      });
    }
  }

  test(`[${name}] Linear's default init lies within ±1/sqrt(in) (weight and bias), dtype and backend as asked`, (t) => {
    const gen = seeded(`${name} linear init`);
    const layer = new Linear(400, 300, opts(gen));
    const bound = 1 / Math.sqrt(400);
    for (const p of [layer.weight, layer.bias!]) {
      const values = Array.from(p.data);
      t.true(values.every((v) => Math.abs(v) <= bound));
      t.true(Math.max(...values.map(Math.abs)) > 0.95 * bound, 'spread over the whole range');
      t.is(p.dtype, 'float64');
      t.is(p.backend.name, name);
      t.true(p.requiresGrad);
    }
    t.deepEqual(layer.weight.shape, [300, 400]);
    t.deepEqual(layer.bias!.shape, [300]);
    const mean = Array.from(layer.weight.data).reduce((s, v) => s + v, 0) / layer.weight.size;
    t.true(Math.abs(mean) < 0.02 * bound);
    // The same seed gives the same layer; the named initialisers apply.
    const again = new Linear(400, 300, opts(seeded(`${name} linear init`)));
    t.deepEqual(Array.from(again.weight.data), Array.from(layer.weight.data));
    const xavier = new Linear(40, 60, { ...opts(gen), init: 'xavierUniform' });
    t.true(Array.from(xavier.weight.data).every((v) => Math.abs(v) <= Math.sqrt(6 / 100)));
    const zeros = new Linear(3, 2, { ...opts(gen), init: 'zeros' });
    t.deepEqual(Array.from(zeros.weight.data), [0, 0, 0, 0, 0, 0]);
    t.is(new Linear(2, 2, { backend: name, dtype: 'float32' }).weight.dtype, 'float32');
  });

  const activations: [string, () => Module, (x: Tensor) => Tensor, (v: number) => number][] = [
    ['ReLU', () => new ReLU(), (x) => x, (v) => Math.max(v, 0)],
    ['Tanh', () => new Tanh(), (x) => x, Math.tanh],
    ['Sigmoid', () => new Sigmoid(), (x) => x, (v) => 1 / (1 + Math.exp(-v))],
    ['Identity', () => new Identity(), (x) => x.scale(1), (v) => v],
  ];
  for (const [label, make, wrap, scalar] of activations) {
    test(`[${name}] ${label}: values and gradcheck`, (t) => {
      const gen = seeded(`${name} ${label}`);
      const x = awayFromZero(gen, [3, 4], name, 0.1, 2);
      const m = make();
      t.deepEqual(m.parameters(), []);
      t.true(maxAbsDiff(m.forward(x).data, Array.from(x.data).map(scalar)) < 1e-15);
      // Identity returns its input itself; gradcheck needs a recorded op on top, hence `wrap`.
      moduleGradcheck(t, m, x, wrap);
    });
  }

  test(`[${name}] Softmax and LogSoftmax: rows, values, gradcheck`, (t) => {
    const gen = seeded(`${name} softmax layers`);
    const x = rnd(gen, [3, 5], name, -4, 4);
    const s = new Softmax().forward(x);
    for (const v of s.sum(1).data) t.true(Math.abs(v - 1) < 1e-14);
    t.true(maxAbsDiff(new LogSoftmax().forward(x).data, s.log().data) < 1e-14);
    moduleGradcheck(t, new Softmax(), x);
    moduleGradcheck(t, new LogSoftmax(), x);
  });

  test(`[${name}] LayerNorm: gamma ones, beta zeros; gradcheck with and without residual`, (t) => {
    const gen = seeded(`${name} LayerNorm layer`);
    const ln = new LayerNorm(6, 1e-5, { dtype: 'float64', backend: name });
    t.deepEqual(Array.from(ln.gamma.data), [1, 1, 1, 1, 1, 1]);
    t.deepEqual(Array.from(ln.beta.data), [0, 0, 0, 0, 0, 0]);
    t.deepEqual(ln.namedParameters().map(([n]) => n), ['gamma', 'beta']);
    // Move gamma/beta off their start so the check sees non-trivial values.
    rnd(gen, [6], name, 0.5, 1.5).data.forEach((v, i) => { ln.gamma.data[i] = v; });
    rnd(gen, [6], name, -0.5, 0.5).data.forEach((v, i) => { ln.beta.data[i] = v; });
    const x = rnd(gen, [4, 6], name, -2, 2);
    moduleGradcheck(t, ln, x);
    const residual = rnd(gen, [4, 6], name, -2, 2);
    moduleGradcheck(t, ln, x, (y) => y, (m, v) => (m as LayerNorm).forward(v, residual));
    // The residual itself gets the same gradient as x.
    assertGradcheck(t, (r) => ln.forward(x, r), [residual], {}, 'LayerNorm residual');
  });

  test(`[${name}] Sequential: forward composes, parameters are named by position, gradcheck through all of it`, (t) => {
    const gen = seeded(`${name} sequential`);
    const net = new Sequential(
      new Linear(3, 5, { ...opts(gen), activation: 'tanh' }),
      new LayerNorm(5, 1e-5, { dtype: 'float64', backend: name }),
      new Sigmoid(),
      new Linear(5, 4, opts(gen)),
      new LogSoftmax(),
    );
    t.deepEqual(net.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.gamma', '1.beta', '3.weight', '3.bias']);
    const x = rnd(gen, [2, 3], name, -2, 2);
    const manual = F.logSoftmax(net.layers[3].forward(net.layers[2].forward(net.layers[1].forward(net.layers[0].forward(x)))));
    t.deepEqual(Array.from(net.forward(x).data), Array.from(manual.data));
    moduleGradcheck(t, net, x, (y) => F.nllLoss(y, Int32Array.from([3, 1])));
  });

  test(`[${name}] Linear on a single 1-D sample equals the batched row; float32 layers train in float32`, (t) => {
    const gen = seeded(`${name} linear 1-D`);
    const layer = new Linear(4, 3, { ...opts(gen), activation: 'tanh' });
    const xs = rnd(gen, [2, 4], name);
    const one = layer.forward(xs.sliceRows(1, 2).reshape(4));
    t.deepEqual(one.shape, [3]);
    t.true(maxAbsDiff(one.data, layer.forward(xs).sliceRows(1, 2).data) < 1e-15);
    one.sum().backward();
    t.deepEqual(layer.weight.grad!.shape, [3, 4]);
    t.deepEqual(layer.bias!.grad!.shape, [3]);
    const l32 = new Linear(4, 3, { dtype: 'float32', backend: name, generator: gen, activation: 'relu' });
    const x32 = rnd(gen, [5, 4], name).astype('float32');
    l32.forward(x32).sum().backward();
    t.is(l32.weight.grad!.dtype, 'float32');
    t.is(l32.bias!.grad!.dtype, 'float32');
  });

  test(`[${name}] gradcheck of a layer with a deliberately broken parameter path fails (the harness can fail)`, (t) => {
    const gen = seeded(`${name} broken`);
    const layer = new Linear(3, 2, opts(gen));
    const x = rnd(gen, [2, 3], name);
    const r = gradcheck((xx, w, b) => F.linear(xx, w.detach(), b), [x, layer.weight, layer.bias!]);
    t.false(r.ok);
    t.is(r.worst!.input, 1);
  });
}
