// svcSolve: the binary C-SVC problems of a one-vs-one fit, each solved by SMO
// as libsvm 3.x solves it (Fan, Chen & Lin, JMLR 6, 2005):
//
//   min ½ αᵀQα − eᵀα   subject to yᵀα = 0, 0 ≤ α_i ≤ C,   Q_ab = y_a y_b K(x_a, x_b)
//
// - Working set: i maximises −y_i ∇f_i over I_up; j minimises the second-order
//   decrease −(grad diff)² / (K_ii + K_jj − 2 y_i K_ij) over I_low (τ = 1e-12
//   for a non-positive curvature); stop when m(α) − M(α) < tol.
// - Shrinking every min(l, 1000) iterations; once the gap is within 10·tol the
//   full gradient is rebuilt (from Ḡ, the gradient part of the bounded α) and
//   every variable is active again, once.
// - Ties go to the last index in the active order, as in libsvm, and the
//   active set is reordered by the same swaps, so the iterates follow libsvm's.
// - Q is float (libsvm's Qfloat), everything else double. Kernel values come
//   from dot products computed by BLAS in the dtype of x: when the whole l×l Q
//   fits in `cacheMB`, it is built up front by blocked GEMM (lower triangle,
//   mirrored); otherwise rows are computed on demand (GEMV) into an LRU cache
//   of that size. Rows are kept in the problem's own order and read through
//   the permutation of the active set.
//
// Class c owns rows start_c .. start_c + count_c − 1 of x (the caller groups
// them). Pair p = (i, j), i < j in libsvm's order, is the problem of classes
// i (+1) and j (−1) over their ci + cj rows; its signed coefficients y_a α_a
// are written to alpha[offset_p ...] (class i's rows first), offset_p being
// the sum of the earlier pairs' sizes (the total is (k − 1)·n), its ρ to
// rho[p] and its iteration count to iterations[p]. The pairs are independent
// and shared between threads (single-threaded BLAS in each); the result does
// not depend on the thread count. Returns how many pairs stopped at maxIter
// (0 = no limit).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "common/args.h"
#include "common/arith.h"
#include "cpu/blas.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"

namespace gradnode::cpu {
namespace {

constexpr const char* kKernelNames[] = {"linear", "poly", "rbf", "sigmoid"};
enum KernelType { kLinear, kPoly, kRbf, kSigmoid };
constexpr double kTau = 1e-12;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct KernelParams {
  int type;
  int degree;
  double gamma, coef0;
};

struct SolverParams {
  double C, tol, cacheBytes;
  bool shrinking;
  int64_t maxIter;
};

double powi(double base, int times) {
  double tmp = base, ret = 1.0;
  for (int t = times; t > 0; t /= 2) {
    if (t % 2 == 1) ret *= tmp;
    tmp *= tmp;
  }
  return ret;
}

/** K(a, b) from the dot product x_a·x_b and the squared norms (the rbf distance is ‖a‖² + ‖b‖² − 2 a·b, as libsvm). */
double kernelValue(const KernelParams& k, double dot, double sqA, double sqB) {
  switch (k.type) {
    case kLinear: return dot;
    case kPoly: return powi(k.gamma * dot + k.coef0, k.degree);
    case kRbf: return std::exp(-k.gamma * (sqA + sqB - 2 * dot));
    default: return std::tanh(k.gamma * dot + k.coef0);
  }
}

inline void blasGemv(int m, int n, const float* a, const float* x, float* y) {
  cblas_sgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0f, a, n, x, 1, 0.0f, y, 1);
}
inline void blasGemv(int m, int n, const double* a, const double* x, double* y) {
  cblas_dgemv(CblasRowMajor, CblasNoTrans, m, n, 1.0, a, n, x, 1, 0.0, y, 1);
}

/** Q of one binary problem over l contiguous rows of x (l×d), by rows in the problem's order. */
template <class T>
class QMatrix {
 public:
  QMatrix(const T* x, int64_t l, int64_t d, const int8_t* y, const KernelParams& k, double cacheBytes)
      : x_(x), l_(l), d_(d), y_(y), k_(k), sq_(l), diag_(l), dots_(l) {
    for (int64_t a = 0; a < l; ++a) {
      double s = 0;
      for (int64_t c = 0; c < d; ++c) s += double(x[a * d + c]) * double(x[a * d + c]);
      sq_[a] = s;
      diag_[a] = kernelValue(k, s, s, s);
    }
    if (double(l) * double(l) * sizeof(float) <= cacheBytes) {
      buildAll();
    } else {
      capacity_ = std::max<int64_t>(2, int64_t(cacheBytes / (double(l) * sizeof(float))));
      rows_.resize(size_t(capacity_ * l));
      slotOf_.assign(size_t(l), -1);
      owner_.assign(size_t(capacity_), -1);
      lastUse_.assign(size_t(capacity_), 0);
    }
  }

