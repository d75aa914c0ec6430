import { parity } from '../../helpers/parity';
import { randomArray, randomLabels } from '../../helpers/random';

// [length indices point into, number of indices]: empty, size 1, all indices equal, many repeats, wide and long.
const LAYOUTS: [number, number][] = [[0, 0], [4, 0], [1, 1], [1, 9], [3, 40], [10, 100], [784, 784], [1000, 5000], [60000, 1000]];

parity('gather matches the reference exactly', ({ t, native, ref, dtype, gen }) => {
  for (const [n, m] of LAYOUTS) {
    const src = randomArray(gen, dtype, n);
    const index = randomLabels(gen, m, n);
    const outRef = randomArray(gen, dtype, m);
    const outNative = outRef.slice();
    ref.gather(src, index, outRef);
    native.gather(src, index, outNative);
    t.deepEqual(Array.from(outNative), Array.from(outRef), `gather ${n} → ${m}`);
    t.deepEqual(Array.from(outNative), Array.from(index, (i) => src[i]), `gather ${n} → ${m} reads src[index[j]]`);
  }
});

parity('scatterAdd matches the reference exactly, accumulating repeated indices onto out', ({ t, native, ref, dtype, gen }) => {
  for (const [n, m] of LAYOUTS) {
    const src = randomArray(gen, dtype, m);
    const index = randomLabels(gen, m, n);
    const outRef = randomArray(gen, dtype, n);
    const before = Array.from(outRef);
    const outNative = outRef.slice();
    ref.scatterAdd(src, index, outRef);
    native.scatterAdd(src, index, outNative);
    t.deepEqual(Array.from(outNative), Array.from(outRef), `scatterAdd ${m} → ${n}`);
    if (m > 0 && n > 0) {
      // Every entry hit more than once really accumulated: out - before is the sum of its sources.
      const sums = new Float64Array(n);
      index.forEach((i, j) => { sums[i] += src[j]; });
      const worst = Math.max(...Array.from(outNative, (v, i) => Math.abs(v - before[i] - sums[i])));
      t.true(worst <= (dtype === 'float64' ? 1e-12 : 1e-5) * Math.max(1, m / n), `scatterAdd ${m} → ${n}: off by ${worst}`);
    }
  }
});

parity('gather then scatterAdd is the adjoint pair: <gather(x), y> = <x, scatterAdd(y)>', ({ t, native, dtype, gen }) => {
  const n = 37, m = 120;
  const x = randomArray(gen, dtype, n), y = randomArray(gen, dtype, m);
  const index = randomLabels(gen, m, n);
  const gx = randomArray(gen, dtype, m), sy = randomArray(gen, dtype, n).fill(0);
  native.gather(x, index, gx);
  native.scatterAdd(y, index, sy);
  let left = 0, right = 0;
  for (let j = 0; j < m; j++) left += gx[j] * y[j];
  for (let i = 0; i < n; i++) right += x[i] * sy[i];
  t.true(Math.abs(left - right) <= (dtype === 'float64' ? 1e-12 : 1e-4) * m, `${left} vs ${right}`);
});
