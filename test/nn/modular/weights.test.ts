/** nn.modular initialisers: fans of n_in × n_out weights, bounds and statistics against the formulas, seeding, options. */
import test from 'ava';
import { ShapeError } from '../../../src/errors';
import { modular } from '../../../src/nn';
import { Generator } from '../../../src/random';
import type { Tensor } from '../../../src/tensor';
import { backendsUnderTest } from '../../helpers/backends';

const { INIT_NAMES, fans, initWeights, initializer } = modular;

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of t.data) { s += v; s2 += v * v; min = Math.min(min, v); max = Math.max(max, v); }
  const mean = s / t.size;
  return { mean, std: Math.sqrt(s2 / t.size - mean * mean), min, max };
}

// W is n_in × n_out = 300 × 200: fan_in 300, fan_out 200 (the seed's row-vector layout, not PyTorch's [out, in]).
const SHAPE = [300, 200];
const FAN_IN = 300, FAN_OUT = 200;
const EXPECTED: Record<modular.InitName, { mean: number; std: number; bound?: number }> = {
  uniform: { mean: 0, std: 2 / Math.sqrt(12), bound: 1 },
  normal: { mean: 0, std: 1 },
  xavier_uniform: { mean: 0, std: Math.sqrt(6 / (FAN_IN + FAN_OUT)) / Math.sqrt(3), bound: Math.sqrt(6 / (FAN_IN + FAN_OUT)) },
  xavier_normal: { mean: 0, std: Math.sqrt(2 / (FAN_IN + FAN_OUT)) },
  he_uniform: { mean: 0, std: Math.sqrt(6 / FAN_IN) / Math.sqrt(3), bound: Math.sqrt(6 / FAN_IN) },
  he_normal: { mean: 0, std: Math.sqrt(2 / FAN_IN) },
};

test('fans: n_in × n_out, and …×in×out with the leading axes as the receptive field', (t) => {
  t.deepEqual(fans([4, 8]), { fanIn: 4, fanOut: 8 });
  t.deepEqual(fans([3, 3, 2, 5]), { fanIn: 18, fanOut: 45 });
  t.throws(() => fans([5]), { instanceOf: ShapeError });
});

for (const be of backendsUnderTest()) {
  for (const name of INIT_NAMES) {
    test(`${be}: ${name}: bounds, mean and std match the formula; the same seed gives the same weights`, (t) => {
      const w = initWeights(name, SHAPE, { generator: new Generator(42), dtype: 'float64', backend: be });
      t.deepEqual([...w.shape], SHAPE);
      t.is(w.backend.name, be);
      const s = stats(w), e = EXPECTED[name];
      t.true(Math.abs(s.mean - e.mean) < 0.02 * e.std, `mean ${s.mean}`);
      t.true(Math.abs(s.std / e.std - 1) < 0.02, `std ${s.std} vs ${e.std}`);
      if (e.bound !== undefined) {
        t.true(s.min >= -e.bound && s.max <= e.bound, `[${s.min}, ${s.max}] within ±${e.bound}`);
        t.true(s.min < -0.99 * e.bound && s.max > 0.99 * e.bound, 'fills the range');
      } else {
        const beyond = Array.from(w.data).filter((v) => Math.abs(v) > 2 * e.std).length / w.size;
        t.true(Math.abs(beyond - 0.0455) < 0.005, `beyond 2σ: ${beyond}`);
      }
      const again = initializer(name, { generator: new Generator(42) })(SHAPE, { dtype: 'float64', backend: be });
      t.deepEqual(Array.from(again.data), Array.from(w.data));
    });
  }
}

test('options: uniform range, normal mean/std, xavier gain, dtype; unknown names and bad ranges are refused', (t) => {
  const u = stats(initWeights('uniform', [100, 100], { low: 2, high: 3, generator: new Generator(1), backend: 'ts' }));
  t.true(u.min >= 2 && u.max < 3);
  const n = stats(initWeights('normal', [100, 100], { mean: 5, std: 0.1, generator: new Generator(1), backend: 'ts' }));
  t.true(Math.abs(n.mean - 5) < 0.01 && Math.abs(n.std - 0.1) < 0.005);
  const x = stats(initWeights('xavier_uniform', [100, 100], { gain: 2, generator: new Generator(1), backend: 'ts' }));
  t.true(x.max <= 2 * Math.sqrt(6 / 200) && x.max > 1.9 * Math.sqrt(6 / 200));
  t.is(initWeights('he_normal', [3, 3], { dtype: 'float32', backend: 'ts' }).dtype, 'float32');
  t.throws(() => initWeights('glorot' as 'uniform', [2, 2]), { message: /Unknown initialiser "glorot"/ });
  t.throws(() => initializer('glorot' as 'uniform'), { message: /Unknown initialiser "glorot"/ });
  t.throws(() => initWeights('uniform', [2, 2], { low: 1, high: 1 }), { message: /high \(1\) must be above low \(1\)/ });
});
