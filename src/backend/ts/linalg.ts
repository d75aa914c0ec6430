/**
 * Dense linear algebra by Jacobi methods, in doubles for both dtypes.
 *
 * symEig: the cyclic Jacobi eigenvalue method on the symmetric matrix built
 * from the lower triangle of `a` (the upper triangle is never read). Each
 * rotation zeroes one off-diagonal pair; sweeps repeat until every
 * off-diagonal entry is exactly zero or negligible next to both diagonal
 * entries it couples (convergence is quadratic, typically 6-10 sweeps).
 *
 * svd: one-sided Jacobi (Hestenes). Rotations of pairs of columns of a working
 * copy W (A's columns when m >= n, else Aᵀ's, i.e. A's rows, so there are
 * always k = min(m, n) of them) until every pair is orthogonal to
 * sqrt(rows)·ε relative to the product of their norms. Then the column norms
 * are the singular values, the normalised columns the singular vectors on
 * the long side, and the accumulated rotations V those on the short side.
 * Both sets are re-orthonormalised by Gram–Schmidt (in sorted order), which
 * removes the few-ε-per-sweep drift of the accumulated rotations; columns
 * that are numerically zero (rank-deficient input) are completed with the
 * least-covered standard basis vector, so u and vt are always orthonormal.
 *
 * solve: Gaussian elimination with row partial pivoting (the first largest
 * |entry| of the column, as LAPACK's ?getrf), in doubles; a pivot u_kk with
 * |u_kk| <= n·ε·max_i |a_ik| (ε of the dtype: 2^-23 or 2^-52; an exactly
 * zero pivot included) throws SingularMatrixError at the first such k. The
 * cpu backend applies the same test to LAPACK's factors and, when one of its
 * pivots is near the threshold, runs this very elimination (compiled without
 * fused multiply-adds, so bit-for-bit these results): both backends call
 * exactly the same matrices singular (a zero or repeated row or column,
 * [[1,2,3],[4,5,6],[7,8,9]], ...).
 *
 * lstsq: through svd below (in doubles): x = V diag(1/s_i) Uᵀ b over the
 * s_i > ε·max(m, n)·s_1 — the minimum-norm least-squares solution, with
 * numpy.linalg.lstsq's default rcond; the count of those s_i is the rank.
 *
 * svd and symEig scale the matrix by its largest |entry| first (so squares neither
 * overflow nor underflow) and scale the results back. Values/singular values
 * are sorted (ascending / descending; ties keep their order). Signs are
 * deterministic: each eigenvector, and each column of u (with the matching
 * row of vt), has its largest-|component| entry positive (the first one on
 * ties). Input holding NaN or ±Infinity is a RangeError naming the first such entry
 * (symEig looks at the lower triangle only), as in the native backends.
 */
import type { FloatArray } from '../backend';
import { SingularMatrixError } from '../../errors';
import { checkFloatArrays, checkLength, checkSize } from '../check';

const EPS = 2 ** -52;
const MAX_SWEEPS = 100;

export function symEig(n: number, a: FloatArray, values: FloatArray, vectors: FloatArray): void {
  const K = 'symEig';
  checkSize(K, 'n', n);
  checkFloatArrays(K, { a, values, vectors });
  checkLength(K, 'a', a, n * n, `n=${n}`);
  checkLength(K, 'values', values, n, `n=${n}`);
  checkLength(K, 'vectors', vectors, n * n, `n=${n}`);
  if (n === 0) return;

  // Full symmetric copy of the lower triangle, scaled to max |entry| = 1.
  let maxAbs = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) maxAbs = Math.max(maxAbs, Math.abs(a[i * n + j]));
  if (!Number.isFinite(maxAbs)) requireFinite(K, a, n, n, true); // NaN makes Math.max NaN; ±Infinity stays infinite
  const scale = maxAbs === 0 ? 1 : maxAbs;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) A[i * n + j] = A[j * n + i] = a[i * n + j] / scale;
  }
  // Eigenvectors as the rows of Vt (so rotations touch two contiguous rows).
  const Vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Vt[i * n + i] = 1;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += Math.abs(A[p * n + q]);
    if (off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) jacobiRotate(A, Vt, n, p, q);
    }
  }

  // Sort ascending, normalise, fix signs, write eigenvector j as column j.
  const order = sortedOrder(n, (i) => A[i * n + i], true);
  for (let j = 0; j < n; j++) {
    const src = order[j] * n;
    values[j] = A[src + order[j]] * scale;
    const sign = signOfLargest(Vt, src, n);
    const norm = Math.sqrt(dot(Vt, src, Vt, src, n));
    for (let r = 0; r < n; r++) vectors[r * n + j] = (sign / norm) * Vt[src + r];
  }
}

