import type { NormActivation } from '../../../src/backend/backend';
import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray, zerosLike } from '../../helpers/random';

const SHAPES: [number, number][] = [[1, 1], [1, 7], [5, 13], [128, 256], [3, 1031]];
const ACTS: NormActivation[] = ['identity', 'relu'];

parity('layerNormForward and Backward match the reference, with and without residual and relu', ({ t, native, ref, dtype, gen }) => {
  for (const [m, n] of SHAPES) {
    for (const act of ACTS) {
      for (const withResidual of [false, true]) {
        const where = `${m}×${n} ${act} residual=${withResidual}`;
        const x = randomArray(gen, dtype, m * n, -2, 3);
        const residual = withResidual ? randomArray(gen, dtype, m * n) : null;
        const gamma = randomArray(gen, dtype, n, 0.5, 1.5);
        const beta = randomArray(gen, dtype, n, -0.5, 0.5);
        const results = [ref, native].map((b) => {
          const out = zerosLike(x);
          const mean = zerosLike(x, m);
          const rstd = zerosLike(x, m);
          b.layerNormForward(m, n, x, residual, gamma, beta, 1e-5, act, out, mean, rstd);
          return { out, mean, rstd };
        });
        const [r, c] = results;
        const tol = tolerance(dtype, n);
        t.true(maxRelativeError(c.out, r.out) <= tol, `out ${where}`);
        t.true(maxRelativeError(c.mean, r.mean) <= tol, `mean ${where}`);
        t.true(maxRelativeError(c.rstd, r.rstd) <= tol, `rstd ${where}`);

        const dOut = randomArray(gen, dtype, m * n);
        const grads = [ref, native].map((b) => {
          const dX = zerosLike(x);
          const dGamma = zerosLike(x, n).fill(NaN);
          const dBeta = zerosLike(x, n).fill(NaN);
          b.layerNormBackward(m, n, dOut, x, residual, r.mean, r.rstd, gamma, act, r.out, dX, dGamma, dBeta);
          return { dX, dGamma, dBeta };
        });
        const [gr, gc] = grads;
        // dX involves row means of n products; dGamma/dBeta sum m rows.
        t.true(maxRelativeError(gc.dX, gr.dX) <= tolerance(dtype, n) * 10, `dX ${where}: ${maxRelativeError(gc.dX, gr.dX)}`);
        const colScale = new Float64Array(n).fill(m * 3);
        t.true(maxRelativeError(gc.dGamma, gr.dGamma, colScale) <= tolerance(dtype, m), `dGamma ${where}`);
        t.true(maxRelativeError(gc.dBeta, gr.dBeta, colScale) <= tolerance(dtype, m), `dBeta ${where}`);
      }
    }
  }
});

parity('layerNorm of constant rows is finite and equals beta', ({ t, native, dtype, gen }) => {
  const m = 4;
  const n = 9;
  const x = zerosLike(randomArray(gen, dtype, 1), m * n);
  for (let i = 0; i < m; i++) x.fill(1000 * (i - 1.5), i * n, (i + 1) * n);
  const gamma = randomArray(gen, dtype, n, 0.5, 1.5);
  const beta = randomArray(gen, dtype, n);
  const out = zerosLike(x);
  const mean = zerosLike(x, m);
  const rstd = zerosLike(x, m);
  native.layerNormForward(m, n, x, null, gamma, beta, 1e-5, 'identity', out, mean, rstd);
  for (let i = 0; i < m * n; i++) {
    t.true(Number.isFinite(out[i]));
    t.true(Math.abs(out[i] - beta[i % n]) <= 1e-6, `out[${i}] = ${out[i]}, beta = ${beta[i % n]}`);
  }
  const dX = zerosLike(x);
  native.layerNormBackward(m, n, randomArray(gen, dtype, m * n), x, null, mean, rstd, gamma, 'identity', null, dX, null, null);
  t.true(Array.from(dX).every(Number.isFinite));
});

parity('layerNorm of empty rows (n = 0) gives mean 0 and rstd 1/sqrt(eps), as the reference', ({ t, native, ref, dtype, gen }) => {
  const m = 3;
  const empty = zerosLike(randomArray(gen, dtype, 1), 0);
  const stats = (be: typeof ref) => {
    const mean = zerosLike(empty, m).fill(7);
    const rstd = zerosLike(empty, m).fill(7);
    be.layerNormForward(m, 0, empty, null, empty, empty, 1e-4, 'identity', zerosLike(empty, 0), mean, rstd);
    return [...mean, ...rstd];
  };
  const want = stats(ref);
  t.deepEqual(want.slice(0, m), [0, 0, 0]);
  t.true(Math.abs(want[m] - 100) < 1e-4);
  t.deepEqual(stats(native), want);
});