  /** K(x_a, x_a) in double (libsvm's QD). */
  double diag(int64_t a) const { return diag_[a]; }

  /** Row a of Q (length l, the problem's order). Stays valid until two more rows are asked for. */
  const float* row(int64_t a) {
    if (full_) return rows_.data() + a * l_;
    int64_t slot = slotOf_[a];
    if (slot < 0) {
      slot = 0;
      for (int64_t s = 1; s < capacity_; ++s) {
        if (lastUse_[s] < lastUse_[slot]) slot = s;
      }
      if (owner_[slot] >= 0) slotOf_[owner_[slot]] = -1;
      owner_[slot] = a;
      slotOf_[a] = slot;
      compute(a, rows_.data() + slot * l_);
    }
    lastUse_[slot] = ++clock_;
    return rows_.data() + slot * l_;
  }

 private:
  float entry(int64_t a, int64_t b, double dot) const {
    const double k = a == b ? diag_[a] : kernelValue(k_, dot, sq_[a], sq_[b]);
    return static_cast<float>(y_[a] * y_[b] * k);
  }

  void compute(int64_t a, float* out) {
    blasGemv(int(l_), int(d_), x_, x_ + a * d_, dots_.data());
    for (int64_t b = 0; b < l_; ++b) out[b] = entry(a, b, double(dots_[b]));
  }

  void buildAll() {
    full_ = true;
    rows_.resize(size_t(l_ * l_));
    constexpr int64_t kBlock = 256;
    std::vector<T> block(size_t(std::min(kBlock, l_) * l_));
    for (int64_t r0 = 0; r0 < l_; r0 += kBlock) {
      const int64_t nb = std::min(kBlock, l_ - r0), cols = r0 + nb;
      gemmRowMajor<T>(false, true, nb, cols, d_, T(1), x_ + r0 * d_, d_, x_, d_, T(0), block.data(), cols);
      for (int64_t a = r0; a < r0 + nb; ++a) {
        const T* dot = block.data() + (a - r0) * cols;
        for (int64_t b = 0; b <= a; ++b) rows_[a * l_ + b] = rows_[b * l_ + a] = entry(a, b, double(dot[b]));
      }
    }
  }

  const T* x_;
  int64_t l_, d_;
  const int8_t* y_;
  KernelParams k_;
  std::vector<double> sq_, diag_;
  std::vector<T> dots_;
  bool full_ = false;
  std::vector<float> rows_;
  int64_t capacity_ = 0, clock_ = 0;
  std::vector<int64_t> slotOf_, owner_, lastUse_;
};

/** SMO on one binary problem (α starts at 0, p = −e, one C for both classes). */
template <class Q>
class Solver {
 public:
  Solver(Q& q, const int8_t* y, int64_t l, const SolverParams& s)
      : q_(q), l_(l), active_(l), C_(s.C), tol_(s.tol), shrinking_(s.shrinking), maxIter_(s.maxIter),
        y_(y, y + l), G_(l, -1.0), Gbar_(l, 0.0), alpha_(l, 0.0), QD_(l), status_(l, kLower), perm_(l) {
    for (int64_t a = 0; a < l; ++a) {
      perm_[a] = a;
      QD_[a] = q.diag(a);
    }
  }