/**
 * One Jacobi rotation in the (p, q) plane chosen to zero A[p][q]; A is kept
 * symmetric (both triangles updated) and the rotation is accumulated into
 * rows p and q of Vt. Entries negligible next to both diagonals are set to 0.
 */
function jacobiRotate(A: Float64Array, Vt: Float64Array, n: number, p: number, q: number): void {
  const apq = A[p * n + q];
  if (apq === 0) return;
  const app = A[p * n + p], aqq = A[q * n + q];
  const g = 100 * Math.abs(apq);
  if (Math.abs(app) + g === Math.abs(app) && Math.abs(aqq) + g === Math.abs(aqq)) {
    A[p * n + q] = A[q * n + p] = 0;
    return;
  }
  // t = tan(φ) is the smaller root of t² + 2θt - 1 = 0 with θ = (aqq - app) / (2 apq).
  const h = aqq - app;
  let t: number;
  if (Math.abs(h) + g === Math.abs(h)) {
    t = apq / h; // θ so large that θ² would overflow: t ≈ 1/(2θ)
  } else {
    const theta = (0.5 * h) / apq;
    t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
    if (theta < 0) t = -t;
  }
  const c = 1 / Math.sqrt(1 + t * t), s = t * c, tau = s / (1 + c);
  A[p * n + p] = app - t * apq;
  A[q * n + q] = aqq + t * apq;
  A[p * n + q] = A[q * n + p] = 0;
  for (let r = 0; r < n; r++) {
    if (r === p || r === q) continue;
    const arp = A[r * n + p], arq = A[r * n + q];
    const newRp = arp - s * (arq + tau * arp), newRq = arq + s * (arp - tau * arq);
    A[r * n + p] = A[p * n + r] = newRp;
    A[r * n + q] = A[q * n + r] = newRq;
  }
  for (let r = 0; r < n; r++) {
    const vp = Vt[p * n + r], vq = Vt[q * n + r];
    Vt[p * n + r] = vp - s * (vq + tau * vp);
    Vt[q * n + r] = vq + s * (vp - tau * vq);
  }
}

export function svd(m: number, n: number, a: FloatArray, u: FloatArray, s: FloatArray, vt: FloatArray): void {
  const K = 'svd';
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkFloatArrays(K, { a, u, s, vt });
  const k = Math.min(m, n);
  checkLength(K, 'a', a, m * n, `m=${m}, n=${n}`);
  checkLength(K, 'u', u, m * k, `m=${m}, k=${k}`);
  checkLength(K, 's', s, k, `k=${k}`);
  checkLength(K, 'vt', vt, k * n, `k=${k}, n=${n}`);
  if (k === 0) return;

  // W holds `cols` columns of length `rows` contiguously: column j at j·rows.
  const wide = m < n;
  const rows = wide ? n : m, cols = k;
  let maxAbs = 0;
  for (let i = 0; i < m * n; i++) maxAbs = Math.max(maxAbs, Math.abs(a[i]));
  if (!Number.isFinite(maxAbs)) requireFinite(K, a, m, n, false);
  const scale = maxAbs === 0 ? 1 : maxAbs;
  const W = new Float64Array(rows * cols);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      // m >= n: column j of A; m < n: column i of Aᵀ (row i of A).
      W[wide ? i * rows + j : j * rows + i] = a[i * n + j] / scale;
    }
  }
  const V = new Float64Array(cols * cols);
  for (let j = 0; j < cols; j++) V[j * cols + j] = 1;

  const tol = Math.sqrt(rows) * EPS;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        const P = p * rows, Q = q * rows;
        const alpha = dot(W, P, W, P, rows), beta = dot(W, Q, W, Q, rows), gamma = dot(W, P, W, Q, rows);
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha * beta)) continue; // also skips zero columns
        rotated = true;
        // Rotate (w_p, w_q) → (c w_p - s w_q, s w_p + c w_q) so that they become orthogonal.
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), sn = c * t;
        rotatePair(W, P, Q, rows, c, sn);
        rotatePair(V, p * cols, q * cols, cols, c, sn);
      }
    }
    if (!rotated) break;
  }

  // Singular values are the column norms; sort descending.
  const norms = new Float64Array(cols);
  for (let j = 0; j < cols; j++) norms[j] = Math.sqrt(dot(W, j * rows, W, j * rows, rows));
  const order = sortedOrder(cols, (j) => norms[j], false);

  // Orthonormal long-side vectors in sorted order: normalise, re-orthogonalise
  // against the earlier ones, and complete numerically zero columns.
  const longSide = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const src = order[j] * rows, dst = j * rows;
    const norm = norms[order[j]];
    if (norm > 0) for (let r = 0; r < rows; r++) longSide[dst + r] = W[src + r] / norm;
    if (norm === 0 || orthonormalise(longSide, j, rows) < 0.5) {
      completeBasis(longSide, j, rows);
    }
  }

  // The accumulated rotations drift from orthonormal by a few ε per sweep: re-orthonormalise them too.
  const shortSide = new Float64Array(cols * cols);
  for (let j = 0; j < cols; j++) {
    shortSide.set(V.subarray(order[j] * cols, (order[j] + 1) * cols), j * cols);
    orthonormalise(shortSide, j, cols);
  }

  for (let j = 0; j < cols; j++) {
    s[j] = norms[order[j]] * scale;
    const shortAt = j * cols, longAt = j * rows;
    // Sign: the largest-|component| entry of u's column j is positive.
    const sign = wide ? signOfLargest(shortSide, shortAt, cols) : signOfLargest(longSide, longAt, rows);
    if (wide) {
      for (let i = 0; i < m; i++) u[i * k + j] = sign * shortSide[shortAt + i];
      for (let i = 0; i < n; i++) vt[j * n + i] = sign * longSide[longAt + i];
    } else {
      for (let i = 0; i < m; i++) u[i * k + j] = sign * longSide[longAt + i];
      for (let i = 0; i < n; i++) vt[j * n + i] = sign * shortSide[shortAt + i];
    }
  }
}

