/**
 * General matrix multiply, C = alpha·op(A)·op(B) + beta·C, row-major.
 *
 * A cache-blocked loop in the spirit of GotoBLAS, written for V8:
 *
 * 1. C is cut into MC×NC blocks. For one block the k dimension is walked in
 *    slices of KC; for each slice the MC×KC piece of op(A) and the KC×NC
 *    piece of op(B) are copied ("packed") into contiguous Float64Array
 *    scratch. Packing is where transposes and leading dimensions are handled
 *    and where float32 is widened, so the inner loop never sees either.
 * 2. The packed pieces are laid out in micro-panels: op(A) as strips of
 *    MR = 4 rows where, for each p, the 4 values a[i..i+3][p] are adjacent;
 *    op(B) as strips of NR = 4 columns with b[p][j..j+3] adjacent. Strips are
 *    zero-padded to full width, so the micro-kernel never checks bounds.
 * 3. The micro-kernel computes one 4×4 tile of the product over the KC slice
 *    in 16 local doubles (registers) from two streams read front to back,
 *    and adds the tile into a Float64Array accumulator for the C block.
 * 4. After the last k slice the accumulator is written into C once:
 *    C = alpha·acc + beta·C (beta = 0 overwrites, so NaNs in C vanish).
 *
 * Sums are accumulated in doubles for both dtypes; float32 results are
 * rounded once, when stored. Block sizes: a 4×KC strip of op(B) (8 KiB) stays
 * in L1 while the MC×KC packed op(A) (128 KiB) and the accumulator stream
 * from L2.
 *
 * Small products (m·n·k ≤ 64³, k ≤ KC) skip the blocking: one dot product
 * per entry, summed in the same order, so the result is bitwise the same and
 * tiny matrices pay no packing.
 *
 * Edge cases: m = 0 or n = 0 does nothing; k = 0 or alpha = 0 gives
 * C = beta·C without reading A or B (as reference BLAS and OpenBLAS do), so
 * NaN or Infinity in A or B does not reach C then. C must not overlap A or B
 * (as in BLAS). A leading dimension may be 0 only for rows of length 0.
 */
import type { FloatArray } from '../backend';
import { checkBoolean, checkFloatArrays, checkLeadingDim, checkLength, checkNumber, checkSize, matrixExtent } from '../check';

/** Rows of a micro-tile. */
const MR = 4;
/** Columns of a micro-tile. */
const NR = 4;
/** Rows of C per block (a multiple of MR). */
const MC = 64;
/** Length of a k slice. */
const KC = 256;
/** Columns of C per block (a multiple of NR). */
const NC = 256;
/** Largest m·n·k computed without packing (see smallGemm). */
const SMALL = 64 * 64 * 64;

// Scratch reused across calls (the backend is synchronous and single-threaded).
const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);
const acc = new Float64Array(MC * NC);

