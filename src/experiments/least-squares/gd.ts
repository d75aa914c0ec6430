/**
 * Least squares L(w) = ½‖Xw − y‖² and gradient descent on it, in float64
 * tensors on any backend (the answers of hw problem 5):
 *
 *   ∇L(w) = Xᵀ(Xw − y)
 *   w* = argmin L: the solutions of the normal equations XᵀX w = Xᵀy,
 *        w* = (XᵀX)⁻¹Xᵀy when X has full column rank (else the minimum-norm one)
 *   GD:  w_{k+1} = w_k − αXᵀ(Xw_k − y) = (I − αXᵀX) w_k + αXᵀy
 *   w_1 = (I − αXᵀX) w_0 + αXᵀy
 *   w_2 = (I − αXᵀX)² w_0 + α(I − αXᵀX) Xᵀy + αXᵀy
 *   w_k = (I − αXᵀX)^k w_0 + α Σ_{j<k} (I − αXᵀX)^j Xᵀy
 *       = w* + (I − αXᵀX)^k (w_0 − w*)      (since αXᵀy = αXᵀX w* for any minimiser w*)
 *
 * so w_k − w* = (I − αXᵀX)^k (w_0 − w*): GD converges for every w_0 iff the
 * spectral radius max_i |1 − αλ_i| of I − αXᵀX is below 1, i.e.
 * 0 < α < 2/λ_max (with λ_min > 0); α = 1/λ_max is always safe.
 */
import { grad } from '../../autograd';
import { noGrad } from '../../autograd/mode';
import type { Backend } from '../../backend/backend';
import { SingularMatrixError } from '../../errors';
import * as linalg from '../../linalg';
import type { Generator } from '../../random';
import { Tensor } from '../../tensor';

export interface Problem {
  /** N×D data matrix. */
  X: Tensor;
  /** N labels. */
  y: Tensor;
  /** D: the start of gradient descent. */
  w0: Tensor;
}

/** X ~ N(0, 1), y = X w_true + 0.5·N(0, 1) noise, w_0 ~ N(0, 1), all float64 on `be`. */
export function makeProblem(n: number, d: number, gen: Generator, be: Backend): Problem {
  const o = { dtype: 'float64' as const, backend: be, generator: gen };
  const X = Tensor.randn([n, d], o);
  const wTrue = Tensor.randn([d], o);
  const noise = Tensor.randn([n], { ...o, std: 0.5 });
  const w0 = Tensor.randn([d], o);
  return { X, y: noGrad(() => X.matmul(wTrue).add(noise)), w0 };
}

/** ½‖Xw − y‖². */
export function loss(X: Tensor, y: Tensor, w: Tensor): number {
  return noGrad(() => X.matmul(w).sub(y).square().sum().item() / 2);
}

/** The analytic gradient Xᵀ(Xw − y). */
export function gradient(X: Tensor, y: Tensor, w: Tensor): Tensor {
  return noGrad(() => X.matmul(X.matmul(w).sub(y), { transposeA: true }));
}

/** ∇L(w) by reverse-mode autograd on L(w) = ½ Σ (Xw − y)². */
export function autogradGradient(X: Tensor, y: Tensor, w: Tensor): Tensor {
  const leaf = w.detach().clone().requiresGrad_();
  const L = X.matmul(leaf).sub(y).square().sum().scale(0.5);
  return grad(L, [leaf])[0];
}

/**
 * Eigenvalues of XᵀX (ascending, by linalg.eigh); those within rounding of 0
 * (|λ| <= D·ε·λ_max: XᵀX is positive semi-definite) are set to exactly 0.
 */
export function gramSpectrum(X: Tensor): number[] {
  const values = Array.from(linalg.eigh(gram(X)).values.toTypedArray());
  const tol = values.length * 2 ** -52 * Math.max(...values.map(Math.abs));
  return values.map((l) => (Math.abs(l) <= tol ? 0 : l));
}

/** XᵀX. */
export function gram(X: Tensor): Tensor {
  return noGrad(() => X.matmul(X, { transposeA: true }));
}

export interface Minimiser {
  /** w* by linalg.solve(XᵀX, Xᵀy); null when XᵀX is singular (N < D or dependent columns). */
  bySolve: Tensor | null;
  /** Why bySolve is null. */
  solveError: string | null;
  /** w* by linalg.lstsq(X, y) (the minimum-norm minimiser). */
  byLstsq: Tensor;
  /** The rank of X. */
  rank: number;
}

