/**
 * Reverse-mode rules: a float64 gradcheck of every op in OpName, on every
 * backend present, including broadcasting, every reduction axis, the
 * transpose flags of matmul and the fused nn kernels.
 */
import test from 'ava';
import { vjpRules } from '../../src/autograd/vjp';
import type { OpName } from '../../src/autograd/ops';
import { backendsUnderTest } from '../helpers/backends';
import type { Activation } from '../../src/backend/backend';
import { conv2d, conv2dMaxPool2d, maxPool2d } from '../../src/nn/conv';
import * as F from '../../src/nn/functional';
import { Generator } from '../../src/random';
import { Tensor } from '../../src/tensor';
import { assertGradcheck, awayFromZero, distinct, opsIn, rnd, seeded, type On } from './helpers';

/** Every op of OpAttrs (src/autograd/ops.ts); the type checks below keep it complete and exact. */
const ALL_OPS = [
  'add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum',
  'neg', 'abs', 'sign', 'exp', 'log', 'log1p', 'sqrt', 'square', 'reciprocal', 'tanh', 'sigmoid', 'relu',
  'scale', 'matmul', 'reshape', 'permute', 'slice', 'concat', 'broadcastTo', 'take', 'astype',
  'sum', 'max', 'min', 'biasActivation', 'layerNorm', 'logSoftmaxNll', 'logSoftmax', 'nll', 'conv2d', 'conv2dMaxPool2d', 'maxPool2d',
] as const satisfies readonly OpName[];
type MissingFromList = Exclude<OpName, (typeof ALL_OPS)[number]>;
const listIsComplete: [MissingFromList] extends [never] ? true : false = true;

interface Case {
  title: string;
  /** The ops this case must exercise. */
  ops: OpName[];
  make: (on: On, gen: Generator) => { fn: (...xs: Tensor[]) => Tensor; inputs: Tensor[]; eps?: number };
}

const cases: Case[] = [];
const add = (title: string, ops: OpName[], make: Case['make']) => cases.push({ title, ops, make });

// ---- binary elementwise, with broadcasting --------------------------------------------
const binaries: [OpName, (a: Tensor, b: Tensor | number) => Tensor, 'any' | 'positive' | 'nonzero'][] = [
  ['add', (a, b) => a.add(b), 'any'],
  ['sub', (a, b) => a.sub(b), 'any'],
  ['mul', (a, b) => a.mul(b), 'any'],
  ['div', (a, b) => a.div(b), 'nonzero'],
  ['pow', (a, b) => a.pow(b), 'positive'],
];
const broadcastPairs: [string, number[], number[]][] = [
  ['same shape', [3, 4], [3, 4]],
  ['[3,4] with [4]', [3, 4], [4]],
  ['[4] with [3,4]', [4], [3, 4]],
  ['[3,1] with [1,4]', [3, 1], [1, 4]],
  ['[2,3,4] with [3,1]', [2, 3, 4], [3, 1]],
  ['[3,4] with a 0-d scalar', [3, 4], []],
  ['0-d scalar with [3,4]', [], [3, 4]],
];
for (const [op, f, domain] of binaries) {
  for (const [label, sa, sb] of broadcastPairs) {
    add(`${op}: ${label}`, [op], (on, gen) => {
      const a = domain === 'positive' ? rnd(gen, sa, on, 0.5, 2) : rnd(gen, sa, on);
      const b = domain === 'nonzero' ? awayFromZero(gen, sb, on, 0.5, 2) : domain === 'positive' ? rnd(gen, sb, on, -2, 2) : rnd(gen, sb, on);
      return { fn: f, inputs: [a, b] };
    });
  }
  add(`${op}: tensor with a number`, [op], (on, gen) => {
    const a = domain === 'any' ? rnd(gen, [3, 4], on) : rnd(gen, [3, 4], on, 0.5, 2);
    return { fn: (x) => f(x, op === 'pow' ? 2.5 : 1.7), inputs: [a] };
  });
}
for (const [op, f] of [['maximum', (a: Tensor, b: Tensor | number) => a.maximum(b)], ['minimum', (a: Tensor, b: Tensor | number) => a.minimum(b)]] as const) {
  for (const [label, sa, sb] of broadcastPairs) {
    add(`${op}: ${label} (no ties)`, [op], (on, gen) => {
      // a on the grid 0.2k, b on the grid 0.2k + 0.1 (plus a little jitter): never within 0.05 of each other.
      const grid = (shape: number[], offset: number) => {
        const x = rnd(gen, shape, on, 0, 0.02);
        for (let i = 0; i < x.size; i++) x.data[i] += 0.2 * (gen.int(11) - 5) + offset;
        return x;
      };
      return { fn: f, inputs: [grid(sa, 0), grid(sb, 0.1)] };
    });
  }
  add(`${op}: with a number`, [op], (on, gen) => ({ fn: (x) => f(x, 0.1), inputs: [awayFromZero(gen, [3, 4], on)] }));
}