/** x·y over `len` entries from offsets xAt and yAt. */
function dot(x: Float64Array, xAt: number, y: Float64Array, yAt: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += x[xAt + i] * y[yAt + i];
  return sum;
}

/** (x_p, x_q) ← (c x_p - s x_q, s x_p + c x_q) for the vectors at P and Q. */
function rotatePair(x: Float64Array, P: number, Q: number, len: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const xp = x[P + i], xq = x[Q + i];
    x[P + i] = c * xp - s * xq;
    x[Q + i] = s * xp + c * xq;
  }
}

/**
 * Removes from column j of `basis` (columns of length `len`) its components
 * along columns 0..j-1 (classical Gram–Schmidt, applied twice), then
 * normalises it. Returns the norm left after the projections; the caller
 * treats a small one as "this column was numerically in the span already".
 */
function orthonormalise(basis: Float64Array, j: number, len: number): number {
  const at = j * len;
  const before = Math.sqrt(dot(basis, at, basis, at, len));
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < j; i++) {
      const proj = dot(basis, i * len, basis, at, len);
      for (let r = 0; r < len; r++) basis[at + r] -= proj * basis[i * len + r];
    }
  }
  const after = Math.sqrt(dot(basis, at, basis, at, len));
  if (after > 0) for (let r = 0; r < len; r++) basis[at + r] /= after;
  return before === 0 ? 0 : after / before;
}

/**
 * Sets column j of `basis` to a unit vector orthogonal to columns 0..j-1:
 * the standard basis vector e_r least covered by them (largest
 * 1 - Σ_i basis_i[r]², at least (len - j)/len > 0), orthonormalised.
 */
function completeBasis(basis: Float64Array, j: number, len: number): void {
  let bestRow = 0, bestResidual = -Infinity;
  for (let r = 0; r < len; r++) {
    let covered = 0;
    for (let i = 0; i < j; i++) covered += basis[i * len + r] ** 2;
    if (1 - covered > bestResidual) {
      bestResidual = 1 - covered;
      bestRow = r;
    }
  }
  const at = j * len;
  basis.fill(0, at, at + len);
  basis[at + bestRow] = 1;
  orthonormalise(basis, j, len);
}

/** Indices 0..count-1 sorted by key (ascending or descending), ties by index. */
function sortedOrder(count: number, key: (i: number) => number, ascending: boolean): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  order.sort((x, y) => {
    const d = ascending ? key(x) - key(y) : key(y) - key(x);
    return d !== 0 ? d : x - y;
  });
  return order;
}

/** +1 or -1: the sign of the first entry of largest magnitude of x[at .. at+len). */
function signOfLargest(x: Float64Array, at: number, len: number): number {
  let best = 0;
  for (let i = 1; i < len; i++) if (Math.abs(x[at + i]) > Math.abs(x[at + best])) best = i;
  return x[at + best] < 0 ? -1 : 1;
}

/** Throws a RangeError naming the first non-finite entry (of the lower triangle when lowerOnly). */
function requireFinite(kernel: string, a: FloatArray, rows: number, cols: number, lowerOnly: boolean,
                       name = 'a', what = 'the matrix'): never | void {
  for (let i = 0; i < rows; i++) {
    const end = lowerOnly ? i + 1 : cols;
    for (let j = 0; j < end; j++) {
      const v = a[i * cols + j];
      if (!Number.isFinite(v)) throw new RangeError(`${kernel}: ${name}[${i}, ${j}] is ${v}; ${what} must be finite`);
    }
  }
}

