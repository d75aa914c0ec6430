/**
 * Dense linear algebra on tensors, like numpy.linalg: `solve`, `lstsq`,
 * `eigh`, `svd`. Thin wrappers over the backend kernels (LAPACK on cpu, the
 * TypeScript reference on ts; the cuda backend runs them on the host, one
 * download and upload per call). Results are on the inputs' backend and
 * dtype (mixed float32/float64 operands compute in float64, as numpy and
 * PyTorch promote). They are not recorded for autograd: results are
 * constants (compute a gradient through them by other means).
 *
 *     import { linalg, Tensor } from 'gradnode';
 *     const x = linalg.solve(A, b);                         // A x = b, A square
 *     const { solution, residuals, rank, singularValues } = linalg.lstsq(X, y);
 */
import { noGrad } from '../autograd/mode';
import { ShapeError } from '../errors';
import { shapeString } from '../tensor/shape';
import { Tensor } from '../tensor/tensor';

export { SingularMatrixError } from '../errors';

function promote(a: Tensor, b: Tensor, fn: string): [Tensor, Tensor] {
  if (a.backend !== b.backend) {
    throw new RangeError(`linalg.${fn}: A and B are on different backends (${a.backend.name} and ${b.backend.name}); move one with .to()`);
  }
  if (a.dtype === b.dtype) return [a, b];
  return [a.astype('float64'), b.astype('float64')];
}

function requireMatrix(fn: string, name: string, t: Tensor): [number, number] {
  if (t.ndim !== 2) throw new ShapeError(`linalg.${fn}: ${name} must be a matrix (2-D), got shape ${shapeString(t.shape)}`);
  return [t.shape[0], t.shape[1]];
}

/**
 * B as a matrix with `rows` rows: a vector [rows] is one column. Returns the
 * column count and whether B was a vector.
 */
function rightHandSide(fn: string, A: Tensor, B: Tensor, rows: number): { nrhs: number; vector: boolean } {
  const ok = (B.ndim === 1 || B.ndim === 2) && B.shape[0] === rows;
  if (!ok) {
    throw new ShapeError(`linalg.${fn}: B must have shape [${rows}] or [${rows}, k] to match A ${shapeString(A.shape)}, `
      + `got ${shapeString(B.shape)}`);
  }
  return B.ndim === 1 ? { nrhs: 1, vector: true } : { nrhs: B.shape[1], vector: false };
}

/**
 * Finite inputs whose answer overflows (entries near the dtype's limit) would
 * come back as NaN or ±Infinity: a RangeError instead, naming the function.
 */
function requireFiniteResult(fn: string, ...results: Tensor[]): void {
  for (const r of results) {
    const values = r.backend.toHost(r.storage);
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i])) {
        throw new RangeError(`linalg.${fn}: the result overflows ${r.dtype} (an entry is ${values[i]}); scale the input down first`);
      }
    }
  }
}

function empty(like: Tensor, shape: number[]): Tensor {
  const be = like.backend;
  return new Tensor(be.alloc(like.dtype, shape.reduce((p, d) => p * d, 1)), shape, be);
}

/**
 * x with A x = B, A square [n, n], B [n] or [n, k] (x has B's shape). LU
 * with partial pivoting (LAPACK ?getrf/?getrs on cpu). A singular matrix —
 * an LU pivot that is 0 or |u_kk| <= n·ε·max_i |a_ik| — throws
 * SingularMatrixError; NaN or ±Infinity in A or B a RangeError naming the entry.
 */
export function solve(A: Tensor, B: Tensor): Tensor {
  [A, B] = promote(A, B, 'solve');
  const [n, cols] = requireMatrix('solve', 'A', A);
  if (n !== cols) throw new ShapeError(`linalg.solve: A must be square, got shape ${shapeString(A.shape)}`);
  const { nrhs } = rightHandSide('solve', A, B, n);
  const x = empty(A, [...B.shape]);
  A.backend.solve(n, nrhs, A.storage, B.storage, x.storage);
  requireFiniteResult('solve', x);
  return x;
}

export interface LstsqResult {
  /** The minimum-norm least-squares solution x: [n] for a vector B, else [n, k]. */
  solution: Tensor;
  /**
   * Squared residual norms ‖B_j − A x_j‖² per column ([1] for a vector B),
   * as numpy: only when rank = n < m; otherwise an empty [0] tensor.
   */
  residuals: Tensor;
  /** The effective rank: singular values > ε·max(m, n)·s_1. */
  rank: number;
  /** The singular values of A, descending ([min(m, n)]). */
  singularValues: Tensor;
}

/**
 * Least squares as numpy.linalg.lstsq(A, B) with its default rcond
 * (ε·max(m, n)): A [m, n], B [m] or [m, k], any m and n, rank-deficient A
 * included (the minimum-norm solution). LAPACK ?gelsd on cpu, an SVD on ts.
 */
export function lstsq(A: Tensor, B: Tensor): LstsqResult {
  [A, B] = promote(A, B, 'lstsq');
  const [m, n] = requireMatrix('lstsq', 'A', A);
  const { nrhs, vector } = rightHandSide('lstsq', A, B, m);
  const solution = empty(A, vector ? [n] : [n, nrhs]);
  const singularValues = empty(A, [Math.min(m, n)]);
  const rank = A.backend.lstsq(m, n, nrhs, A.storage, B.storage, solution.storage, singularValues.storage);
  let residuals = empty(A, [0]);
  if (rank === n && m > n) {
    const x2 = vector ? solution.reshape(n, 1) : solution;
    const b2 = vector ? B.reshape(m, 1) : B;
    residuals = noGrad(() => b2.sub(A.matmul(x2)).square().sum(0));
  }
  requireFiniteResult('lstsq', solution, singularValues, residuals);
  return { solution, residuals, rank, singularValues };
}

/**
 * Symmetric eigendecomposition of A [n, n] (only its lower triangle is read,
 * as numpy.linalg.eigh's default UPLO='L'): values ascending [n], vectors
 * [n, n] with column j the unit eigenvector of values[j].
 */
export function eigh(A: Tensor): { values: Tensor; vectors: Tensor } {
  const [n, cols] = requireMatrix('eigh', 'A', A);
  if (n !== cols) throw new ShapeError(`linalg.eigh: A must be square, got shape ${shapeString(A.shape)}`);
  const values = empty(A, [n]);
  const vectors = empty(A, [n, n]);
  A.backend.symEig(n, A.storage, values.storage, vectors.storage);
  requireFiniteResult('eigh', values, vectors);
  return { values, vectors };
}

/**
 * Thin SVD A = u diag(s) vt of A [m, n] with k = min(m, n): u [m, k], s [k]
 * (descending), vt [k, n] (numpy.linalg.svd(A, full_matrices=False)).
 */
export function svd(A: Tensor): { u: Tensor; s: Tensor; vt: Tensor } {
  const [m, n] = requireMatrix('svd', 'A', A);
  const k = Math.min(m, n);
  const u = empty(A, [m, k]);
  const s = empty(A, [k]);
  const vt = empty(A, [k, n]);
  A.backend.svd(m, n, A.storage, u.storage, s.storage, vt.storage);
  requireFiniteResult('svd', u, s, vt);
  return { u, s, vt };
}