// ---- unary --------------------------------------------------------------------------------
const unaries: [OpName, (x: Tensor) => Tensor, (on: On, gen: Generator) => Tensor][] = [
  ['neg', (x) => x.neg(), (on, gen) => rnd(gen, [3, 4], on)],
  ['abs', (x) => x.abs(), (on, gen) => awayFromZero(gen, [3, 4], on)],
  ['sign', (x) => x.sign().mul(x), (on, gen) => awayFromZero(gen, [3, 4], on)],
  ['exp', (x) => x.exp(), (on, gen) => rnd(gen, [3, 4], on, -2, 2)],
  ['log', (x) => x.log(), (on, gen) => rnd(gen, [3, 4], on, 0.2, 3)],
  ['log1p', (x) => x.log1p(), (on, gen) => rnd(gen, [3, 4], on, -0.8, 3)],
  ['sqrt', (x) => x.sqrt(), (on, gen) => rnd(gen, [3, 4], on, 0.2, 3)],
  ['square', (x) => x.square(), (on, gen) => rnd(gen, [3, 4], on, -2, 2)],
  ['reciprocal', (x) => x.reciprocal(), (on, gen) => awayFromZero(gen, [3, 4], on, 0.3, 2)],
  ['tanh', (x) => x.tanh(), (on, gen) => rnd(gen, [3, 4], on, -2, 2)],
  ['sigmoid', (x) => x.sigmoid(), (on, gen) => rnd(gen, [3, 4], on, -3, 3)],
  ['relu', (x) => x.relu(), (on, gen) => awayFromZero(gen, [3, 4], on)],
  ['scale', (x) => x.scale(-2.5), (on, gen) => rnd(gen, [3, 4], on)],
];
for (const [op, f, make] of unaries) add(op, [op], (on, gen) => ({ fn: f, inputs: [make(on, gen)] }));
add('sign alone has a zero gradient', ['sign'], (on, gen) => ({ fn: (x) => x.sign(), inputs: [awayFromZero(gen, [5], on)] }));
add('mean (sum then scale)', ['sum', 'scale'], (on, gen) => ({ fn: (x) => x.mean(1), inputs: [rnd(gen, [3, 4], on)] }));

// ---- reductions ---------------------------------------------------------------------------
for (const op of ['sum', 'max', 'min'] as const) {
  const axes: (number | undefined)[] = [0, 1, 2, -1, undefined];
  for (const axis of axes) {
    for (const keepDims of [false, true]) {
      add(`${op} over ${axis === undefined ? 'all elements' : `axis ${axis}`}${keepDims ? ', keepDims' : ''}`, [op], (on, gen) => {
        const x = op === 'sum' ? rnd(gen, [2, 3, 4], on) : distinct(gen, [2, 3, 4], on);
        return { fn: (v) => v[op](axis, keepDims), inputs: [x] };
      });
    }
  }
}

