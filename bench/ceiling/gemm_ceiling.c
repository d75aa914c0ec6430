/*
 * The ceiling for bench/gemm.js: OpenBLAS GEMM called directly from C, on
 * the same row-major operands the addon gets. Usage:
 *   gemm_ceiling s|d M N K transA(0|1) transB(0|1) reps
 * Prints the mean seconds per call over `reps` calls, after one warm-up call.
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s s|d M N K transA transB reps\n", argv[0]);
    return 2;
  }
  const int dbl = argv[1][0] == 'd';
  const int m = atoi(argv[2]), n = atoi(argv[3]), k = atoi(argv[4]);
  const int ta = atoi(argv[5]), tb = atoi(argv[6]), reps = atoi(argv[7]);
  if (m <= 0 || n <= 0 || k <= 0 || reps <= 0) {
    fprintf(stderr, "sizes and reps must be positive\n");
    return 2;
  }
  const size_t elem = dbl ? sizeof(double) : sizeof(float);
  void *a = malloc(elem * (size_t)m * k), *b = malloc(elem * (size_t)k * n), *c = malloc(elem * (size_t)m * n);
  if (!a || !b || !c) return 1;
  for (size_t i = 0; i < (size_t)m * k; i++) dbl ? (((double *)a)[i] = (double)(i % 7) - 3) : (((float *)a)[i] = (float)(i % 7) - 3);
  for (size_t i = 0; i < (size_t)k * n; i++) dbl ? (((double *)b)[i] = (double)(i % 5) - 2) : (((float *)b)[i] = (float)(i % 5) - 2);
  const enum CBLAS_TRANSPOSE tA = ta ? CblasTrans : CblasNoTrans, tB = tb ? CblasTrans : CblasNoTrans;
  const int lda = ta ? m : k, ldb = tb ? k : n;
  double start = 0;
  for (int r = -1; r < reps; r++) {
    if (r == 0) start = now();
    if (dbl) cblas_dgemm(CblasRowMajor, tA, tB, m, n, k, 1.0, a, lda, b, ldb, 0.0, c, n);
    else cblas_sgemm(CblasRowMajor, tA, tB, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
  }
  printf("%.9g\n", (now() - start) / reps);
  free(a); free(b); free(c);
  return 0;
}