  /** Solves; writes y_a·α_a in the problem's order to out. Returns ρ; iterations() and timedOut() tell how. */
  double solve(double* out) {
    int64_t counter = std::min<int64_t>(l_, 1000) + 1;
    while (true) {
      if (maxIter_ > 0 && iterations_ >= maxIter_) {
        timedOut_ = true;
        break;
      }
      if (--counter == 0) {
        counter = std::min<int64_t>(l_, 1000);
        if (shrinking_) shrink();
      }
      int64_t i, j;
      if (!selectWorkingSet(i, j)) {
        reconstructGradient();
        active_ = l_;
        if (!selectWorkingSet(i, j)) break;
        counter = 1;  // shrink again at the next iteration
      }
      ++iterations_;
      step(i, j);
    }
    const double rho = calculateRho();
    for (int64_t a = 0; a < l_; ++a) out[perm_[a]] = alpha_[a] * y_[a];
    return rho;
  }

  int64_t iterations() const { return iterations_; }
  bool timedOut() const { return timedOut_; }

 private:
  enum Status : uint8_t { kLower, kUpper, kFree };

  bool isUpper(int64_t a) const { return status_[a] == kUpper; }
  bool isLower(int64_t a) const { return status_[a] == kLower; }
  bool isFree(int64_t a) const { return status_[a] == kFree; }
  void updateStatus(int64_t a) { status_[a] = alpha_[a] >= C_ ? kUpper : alpha_[a] <= 0 ? kLower : kFree; }
  /** Q_ab for positions a, b of the active order, from row r = row(perm_[a]). */
  float at(const float* r, int64_t b) const { return r[perm_[b]]; }
  const float* row(int64_t a) { return q_.row(perm_[a]); }

  void swap(int64_t a, int64_t b) {
    std::swap(y_[a], y_[b]);
    std::swap(G_[a], G_[b]);
    std::swap(Gbar_[a], Gbar_[b]);
    std::swap(alpha_[a], alpha_[b]);
    std::swap(QD_[a], QD_[b]);
    std::swap(status_[a], status_[b]);
    std::swap(perm_[a], perm_[b]);
  }

  /** The two-variable subproblem on (i, j), clipped to the box, then the gradient and Ḡ updates. */
  void step(int64_t i, int64_t j) {
    const float* Qi = row(i);
    const float* Qj = row(j);
    const double oldI = alpha_[i], oldJ = alpha_[j];
    double& ai = alpha_[i];
    double& aj = alpha_[j];
    if (y_[i] != y_[j]) {
      double quad = QD_[i] + QD_[j] + 2 * at(Qi, j);
      if (quad <= 0) quad = kTau;
      const double delta = (-G_[i] - G_[j]) / quad;
      const double diff = ai - aj;
      ai += delta;
      aj += delta;
      if (diff > 0) {
        if (aj < 0) { aj = 0; ai = diff; }
      } else if (ai < 0) {
        ai = 0; aj = -diff;
      }
      if (diff > 0) {  // C_i − C_j = 0
        if (ai > C_) { ai = C_; aj = C_ - diff; }
      } else if (aj > C_) {
        aj = C_; ai = C_ + diff;
      }
    } else {
      double quad = QD_[i] + QD_[j] - 2 * at(Qi, j);
      if (quad <= 0) quad = kTau;
      const double delta = (G_[i] - G_[j]) / quad;
      const double sum = ai + aj;
      ai -= delta;
      aj += delta;
      if (sum > C_) {
        if (ai > C_) { ai = C_; aj = sum - C_; }
      } else if (aj < 0) {
        aj = 0; ai = sum;
      }
      if (sum > C_) {
        if (aj > C_) { aj = C_; ai = sum - C_; }
      } else if (ai < 0) {
        ai = 0; aj = sum;
      }
    }
    const double dI = ai - oldI, dJ = aj - oldJ;
    for (int64_t k = 0; k < active_; ++k) G_[k] += at(Qi, k) * dI + at(Qj, k) * dJ;

    const bool wasUpperI = isUpper(i), wasUpperJ = isUpper(j);
    updateStatus(i);
    updateStatus(j);
    updateGbar(Qi, wasUpperI, isUpper(i));
    updateGbar(Qj, wasUpperJ, isUpper(j));
  }

