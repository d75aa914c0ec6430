// gemm: C = alpha * op(A) * op(B) + beta * C through OpenBLAS, row-major,
// zero-copy. With beta = 0, C is overwritten (OpenBLAS stores zeros rather
// than multiplying, and the k = 0 path below does the same), so NaNs already
// in C do not propagate. Empty products never reach BLAS, whose ld checks
// (ld >= max(1, cols)) would print an xerbla message for them.
#include <cblas.h>

#include "common/args.h"
#include "common/checks/gemm.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

inline void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                     const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

inline void blasGemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha,
                     const double* a, int lda, const double* b, int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/** C = beta * C for the k = 0 product; beta = 0 stores zeros. */
template <class T>
void scaleRows(int64_t m, int64_t n, T beta, T* c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    T* row = c + i * ldc;
    if (beta == T(0)) {
      for (int64_t j = 0; j < n; ++j) row[j] = T(0);
    } else if (beta != T(1)) {
      for (int64_t j = 0; j < n; ++j) row[j] *= beta;
    }
  }
}

template <class T>
void gemmTyped(Args& args, const GemmParams& p) {
  ArrayView<T> a = args.floats<T>(6, "a");
  ArrayView<T> b = args.floats<T>(8, "b");
  ArrayView<T> c = args.floats<T>(11, "c");
  checkGemm(args, p, a, b, c);
  if (p.m == 0 || p.n == 0) return;
  if (p.k == 0) {
    scaleRows<T>(p.m, p.n, static_cast<T>(p.beta), c.data, p.ldc);
    return;
  }
  blasGemm(p.transA ? CblasTrans : CblasNoTrans, p.transB ? CblasTrans : CblasNoTrans, static_cast<int>(p.m),
           static_cast<int>(p.n), static_cast<int>(p.k), static_cast<T>(p.alpha), a.data, static_cast<int>(p.lda),
           b.data, static_cast<int>(p.ldb), static_cast<T>(p.beta), c.data, static_cast<int>(p.ldc));
}

}  // namespace

// gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args args(info, "gemm", 13);
  const GemmParams p = readGemmParams(args);
  args.byFloatType(6, "a", [&](auto t) { gemmTyped<decltype(t)>(args, p); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