// ---- shape ops ----------------------------------------------------------------------------
add('reshape', ['reshape'], (on, gen) => ({ fn: (x) => x.reshape(4, -1).mul(x.reshape(4, 3)), inputs: [rnd(gen, [3, 4], on)] }));
add('flatten and clone', ['reshape'], (on, gen) => ({ fn: (x) => x.flatten().clone().square(), inputs: [rnd(gen, [2, 3], on)] }));
add('permute of a 3-D tensor', ['permute'], (on, gen) => ({ fn: (x) => x.permute(2, 0, 1), inputs: [rnd(gen, [2, 3, 4], on)] }));
add('transpose and .T', ['permute'], (on, gen) => ({ fn: (x) => x.T.mul(x.transpose(0, 1)), inputs: [rnd(gen, [3, 4], on)] }));
add('slice along axis 0', ['slice'], (on, gen) => ({ fn: (x) => x.slice(0, 1, 3), inputs: [rnd(gen, [4, 3], on)] }));
add('slice along axis 1', ['slice'], (on, gen) => ({ fn: (x) => x.slice(1, 1, 3), inputs: [rnd(gen, [3, 4], on)] }));
add('slice along the last axis of 3-D, to the end', ['slice'], (on, gen) => ({ fn: (x) => x.slice(-1, 2), inputs: [rnd(gen, [2, 3, 4], on)] }));
add('slice from 0 (no leading padding) and sliceRows', ['slice'], (on, gen) => ({ fn: (x) => x.sliceRows(0, 3).slice(1, 0, 2).mul(x.sliceRows(1, 4).slice(1, 0, 2)), inputs: [rnd(gen, [4, 4], on)] }));
add('concat along axis 0', ['concat'], (on, gen) => ({ fn: (a, b) => Tensor.concat([a, b, a], 0), inputs: [rnd(gen, [2, 3], on), rnd(gen, [1, 3], on)] }));
add('concat along axis 1', ['concat'], (on, gen) => ({ fn: (a, b) => Tensor.concat([a, b], 1), inputs: [rnd(gen, [3, 2], on), rnd(gen, [3, 4], on)] }));
add('concat with a constant part (appendOnes)', ['concat'], (on, gen) => ({ fn: (a) => F.appendOnes(a).square(), inputs: [rnd(gen, [3, 2], on)] }));
add('broadcastTo [3,1] -> [2,3,4]', ['broadcastTo'], (on, gen) => ({ fn: (x) => x.broadcastTo([2, 3, 4]), inputs: [rnd(gen, [3, 1], on)] }));
add('broadcastTo [4] -> [3,4]', ['broadcastTo'], (on, gen) => ({ fn: (x) => x.broadcastTo([3, 4]), inputs: [rnd(gen, [4], on)] }));
add('take with repeated indices', ['take'], (on, gen) => ({
  fn: (x) => x.take(Int32Array.from([0, 5, 5, 11, 2, 5, 0]), [7]).square(),
  inputs: [rnd(gen, [3, 4], on)],
}));
add('take of every element, permuted and repeated, into a new shape', ['take'], (on, gen) => ({
  fn: (x) => x.take(Int32Array.from([5, 4, 3, 2, 1, 0, 0, 0, 3]), [3, 3]).tanh().matmul(x.reshape(3, 2)),
  inputs: [rnd(gen, [2, 3], on)],
}));
add('take of a single element of a 0-d tensor', ['take'], (on, gen) => ({
  fn: (x) => x.take(Int32Array.from([0, 0, 0]), [3]).mul(x.take(Int32Array.from([0]), [])),
  inputs: [rnd(gen, [], on)],
}));
// float64 -> float32 -> float64 is exact for these inputs and steps (multiples of 2^-6 and 2^-10), so the difference quotients are exact.
add('astype float64 -> float32 -> float64', ['astype'], (on, gen) => {
  const x = rnd(gen, [3, 4], on);
  for (let i = 0; i < x.size; i++) x.data[i] = Math.round(x.data[i] * 64) / 64;
  return { fn: (v) => v.astype('float32').astype('float64').square().scale(0.75), inputs: [x], eps: 2 ** -10 };
});

