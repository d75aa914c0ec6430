// Argument checks of gemm, shared by the CPU and CUDA addons (A: Args or a
// class derived from it).
#pragma once

#include <cstdint>
#include <string>

#include "common/args.h"

namespace gradnode {

/** gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc): everything but a, b and c. */
struct GemmParams {
  bool transA, transB;
  int64_t m, n, k;
  double alpha;
  int64_t lda, ldb;
  double beta;
  int64_t ldc;
};

template <class A>
GemmParams readGemmParams(const A& args) {
  GemmParams p;
  p.transA = args.boolean(0, "transA");
  p.transB = args.boolean(1, "transB");
  p.m = args.size(2, "m");
  p.n = args.size(3, "n");
  p.k = args.size(4, "k");
  p.alpha = args.number(5, "alpha");
  p.lda = args.size(7, "lda");
  p.ldb = args.size(9, "ldb");
  p.beta = args.number(10, "beta");
  p.ldc = args.size(12, "ldc");
  return p;
}

/** Leading dimensions, lengths and overlaps of a (m×k or k×m), b (k×n or n×k) and c (m×n). */
template <class A, class T>
void checkGemm(const A& args, const GemmParams& p, ArrayView<T>& a, ArrayView<T>& b, ArrayView<T>& c) {
  const bool transA = p.transA, transB = p.transB;
  const int64_t m = p.m, n = p.n, k = p.k, lda = p.lda, ldb = p.ldb, ldc = p.ldc;
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
}

}  // namespace gradnode
