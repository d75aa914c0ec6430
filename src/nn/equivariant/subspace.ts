/**
 * Invariant subspaces of a finite linear group G of n×n matrices T_g.
 *
 * The Reynolds (symmetrization) operator T̄ = (1/|G|) Σ_g T_g satisfies
 * T̄ T_h = T_h T̄ = T̄ for every h (re-indexing the sum), so T̄² = T̄: it is a
 * projection, diagonalizable with eigenvalues 0 and 1, rank = trace. A neuron
 * σ(wᵀx + b) is G-invariant exactly when wᵀ T_g = wᵀ for all g, and that is
 * the same as wᵀ T̄ = wᵀ (average the first; for the converse,
 * wᵀ T_h = wᵀ T̄ T_h = wᵀ T̄ = wᵀ). So the invariant weights are the left
 * eigenvectors of T̄ with eigenvalue 1.
 *
 * Why a null space through symEig: for a group that is not orthogonal T̄ is
 * not symmetric, so a symmetric eigensolver cannot be applied to T̄ itself,
 * and its left and right eigenvectors differ. But
 *   { w : wᵀ T̄ = wᵀ } = null((I − T̄)ᵀ) = null(A),  A = (I − T̄)(I − T̄)ᵀ,
 * because Aw = 0 ⟹ wᵀAw = ‖(I − T̄)ᵀw‖² = 0. A is symmetric positive
 * semidefinite for any T̄, so the eigenvectors of its (numerically) zero
 * eigenvalues — ascending first out of symEig — are an orthonormal basis of
 * the invariant subspace whatever the group. The right eigenspace
 * { v : T̄ v = v } (fixedBasis) is null(I − T̄) = null((I − T̄)ᵀ(I − T̄)).
 * When T̄ is symmetric (an orthogonal group, e.g. permutations:
 * T̄ᵀ = mean of T_g⁻¹ = T̄), I − T̄ is a symmetric projection, A = I − T̄,
 * and A's eigenvalue-0 eigenvectors are exactly T̄'s eigenvalue-1
 * eigenvectors; left and right bases span the same space.
 *
 * "Zero" means below tol·max(1, λmax) (tol default 1e-8). Everything is
 * float64 on the backend given (default getBackend()), products through its
 * gemm; the eigenproblems are n×n, so for n = 784 use the native cpu backend.
 * Bases are n×k tensors with orthonormal columns (k = 0 allowed).
 */
import { getBackend } from '../../backend';
import type { Backend } from '../../backend/backend';
import { Tensor } from '../../tensor/tensor';
import { PermutationGroup, type FiniteGroup } from './group';

export interface LinalgOptions {
  backend?: Backend;
  /** Relative threshold for a zero eigenvalue (default 1e-8). */
  tol?: number;
}

const DEFAULT_TOL = 1e-8;

function matrixData(t: Tensor, what: string): { data: Float64Array; rows: number; cols: number } {
  if (t.ndim !== 2) throw new RangeError(`${what} must be a 2-D matrix, not shape [${t.shape.join(', ')}]`);
  return { data: t.data instanceof Float64Array ? t.data : Float64Array.from(t.data), rows: t.shape[0], cols: t.shape[1] };
}

/** T̄ = (1/|G|) Σ_g T_g as an n×n float64 tensor; permutation groups are summed sparsely (|G|·n entries). */
export function reynoldsOperator(group: FiniteGroup, options: { backend?: Backend } = {}): Tensor {
  const be = options.backend ?? getBackend();
  const n = group.degree;
  const out = new Float64Array(n * n);
  const w = 1 / group.order;
  if (group instanceof PermutationGroup) {
    for (const p of group.elements) for (let a = 0; a < n; a++) out[a * n + p[a]] += w;
  } else {
    for (let i = 0; i < group.order; i++) {
      const m = group.matrix(i);
      for (let k = 0; k < m.length; k++) out[k] += m[k];
    }
    for (let k = 0; k < out.length; k++) out[k] *= w;
  }
  return new Tensor(out, [n, n], be);
}

