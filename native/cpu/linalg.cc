// Symmetric eigendecomposition (?syevd) and thin SVD (?gesdd) through the
// Fortran LAPACK in libopenblas, for row-major arrays.
//
// symEig: the row-major lower triangle is the column-major upper triangle of
// the same buffer, so a is copied into `vectors` and decomposed with
// uplo = 'U'; LAPACK leaves eigenvector j in column-major column j, which is
// row j of the row-major buffer, so one in-place transpose makes it column j.
// svd: the row-major m×n buffer is the column-major n×m matrix Aᵀ. gesdd of
// Aᵀ = U' S V'ᵀ gives A = V' S U'ᵀ, and with jobz = 'S' LAPACK writes U'
// (n×k, ldu = n) exactly as the row-major k×n vt, and V'ᵀ (k×m, ldvt = k)
// exactly as the row-major m×k u: no transposes, only a copy of a (which
// gesdd destroys).
// Inputs must be finite (NaN/Infinity throw a RangeError before LAPACK runs);
// workspaces are queried, never smaller than LAPACK's documented minimum,
// and must fit LAPACK's 32-bit sizes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/args.h"
#include "cpu/kernels.h"
#include "cpu/lapack.h"

namespace gradnode::cpu {
namespace {

constexpr int64_t kMaxLapackInt = std::numeric_limits<int>::max();

template <class T>
void requireFinite(const Args& args, const T* a, int64_t rows, int64_t cols, bool lowerOnly) {
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t end = lowerOnly ? i + 1 : cols;
    for (int64_t j = 0; j < end; ++j) {
      const T v = a[i * cols + j];
      if (!std::isfinite(v)) {
        throw args.rangeError("a[" + std::to_string(i) + ", " + std::to_string(j) + "] is " +
                              numberText(static_cast<double>(v)) + "; the matrix must be finite");
      }
    }
  }
}

void requireLapackSize(const Args& args, int64_t needed, const char* what) {
  if (needed > kMaxLapackInt) {
    throw args.rangeError(std::string(what) + " needs " + std::to_string(needed) +
                          " workspace elements, more than LAPACK's 32-bit sizes allow");
  }
}

/** The workspace size LAPACK returned in work[0], rounded up. */
template <class T>
int64_t queriedSize(T value) {
  const double v = std::ceil(static_cast<double>(value));
  return v > static_cast<double>(kMaxLapackInt) ? kMaxLapackInt : static_cast<int64_t>(std::max(v, 1.0));
}

template <class T>
void symEigTyped(Args& args, int64_t n64) {
  ArrayView<T> a = args.floats<T>(1, "a");
  ArrayView<T> values = args.floats<T>(2, "values");
  ArrayView<T> vectors = args.floats<T>(3, "vectors");
  const int64_t nn = satMul(n64, n64);
  args.requireLength(a, "a", nn, {{"n", n64}});
  args.requireLength(values, "values", n64, {{"n", n64}});
  args.requireLength(vectors, "vectors", nn, {{"n", n64}});
  args.requireDisjoint(vectors, "vectors", a, "a", true);
  args.requireDisjoint(values, "values", a, "a");
  args.requireDisjoint(values, "values", vectors, "vectors");
  if (n64 == 0) return;
  requireFinite(args, a.data, n64, n64, true);
  const int64_t minWork = satAdd(1 + 6 * n64, satMul(2, nn)), minIwork = 3 + 5 * n64;
  requireLapackSize(args, minWork, "symEig");

  if (vectors.data != a.data) std::copy(a.data, a.data + nn, vectors.data);
  const int n = static_cast<int>(n64);
  int info = 0, lwork = -1, liwork = -1, iworkQuery = 0;
  T workQuery = 0;
  lapack::syevd("V", "U", &n, vectors.data, &n, values.data, &workQuery, &lwork, &iworkQuery, &liwork, &info);
  if (info != 0) throw Napi::Error::New(args.env(), "symEig: LAPACK ?syevd workspace query failed (info=" + std::to_string(info) + ")");
  lwork = static_cast<int>(std::max(minWork, queriedSize(workQuery)));
  liwork = static_cast<int>(std::max<int64_t>(minIwork, iworkQuery));
  std::vector<T> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  lapack::syevd("V", "U", &n, vectors.data, &n, values.data, work.data(), &lwork, iwork.data(), &liwork, &info);
  if (info != 0) {
    throw Napi::Error::New(args.env(), "symEig: LAPACK ?syevd failed to converge (info=" + std::to_string(info) + ")");
  }
  T* v = vectors.data;
  for (int64_t i = 0; i < n64; ++i) {
    for (int64_t j = i + 1; j < n64; ++j) std::swap(v[i * n64 + j], v[j * n64 + i]);
  }
}

template <class T>
void svdTyped(Args& args, int64_t m64, int64_t n64) {
  ArrayView<T> a = args.floats<T>(2, "a");
  ArrayView<T> u = args.floats<T>(3, "u");
  ArrayView<T> s = args.floats<T>(4, "s");
  ArrayView<T> vt = args.floats<T>(5, "vt");
  const int64_t k64 = std::min(m64, n64), mx = std::max(m64, n64);
  args.requireLength(a, "a", satMul(m64, n64), {{"m", m64}, {"n", n64}});
  args.requireLength(u, "u", satMul(m64, k64), {{"m", m64}, {"k", k64}});
  args.requireLength(s, "s", k64, {{"k", k64}});
  args.requireLength(vt, "vt", satMul(k64, n64), {{"k", k64}, {"n", n64}});
  args.requireDisjoint(u, "u", s, "s");
  args.requireDisjoint(u, "u", vt, "vt");
  args.requireDisjoint(s, "s", vt, "vt");
  if (k64 == 0) return;
  requireFinite(args, a.data, m64, n64, false);
  const int64_t minWork = satAdd(satMul(4, satMul(k64, k64)), 7 * k64 + mx);
  requireLapackSize(args, minWork, "svd");
  requireLapackSize(args, satMul(m64, n64), "svd");

  // LAPACK sees the column-major n×m matrix Aᵀ (M' = n, N' = m).
  std::vector<T> copy(a.data, a.data + m64 * n64);
  const int mp = static_cast<int>(n64), np = static_cast<int>(m64), k = static_cast<int>(k64);
  int info = 0, lwork = -1;
  std::vector<int> iwork(static_cast<size_t>(8 * k64));
  T workQuery = 0;
  lapack::gesdd("S", &mp, &np, copy.data(), &mp, s.data, vt.data, &mp, u.data, &k, &workQuery, &lwork, iwork.data(),
                &info);
  if (info != 0) throw Napi::Error::New(args.env(), "svd: LAPACK ?gesdd workspace query failed (info=" + std::to_string(info) + ")");
  lwork = static_cast<int>(std::max(minWork, queriedSize(workQuery)));
  std::vector<T> work(static_cast<size_t>(lwork));
  lapack::gesdd("S", &mp, &np, copy.data(), &mp, s.data, vt.data, &mp, u.data, &k, work.data(), &lwork, iwork.data(),
                &info);
  if (info != 0) {
    throw Napi::Error::New(args.env(), "svd: LAPACK ?gesdd failed to converge (info=" + std::to_string(info) + ")");
  }
}

}  // namespace

// symEig(n, a, values, vectors)
Napi::Value SymEig(const Napi::CallbackInfo& info) {
  Args args(info, "symEig", 4);
  const int64_t n = args.size(0, "n");
  args.byFloatType(1, "a", [&](auto t) { symEigTyped<decltype(t)>(args, n); });
  return info.Env().Undefined();
}

// svd(m, n, a, u, s, vt)
Napi::Value Svd(const Napi::CallbackInfo& info) {
  Args args(info, "svd", 6);
  const int64_t m = args.size(0, "m"), n = args.size(1, "n");
  args.byFloatType(2, "a", [&](auto t) { svdTyped<decltype(t)>(args, m, n); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
