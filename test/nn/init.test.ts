/** Initialisers: empirical mean/std/bounds against their formulas; fans; the same seed gives the same weights everywhere. */
import test from 'ava';
import { backendsUnderTest } from '../helpers/backends';
import { ShapeError } from '../../src/errors';
import { init, initialize } from '../../src/nn';
import { Generator, manualSeed } from '../../src/random';
import { Tensor } from '../../src/tensor';

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of t.data) {
    s += v;
    s2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / t.size;
  return { mean, std: Math.sqrt(s2 / t.size - mean * mean), min, max };
}

// A [out, in] = [200, 300] weight: fanIn 300, fanOut 200; 60,000 draws, so the mean is within ~0.4% of std per SE.
const big = (dtype: 'float32' | 'float64' = 'float64') => Tensor.zeros([200, 300], { dtype, backend: 'ts' });
const fanIn = 300, fanOut = 200;

const cases: [string, (t: Tensor, g: Generator) => Tensor, { mean: number; std: number; bound?: number }][] = [
  ['uniform_(-0.5, 2)', (t, g) => init.uniform_(t, -0.5, 2, g), { mean: 0.75, std: 2.5 / Math.sqrt(12), bound: undefined }],
  ['normal_(1, 0.3)', (t, g) => init.normal_(t, 1, 0.3, g), { mean: 1, std: 0.3 }],
  ['xavierUniform_', (t, g) => init.xavierUniform_(t, 1, g), { mean: 0, std: Math.sqrt(6 / (fanIn + fanOut)) / Math.sqrt(3), bound: Math.sqrt(6 / (fanIn + fanOut)) }],
  ['xavierUniform_ gain 2', (t, g) => init.xavierUniform_(t, 2, g), { mean: 0, std: 2 * Math.sqrt(6 / (fanIn + fanOut)) / Math.sqrt(3), bound: 2 * Math.sqrt(6 / (fanIn + fanOut)) }],
  ['xavierNormal_', (t, g) => init.xavierNormal_(t, 1, g), { mean: 0, std: Math.sqrt(2 / (fanIn + fanOut)) }],
  ['heUniform_', (t, g) => init.heUniform_(t, g), { mean: 0, std: Math.sqrt(6 / fanIn) / Math.sqrt(3), bound: Math.sqrt(6 / fanIn) }],
  ['heNormal_', (t, g) => init.heNormal_(t, g), { mean: 0, std: Math.sqrt(2 / fanIn) }],
  ['uniformFanIn_', (t, g) => init.uniformFanIn_(t, g), { mean: 0, std: 1 / Math.sqrt(fanIn) / Math.sqrt(3), bound: 1 / Math.sqrt(fanIn) }],
];

for (const [label, fill, expected] of cases) {
  test(`${label}: empirical mean, std and bounds match the formula`, (t) => {
    const w = fill(big(), new Generator(42));
    const s = stats(w);
    t.true(Math.abs(s.mean - expected.mean) < 0.02 * expected.std, `mean ${s.mean} vs ${expected.mean}`);
    t.true(Math.abs(s.std / expected.std - 1) < 0.02, `std ${s.std} vs ${expected.std}`);
    if (label.startsWith('uniform_')) {
      t.true(s.min >= -0.5 && s.max < 2);
      t.true(s.min < -0.49 && s.max > 1.99);
    } else if (expected.bound !== undefined) {
      t.true(s.min >= -expected.bound && s.max <= expected.bound, `[${s.min}, ${s.max}] within ±${expected.bound}`);
      t.true(s.min < -0.99 * expected.bound && s.max > 0.99 * expected.bound, 'fills the whole range');
    } else {
      // Normal: about 4.6% of draws beyond 2 std, none absurdly far.
      const beyond = Array.from(w.data).filter((v) => Math.abs(v - expected.mean) > 2 * expected.std).length / w.size;
      t.true(Math.abs(beyond - 0.0455) < 0.005, `fraction beyond 2σ: ${beyond}`);
    }
  });
}