  void updateGbar(const float* r, bool wasUpper, bool isUpperNow) {
    if (wasUpper == isUpperNow) return;
    const double c = wasUpper ? -C_ : C_;
    for (int64_t k = 0; k < l_; ++k) Gbar_[k] += c * at(r, k);
  }

  /** False when optimal within tol (libsvm's select_working_set returning 1). */
  bool selectWorkingSet(int64_t& outI, int64_t& outJ) {
    double gmax = -kInf, gmax2 = -kInf, objDiffMin = kInf;
    int64_t gmaxIdx = -1, gminIdx = -1;
    for (int64_t t = 0; t < active_; ++t) {
      if (y_[t] == +1) {
        if (!isUpper(t) && -G_[t] >= gmax) { gmax = -G_[t]; gmaxIdx = t; }
      } else if (!isLower(t) && G_[t] >= gmax) {
        gmax = G_[t]; gmaxIdx = t;
      }
    }
    const int64_t i = gmaxIdx;
    const float* Qi = i != -1 ? row(i) : nullptr;
    for (int64_t j = 0; j < active_; ++j) {
      double gradDiff;
      double quad;
      if (y_[j] == +1) {
        if (isLower(j)) continue;
        gradDiff = gmax + G_[j];
        if (G_[j] >= gmax2) gmax2 = G_[j];
        if (!(gradDiff > 0)) continue;
        quad = QD_[i] + QD_[j] - 2.0 * y_[i] * at(Qi, j);
      } else {
        if (isUpper(j)) continue;
        gradDiff = gmax - G_[j];
        if (-G_[j] >= gmax2) gmax2 = -G_[j];
        if (!(gradDiff > 0)) continue;
        quad = QD_[i] + QD_[j] + 2.0 * y_[i] * at(Qi, j);
      }
      const double objDiff = -(gradDiff * gradDiff) / (quad > 0 ? quad : kTau);
      if (objDiff <= objDiffMin) { gminIdx = j; objDiffMin = objDiff; }
    }
    if (gmax + gmax2 < tol_ || gminIdx == -1) return false;
    outI = gmaxIdx;
    outJ = gminIdx;
    return true;
  }

  bool beShrunk(int64_t a, double gmax1, double gmax2) const {
    if (isUpper(a)) return y_[a] == +1 ? -G_[a] > gmax1 : -G_[a] > gmax2;
    if (isLower(a)) return y_[a] == +1 ? G_[a] > gmax2 : G_[a] > gmax1;
    return false;
  }

  void shrink() {
    double gmax1 = -kInf, gmax2 = -kInf;  // max −y∇f over I_up, max y∇f over I_low
    for (int64_t a = 0; a < active_; ++a) {
      if (y_[a] == +1) {
        if (!isUpper(a) && -G_[a] >= gmax1) gmax1 = -G_[a];
        if (!isLower(a) && G_[a] >= gmax2) gmax2 = G_[a];
      } else {
        if (!isUpper(a) && -G_[a] >= gmax2) gmax2 = -G_[a];
        if (!isLower(a) && G_[a] >= gmax1) gmax1 = G_[a];
      }
    }
    if (!unshrunk_ && gmax1 + gmax2 <= tol_ * 10) {
      unshrunk_ = true;
      reconstructGradient();
      active_ = l_;
    }
    for (int64_t a = 0; a < active_; ++a) {
      if (!beShrunk(a, gmax1, gmax2)) continue;
      --active_;
      while (active_ > a) {
        if (!beShrunk(active_, gmax1, gmax2)) {
          swap(a, active_);
          break;
        }
        --active_;
      }
    }
  }

