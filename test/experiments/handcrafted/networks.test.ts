/** The hand-set networks as library modules on every host backend: exact values at chosen points. */
import test from 'ava';
import { backend } from '../../../src/backend';
import { buildModule, evaluate, grid, softThresholdNetwork, tentNetwork, xnorNetwork } from '../../../src/experiments/handcrafted/networks';
import { backendsUnderTest } from '../../helpers/backends';

for (const name of backendsUnderTest()) {
  const be = backend(name);

  test(`[${name}] XNOR: exactly 1, 0, 0, 1 on (0,0), (0,1), (1,0), (1,1)`, (t) => {
    const out = evaluate(buildModule(xnorNetwork(), be), Float64Array.of(0, 0, 0, 1, 1, 0, 1, 1), 4, 2, be);
    t.deepEqual(Array.from(out), [1, 0, 0, 1]);
  });

  test(`[${name}] tent: exact at the kinks and between them, 0 outside [0, 1]`, (t) => {
    const xs = [-2, -1e-9, 0, 0.125, 0.25, 0.5, 0.75, 1, 1 + 1e-9, 2.5];
    const out = evaluate(buildModule(tentNetwork(), be), Float64Array.from(xs), xs.length, 1, be);
    t.deepEqual(Array.from(out), [0, 0, 0, 0.25, 0.5, 1, 0.5, 0, 0, 0]);
  });

  test(`[${name}] soft threshold: ρ(x − s) − ρ(−x − s) for several s; s = 0 is the identity`, (t) => {
    for (const s of [0, 0.5, 1, 2]) {
      const xs = [-3, -2, -1, -0.5, 0, 0.25, 0.5, 1, 1.5, 3];
      const out = evaluate(buildModule(softThresholdNetwork(s), be), Float64Array.from(xs), xs.length, 1, be);
      t.deepEqual(Array.from(out, (v) => v + 0), xs.map((x) => Math.max(Math.abs(x) - s, 0) * Math.sign(x) + 0), `s=${s}`); // +0: -0 → 0
    }
    t.throws(() => softThresholdNetwork(-0.1), { instanceOf: RangeError });
    t.throws(() => softThresholdNetwork(NaN), { instanceOf: RangeError });
  });
}

test('grid: evenly spaced with the kinks exactly, extras merged and deduplicated', (t) => {
  const g = grid(-2, 3, 100001, [0, 0.5, 1, 1, -1, 0.3]);
  t.is(g.length, 100002);
  for (const k of [0, 0.5, 1, -1, 0.3]) t.true(g.includes(k), `${k}`);
  t.is(g[0], -2);
  t.is(g[g.length - 1], 3);
  for (let i = 1; i < g.length; i++) t.true(g[i] > g[i - 1]);
});
