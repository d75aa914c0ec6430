import { parity, tolerance } from '../../helpers/parity';
import { maxRelativeError, randomArray } from '../../helpers/random';

// [m, n, k]: 1×1, primes, tall-skinny, K much larger than M and N, square.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [7, 13, 17], [31, 37, 41], [1000, 3, 5], [3, 1000, 5],
  [4, 3, 2003], [64, 64, 64], [97, 1, 89], [128, 256, 785],
];

parity('gemm matches the reference for every transpose, alpha, beta and leading dimension', ({ t, native, ref, dtype, gen }) => {
  let cases = 0;
  for (const [m, n, k] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const pad = gen.int(3); // extra columns beyond the row length
        const aRows = transA ? k : m;
        const aCols = transA ? m : k;
        const bRows = transB ? n : k;
        const bCols = transB ? k : n;
        const lda = aCols + pad;
        const ldb = bCols + pad;
        const ldc = n + pad;
        const a = randomArray(gen, dtype, aRows * lda);
        const b = randomArray(gen, dtype, bRows * ldb);
        const alpha = [1, -0.5, 2][gen.int(3)];
        const beta = [0, 1, 0.25][gen.int(3)];
        const c0 = randomArray(gen, dtype, m * ldc);
        if (beta === 0) c0.fill(NaN); // beta = 0 must overwrite, not propagate NaN
        const expected = c0.slice();
        const actual = c0.slice();
        ref.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        native.gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
        // Error scale per entry: |alpha| Σ|a||b| + |beta c|, bounded here by the sizes (entries are in [-1, 1]).
        const scale = new Float64Array(m * ldc).fill(Math.abs(alpha) * k + Math.abs(beta));
        const rows = (arr: ArrayLike<number>) => Array.from({ length: m * n }, (_, i) => arr[Math.floor(i / n) * ldc + (i % n)]);
        const err = maxRelativeError(rows(actual), rows(expected), scale);
        t.true(err <= tolerance(dtype, k), `m=${m} n=${n} k=${k} transA=${transA} transB=${transB} lda=${lda}: error ${err}`);
        // The padding columns of C are never written.
        for (let i = 0; i < m; i++) {
          for (let j = n; j < ldc; j++) {
            const same = Object.is(actual[i * ldc + j], c0[i * ldc + j]);
            if (!same) t.fail(`gemm wrote C[${i}, ${j}] beyond n=${n}`);
          }
        }
        cases++;
      }
    }
  }
  t.is(cases, SHAPES.length * 4);
});

parity('gemm with an empty dimension', ({ t, native, ref, dtype, gen }) => {
  for (const [m, n, k] of [[0, 3, 4], [3, 0, 4], [3, 4, 0]]) {
    const a = randomArray(gen, dtype, m * k);
    const b = randomArray(gen, dtype, k * n);
    const c = randomArray(gen, dtype, m * n);
    const expected = c.slice();
    const actual = c.slice();
    ref.gemm(false, false, m, n, k, 1, a, Math.max(k, 1), b, Math.max(n, 1), 0.5, expected, Math.max(n, 1));
    native.gemm(false, false, m, n, k, 1, a, Math.max(k, 1), b, Math.max(n, 1), 0.5, actual, Math.max(n, 1));
    t.deepEqual(Array.from(actual), Array.from(expected), `m=${m} n=${n} k=${k}`);
  }
});