  /** The gradient of the inactive variables, from Ḡ and the free variables. */
  void reconstructGradient() {
    if (active_ == l_) return;
    int64_t nFree = 0;
    for (int64_t j = active_; j < l_; ++j) G_[j] = Gbar_[j] - 1;
    for (int64_t j = 0; j < active_; ++j) nFree += isFree(j);
    if (double(nFree) * double(l_) > 2.0 * double(active_) * double(l_ - active_)) {
      for (int64_t i = active_; i < l_; ++i) {
        const float* Qi = row(i);
        for (int64_t j = 0; j < active_; ++j) {
          if (isFree(j)) G_[i] += alpha_[j] * at(Qi, j);
        }
      }
    } else {
      for (int64_t i = 0; i < active_; ++i) {
        if (!isFree(i)) continue;
        const float* Qi = row(i);
        const double ai = alpha_[i];
        for (int64_t j = active_; j < l_; ++j) G_[j] += ai * at(Qi, j);
      }
    }
  }

  double calculateRho() const {
    int64_t nFree = 0;
    double ub = kInf, lb = -kInf, sumFree = 0;
    for (int64_t a = 0; a < active_; ++a) {
      const double yG = y_[a] * G_[a];
      if (isUpper(a)) {
        if (y_[a] == -1) ub = std::min(ub, yG); else lb = std::max(lb, yG);
      } else if (isLower(a)) {
        if (y_[a] == +1) ub = std::min(ub, yG); else lb = std::max(lb, yG);
      } else {
        ++nFree;
        sumFree += yG;
      }
    }
    return nFree > 0 ? sumFree / double(nFree) : (ub + lb) / 2;
  }

