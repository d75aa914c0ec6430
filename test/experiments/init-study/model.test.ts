import test from 'ava';
import { grad } from '../../../src/autograd';
import { backend } from '../../../src/backend';
import { UsageError } from '../../../src/cli/flags';
import {
  initLabel, initSlug, myModel, parseInits, probe, weightBound, type InitSpec,
} from '../../../src/experiments/init-study/model';
import { crossEntropy } from '../../../src/nn/functional';
import { Generator } from '../../../src/random';
import { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';

const INITS: InitSpec[] = parseInits('0.01,0.1,2,xavier');
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

test('parseInits reads numbers and xavier and refuses the rest', (t) => {
  t.deepEqual(INITS, [{ kind: 'uniform', d: 0.01 }, { kind: 'uniform', d: 0.1 }, { kind: 'uniform', d: 2 }, { kind: 'xavier' }]);
  t.deepEqual(INITS.map(initLabel), ['d=0.01', 'd=0.1', 'd=2', 'xavier']);
  t.deepEqual(INITS.map(initSlug), ['d0.01', 'd0.1', 'd2', 'xavier']);
  t.deepEqual(parseInits(' Xavier , 1e-3'), [{ kind: 'xavier' }, { kind: 'uniform', d: 0.001 }]);
  for (const bad of ['', '0.1,', 'foo', '0', '-0.5', 'NaN', 'Infinity', '0.1,0.1', 'xavier,xavier', '2,2.0']) {
    t.throws(() => parseInits(bad), { instanceOf: UsageError }, bad);
  }
});

test('myModel(8): 8 Linear+tanh layers 784→50→…→50, then a linear 50→10 output layer', (t) => {
  const net = myModel(8);
  t.is(net.depth, 8);
  t.is(net.hidden.length, 8);
  t.deepEqual(net.linears.map((l) => l.weight.shape), [[50, 784], ...Array(7).fill([50, 50]), [10, 50]]);
  t.is(net.parameters().length, 18);
  t.true(net.namedParameters().map(([n]) => n).includes('output.weight'));
  t.is(net.parameterCount(), 784 * 50 + 50 + 7 * (50 * 50 + 50) + 50 * 10 + 10);
  const small = myModel(3, { width: 7, inputs: 5, classes: 4 });
  t.deepEqual(small.linears.map((l) => l.weight.shape), [[7, 5], [7, 7], [7, 7], [4, 7]]);
  t.throws(() => myModel(0), { instanceOf: RangeError });
});

test('initialize: every weight within ±d (xavier: sqrt(6/(n_in+n_out)) per layer), filling the range; biases zero', (t) => {
  const net = myModel(8);
  for (const spec of INITS) {
    net.initialize(spec, new Generator(5));
    for (const layer of net.linears) {
      const d = weightBound(spec, layer.inFeatures, layer.outFeatures);
      if (spec.kind === 'uniform') t.is(d, spec.d);
      else t.is(d, Math.sqrt(6 / (layer.inFeatures + layer.outFeatures)));
      const w = layer.weight.data;
      let max = 0;
      let sum = 0;
      for (const v of w) {
        max = Math.max(max, Math.abs(v));
        sum += v;
      }
      t.true(max <= d * (1 + 1e-6), `${initLabel(spec)}: max |w| ${max} > ${d}`);
      t.true(max > 0.95 * d, `${initLabel(spec)}: max |w| ${max} does not reach ${d}`);
      t.true(Math.abs(sum / w.length) < 0.1 * d, 'centred');
      t.true(layer.bias!.data.every((v) => v === 0), 'biases zero');
    }
  }
  t.is(weightBound({ kind: 'xavier' }, 784, 50), Math.sqrt(6 / 834));
  t.is(weightBound({ kind: 'xavier' }, 50, 10), Math.sqrt(0.1));
});

test('initialize draws the same uniforms for every d: the weights are scaled copies', (t) => {
  const a = myModel(2, { width: 6, inputs: 9, classes: 3 }).initialize({ kind: 'uniform', d: 0.01 }, new Generator(1));
  const b = myModel(2, { width: 6, inputs: 9, classes: 3 }).initialize({ kind: 'uniform', d: 2 }, new Generator(1));
  a.linears.forEach((l, i) => {
    const wb = b.linears[i].weight.data;
    l.weight.data.forEach((v, j) => t.true(Math.abs(200 * v - wb[j]) < 1e-5));
  });
});

for (const name of backendsUnderTest()) {
  test(`[${name}] probe: per-layer means, saturation and gradient norms (retainGrad) match a direct computation`, (t) => {
    const be = backend(name);
    const gen = new Generator(2);
    const net = myModel(4, { width: 12, inputs: 20, classes: 5, dtype: 'float64', backend: be }).initialize({ kind: 'uniform', d: 0.7 }, gen);
    const x = Tensor.rand([16, 20], { dtype: 'float64', backend: be, generator: gen });
    const y = Int32Array.from({ length: 16 }, (_, i) => i % 5);
    const r = probe(net, x, y);
    for (const key of ['activationMean', 'activationAbsMean', 'saturatedFraction', 'weightGradNorm', 'outputGradNorm'] as const) {
      t.is(r[key].length, 4, key);
    }
    t.true(net.parameters().every((p) => p.grad === null), 'probe clears the gradients');
    const { hidden, logits } = net.forwardHidden(x);
    const loss = crossEntropy(logits, y);
    t.true(Math.abs(r.loss - loss.item()) < 1e-12);
    const grads = grad(loss, [...hidden, ...net.linears.map((l) => l.weight)]);
    hidden.forEach((h, l) => {
      const a = Array.from(h.data);
      t.true(Math.abs(r.activationMean[l] - a.reduce((s, v) => s + v, 0) / a.length) < 1e-12);
      t.true(Math.abs(r.activationAbsMean[l] - a.reduce((s, v) => s + Math.abs(v), 0) / a.length) < 1e-12);
      t.is(r.saturatedFraction[l], a.filter((v) => Math.abs(v) > 0.99).length / a.length);
      t.true(Math.abs(r.outputGradNorm[l] / norm(grads[l].data) - 1) < 1e-10, `dL/dh_${l + 1}`);
      t.true(Math.abs(r.weightGradNorm[l] / norm(grads[4 + l].data) - 1) < 1e-10, `dL/dW_${l + 1}`);
    });
    t.true(Math.abs(r.outputLayerWeightGradNorm / norm(grads[8].data) - 1) < 1e-10);
    t.true(r.accuracy >= 0 && r.accuracy <= 1);
  });
}

test('probe on digits-sized inputs: d=0.01 gradients vanish towards the input, d=2 saturates, xavier neither', (t) => {
  const gen = new Generator(4);
  const x = Tensor.rand([64, 784], { generator: gen });
  const y = Int32Array.from({ length: 64 }, (_, i) => i % 10);
  const at = (spec: InitSpec) => probe(myModel(8).initialize(spec, new Generator(0)), x, y);
  const small = at({ kind: 'uniform', d: 0.01 });
  const large = at({ kind: 'uniform', d: 2 });
  const xavier = at({ kind: 'xavier' });
  t.true(small.outputGradNorm[0] / small.outputGradNorm[7] < 1e-6, `${small.outputGradNorm}`);
  t.true(small.activationAbsMean[7] < 1e-6, `${small.activationAbsMean}`);
  t.true(large.saturatedFraction.slice(1).every((f) => f > 0.5), `${large.saturatedFraction}`);
  t.true(xavier.saturatedFraction.every((f) => f < 0.05));
  const ratio = xavier.outputGradNorm[0] / xavier.outputGradNorm[7];
  t.true(ratio > 0.05 && ratio < 20, `xavier ratio ${ratio}`);
});