// ---- matmul -------------------------------------------------------------------------------
for (const ta of [false, true]) {
  for (const tb of [false, true]) {
    add(`matmul transposeA=${ta} transposeB=${tb}`, ['matmul'], (on, gen) => ({
      fn: (a, b) => a.matmul(b, { transposeA: ta, transposeB: tb }),
      inputs: [rnd(gen, ta ? [4, 3] : [3, 4], on), rnd(gen, tb ? [5, 4] : [4, 5], on)],
    }));
    add(`batched matmul [2,…] @ plain, transposeA=${ta} transposeB=${tb}`, ['matmul'], (on, gen) => ({
      fn: (a, b) => a.matmul(b, { transposeA: ta, transposeB: tb }),
      inputs: [rnd(gen, ta ? [2, 4, 3] : [2, 3, 4], on), rnd(gen, tb ? [5, 4] : [4, 5], on)],
    }));
    add(`plain @ batched matmul, transposeA=${ta} transposeB=${tb}`, ['matmul'], (on, gen) => ({
      fn: (a, b) => a.matmul(b, { transposeA: ta, transposeB: tb }),
      inputs: [rnd(gen, ta ? [4, 3] : [3, 4], on), rnd(gen, tb ? [2, 5, 4] : [2, 4, 5], on)],
    }));
  }
}
add('batched @ batched matmul', ['matmul'], (on, gen) => ({ fn: (a, b) => a.matmul(b), inputs: [rnd(gen, [2, 3, 4], on), rnd(gen, [2, 4, 2], on)] }));
add('matmul 1-D @ 2-D', ['matmul'], (on, gen) => ({ fn: (a, b) => a.matmul(b), inputs: [rnd(gen, [4], on), rnd(gen, [4, 3], on)] }));
add('matmul 2-D @ 1-D', ['matmul'], (on, gen) => ({ fn: (a, b) => a.matmul(b), inputs: [rnd(gen, [3, 4], on), rnd(gen, [4], on)] }));
add('matmul 1-D @ 1-D (dot)', ['matmul'], (on, gen) => ({ fn: (a, b) => a.matmul(b), inputs: [rnd(gen, [4], on), rnd(gen, [4], on)] }));
add('matmul with the same tensor on both sides (x xᵀ)', ['matmul'], (on, gen) => ({ fn: (a) => a.matmul(a, { transposeB: true }), inputs: [rnd(gen, [3, 4], on)] }));

// ---- convolution and pooling: odd sizes (batch 1, one channel, non-square, stride 2, padding 0 and 2) -------
const convCases: [string, number[], number[], { stride?: number | [number, number]; padding?: number | [number, number] }][] = [
  ['batch 1, 1 channel, 3×3, padding 1', [1, 1, 5, 5], [2, 1, 3, 3], { padding: 1 }],
  ['non-square input and kernel, stride 2, padding 0', [2, 3, 7, 5], [4, 3, 3, 2], { stride: 2 }],
  ['padding 2, stride (2, 1)', [2, 2, 4, 6], [3, 2, 3, 3], { padding: 2, stride: [2, 1] }],
];
for (const [label, xs, ws, options] of convCases) {
  add(`conv2d: ${label}`, ['conv2d'], (on, gen) => ({
    fn: (x, w, b) => conv2d(x, w, b, options),
    inputs: [rnd(gen, xs, on), rnd(gen, ws, on), rnd(gen, [ws[0]], on)],
  }));
}
add('conv2d without bias, then a nonlinearity', ['conv2d', 'tanh'], (on, gen) => ({
  fn: (x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }).tanh(),
  inputs: [rnd(gen, [1, 2, 5, 4], on), rnd(gen, [3, 2, 2, 3], on)],
}));
for (const [label, xs, ws, options] of [
  ['relu, 2×2 pool, padding 1', [2, 2, 6, 5], [3, 2, 3, 3], { padding: 1, activation: 'relu', pool: 2 }],
  ['identity, 3×2 pool with stride 1 (overlapping), stride-2 conv', [1, 1, 9, 8], [2, 1, 3, 2], { stride: 2, pool: [3, 2], poolStride: 1 }],
] as const) {
  add(`conv2dMaxPool2d: ${label}`, ['conv2dMaxPool2d'], (on, gen) => ({
    // Random inputs make ties in a window unlikely; the small step keeps every window's argmax where it is.
    fn: (x, w, b) => conv2dMaxPool2d(x, w, b, options as Parameters<typeof conv2dMaxPool2d>[3]),
    inputs: [rnd(gen, xs as unknown as number[], on), rnd(gen, ws as unknown as number[], on), rnd(gen, [ws[0]], on)],
    eps: 1e-7,
  }));
}
for (const [label, xs, kernel, stride] of [['2×2 windows', [2, 3, 4, 6], 2, undefined], ['3×2 windows, stride 1 (overlapping)', [1, 2, 5, 5], [3, 2], 1]] as const) {
  add(`maxPool2d: ${label}`, ['maxPool2d'], (on, gen) => ({
    // Distinct values 0.1 apart: the maximum of a window never changes under the finite-difference step.
    fn: (x) => maxPool2d(x, kernel as number | [number, number], { stride: stride as number | undefined }),
    inputs: [distinct(gen, xs as unknown as number[], on)],
  }));
}