export function gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
                     alpha: number, a: FloatArray, lda: number, b: FloatArray, ldb: number,
                     beta: number, c: FloatArray, ldc: number): void {
  const K = 'gemm';
  checkBoolean(K, 'transA', transA);
  checkBoolean(K, 'transB', transB);
  checkSize(K, 'm', m);
  checkSize(K, 'n', n);
  checkSize(K, 'k', k);
  checkNumber(K, 'alpha', alpha);
  checkNumber(K, 'beta', beta);
  checkFloatArrays(K, { a, b, c });
  // Stored shapes: A is m×k (k×m when transA), B is k×n (n×k when transB).
  const aRows = transA ? k : m, aCols = transA ? m : k;
  const bRows = transB ? n : k, bCols = transB ? k : n;
  const aDetail = () => `${transA ? `transA, k=${k}, m=${m}` : `m=${m}, k=${k}`}, lda=${lda}`;
  const bDetail = () => `${transB ? `transB, n=${n}, k=${k}` : `k=${k}, n=${n}`}, ldb=${ldb}`;
  const cDetail = () => `m=${m}, n=${n}, ldc=${ldc}`;
  checkLeadingDim(K, 'lda', lda, aCols, aDetail);
  checkLeadingDim(K, 'ldb', ldb, bCols, bDetail);
  checkLeadingDim(K, 'ldc', ldc, n, cDetail);
  checkLength(K, 'a', a, matrixExtent(aRows, aCols, lda), aDetail);
  checkLength(K, 'b', b, matrixExtent(bRows, bCols, ldb), bDetail);
  checkLength(K, 'c', c, matrixExtent(m, n, ldc), cDetail);

  if (m === 0 || n === 0) return;
  if (k === 0 || alpha === 0) {
    scaleC(m, n, beta, c, ldc);
    return;
  }
  if (k <= KC && m * n * k <= SMALL) {
    smallGemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const nStrips = Math.ceil(nc / NR);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = Math.min(MC, m - ic);
      const mStrips = Math.ceil(mc / MR);
      for (let r = 0; r < mStrips * MR; r++) acc.fill(0, r * NC, r * NC + nStrips * NR);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        packA(transA, a, lda, ic, mc, pc, kc);
        packB(transB, b, ldb, pc, kc, jc, nc);
        // Keep one 4-column strip of op(B) hot in L1 while every strip of op(A) passes it.
        for (let js = 0; js < nStrips; js++) {
          for (let is = 0; is < mStrips; is++) {
            microKernel(kc, is * MR * kc, js * NR * kc, is * MR * NC + js * NR);
          }
        }
      }
      storeC(mc, nc, alpha, beta, c, ic * ldc + jc, ldc);
    }
  }
}

/**
 * Products up to SMALL multiply-adds (k ≤ KC) skip packing: one dot product
 * per entry of C, summed in a double in the order the blocked path sums
 * (p = 0, 1, …), so both paths give bitwise the same C.
 */
function smallGemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
                   alpha: number, a: FloatArray, lda: number, b: FloatArray, ldb: number,
                   beta: number, c: FloatArray, ldc: number): void {
  // op(A)[i][p] = a[i·ai + p·ap], op(B)[p][j] = b[p·bp + j·bj].
  const ai = transA ? 1 : lda, ap = transA ? lda : 1;
  const bp = transB ? 1 : ldb, bj = transB ? ldb : 1;
  const n4 = n - (n % 4);
  for (let i = 0; i < m; i++) {
    const aRow = i * ai, cRow = i * ldc;
    // Four columns at a time: each op(A) value is loaded once for four products.
    for (let j = 0; j < n4; j += 4) {
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let x = aRow, y = j * bj;
      for (let p = 0; p < k; p++, x += ap, y += bp) {
        const av = a[x];
        s0 += av * b[y];
        s1 += av * b[y + bj];
        s2 += av * b[y + 2 * bj];
        s3 += av * b[y + 3 * bj];
      }
      storeEntry(c, cRow + j, alpha, beta, s0);
      storeEntry(c, cRow + j + 1, alpha, beta, s1);
      storeEntry(c, cRow + j + 2, alpha, beta, s2);
      storeEntry(c, cRow + j + 3, alpha, beta, s3);
    }
    for (let j = n4; j < n; j++) {
      let sum = 0;
      let x = aRow, y = j * bj;
      for (let p = 0; p < k; p++, x += ap, y += bp) sum += a[x] * b[y];
      storeEntry(c, cRow + j, alpha, beta, sum);
    }
  }
}

/** C[at] = alpha·sum (+ beta·C[at]), as storeC writes an accumulated entry (0 + sum turns -0 into +0 as the accumulator does). */
function storeEntry(c: FloatArray, at: number, alpha: number, beta: number, sum: number): void {
  c[at] = beta === 0 ? alpha * (0 + sum) : alpha * (0 + sum) + beta * c[at];
}

/** C = beta·C over m×n; beta = 0 writes zeros (even over NaN). */
function scaleC(m: number, n: number, beta: number, c: FloatArray, ldc: number): void {
  for (let i = 0; i < m; i++) {
    const row = i * ldc;
    if (beta === 0) c.fill(0, row, row + n);
    else if (beta !== 1) for (let j = row; j < row + n; j++) c[j] = beta * c[j];
  }
}

