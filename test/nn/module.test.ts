/** Module: parameter naming, train/eval, zeroGrad, state dicts and their errors, parameter counts. */
import test from 'ava';
import { LayerNorm, Linear, Module, ReLU, Sequential, Tanh } from '../../src/nn';
import { ShapeError } from '../../src/errors';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';

const opts = (seed: number) => ({ dtype: 'float64' as const, backend: 'ts' as const, generator: new Generator(seed) });

/** A module with its own parameter and named children, as a user would write one. */
class Block extends Module {
  readonly scale: Tensor;
  readonly encoder: Linear;
  readonly norm: LayerNorm;
  constructor(seed: number) {
    super();
    this.scale = this.registerParameter('scale', Tensor.ones([3], { dtype: 'float64', backend: 'ts' }));
    this.encoder = this.registerModule('encoder', new Linear(3, 3, opts(seed)));
    this.norm = this.registerModule('norm', new LayerNorm(3, 1e-5, { dtype: 'float64', backend: 'ts' }));
  }
  forward(x: Tensor): Tensor {
    return this.norm.forward(this.encoder.forward(x)).mul(this.scale);
  }
}

function makeNet(seed: number): Sequential {
  return new Sequential(new Linear(4, 5, opts(seed)), new ReLU(), new Sequential(new Linear(5, 3, opts(seed + 1)), new Tanh()), new Block(seed + 2));
}

test('namedParameters: own parameters first, then children with dotted prefixes ("0.weight" in Sequential)', (t) => {
  const seq = new Sequential(new Linear(3, 4, opts(1)), new ReLU(), new Linear(4, 2, opts(2)));
  t.deepEqual(seq.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '2.weight', '2.bias']);
  t.deepEqual(seq.parameters(), seq.namedParameters().map(([, p]) => p));
  t.is(seq.parameters()[0], (seq.layers[0] as Linear).weight);
  t.true(seq.parameters().every((p) => p.requiresGrad));
  const net = makeNet(1);
  t.deepEqual(net.namedParameters().map(([n]) => n), [
    '0.weight', '0.bias', '2.0.weight', '2.0.bias', '3.scale', '3.encoder.weight', '3.encoder.bias', '3.norm.gamma', '3.norm.beta',
  ]);
  t.deepEqual(new Block(0).namedParameters('model.').map(([n]) => n)[0], 'model.scale');
  t.deepEqual(net.namedModules().map(([n]) => n), ['', '0', '1', '2', '2.0', '2.1', '3', '3.encoder', '3.norm']);
  t.deepEqual(new ReLU().parameters(), []);
  t.is(new Linear(2, 2, { bias: false }).namedParameters().length, 1);
});

test('train() and eval() recurse into every sub-module and return the module', (t) => {
  const net = makeNet(1);
  t.true(net.namedModules().every(([, m]) => m.training));
  t.is(net.eval(), net);
  t.true(net.namedModules().every(([, m]) => !m.training));
  t.is(net.train(), net);
  t.true(net.namedModules().every(([, m]) => m.training));
  net.train(false);
  t.false((net.layers[3] as Block).norm.training);
  // Switching a child does not touch its parent.
  net.train();
  net.layers[2].eval();
  t.true(net.training);
  t.false((net.layers[2] as Sequential).layers[0].training);
});

test('zeroGrad clears every parameter gradient, nested ones included', (t) => {
  const net = makeNet(3);
  net.forward(Tensor.rand([2, 4], { dtype: 'float64', backend: 'ts', generator: new Generator(4) })).sum().backward();
  t.true(net.parameters().every((p) => p.grad !== null));
  net.zeroGrad();
  t.true(net.parameters().every((p) => p.grad === null));
});

test('stateDict/loadStateDict round trip: same outputs, values copied', (t) => {
  const a = makeNet(10);
  const b = makeNet(20);
  const x = Tensor.rand([3, 4], { dtype: 'float64', backend: 'ts', generator: new Generator(5), low: -1 });
  t.notDeepEqual(Array.from(a.forward(x).data), Array.from(b.forward(x).data));
  const state = a.stateDict();
  t.deepEqual(Object.keys(state), a.namedParameters().map(([n]) => n));
  t.is(state['0.weight'], (a.layers[0] as Linear).weight, 'the tensors themselves');
  b.loadStateDict(state);
  t.deepEqual(Array.from(b.forward(x).data), Array.from(a.forward(x).data));
  // Copies, not shared storage; the parameters still require grad and stay the same objects.
  const bw = (b.layers[0] as Linear).weight;
  t.not(bw.data, (a.layers[0] as Linear).weight.data);
  t.true(bw.requiresGrad);
  t.is(b.stateDict()['0.weight'], bw);
  const before = bw.data[0];
  (a.layers[0] as Linear).weight.data[0] += 1;
  t.is(bw.data[0], before);
  // Loading a state built from plain tensors (e.g. read from a checkpoint) works too.
  const plain = Object.fromEntries(Object.entries(a.stateDict()).map(([k, v]) => [k, v.detach().clone()]));
  b.loadStateDict(plain);
  t.deepEqual(Array.from(b.forward(x).data), Array.from(a.forward(x).data));
});

test('loadStateDict errors name missing and unexpected entries and wrong shapes/dtypes, and change nothing', (t) => {
  const net = new Sequential(new Linear(3, 2, opts(1)));
  const good = () => Object.fromEntries(Object.entries(new Sequential(new Linear(3, 2, opts(2))).stateDict()));
  const snapshot = () => net.parameters().map((p) => Array.from(p.data));
  const start = snapshot();

  const missing = good();
  delete missing['0.bias'];
  t.throws(() => net.loadStateDict(missing), { instanceOf: ShapeError, message: /missing \[0\.bias\]/ });

  const unexpected = { ...good(), '1.weight': Tensor.zeros([2, 2], { dtype: 'float64' }) };
  t.throws(() => net.loadStateDict(unexpected), { instanceOf: ShapeError, message: /unexpected \[1\.weight\]/ });

  const wrongShape = { ...good(), '0.weight': Tensor.zeros([3, 2], { dtype: 'float64' }) };
  t.throws(() => net.loadStateDict(wrongShape), { instanceOf: ShapeError, message: /0\.weight is \[3, 2\].*\[2, 3\]/ });

  const wrongDType = { ...good(), '0.bias': Tensor.zeros([2], { dtype: 'float32' }) };
  t.throws(() => net.loadStateDict(wrongDType), { instanceOf: ShapeError, message: /0\.bias.*float32/ });

  // The good entries of a rejected state were not copied in.
  t.deepEqual(snapshot(), start);
});

test('parameterCount counts every trainable scalar', (t) => {
  t.is(new Linear(3, 5).parameterCount(), 3 * 5 + 5);
  t.is(new Linear(3, 5, { bias: false }).parameterCount(), 15);
  t.is(new LayerNorm(7).parameterCount(), 14);
  t.is(new ReLU().parameterCount(), 0);
  // 4·5+5 + 5·3+3 + (3 + 3·3+3 + 3+3)
  t.is(makeNet(1).parameterCount(), 25 + 18 + 21);
});
