// Row-major GEMM through OpenBLAS for float and double, shared by gemm.cc and
// conv.cc: C = alpha * op(A) * op(B) + beta * C. A k = 0 product scales C by
// beta (beta = 0 stores zeros, so NaNs already in C do not propagate), and
// empty products never reach BLAS, whose ld checks (ld >= max(1, cols))
// would print an xerbla message for them.
#pragma once

#include <cblas.h>

#include <cstdint>

namespace gradnode::cpu {

inline void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                     const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

inline void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha,
                     const double* a, int lda, const double* b, int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** C = alpha op(A) op(B) + beta C (sizes already checked to fit in int). */
template <class T>
void gemmRowMajor(bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha, const T* a, int64_t lda,
                  const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      T* row = c + i * ldc;
      if (beta == T(0)) {
        for (int64_t j = 0; j < n; ++j) row[j] = T(0);
      } else if (beta != T(1)) {
        for (int64_t j = 0; j < n; ++j) row[j] *= beta;
      }
    }
    return;
  }
  blasGemm(transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
           static_cast<int>(n), static_cast<int>(k), alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb), beta, c,
           static_cast<int>(ldc));
}

}  // namespace gradnode::cpu
