import test from 'ava';
import { layerNormBackward, layerNormForward } from '../../../src/backend/ts/layernorm';
import type { FloatArray, NormActivation } from '../../../src/backend/backend';
import { DTYPES, assertClose, dotAll, mulberry32, numericGradient, randomArray } from './helpers';

/** The definition in doubles: out, mean, rstd. */
function naiveLayerNorm(m: number, n: number, x: FloatArray, residual: FloatArray | null, gamma: FloatArray,
                        beta: FloatArray, eps: number, act: NormActivation) {
  const out = new Float64Array(m * n), mean = new Float64Array(m), rstd = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const z = Array.from({ length: n }, (_, j) => x[i * n + j] + (residual ? residual[i * n + j] : 0));
    const mu = z.reduce((s, v) => s + v, 0) / n;
    const variance = z.reduce((s, v) => s + (v - mu) ** 2, 0) / n;
    mean[i] = mu;
    rstd[i] = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < n; j++) {
      const v = gamma[j] * (z[j] - mu) * rstd[i] + beta[j];
      out[i * n + j] = act === 'relu' ? Math.max(v, 0) : v;
    }
  }
  return { out, mean, rstd };
}

const CASES: Array<{ act: NormActivation; residual: boolean }> = [
  { act: 'identity', residual: false }, { act: 'identity', residual: true },
  { act: 'relu', residual: false }, { act: 'relu', residual: true },
];

for (const dt of DTYPES) {
  for (const { act, residual: withResidual } of CASES) {
    test(`layerNormForward ${dt.name} act=${act} residual=${withResidual}: the definition`, (t) => {
      const rng = mulberry32(21);
      for (const [m, n] of [[1, 1], [1, 2], [5, 7], [3, 64]]) {
        const x = randomArray(rng, dt.Ctor, m * n, -3, 3);
        const residual = withResidual ? randomArray(rng, dt.Ctor, m * n) : null;
        const gamma = randomArray(rng, dt.Ctor, n, 0.5, 1.5), beta = randomArray(rng, dt.Ctor, n);
        const out = new dt.Ctor(m * n), mean = new dt.Ctor(m), rstd = new dt.Ctor(m);
        layerNormForward(m, n, x, residual, gamma, beta, 1e-5, act, out, mean, rstd);
        const expected = naiveLayerNorm(m, n, x, residual, gamma, beta, 1e-5, act);
        assertClose(t, out, expected.out, dt.tol * 10, `${m}×${n} out`);
        assertClose(t, mean, expected.mean, dt.tol, `${m}×${n} mean`);
        assertClose(t, rstd, expected.rstd, dt.tol, `${m}×${n} rstd`); // rstd ≤ 1/sqrt(eps): relative to it
      }
    });
  }
}

for (const { act, residual: withResidual } of CASES) {
  test(`layerNormBackward float64 act=${act} residual=${withResidual}: matches central differences`, (t) => {
    const rng = mulberry32(22);
    const m = 3, n = 6, eps = 1e-5;
    const x = randomArray(rng, Float64Array, m * n, -2, 2) as Float64Array;
    const residual = withResidual ? (randomArray(rng, Float64Array, m * n) as Float64Array) : null;
    const gamma = randomArray(rng, Float64Array, n, 0.5, 1.5) as Float64Array;
    const beta = randomArray(rng, Float64Array, n) as Float64Array;
    const w = randomArray(rng, Float64Array, m * n); // loss = Σ w ⊙ out
    const out = new Float64Array(m * n), mean = new Float64Array(m), rstd = new Float64Array(m);
    const loss = () => {
      layerNormForward(m, n, x, residual, gamma, beta, eps, act, out, mean, rstd);
      return dotAll(w, out);
    };
    const numX = numericGradient(loss, x);
    const numResidual = residual ? numericGradient(loss, residual) : null;
    const numGamma = numericGradient(loss, gamma), numBeta = numericGradient(loss, beta);
    loss();
    const dX = new Float64Array(m * n), dGamma = new Float64Array(n).fill(NaN), dBeta = new Float64Array(n).fill(NaN);
    layerNormBackward(m, n, w, x, residual, mean, rstd, gamma, act, out, dX, dGamma, dBeta);
    assertClose(t, dX, numX, 1e-6, 'dX');
    if (numResidual) assertClose(t, dX, numResidual, 1e-6, 'dX vs d residual');
    assertClose(t, dGamma, numGamma, 1e-6, 'dGamma');
    assertClose(t, dBeta, numBeta, 1e-6, 'dBeta');

    // dX may alias dOut; null dGamma/dBeta are skipped.
    const inPlace = Float64Array.from(w);
    layerNormBackward(m, n, inPlace, x, residual, mean, rstd, gamma, act, act === 'relu' ? out : null, inPlace, null, null);
    t.deepEqual(inPlace, dX);
  });
}

