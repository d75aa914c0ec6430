import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray } from '../../helpers/random';

parity('adamStep matches the reference over several steps (values, moments and parameters)', ({ t, native, ref, dtype, gen }) => {
  for (const n of [1, 7, 1000]) {
    for (const [lr, beta1, beta2, eps] of [[1e-3, 0.9, 0.999, 1e-8], [0.1, 0, 0.5, 0], [0, 0.99, 0.9, 1e-3]]) {
      const p = randomArray(gen, dtype, n);
      const state = (src: Float32Array | Float64Array) => ({ p: src.slice(), m: src.map(() => 0), v: src.map(() => 0) });
      const a = state(p), b = state(p);
      for (let step = 1; step <= 4; step++) {
        const g = randomArray(gen, dtype, n);
        ref.adamStep(step, lr, beta1, beta2, eps, a.p, g, a.m, a.v);
        native.adamStep(step, lr, beta1, beta2, eps, b.p, g, b.m, b.v);
      }
      const what = `n=${n} lr=${lr} betas=${beta1},${beta2} eps=${eps}`;
      t.true(maxRelativeError(b.m, a.m) <= tolerance(dtype, 8), `m ${what}`);
      t.true(maxRelativeError(b.v, a.v) <= tolerance(dtype, 8), `v ${what}`);
      t.true(maxRelativeError(b.p, a.p) <= tolerance(dtype, 16), `p ${what}`);
    }
  }
});

parity('adamStep refuses step 0, betas outside [0, 1), a negative lr and arrays of different lengths', ({ t, native, dtype, gen }) => {
  const p = randomArray(gen, dtype, 4), g = randomArray(gen, dtype, 4), m = randomArray(gen, dtype, 4), v = randomArray(gen, dtype, 4);
  t.throws(() => native.adamStep(0, 1e-3, 0.9, 0.999, 1e-8, p, g, m, v), { instanceOf: RangeError, message: /step/ });
  t.throws(() => native.adamStep(1, 1e-3, 1, 0.999, 1e-8, p, g, m, v), { instanceOf: RangeError, message: /beta1/ });
  t.throws(() => native.adamStep(1, 1e-3, 0.9, -0.1, 1e-8, p, g, m, v), { instanceOf: RangeError, message: /beta2/ });
  t.throws(() => native.adamStep(1, -1, 0.9, 0.999, 1e-8, p, g, m, v), { instanceOf: RangeError, message: /lr/ });
  t.throws(() => native.adamStep(1, 1e-3, 0.9, 0.999, 1e-8, p, randomArray(gen, dtype, 3), m, v), { instanceOf: RangeError });
});