/** Trace of a square matrix. */
export function trace(t: Tensor): number {
  const { data, rows, cols } = matrixData(t, 'trace\'s argument');
  if (rows !== cols) throw new RangeError(`trace needs a square matrix, not ${rows}×${cols}`);
  let s = 0;
  for (let i = 0; i < rows; i++) s += data[i * cols + i];
  return s;
}

/** Eigenvectors of the symmetric n×n a whose eigenvalues are below tol·max(1, λmax), as an n×k tensor. */
function symNullSpace(be: Backend, n: number, a: Float64Array, tol: number): Tensor {
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  be.symEig(n, a, values, vectors);
  const cut = tol * Math.max(1, values[n - 1]);
  let k = 0;
  while (k < n && values[k] < cut) k++;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[i * k + j] = vectors[i * n + j];
  return new Tensor(out, [n, k], be);
}

/** I − T̄ as float64, and its Gram matrix M Mᵀ (left) or Mᵀ M (right) by the backend's gemm. */
function gramOfDefect(group: FiniteGroup, be: Backend, left: boolean): Float64Array {
  const n = group.degree;
  const m = reynoldsOperator(group, { backend: be }).data as Float64Array;
  for (let k = 0; k < m.length; k++) m[k] = -m[k];
  for (let i = 0; i < n; i++) m[i * n + i] += 1;
  const a = new Float64Array(n * n);
  be.gemm(!left, left, n, n, n, 1, m, n, m, n, 0, a, n);
  return a;
}

/** Orthonormal basis (n×k float64) of { w : wᵀ T̄ = wᵀ }: the weights of G-invariant neurons. */
export function invariantBasis(group: FiniteGroup, options: LinalgOptions = {}): Tensor {
  const be = options.backend ?? getBackend();
  return symNullSpace(be, group.degree, gramOfDefect(group, be, true), options.tol ?? DEFAULT_TOL);
}

/** Orthonormal basis (n×k float64) of { v : T̄ v = v } (right eigenvectors of eigenvalue 1). */
export function fixedBasis(group: FiniteGroup, options: LinalgOptions = {}): Tensor {
  const be = options.backend ?? getBackend();
  return symNullSpace(be, group.degree, gramOfDefect(group, be, false), options.tol ?? DEFAULT_TOL);
}

/**
 * Numerical rank of a matrix: the eigenvalues of AᵀA (squared singular
 * values) above tol·max(1, λmax), i.e. σ > sqrt(tol)·max(1, σmax) (the
 * squares put rounding noise near 1e-16 into the zero eigenvalues).
 */
export function matrixRank(t: Tensor, options: LinalgOptions = {}): number {
  const be = options.backend ?? t.backend;
  const { data, rows, cols } = matrixData(t, 'matrixRank\'s argument');
  if (rows === 0 || cols === 0) return 0;
  const gram = new Float64Array(cols * cols);
  be.gemm(true, false, cols, cols, rows, 1, data, cols, data, cols, 0, gram, cols);
  const values = new Float64Array(cols);
  be.symEig(cols, gram, values, new Float64Array(cols * cols));
  const cut = (options.tol ?? DEFAULT_TOL) * Math.max(1, values[cols - 1]);
  return values.filter((v) => v > cut).length;
}

/** ‖w − U Uᵀ w‖ / ‖w‖ for a basis U with orthonormal columns (0 for w = 0; 1 for an empty basis). */
export function projectionResidual(w: Tensor | ArrayLike<number>, basis: Tensor): number {
  const { data: u, rows: n, cols: k } = matrixData(basis, 'the basis');
  const x = Float64Array.from(w instanceof Tensor ? w.data : w);
  if (x.length !== n) throw new RangeError(`a vector of length ${x.length} against a basis of ${n}-vectors`);
  let norm = 0;
  for (const v of x) norm += v * v;
  if (norm === 0) return 0;
  const rest = Float64Array.from(x);
  if (k > 0) {
    const be = basis.backend;
    const coef = new Float64Array(k);
    be.gemm(true, false, k, 1, n, 1, u, k, x, 1, 0, coef, 1);
    be.gemm(false, false, n, 1, k, -1, u, k, coef, 1, 1, rest, 1);
  }
  let r = 0;
  for (const v of rest) r += v * v;
  return Math.sqrt(r / norm);
}