for (const dt of DTYPES) {
  test(`layerNormBackward ${dt.name}: the closed form`, (t) => {
    const rng = mulberry32(23);
    const m = 4, n = 9;
    const x = randomArray(rng, dt.Ctor, m * n, -2, 2), gamma = randomArray(rng, dt.Ctor, n), beta = randomArray(rng, dt.Ctor, n);
    const out = new dt.Ctor(m * n), mean = new dt.Ctor(m), rstd = new dt.Ctor(m);
    layerNormForward(m, n, x, null, gamma, beta, 1e-3, 'relu', out, mean, rstd);
    const dOut = randomArray(rng, dt.Ctor, m * n);
    const expected = new Float64Array(m * n), eGamma = new Float64Array(n), eBeta = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      const g = Array.from({ length: n }, (_, j) => (out[i * n + j] > 0 ? dOut[i * n + j] : 0));
      const zhat = Array.from({ length: n }, (_, j) => (x[i * n + j] - mean[i]) * rstd[i]);
      const a = g.reduce((s, v, j) => s + v * gamma[j], 0) / n;
      const b = g.reduce((s, v, j) => s + v * gamma[j] * zhat[j], 0) / n;
      for (let j = 0; j < n; j++) {
        expected[i * n + j] = rstd[i] * (g[j] * gamma[j] - a - zhat[j] * b);
        eGamma[j] += g[j] * zhat[j];
        eBeta[j] += g[j];
      }
    }
    const dX = new dt.Ctor(m * n), dGamma = new dt.Ctor(n), dBeta = new dt.Ctor(n);
    layerNormBackward(m, n, dOut, x, null, mean, rstd, gamma, 'relu', out, dX, dGamma, dBeta);
    assertClose(t, dX, expected, dt.tol * 10, 'dX');
    assertClose(t, dGamma, eGamma, dt.tol * 10, 'dGamma');
    assertClose(t, dBeta, eBeta, dt.tol * 10, 'dBeta');
  });

  test(`layerNormForward ${dt.name}: constant rows give finite output equal to beta`, (t) => {
    const n = 7;
    for (const value of [0, 0.1, -3.7, 1e6, 1 / 3]) {
      const x = new dt.Ctor(2 * n).fill(value);
      const gamma = new dt.Ctor(n).fill(2), beta = dt.Ctor.from([0.5, -1, 2, 0, 3, -0.25, 1]);
      const out = new dt.Ctor(2 * n), mean = new dt.Ctor(2), rstd = new dt.Ctor(2);
      layerNormForward(2, n, x, null, gamma, beta, 1e-5, 'identity', out, mean, rstd);
      t.true(out.every(Number.isFinite));
      t.deepEqual(Array.from(out.subarray(0, n)), Array.from(beta), `value ${value}`);
      t.is(mean[0], dt.Ctor.from([value])[0]);
      t.is(rstd[0], dt.Ctor.from([1 / Math.sqrt(1e-5)])[0]);
    }
  });
}

test('layerNorm: argument checks', (t) => {
  const f = (n: number) => new Float64Array(n);
  t.throws(() => layerNormForward(2, 3, f(6), null, f(3), f(3), 1e-5, 'identity', f(6), f(1), f(2)), { instanceOf: RangeError, message: /mean has 1 elements, needs 2/ });
  t.throws(() => layerNormForward(2, 3, f(6), f(5), f(3), f(3), 1e-5, 'identity', f(6), f(2), f(2)), { instanceOf: RangeError, message: /residual has 5 elements, needs 6/ });
  t.throws(() => layerNormForward(2, 3, f(6), null, new Float32Array(3), f(3), 1e-5, 'identity', f(6), f(2), f(2)), { instanceOf: TypeError });
  const anyForward = layerNormForward as unknown as (...args: unknown[]) => void;
  t.throws(() => anyForward(2, 3, f(6), null, f(3), f(3), 1e-5, 'tanh', f(6), f(2), f(2)), { instanceOf: RangeError, message: /unknown act 'tanh'/ });
  t.throws(() => anyForward(2, 3, f(6), null, f(3), f(3), null, 'relu', f(6), f(2), f(2)), { instanceOf: TypeError, message: /eps/ });
  t.throws(() => layerNormBackward(2, 3, f(6), f(6), null, f(2), f(2), f(3), 'relu', null, f(6), null, null), { instanceOf: TypeError, message: /needs the forward output/ });
  t.throws(() => layerNormBackward(2, 3, f(6), f(6), null, f(2), f(2), f(3), 'relu', f(5), f(6), null, null), { instanceOf: RangeError, message: /out has 5 elements/ });
  t.throws(() => layerNormBackward(2, 3, f(6), f(6), null, f(2), f(2), f(3), 'identity', null, f(6), f(2), null), { instanceOf: RangeError, message: /dGamma has 2 elements, needs 3/ });
});
