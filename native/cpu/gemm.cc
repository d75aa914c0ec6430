// gemm: C = alpha * op(A) * op(B) + beta * C through OpenBLAS, row-major,
// zero-copy. With beta = 0, C is overwritten (OpenBLAS stores zeros rather
// than multiplying, and the k = 0 path below does the same), so NaNs already
// in C do not propagate. Empty products never reach BLAS, whose ld checks
// (ld >= max(1, cols)) would print an xerbla message for them.
#include <cblas.h>

#include "common/args.h"
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
void gemmTyped(Args& args, bool transA, bool transB, int64_t m, int64_t n, int64_t k, double alpha,
               int64_t lda, int64_t ldb, double beta, int64_t ldc) {
  ArrayView<T> a = args.floats<T>(6, "a");
  ArrayView<T> b = args.floats<T>(8, "b");
  ArrayView<T> c = args.floats<T>(11, "c");

  const int64_t aRows = transA ? k : m, aCols = transA ? m : k;
  const int64_t bRows = transB ? n : k, bCols = transB ? k : n;
  if (lda < aCols) {
    throw args.rangeError("lda=" + std::to_string(lda) + " is less than the " + std::to_string(aCols) +
                          " columns of a (" + (transA ? "m, a is stored k×m" : "k, a is stored m×k") + ")");
  }
  if (ldb < bCols) {
    throw args.rangeError("ldb=" + std::to_string(ldb) + " is less than the " + std::to_string(bCols) +
                          " columns of b (" + (transB ? "k, b is stored n×k" : "n, b is stored k×n") + ")");
  }
  if (ldc < n) {
    throw args.rangeError("ldc=" + std::to_string(ldc) + " is less than the n=" + std::to_string(n) +
                          " columns of c");
  }
  args.requireLength(a, "a", matrixSpan(aRows, aCols, lda), {{"m", m}, {"k", k}, {"lda", lda}},
                     transA ? "transA" : nullptr);
  args.requireLength(b, "b", matrixSpan(bRows, bCols, ldb), {{"k", k}, {"n", n}, {"ldb", ldb}},
                     transB ? "transB" : nullptr);
  args.requireLength(c, "c", matrixSpan(m, n, ldc), {{"m", m}, {"n", n}, {"ldc", ldc}});
  args.requireDisjoint(c, "c", a, "a");
  args.requireDisjoint(c, "c", b, "b");

  if (m == 0 || n == 0) return;
  if (k == 0) {
    scaleRows<T>(m, n, static_cast<T>(beta), c.data, ldc);
    return;
  }
  blasGemm(transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, static_cast<int>(m),
           static_cast<int>(n), static_cast<int>(k), static_cast<T>(alpha), a.data, static_cast<int>(lda),
           b.data, static_cast<int>(ldb), static_cast<T>(beta), c.data, static_cast<int>(ldc));
}

}  // namespace

// gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Args args(info, "gemm", 13);
  const bool transA = args.boolean(0, "transA");
  const bool transB = args.boolean(1, "transB");
  const int64_t m = args.size(2, "m"), n = args.size(3, "n"), k = args.size(4, "k");
  const double alpha = args.number(5, "alpha");
  const int64_t lda = args.size(7, "lda"), ldb = args.size(9, "ldb");
  const double beta = args.number(10, "beta");
  const int64_t ldc = args.size(12, "ldc");
  args.byFloatType(6, "a", [&](auto t) { gemmTyped<decltype(t)>(args, transA, transB, m, n, k, alpha, lda, ldb, beta, ldc); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