// ---- fused nn kernels -----------------------------------------------------------------------
for (const act of ['identity', 'relu', 'tanh'] as Activation[]) {
  add(`biasActivation ${act} with bias`, ['biasActivation'], (on, gen) => ({
    fn: (x, b) => F.biasActivation(x, b, act),
    // Keep x + bias away from relu's kink: |x| >= 0.4 and |bias| < 0.2.
    inputs: [awayFromZero(gen, [3, 5], on, 0.4, 1.5), rnd(gen, [5], on, -0.2, 0.2)],
  }));
  add(`biasActivation ${act} without bias`, ['biasActivation'], (on, gen) => ({
    fn: (x) => F.biasActivation(x, null, act),
    inputs: [awayFromZero(gen, [2, 3, 4], on, 0.2, 1.5)],
  }));
  add(`linear with ${act}`, ['matmul', 'biasActivation'], (on, gen) => ({
    fn: (x, w, b) => F.linear(x, w, b, act),
    inputs: [rnd(gen, [3, 4], on), rnd(gen, [5, 4], on), rnd(gen, [5], on)],
  }));
}
for (const residual of [false, true]) {
  for (const act of ['identity', 'relu'] as const) {
    add(`layerNorm ${residual ? 'with' : 'without'} residual, act ${act}`, ['layerNorm'], (on, gen) => {
      const x = rnd(gen, [4, 6], on, -2, 2);
      const gamma = rnd(gen, [6], on, 0.5, 1.5);
      const beta = rnd(gen, [6], on, -0.5, 0.5);
      const r = rnd(gen, [4, 6], on, -2, 2);
      return residual
        ? { fn: (a, g, b, res) => F.layerNorm(a, g, b, { residual: res, act, eps: 1e-5 }), inputs: [x, gamma, beta, r] }
        : { fn: (a, g, b) => F.layerNorm(a, g, b, { act }), inputs: [x, gamma, beta] };
    });
  }
}
add('layerNorm on a 3-D input', ['layerNorm'], (on, gen) => ({
  fn: (x, g, b) => F.layerNorm(x, g, b),
  inputs: [rnd(gen, [2, 2, 5], on, -2, 2), rnd(gen, [5], on, 0.5, 1.5), rnd(gen, [5], on)],
}));
add('crossEntropy (logSoftmaxNll)', ['logSoftmaxNll'], (on, gen) => ({
  fn: (x) => F.crossEntropy(x, Int32Array.from([0, 2, 1, 2])),
  inputs: [rnd(gen, [4, 3], on, -3, 3)],
}));
add('crossEntropy scaled afterwards (gradLoss != 1)', ['logSoftmaxNll', 'scale'], (on, gen) => ({
  fn: (x) => F.crossEntropy(x, Int32Array.from([1, 0])).scale(3),
  inputs: [rnd(gen, [2, 5], on, -3, 3)],
}));
add('logSoftmax', ['logSoftmax'], (on, gen) => ({ fn: (x) => F.logSoftmax(x), inputs: [rnd(gen, [3, 4], on, -3, 3)] }));
add('logSoftmax of a 3-D input (last axis)', ['logSoftmax'], (on, gen) => ({ fn: (x) => F.logSoftmax(x), inputs: [rnd(gen, [2, 2, 3], on, -3, 3)] }));
add('softmax', ['logSoftmax', 'exp'], (on, gen) => ({ fn: (x) => F.softmax(x), inputs: [rnd(gen, [3, 4], on, -3, 3)] }));
add('nll (nllLoss)', ['nll'], (on, gen) => ({ fn: (x) => F.nllLoss(x, Int32Array.from([3, 0, 1])), inputs: [rnd(gen, [3, 4], on)] }));
add('nllLoss of logSoftmax', ['nll', 'logSoftmax'], (on, gen) => ({ fn: (x) => F.nllLoss(F.logSoftmax(x), Int32Array.from([3, 0, 1])), inputs: [rnd(gen, [3, 4], on, -3, 3)] }));
add('nllLoss scaled afterwards', ['nll', 'scale'], (on, gen) => ({ fn: (x) => F.nllLoss(x, Int32Array.from([1, 1])).scale(-2), inputs: [rnd(gen, [2, 3], on)] }));

