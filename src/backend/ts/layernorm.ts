/**
 * LayerNorm over the last dimension of an m×n input, with an optional
 * residual added first and an optional relu after, and its backward.
 *
 * Forward, per row i, with z = x (+ residual):
 *   mean = Σ_j z_j / n, var = Σ_j (z_j - mean)² / n (biased),
 *   rstd = 1 / sqrt(var + eps), zhat = (z - mean)·rstd,
 *   out = act(gamma·zhat + beta).
 * Statistics are computed in doubles with two passes (mean, then the centred
 * variance), plus one correction of the mean by Σ(z - mean)/n, which makes
 * the mean of a constant row exact, so such a row gives zhat = 0 and
 * out = act(beta) exactly (for eps > 0). An empty row (n = 0) stores
 * mean = 0 and rstd = 1/sqrt(eps).
 *
 * Backward, per row, with g = dOut masked by out > 0 when act = 'relu'
 * (masked entries exactly 0) and zhat recomputed from the stored mean/rstd:
 *   dz = rstd·(g·gamma - mean_j(g·gamma) - zhat·mean_j(g·gamma·zhat)),
 *   dGamma_j = Σ_i g·zhat, dBeta_j = Σ_i g (accumulated in doubles, overwritten).
 * dX may alias dOut: each row of g is read into scratch before dX is written.
 */
import type { FloatArray, NormActivation } from '../backend';
import { checkFloatArrays, checkLength, checkNumber, checkOption, checkSize } from '../check';
import { relu } from './activations';

const NORM_ACTIVATIONS: readonly NormActivation[] = ['identity', 'relu'];

export function layerNormForward(m: number, n: number, x: FloatArray, residual: FloatArray | null,
                                 gamma: FloatArray, beta: FloatArray, eps: number, act: NormActivation,
                                 out: FloatArray, mean: FloatArray, rstd: FloatArray): void {
  const K = 'layerNormForward';
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkNumber(K, 'eps', eps);
  checkOption(K, 'act', act, NORM_ACTIVATIONS);
  checkFloatArrays(K, { x, gamma, beta, out, mean, rstd }, { residual });
  const detail = `m=${m}, n=${n}`;
  checkLength(K, 'x', x, m * n, detail);
  if (residual !== null) checkLength(K, 'residual', residual, m * n, detail);
  checkLength(K, 'gamma', gamma, n, `n=${n}`);
  checkLength(K, 'beta', beta, n, `n=${n}`);
  checkLength(K, 'out', out, m * n, detail);
  checkLength(K, 'mean', mean, m, `m=${m}`);
  checkLength(K, 'rstd', rstd, m, `m=${m}`);

  const z = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) z[j] = x[row + j] + (residual === null ? 0 : residual[row + j]);
    const { mu, r } = rowStatistics(z, n, eps);
    mean[i] = mu;
    rstd[i] = r;
    for (let j = 0; j < n; j++) {
      const v = gamma[j] * ((z[j] - mu) * r) + beta[j];
      out[row + j] = act === 'relu' ? relu(v) : v;
    }
  }
}

/** Mean and 1/sqrt(biased variance + eps) of z[0..n), in doubles. */
function rowStatistics(z: Float64Array, n: number, eps: number): { mu: number; r: number } {
  if (n === 0) return { mu: 0, r: 1 / Math.sqrt(eps) };
  let sum = 0;
  for (let j = 0; j < n; j++) sum += z[j];
  let mu = sum / n;
  // One refinement: the rounding error of the first mean, measured exactly enough by Σ(z - mu).
  let correction = 0;
  for (let j = 0; j < n; j++) correction += z[j] - mu;
  mu += correction / n;
  let squares = 0;
  for (let j = 0; j < n; j++) {
    const d = z[j] - mu;
    squares += d * d;
  }
  return { mu, r: 1 / Math.sqrt(squares / n + eps) };
}

export function layerNormBackward(m: number, n: number, dOut: FloatArray, x: FloatArray,
                                  residual: FloatArray | null, mean: FloatArray, rstd: FloatArray,
                                  gamma: FloatArray, act: NormActivation, out: FloatArray | null,
                                  dX: FloatArray, dGamma: FloatArray | null, dBeta: FloatArray | null): void {
  const K = 'layerNormBackward';
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkOption(K, 'act', act, NORM_ACTIVATIONS);
  checkFloatArrays(K, { dOut, x, mean, rstd, gamma, dX }, { residual, out, dGamma, dBeta });
  if (act === 'relu' && out === null) {
    throw new TypeError(`${K}: act 'relu' needs the forward output out for its mask, got null`);
  }
  const detail = `m=${m}, n=${n}`;
  checkLength(K, 'dOut', dOut, m * n, detail);
  checkLength(K, 'x', x, m * n, detail);
  if (residual !== null) checkLength(K, 'residual', residual, m * n, detail);
  checkLength(K, 'mean', mean, m, `m=${m}`);
  checkLength(K, 'rstd', rstd, m, `m=${m}`);
  checkLength(K, 'gamma', gamma, n, `n=${n}`);
  if (act === 'relu' && out !== null) checkLength(K, 'out', out, m * n, detail);
  checkLength(K, 'dX', dX, m * n, detail);
  if (dGamma !== null) checkLength(K, 'dGamma', dGamma, n, `n=${n}`);
  if (dBeta !== null) checkLength(K, 'dBeta', dBeta, n, `n=${n}`);

  const g = new Float64Array(n);    // gradient after the activation
  const zhat = new Float64Array(n);
  const gammaSums = new Float64Array(n), betaSums = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const row = i * n, mu = mean[i], r = rstd[i];
    let meanGG = 0, meanGGZ = 0; // means over the row of g·gamma and g·gamma·zhat
    for (let j = 0; j < n; j++) {
      const z = x[row + j] + (residual === null ? 0 : residual[row + j]);
      zhat[j] = (z - mu) * r;
      const d = dOut[row + j];
      g[j] = act === 'relu' ? ((out as FloatArray)[row + j] > 0 ? d : 0) : d;
      const gg = g[j] * gamma[j];
      meanGG += gg;
      meanGGZ += gg * zhat[j];
      gammaSums[j] += g[j] * zhat[j];
      betaSums[j] += g[j];
    }
    meanGG /= n;
    meanGGZ /= n;
    for (let j = 0; j < n; j++) {
      dX[row + j] = r * (g[j] * gamma[j] - meanGG - zhat[j] * meanGGZ);
    }
  }
  if (dGamma !== null) for (let j = 0; j < n; j++) dGamma[j] = gammaSums[j];
  if (dBeta !== null) for (let j = 0; j < n; j++) dBeta[j] = betaSums[j];
}
