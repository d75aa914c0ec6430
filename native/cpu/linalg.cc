// Symmetric eigendecomposition (?syevd), thin SVD (?gesdd), linear solve
// (dgetrf/dgetrs) and least squares (dgelsd) through the Fortran LAPACK in
// libopenblas, for row-major arrays.
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
// solve: dgetrf then dgetrs (the two halves of dgesv) on a column-major
// copy of A itself (row partial pivoting, as the ts reference) and of b. A
// pivot u_kk that is 0 (LAPACK's info > 0) or |u_kk| <= n·ε·max_i |a_ik| (ε of
// the dtype) makes the matrix singular: the entry point returns k (1-based)
// and writes nothing; src/backend/cpu.ts throws the SingularMatrixError, 0
// means solved. Rounding moves a pivot by a few ε·n·|a| and LAPACK's blocked
// order rounds differently from the ts elimination, so when a pivot of
// LAPACK's is within kGrayZone·n·ε_double·max_i |a_ik| of that threshold the
// reference elimination (the ts algorithm compiled here without fused
// multiply-adds, bit-for-bit the ts backend's) decides and solves. Outside
// that zone rounding cannot move a pivot across the threshold, so the two
// backends call the same matrices singular (test/backend/parity/linalg.test.ts).
// lstsq: dgelsd (SVD by divide and conquer, as numpy.linalg.lstsq) on a
// column-major copy of a and a copy of b padded to max(m, n) rows, with
// rcond = ε·max(m, n) (ε of the dtype): singular values <= rcond·s_1 count as
// zero, so the solution is the minimum-norm one. Returns the effective rank;
// the singular values go to s when it is given.
// float32 arrays are computed in double (as the ts reference does) and the
// results rounded once, so the thresholds of float32 sit far above the
// rounding of the computation and both backends agree on them.
// Inputs are never modified (outputs may alias them: the inputs are copied
// first) and must be finite (NaN/Infinity throw a RangeError before LAPACK
// runs); workspaces are queried, never smaller than LAPACK's documented
// minimum, and must fit LAPACK's 32-bit sizes.
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
void requireFinite(const Args& args, const T* a, int64_t rows, int64_t cols, bool lowerOnly, const char* name = "a",
                   const char* what = "the matrix") {
  for (int64_t i = 0; i < rows; ++i) {
    const int64_t end = lowerOnly ? i + 1 : cols;
    for (int64_t j = 0; j < end; ++j) {
      const T v = a[i * cols + j];
      if (!std::isfinite(v)) {
        throw args.rangeError(std::string(name) + "[" + std::to_string(i) + ", " + std::to_string(j) + "] is " +
                              numberText(static_cast<double>(v)) + "; " + what + " must be finite");
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

// ---- solve -----------------------------------------------------------------

// The elimination of src/backend/ts/linalg.ts, operation for operation and
// without fused multiply-adds, so its results are bit-for-bit the ts
// backend's: it decides the matrices near the singularity threshold.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")
#endif
/**
 * lu: a (row-major n×n doubles), overwritten; b row-major n×nrhs. Returns 0
 * with the solution in x (row-major doubles), or the 1-based singular pivot.
 */
int referenceSolve(int64_t n, int64_t nrhs, double* lu, const double* colMax, double eps, const double* b, double* x) {
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t k = 0; k < n; ++k) {
    int64_t p = k;
    for (int64_t i = k + 1; i < n; ++i) if (std::fabs(lu[i * n + k]) > std::fabs(lu[p * n + k])) p = i;
    if (!(std::fabs(lu[p * n + k]) > static_cast<double>(n) * eps * colMax[k])) return static_cast<int>(k + 1);
    if (p != k) {
      for (int64_t j = 0; j < n; ++j) std::swap(lu[k * n + j], lu[p * n + j]);
      std::swap(perm[k], perm[p]);
    }
    const double pivot = lu[k * n + k];
    for (int64_t i = k + 1; i < n; ++i) {
      const double l = lu[i * n + k] / pivot;
      lu[i * n + k] = l;
      if (l != 0) for (int64_t j = k + 1; j < n; ++j) lu[i * n + j] -= l * lu[k * n + j];
    }
  }
  std::vector<double> y(static_cast<size_t>(n));
  for (int64_t c = 0; c < nrhs; ++c) {
    for (int64_t i = 0; i < n; ++i) {
      double v = b[perm[i] * nrhs + c];
      for (int64_t j = 0; j < i; ++j) v -= lu[i * n + j] * y[j];
      y[i] = v;
    }
    for (int64_t i = n - 1; i >= 0; --i) {
      double v = y[i];
      for (int64_t j = i + 1; j < n; ++j) v -= lu[i * n + j] * y[j];
      y[i] = v / lu[i * n + i];
    }
    for (int64_t i = 0; i < n; ++i) x[i * nrhs + c] = y[i];
  }
  return 0;
}
#if defined(__clang__)
#pragma clang fp contract(fast)
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

/** LAPACK's factors need the reference's verdict when a pivot is within this many double ε·n·colmax of the threshold. */
constexpr double kGrayZone = 1024;

template <class T>
int solveTyped(Args& args, int64_t n64, int64_t nrhs64) {
  ArrayView<T> a = args.floats<T>(2, "a");
  ArrayView<T> b = args.floats<T>(3, "b");
  ArrayView<T> x = args.floats<T>(4, "x");
  const int64_t nn = satMul(n64, n64), nb = satMul(n64, nrhs64);
  args.requireLength(a, "a", nn, {{"n", n64}});
  args.requireLength(b, "b", nb, {{"n", n64}, {"nrhs", nrhs64}});
  args.requireLength(x, "x", nb, {{"n", n64}, {"nrhs", nrhs64}});
  if (n64 == 0) return 0;
  requireFinite(args, a.data, n64, n64, false);
  requireFinite(args, b.data, n64, nrhs64, false, "b", "the right-hand side");
  requireLapackSize(args, nn, "solve");
  requireLapackSize(args, nb, "solve");

  // Column-major A in doubles (the transpose of the row-major buffer) and its column maxima.
  std::vector<double> lu(static_cast<size_t>(nn));
  std::vector<double> colMax(static_cast<size_t>(n64), 0.0);
  for (int64_t i = 0; i < n64; ++i) {
    for (int64_t j = 0; j < n64; ++j) {
      const double v = a.data[i * n64 + j];
      lu[j * n64 + i] = v;
      colMax[j] = std::max(colMax[j], std::fabs(v));
    }
  }
  const int n = static_cast<int>(n64), nrhs = static_cast<int>(nrhs64);
  std::vector<int> ipiv(static_cast<size_t>(n64));
  int info = 0;
  lapack::getrf(&n, &n, lu.data(), &n, ipiv.data(), &info);
  if (info < 0) throw Napi::Error::New(args.env(), "solve: LAPACK ?getrf rejected argument " + std::to_string(-info));
  const double eps = std::numeric_limits<T>::epsilon(), eps64 = std::numeric_limits<double>::epsilon();
  bool clear = true;
  for (int64_t k = 0; k < n64 && clear; ++k) {
    const double bound = static_cast<double>(n64) * eps * colMax[k] + kGrayZone * static_cast<double>(n64) * eps64 * colMax[k];
    clear = std::fabs(lu[k * n64 + k]) > bound;  // false for NaN too
  }
  std::vector<double> rhs(static_cast<size_t>(nb));
  if (!clear) {
    // Singular or close to it: the reference elimination decides (and solves).
    std::vector<double> rowMajor(static_cast<size_t>(nn));
    for (int64_t i = 0; i < nn; ++i) rowMajor[i] = a.data[i];
    std::vector<double> bd(b.data, b.data + nb);
    const int singular = referenceSolve(n64, nrhs64, rowMajor.data(), colMax.data(), eps, bd.data(), rhs.data());
    if (singular != 0) return singular;
    for (int64_t i = 0; i < nb; ++i) x.data[i] = static_cast<T>(rhs[i]);
    return 0;
  }
  if (nrhs64 == 0) return 0;
  for (int64_t i = 0; i < n64; ++i) {
    for (int64_t j = 0; j < nrhs64; ++j) rhs[j * n64 + i] = b.data[i * nrhs64 + j];
  }
  lapack::getrs("N", &n, &nrhs, lu.data(), &n, ipiv.data(), rhs.data(), &n, &info);
  if (info != 0) throw Napi::Error::New(args.env(), "solve: LAPACK ?getrs failed (info=" + std::to_string(info) + ")");
  for (int64_t i = 0; i < n64; ++i) {
    for (int64_t j = 0; j < nrhs64; ++j) x.data[i * nrhs64 + j] = static_cast<T>(rhs[j * n64 + i]);
  }
  return 0;
}

// ---- lstsq -----------------------------------------------------------------

template <class T>
int lstsqTyped(Args& args, int64_t m64, int64_t n64, int64_t nrhs64) {
  ArrayView<T> a = args.floats<T>(3, "a");
  ArrayView<T> b = args.floats<T>(4, "b");
  ArrayView<T> x = args.floats<T>(5, "x");
  ArrayView<T> s = args.floats<T>(6, "s", true);
  const int64_t k64 = std::min(m64, n64), mx = std::max(m64, n64);
  args.requireLength(a, "a", satMul(m64, n64), {{"m", m64}, {"n", n64}});
  args.requireLength(b, "b", satMul(m64, nrhs64), {{"m", m64}, {"nrhs", nrhs64}});
  args.requireLength(x, "x", satMul(n64, nrhs64), {{"n", n64}, {"nrhs", nrhs64}});
  args.requireLength(s, "s", k64, {{"k", k64}});
  args.requireDisjoint(x, "x", s, "s");
  requireFinite(args, a.data, m64, n64, false);
  requireFinite(args, b.data, m64, nrhs64, false, "b", "the right-hand side");
  if (k64 == 0) {
    std::fill(x.data, x.data + n64 * nrhs64, T(0));  // A has no entries: x = 0 is the minimum-norm solution
    return 0;
  }
  const int64_t ldb64 = mx, bLen = satMul(ldb64, std::max<int64_t>(nrhs64, 1));
  requireLapackSize(args, satMul(m64, n64), "lstsq");
  requireLapackSize(args, bLen, "lstsq");
  // LAPACK's documented minimum workspace, with NLVL bounded by log2(k) + 1 and SMLSIZ = 25.
  int64_t nlvl = 1;
  while ((int64_t{1} << nlvl) <= k64) ++nlvl;
  const int64_t minWork = satAdd(satAdd(satMul(12 + 2 * 25, k64), satMul(8 * nlvl, k64)),
                                 satAdd(satMul(k64, nrhs64), satAdd(26 * 26, satMul(mx, 4))));
  const int64_t minIwork = satAdd(satMul(3 * nlvl, k64), 11 * k64);
  requireLapackSize(args, minWork, "lstsq");
  requireLapackSize(args, minIwork, "lstsq");

  std::vector<double> ac(static_cast<size_t>(m64 * n64));
  for (int64_t i = 0; i < m64; ++i) {
    for (int64_t j = 0; j < n64; ++j) ac[j * m64 + i] = a.data[i * n64 + j];
  }
  std::vector<double> bc(static_cast<size_t>(bLen), 0.0);
  for (int64_t i = 0; i < m64; ++i) {
    for (int64_t j = 0; j < nrhs64; ++j) bc[j * ldb64 + i] = b.data[i * nrhs64 + j];
  }
  std::vector<double> sv(static_cast<size_t>(k64));
  const int m = static_cast<int>(m64), n = static_cast<int>(n64), nrhs = static_cast<int>(nrhs64);
  const int ldb = static_cast<int>(ldb64);
  const double rcond = static_cast<double>(std::numeric_limits<T>::epsilon()) * static_cast<double>(mx);
  int rank = 0, info = 0, lwork = -1, iworkQuery = 0;
  double workQuery = 0;
  lapack::gelsd(&m, &n, &nrhs, ac.data(), &m, bc.data(), &ldb, sv.data(), &rcond, &rank, &workQuery, &lwork,
                &iworkQuery, &info);
  if (info != 0) throw Napi::Error::New(args.env(), "lstsq: LAPACK ?gelsd workspace query failed (info=" + std::to_string(info) + ")");
  lwork = static_cast<int>(std::max(minWork, queriedSize(workQuery)));
  const int64_t liwork = std::max<int64_t>(minIwork, iworkQuery);
  std::vector<double> work(static_cast<size_t>(lwork));
  std::vector<int> iwork(static_cast<size_t>(liwork));
  lapack::gelsd(&m, &n, &nrhs, ac.data(), &m, bc.data(), &ldb, sv.data(), &rcond, &rank, work.data(), &lwork,
                iwork.data(), &info);
  if (info != 0) {
    throw Napi::Error::New(args.env(), "lstsq: LAPACK ?gelsd failed to converge (info=" + std::to_string(info) + ")");
  }
  for (int64_t i = 0; i < n64; ++i) {
    for (int64_t j = 0; j < nrhs64; ++j) x.data[i * nrhs64 + j] = static_cast<T>(bc[j * ldb64 + i]);
  }
  if (s.present) {
    for (int64_t i = 0; i < k64; ++i) s.data[i] = static_cast<T>(sv[i]);
  }
  return rank;
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

// solve(n, nrhs, a, b, x): 0 when solved, else the 1-based index of the singular pivot
Napi::Value Solve(const Napi::CallbackInfo& info) {
  Args args(info, "solve", 5);
  const int64_t n = args.size(0, "n"), nrhs = args.size(1, "nrhs");
  const int singular = args.byFloatType(2, "a", [&](auto t) { return solveTyped<decltype(t)>(args, n, nrhs); });
  return Napi::Number::New(info.Env(), singular);
}

// lstsq(m, n, nrhs, a, b, x, s | null): the effective rank
Napi::Value Lstsq(const Napi::CallbackInfo& info) {
  Args args(info, "lstsq", 7);
  const int64_t m = args.size(0, "m"), n = args.size(1, "n"), nrhs = args.size(2, "nrhs");
  const int rank = args.byFloatType(3, "a", [&](auto t) { return lstsqTyped<decltype(t)>(args, m, n, nrhs); });
  return Napi::Number::New(info.Env(), rank);
}

}  // namespace gradnode::cpu