  Q& q_;
  int64_t l_, active_;
  double C_, tol_;
  bool shrinking_;
  int64_t maxIter_;
  std::vector<int8_t> y_;
  std::vector<double> G_, Gbar_, alpha_, QD_;
  std::vector<uint8_t> status_;
  std::vector<int64_t> perm_;
  int64_t iterations_ = 0;
  bool timedOut_ = false, unshrunk_ = false;
};

template <class T>
int64_t svcTyped(Args& args, int64_t n, int64_t d) {
  ArrayView<T> x = args.floats<T>(2, "x");
  args.requireLength(x, "x", satMul(n, d), {{"n", n}, {"d", d}});
  ArrayView<int32_t> counts = args.int32s(3, "classCounts");
  const int64_t k = counts.length;
  if (k < 2) throw args.rangeError("classCounts must have at least 2 classes, got " + std::to_string(k));
  std::vector<int64_t> start(static_cast<size_t>(k) + 1, 0);
  for (int64_t c = 0; c < k; ++c) {
    if (counts.data[c] < 1) {
      throw args.rangeError("classCounts[" + std::to_string(c) + "] is " + std::to_string(counts.data[c]) +
                            "; every class needs at least one sample");
    }
    start[c + 1] = start[c] + counts.data[c];
  }
  if (start[k] != n) {
    throw args.rangeError("classCounts add up to " + std::to_string(start[k]) + " but n is " + std::to_string(n));
  }
  KernelParams kp{};
  kp.type = args.enumIndex(4, "kernel", kKernelNames, 4, "the kernels");
  kp.degree = static_cast<int>(args.size(5, "degree"));
  kp.gamma = args.number(6, "gamma");
  kp.coef0 = args.number(7, "coef0");
  if (!std::isfinite(kp.gamma) || !std::isfinite(kp.coef0)) {
    throw args.rangeError("gamma and coef0 must be finite, got " + numberText(kp.gamma) + " and " + numberText(kp.coef0));
  }
  SolverParams sp{};
  sp.C = args.number(8, "C");
  if (!(sp.C > 0 && std::isfinite(sp.C))) throw args.rangeError("C must be a finite number > 0, got " + numberText(sp.C));
  sp.tol = args.number(9, "tol");
  if (!(sp.tol > 0 && std::isfinite(sp.tol))) throw args.rangeError("tol must be a finite number > 0, got " + numberText(sp.tol));
  sp.shrinking = args.boolean(10, "shrinking");
  sp.cacheBytes = args.nonNegativeNumber(11, "cacheMB") * 1048576.0;
  sp.maxIter = args.size(12, "maxIter");
  ArrayView<double> alpha = args.float64s(13, "alpha");
  ArrayView<double> rho = args.float64s(14, "rho");
  ArrayView<int32_t> iterations = args.int32s(15, "iterations");
  const int64_t pairs = k * (k - 1) / 2;
  args.requireLength(alpha, "alpha", satMul(k - 1, n), {{"k", k}, {"n", n}}, "(k - 1)·n");
  args.requireLength(rho, "rho", pairs, {{"k", k}}, "k(k - 1)/2");
  args.requireLength(iterations, "iterations", pairs, {{"k", k}}, "k(k - 1)/2");
  args.requireDisjoint(alpha, "alpha", rho, "rho");
  for (int64_t e = 0; e < n * d; ++e) {
    if (!std::isfinite(x.data[e])) {
      throw args.rangeError("x[" + std::to_string(e / d) + ", " + std::to_string(e % d) + "] is " +
                            numberText(double(x.data[e])) + "; features must be finite");
    }
  }

  std::vector<int64_t> first(static_cast<size_t>(pairs)), second(first), offset(first);
  for (int64_t i = 0, p = 0, off = 0; i < k; ++i) {
    for (int64_t j = i + 1; j < k; ++j, ++p) {
      first[p] = i;
      second[p] = j;
      offset[p] = off;
      off += counts.data[i] + counts.data[j];
    }
  }
  const int threads = imageThreads(pairs);
  std::atomic<int64_t> next{0}, timedOut{0};
  std::vector<std::exception_ptr> failure(static_cast<size_t>(threads));
  parallelImages(threads, threads, [&](int worker, int64_t, int64_t) {
    try {
      std::vector<T> xs;
      std::vector<int8_t> ys;
      for (int64_t p; (p = next.fetch_add(1)) < pairs;) {
        const int64_t ci = counts.data[first[p]], cj = counts.data[second[p]], l = ci + cj;
        xs.resize(size_t(l * d));
        ys.assign(size_t(ci), int8_t(1));
        ys.resize(size_t(l), int8_t(-1));
        std::memcpy(xs.data(), x.data + start[first[p]] * d, size_t(ci * d) * sizeof(T));
        std::memcpy(xs.data() + ci * d, x.data + start[second[p]] * d, size_t(cj * d) * sizeof(T));
        QMatrix<T> q(xs.data(), l, d, ys.data(), kp, sp.cacheBytes);
        Solver<QMatrix<T>> solver(q, ys.data(), l, sp);
        rho.data[p] = solver.solve(alpha.data + offset[p]);
        iterations.data[p] = static_cast<int32_t>(std::min<int64_t>(solver.iterations(), INT32_MAX));
        if (solver.timedOut()) timedOut.fetch_add(1);
      }
    } catch (...) {
      failure[size_t(worker)] = std::current_exception();
      next.store(pairs);
    }
  });
  for (auto& f : failure) {
    if (f) std::rethrow_exception(f);
  }
  return timedOut.load();
}

}  // namespace

// svcSolve(n, d, x, classCounts, kernel, degree, gamma, coef0, C, tol, shrinking, cacheMB, maxIter, alpha, rho, iterations)
Napi::Value SvcSolve(const Napi::CallbackInfo& info) {
  Args args(info, "svcSolve", 16);
  const int64_t n = args.size(0, "n"), d = args.size(1, "d");
  const int64_t timedOut = args.byFloatType(2, "x", [&](auto t) { return svcTyped<decltype(t)>(args, n, d); });
  return Napi::Number::New(info.Env(), double(timedOut));
}

}  // namespace gradnode::cpu