/**
 * Packs op(A)[ic .. ic+mc, pc .. pc+kc] as strips of MR rows:
 * packedA[(s·kc + p)·MR + r] = op(A)[ic + s·MR + r][pc + p], zero past row mc.
 */
function packA(transA: boolean, a: FloatArray, lda: number, ic: number, mc: number, pc: number, kc: number): void {
  const strips = Math.ceil(mc / MR);
  for (let s = 0; s < strips; s++) {
    const base = s * MR * kc;
    for (let r = 0; r < MR; r++) {
      const i = s * MR + r; // row within the block
      let dst = base + r;
      if (i >= mc) {
        for (let p = 0; p < kc; p++, dst += MR) packedA[dst] = 0;
      } else if (transA) {
        // op(A)[row][col] = a[col·lda + row]: walk down a column of the stored k×m matrix.
        let src = pc * lda + ic + i;
        for (let p = 0; p < kc; p++, dst += MR, src += lda) packedA[dst] = a[src];
      } else {
        let src = (ic + i) * lda + pc;
        for (let p = 0; p < kc; p++, dst += MR, src++) packedA[dst] = a[src];
      }
    }
  }
}

/**
 * Packs op(B)[pc .. pc+kc, jc .. jc+nc] as strips of NR columns:
 * packedB[(s·kc + p)·NR + q] = op(B)[pc + p][jc + s·NR + q], zero past column nc.
 */
function packB(transB: boolean, b: FloatArray, ldb: number, pc: number, kc: number, jc: number, nc: number): void {
  const strips = Math.ceil(nc / NR);
  for (let s = 0; s < strips; s++) {
    const base = s * NR * kc;
    for (let q = 0; q < NR; q++) {
      const j = s * NR + q; // column within the block
      let dst = base + q;
      if (j >= nc) {
        for (let p = 0; p < kc; p++, dst += NR) packedB[dst] = 0;
      } else if (transB) {
        // op(B)[row][col] = b[col·ldb + row]: a row of the stored n×k matrix.
        let src = (jc + j) * ldb + pc;
        for (let p = 0; p < kc; p++, dst += NR, src++) packedB[dst] = b[src];
      } else {
        let src = pc * ldb + jc + j;
        for (let p = 0; p < kc; p++, dst += NR, src += ldb) packedB[dst] = b[src];
      }
    }
  }
}

/**
 * acc[4×4 tile at accAt, row stride NC] += Σ_p A-strip[p] ⊗ B-strip[p] for
 * p < kc, reading packedA from aAt and packedB from bAt.
 */
function microKernel(kc: number, aAt: number, bAt: number, accAt: number): void {
  const A = packedA, B = packedB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aAt, bi = bAt;
  for (let p = 0; p < kc; p++, ai += MR, bi += NR) {
    const a0 = A[ai], a1 = A[ai + 1], a2 = A[ai + 2], a3 = A[ai + 3];
    const b0 = B[bi], b1 = B[bi + 1], b2 = B[bi + 2], b3 = B[bi + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
  }
  let r = accAt;
  acc[r] += c00; acc[r + 1] += c01; acc[r + 2] += c02; acc[r + 3] += c03; r += NC;
  acc[r] += c10; acc[r + 1] += c11; acc[r + 2] += c12; acc[r + 3] += c13; r += NC;
  acc[r] += c20; acc[r + 1] += c21; acc[r + 2] += c22; acc[r + 3] += c23; r += NC;
  acc[r] += c30; acc[r + 1] += c31; acc[r + 2] += c32; acc[r + 3] += c33;
}

/** Writes the mc×nc accumulator into C at `at`: C = alpha·acc + beta·C (beta = 0 overwrites). */
function storeC(mc: number, nc: number, alpha: number, beta: number, c: FloatArray, at: number, ldc: number): void {
  for (let i = 0; i < mc; i++) {
    const row = at + i * ldc, accRow = i * NC;
    if (beta === 0) {
      for (let j = 0; j < nc; j++) c[row + j] = alpha * acc[accRow + j];
    } else {
      for (let j = 0; j < nc; j++) c[row + j] = alpha * acc[accRow + j] + beta * c[row + j];
    }
  }
}