// ---- a composite: the dense-res block ---------------------------------------------------------
add('dense-res block: appendOnes, matmul, layerNorm+residual+relu, concat, crossEntropy', ['concat', 'matmul', 'layerNorm', 'logSoftmaxNll'], (on, gen) => ({
  fn: (x, w1, w2, g, b) => {
    const h1 = F.layerNorm(F.appendOnes(x).matmul(w1), g, b, { act: 'relu' });
    const z2 = F.appendOnes(Tensor.concat([x, h1], 1)).matmul(w2);
    return F.crossEntropy(F.layerNorm(z2, g, b, { residual: h1, act: 'relu' }), Int32Array.from([0, 3, 1]));
  },
  inputs: [rnd(gen, [3, 2], on), rnd(gen, [3, 4], on), rnd(gen, [7, 4], on), rnd(gen, [4], on, 0.5, 1.5), rnd(gen, [4], on, -0.3, 0.3)],
}));

// ---- the tests ------------------------------------------------------------------------------
test('the list of ops equals the vjp table (every OpName has a reverse-mode rule)', (t) => {
  t.true(listIsComplete);
  t.deepEqual(Object.keys(vjpRules).sort(), [...ALL_OPS].sort());
  for (const op of ALL_OPS) t.is(typeof vjpRules[op], 'function', op);
});

test('the gradcheck cases below exercise every op', (t) => {
  const covered = new Set<OpName>();
  for (const c of cases) {
    const { fn, inputs } = c.make('ts', new Generator(1));
    const out = fn(...inputs.map((x) => x.detach().requiresGrad_()));
    const ops = opsIn(out);
    for (const op of c.ops) t.true(ops.has(op), `case "${c.title}" should record ${op}, recorded [${[...ops].join(', ')}]`);
    for (const op of ops) covered.add(op);
  }
  t.deepEqual(ALL_OPS.filter((op) => !covered.has(op)), []);
});

