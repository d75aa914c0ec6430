// gemm: C = alpha * op(A) * op(B) + beta * C through OpenBLAS, row-major,
// zero-copy (blas.h: beta = 0 overwrites C; k = 0 and empty products never
// reach BLAS).
#include "common/args.h"
#include "common/checks/gemm.h"
#include "cpu/blas.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

template <class T>
void gemmTyped(Args& args, const GemmParams& p) {
  ArrayView<T> a = args.floats<T>(6, "a");
  ArrayView<T> b = args.floats<T>(8, "b");
  ArrayView<T> c = args.floats<T>(11, "c");
  checkGemm(args, p, a, b, c);
  gemmRowMajor<T>(p.transA, p.transB, p.m, p.n, p.k, static_cast<T>(p.alpha), a.data, p.lda, b.data, p.ldb,
                  static_cast<T>(p.beta), c.data, p.ldc);
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
