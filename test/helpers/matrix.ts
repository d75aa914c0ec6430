/** Dense row-major matrix helpers for the linear-algebra tests, in doubles. */

/** Row-major product of a (m×k) and b (k×n). */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

export function transpose(a: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/** max |a_i - b_i|. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** max |QᵀQ - I| for the columns of a rows×cols matrix q. */
export function orthonormalityError(q: ArrayLike<number>, rows: number, cols: number): number {
  const qtq = matmul(transpose(q, rows, cols), q, cols, rows, cols);
  let worst = 0;
  for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) worst = Math.max(worst, Math.abs(qtq[i * cols + j] - (i === j ? 1 : 0)));
  return worst;
}