for (const name of backendsUnderTest()) {
  for (const c of cases) {
    test(`[${name}] gradcheck: ${c.title}`, (t) => {
      const title = `${name} ${c.title}`;
      const { fn, inputs, eps } = c.make(name, seeded(title));
      for (const x of inputs) t.is(x.backend.name, name);
      assertGradcheck(t, fn, inputs, eps === undefined ? {} : { eps }, c.title);
    });
  }

  test(`[${name}] take: repeated indices accumulate their gradients; an empty take gives zeros`, (t) => {
    const x = Tensor.from([[1, 2, 3], [4, 5, 6]], { dtype: 'float64', backend: name, requiresGrad: true });
    const index = Int32Array.from([4, 0, 4, 4, 2]);
    x.take(index).mul(Tensor.from([1, 10, 100, 1000, 10000], { dtype: 'float64', backend: name })).sum().backward();
    t.deepEqual(x.grad!.toArray(), [[10, 0, 10000], [0, 1101, 0]]);
    t.is(x.grad!.backend.name, name);
    const y = Tensor.from([1, 2, 3], { dtype: 'float64', backend: name, requiresGrad: true });
    y.take(new Int32Array(0)).sum().add(y.sum().scale(0)).backward();
    t.deepEqual(Array.from(y.grad!.data), [0, 0, 0]);
  });

  test(`[${name}] max/min ties share the gradient equally`, (t) => {
    const x = Tensor.from([[1, 3, 3], [2, 2, 2]], { dtype: 'float64', backend: name, requiresGrad: true });
    x.max(1).sum().backward();
    t.deepEqual(x.grad!.toArray(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]]);
    x.grad = null;
    const y = Tensor.from([[1, 3, 3], [1, 2, 1]], { dtype: 'float64', backend: name, requiresGrad: true });
    y.min().backward();
    t.deepEqual(y.grad!.toArray(), [[1 / 3, 0, 0], [1 / 3, 0, 1 / 3]]);
    x.grad = null;
    x.max(0, true).sum().backward();
    t.deepEqual(x.grad!.toArray(), [[0, 1, 1], [1, 0, 0]]);
    // The elementwise maximum/minimum split a tie in half.
    const a = Tensor.from([1, 2, 5], { dtype: 'float64', backend: name, requiresGrad: true });
    const b = Tensor.from([1, 4, 3], { dtype: 'float64', backend: name, requiresGrad: true });
    a.maximum(b).sum().backward();
    t.deepEqual(Array.from(a.grad!.data), [0.5, 0, 1]);
    t.deepEqual(Array.from(b.grad!.data), [0.5, 1, 0]);
    a.grad = null;
    b.grad = null;
    a.minimum(b).sum().backward();
    t.deepEqual(Array.from(a.grad!.data), [0.5, 1, 0]);
    t.deepEqual(Array.from(b.grad!.data), [0.5, 0, 1]);
  });

  test(`[${name}] biasActivation with a [1, n] bias gives a gradient of the bias's shape`, (t) => {
    const x = Tensor.from([[1, -2, 3], [4, 5, -6]], { dtype: 'float64', backend: name, requiresGrad: true });
    const b = Tensor.from([[0.1, 0.2, 0.3]], { dtype: 'float64', backend: name, requiresGrad: true });
    F.biasActivation(x, b, 'relu').sum().backward();
    t.deepEqual(b.grad!.shape, [1, 3]);
    t.deepEqual(b.grad!.toArray(), [[2, 1, 1]]);
    t.deepEqual(x.grad!.toArray(), [[1, 0, 1], [1, 1, 0]]);
  });

  test(`[${name}] layerNorm with [1, n] gamma and beta gives gradients of their shapes`, (t) => {
    const gen = seeded(`${name} ln shapes`);
    const x = rnd(gen, [3, 4], name).requiresGrad_();
    const gamma = rnd(gen, [1, 4], name, 0.5, 1.5).requiresGrad_();
    const beta = rnd(gen, [1, 4], name).requiresGrad_();
    F.layerNorm(x, gamma, beta).mul(rnd(gen, [3, 4], name)).sum().backward();
    t.deepEqual(gamma.grad!.shape, [1, 4]);
    t.deepEqual(beta.grad!.shape, [1, 4]);
  });

  test(`[${name}] layerNorm gradients reach gamma and beta only when they require grad`, (t) => {
    const gen = seeded(`${name} ln`);
    const x = rnd(gen, [3, 4], name).requiresGrad_();
    const gamma = Tensor.ones([4], { dtype: 'float64', backend: name });
    const beta = Tensor.zeros([4], { dtype: 'float64', backend: name });
    const y = F.layerNorm(x, gamma, beta);
    y.mul(rnd(gen, [3, 4], name)).sum().backward();
    t.is(gamma.grad, null);
    t.is(beta.grad, null);
    t.deepEqual(x.grad!.shape, [3, 4]);
    // Each row's gradient of a LayerNorm sums to 0 (it is orthogonal to the constant direction).
    for (const s of x.grad!.sum(1).data) t.true(Math.abs(s) < 1e-12);
  });
}