/** Machine epsilon of a dtype (numpy's finfo(dtype).eps). */
function epsilonOf(x: FloatArray): number {
  return x instanceof Float32Array ? 2 ** -23 : EPS;
}

export function solve(n: number, nrhs: number, a: FloatArray, b: FloatArray, x: FloatArray): void {
  const K = 'solve';
  checkSize(K, 'n', n);
  checkSize(K, 'nrhs', nrhs);
  checkFloatArrays(K, { a, b, x });
  checkLength(K, 'a', a, n * n, `n=${n}`);
  checkLength(K, 'b', b, n * nrhs, `n=${n}, nrhs=${nrhs}`);
  checkLength(K, 'x', x, n * nrhs, `n=${n}, nrhs=${nrhs}`);
  if (n === 0) return;
  requireFinite(K, a, n, n, false);
  requireFinite(K, b, n, nrhs, false, 'b', 'the right-hand side');

  // LU = P A in place (unit lower L below the diagonal, U on and above it).
  const lu = Float64Array.from(a.subarray(0, n * n));
  const colMax = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) colMax[j] = Math.max(colMax[j], Math.abs(lu[i * n + j]));
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const eps = epsilonOf(a);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[p * n + k])) p = i;
    if (!(Math.abs(lu[p * n + k]) > n * eps * colMax[k])) throw new SingularMatrixError(K, n, k + 1);
    if (p !== k) {
      for (let j = 0; j < n; j++) [lu[k * n + j], lu[p * n + j]] = [lu[p * n + j], lu[k * n + j]];
      [perm[k], perm[p]] = [perm[p], perm[k]];
    }
    const pivot = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const l = lu[i * n + k] / pivot;
      lu[i * n + k] = l;
      if (l !== 0) for (let j = k + 1; j < n; j++) lu[i * n + j] -= l * lu[k * n + j];
    }
  }

  // Per column of b: L y = P b forward, U x = y backward.
  const out = new Float64Array(n * nrhs);
  const y = new Float64Array(n);
  for (let c = 0; c < nrhs; c++) {
    for (let i = 0; i < n; i++) {
      let v = b[perm[i] * nrhs + c];
      for (let j = 0; j < i; j++) v -= lu[i * n + j] * y[j];
      y[i] = v;
    }
    for (let i = n - 1; i >= 0; i--) {
      let v = y[i];
      for (let j = i + 1; j < n; j++) v -= lu[i * n + j] * y[j];
      y[i] = v / lu[i * n + i];
    }
    for (let i = 0; i < n; i++) out[i * nrhs + c] = y[i];
  }
  x.set(out);
}

export function lstsq(m: number, n: number, nrhs: number, a: FloatArray, b: FloatArray, x: FloatArray,
                      s: FloatArray | null = null): number {
  const K = 'lstsq';
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkSize(K, 'nrhs', nrhs);
  s ??= null;
  checkFloatArrays(K, { a, b, x }, { s });
  const k = Math.min(m, n);
  checkLength(K, 'a', a, m * n, `m=${m}, n=${n}`);
  checkLength(K, 'b', b, m * nrhs, `m=${m}, nrhs=${nrhs}`);
  checkLength(K, 'x', x, n * nrhs, `n=${n}, nrhs=${nrhs}`);
  if (s) checkLength(K, 's', s, k, `k=${k}`);
  requireFinite(K, a, m, n, false);
  requireFinite(K, b, m, nrhs, false, 'b', 'the right-hand side');
  if (k === 0) {
    x.fill(0, 0, n * nrhs);
    return 0;
  }
  const u = new Float64Array(m * k), sv = new Float64Array(k), vt = new Float64Array(k * n);
  svd(m, n, Float64Array.from(a.subarray(0, m * n)), u, sv, vt);
  const threshold = epsilonOf(a) * Math.max(m, n) * sv[0];
  let rank = 0;
  while (rank < k && sv[rank] > threshold) rank++;
  // x = Σ_{i < rank} v_i (u_iᵀ b) / s_i, column by column of b.
  const out = new Float64Array(n * nrhs);
  for (let c = 0; c < nrhs; c++) {
    for (let i = 0; i < rank; i++) {
      let coef = 0;
      for (let r = 0; r < m; r++) coef += u[r * k + i] * b[r * nrhs + c];
      coef /= sv[i];
      for (let j = 0; j < n; j++) out[j * nrhs + c] += coef * vt[i * n + j];
    }
  }
  x.set(out);
  if (s) s.set(sv);
  return rank;
}