test('fans follow PyTorch: [out, in] and [out, in, kh, kw]; 1-D weights are refused', (t) => {
  t.deepEqual(init.fans(Tensor.zeros([5, 3])), { fanIn: 3, fanOut: 5 });
  t.deepEqual(init.fans(Tensor.zeros([8, 4, 3, 3])), { fanIn: 36, fanOut: 72 });
  t.throws(() => init.fans(Tensor.zeros([5])), { instanceOf: ShapeError });
  t.throws(() => init.heUniform_(Tensor.zeros([5])), { instanceOf: ShapeError });
  // Explicit fans for other layouts (dense-res's (in+1)×out weights).
  const w = init.heUniform_(Tensor.zeros([101, 50], { dtype: 'float64' }), new Generator(1), { fanIn: 100, fanOut: 50 });
  const bound = Math.sqrt(6 / 100);
  t.true(Array.from(w.data).every((v) => Math.abs(v) <= bound));
  t.true(Array.from(w.data).some((v) => Math.abs(v) > Math.sqrt(6 / 101)), 'uses the given fanIn, not shape[1]');
  const n = init.heNormal_(Tensor.zeros([400, 300], { dtype: 'float64' }), new Generator(2), { fanIn: 8, fanOut: 1 });
  t.true(Math.abs(stats(n).std / Math.sqrt(2 / 8) - 1) < 0.02);
  const u = init.uniformFanIn_(Tensor.zeros([10], { dtype: 'float64' }), new Generator(3), 4);
  t.true(Array.from(u.data).every((v) => Math.abs(v) <= 0.5));
});

test('initialize() by name matches the initialiser functions; zeros leaves zeros', (t) => {
  for (const [how, fn] of [
    ['uniformFanIn', (x: Tensor, g: Generator) => init.uniformFanIn_(x, g)],
    ['xavierUniform', (x: Tensor, g: Generator) => init.xavierUniform_(x, 1, g)],
    ['xavierNormal', (x: Tensor, g: Generator) => init.xavierNormal_(x, 1, g)],
    ['heUniform', (x: Tensor, g: Generator) => init.heUniform_(x, g)],
    ['heNormal', (x: Tensor, g: Generator) => init.heNormal_(x, g)],
  ] as const) {
    const a = initialize(Tensor.zeros([6, 7], { dtype: 'float64' }), how, new Generator(9));
    const b = fn(Tensor.zeros([6, 7], { dtype: 'float64' }), new Generator(9));
    t.deepEqual(Array.from(a.data), Array.from(b.data), how);
  }
  t.true(Array.from(initialize(Tensor.zeros([3, 3]), 'zeros').data).every((v) => v === 0));
});

test('initialisers fill parameters that require grad, in place, returning them', (t) => {
  const p = Tensor.zeros([4, 4], { dtype: 'float64', requiresGrad: true });
  t.is(init.xavierUniform_(p, 1, new Generator(1)), p);
  t.true(p.requiresGrad);
  t.true(Array.from(p.data).some((v) => v !== 0));
});

test('the same seed gives the same weights on every backend and dtype-rounded in float32; the global seed repeats', (t) => {
  const ref = init.heNormal_(Tensor.zeros([30, 20], { dtype: 'float64', backend: 'ts' }), new Generator(123));
  for (const name of backendsUnderTest()) {
    const w = init.heNormal_(Tensor.zeros([30, 20], { dtype: 'float64', backend: name }), new Generator(123));
    t.deepEqual(Array.from(w.data), Array.from(ref.data), name);
    const w32 = init.heNormal_(Tensor.zeros([30, 20], { dtype: 'float32', backend: name }), new Generator(123));
    t.deepEqual(Array.from(w32.data), Array.from(Float32Array.from(ref.data)), `${name} float32`);
  }
  manualSeed(77);
  const a = init.xavierUniform_(Tensor.zeros([5, 5], { dtype: 'float64' }));
  manualSeed(77);
  const b = init.xavierUniform_(Tensor.zeros([5, 5], { dtype: 'float64' }));
  t.deepEqual(Array.from(a.data), Array.from(b.data));
  // Different seeds differ.
  const c = init.heNormal_(Tensor.zeros([30, 20], { dtype: 'float64' }), new Generator(124));
  t.notDeepEqual(Array.from(c.data), Array.from(ref.data));
});