export function minimiser(X: Tensor, y: Tensor): Minimiser {
  const ls = linalg.lstsq(X, y);
  const d = X.shape[1];
  if (ls.rank < d) {
    const solveError = `X has rank ${ls.rank} < D = ${d}, so XᵀX is singular and the minimiser is not unique`;
    return { bySolve: null, solveError, byLstsq: ls.solution, rank: ls.rank };
  }
  try {
    const bySolve = linalg.solve(gram(X), noGrad(() => X.matmul(y, { transposeA: true })));
    return { bySolve, solveError: null, byLstsq: ls.solution, rank: ls.rank };
  } catch (err) {
    if (!(err instanceof SingularMatrixError)) throw err;
    return { bySolve: null, solveError: err.message, byLstsq: ls.solution, rank: ls.rank };
  }
}

/** One GD step w − αXᵀ(Xw − y). */
export function gdStep(X: Tensor, y: Tensor, w: Tensor, alpha: number): Tensor {
  return noGrad(() => w.sub(gradient(X, y, w).scale(alpha)));
}

/**
 * w_1 and w_2 from the written-out formulas (only α, w_0, X, y):
 * w_1 = (I − αXᵀX) w_0 + αXᵀy, w_2 = (I − αXᵀX)² w_0 + α(I − αXᵀX)Xᵀy + αXᵀy.
 */
export function firstIterates(X: Tensor, y: Tensor, w0: Tensor, alpha: number): { w1: Tensor; w2: Tensor } {
  return noGrad(() => {
    const M = iterationMatrix(X, alpha);
    const c = X.matmul(y, { transposeA: true }).scale(alpha);
    const w1 = M.matmul(w0).add(c);
    const w2 = M.matmul(M.matmul(w0)).add(M.matmul(c)).add(c);
    return { w1, w2 };
  });
}

/** I − αXᵀX. */
export function iterationMatrix(X: Tensor, alpha: number): Tensor {
  const d = X.shape[1];
  return noGrad(() => Tensor.eye(d, { dtype: 'float64', backend: X.backend }).sub(gram(X).scale(alpha)));
}

export interface Trajectory {
  /** GD iterates w_0..w_K (host copies). */
  gd: Float64Array[];
  /** The closed form w* + (I − αXᵀX)^k (w_0 − w*) for k = 0..K. */
  closed: Float64Array[];
  /** L(w_k) of the GD iterates. */
  loss: number[];
}

/**
 * K steps of gradient descent and the closed form at every k, the matrix
 * power built by repeated multiplication P_k = (I − αXᵀX) P_{k−1} (no
 * eigendecomposition, so it is exact up to rounding). Stops early (shorter
 * arrays) once an iterate overflows to a non-finite value.
 */
export function trajectory(p: Problem, wStar: Tensor, alpha: number, steps: number): Trajectory {
  return noGrad(() => {
    const { X, y, w0 } = p;
    const M = iterationMatrix(X, alpha);
    const e0 = w0.sub(wStar);
    let w = w0;
    let P = Tensor.eye(X.shape[1], { dtype: 'float64', backend: X.backend });
    const out: Trajectory = { gd: [host(w0)], closed: [host(w0)], loss: [loss(X, y, w0)] };
    for (let k = 1; k <= steps; k++) {
      w = gdStep(X, y, w, alpha);
      P = M.matmul(P);
      const gdK = host(w), closedK = host(wStar.add(P.matmul(e0)));
      if (!gdK.every(Number.isFinite) || !closedK.every(Number.isFinite)) break;
      out.gd.push(gdK);
      out.closed.push(closedK);
      out.loss.push(loss(X, y, w));
    }
    return out;
  });
}

/** A float64 host copy of a tensor's values. */
export function host(t: Tensor): Float64Array {
  return Float64Array.from(t.toTypedArray());
}

/** ‖a − b‖₂ (‖a‖₂ without b). */
export function distance(a: ArrayLike<number>, b?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s);
}

/** max_i |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max_i |1 − αλ_i|: the spectral radius of I − αXᵀX. */
export function spectralRadius(eigenvalues: readonly number[], alpha: number): number {
  return Math.max(...eigenvalues.map((l) => Math.abs(1 - alpha * l)));
}