/** Whether w lies in span(basis): projection residual at most tol (default 1e-6). */
export function isInvariant(w: Tensor | ArrayLike<number>, basis: Tensor, tol = 1e-6): { residual: number; invariant: boolean } {
  const residual = projectionResidual(w, basis);
  return { residual, invariant: residual <= tol };
}

/**
 * Orthonormal columns spanning the columns of t (modified Gram–Schmidt, two
 * passes), dropping columns dependent on the earlier ones (relative norm
 * below 1e-10).
 */
export function orthonormalize(t: Tensor, options: { backend?: Backend } = {}): Tensor {
  const { data, rows: n, cols: k } = matrixData(t, 'orthonormalize\'s argument');
  const cols: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = data[i * k + j];
    let before = 0;
    for (const v of c) before += v * v;
    before = Math.sqrt(before);
    if (before === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * c[i];
        for (let i = 0; i < n; i++) c[i] -= d * q[i];
      }
    }
    let after = 0;
    for (const v of c) after += v * v;
    after = Math.sqrt(after);
    if (after <= 1e-10 * before) continue;
    for (let i = 0; i < n; i++) c[i] /= after;
    cols.push(c);
  }
  const out = new Float64Array(n * cols.length);
  cols.forEach((c, j) => { for (let i = 0; i < n; i++) out[i * cols.length + j] = c[i]; });
  return new Tensor(out, [n, cols.length], options.backend ?? t.backend);
}

/**
 * Orthonormal basis of span(u) ∩ span(v). With U, V orthonormalized, the
 * eigenvalues of Uᵀ V Vᵀ U are the squared cosines of the principal angles;
 * the eigenvectors x with eigenvalue ≥ 1 − tol (default 1e-8) give the
 * common directions U x.
 */
export function intersectSubspaces(u: Tensor, v: Tensor, options: LinalgOptions = {}): Tensor {
  const be = options.backend ?? u.backend;
  const tol = options.tol ?? DEFAULT_TOL;
  const U = orthonormalize(u, { backend: be });
  const V = orthonormalize(v, { backend: be });
  const n = U.shape[0];
  if (V.shape[0] !== n) throw new RangeError(`cannot intersect subspaces of R^${n} and R^${V.shape[0]}`);
  const p = U.shape[1];
  const q = V.shape[1];
  if (p === 0 || q === 0) return new Tensor(new Float64Array(0), [n, 0], be);
  const ud = U.data as Float64Array;
  const vd = V.data as Float64Array;
  const b = new Float64Array(q * p); // Vᵀ U
  be.gemm(true, false, q, p, n, 1, vd, q, ud, p, 0, b, p);
  const m = new Float64Array(p * p); // Uᵀ V Vᵀ U
  be.gemm(true, false, p, p, q, 1, b, p, b, p, 0, m, p);
  const values = new Float64Array(p);
  const vectors = new Float64Array(p * p);
  be.symEig(p, m, values, vectors);
  let first = p;
  while (first > 0 && values[first - 1] >= 1 - tol) first--;
  const k = p - first;
  if (k === 0) return new Tensor(new Float64Array(0), [n, 0], be);
  const x = new Float64Array(p * k);
  for (let i = 0; i < p; i++) for (let j = 0; j < k; j++) x[i * k + j] = vectors[i * p + first + j];
  const z = new Float64Array(n * k);
  be.gemm(false, false, n, k, p, 1, ud, p, x, k, 0, z, k);
  return orthonormalize(new Tensor(z, [n, k], be));
}
