// LayerNorm over the last dimension of an m×n matrix, fused with the residual
// add (z = x + residual) and an optional ReLU, forward and backward.
//
// Forward, per row: two passes for the statistics (mean, then the biased
// variance around it, both accumulated in double) and one pass to write.
// Backward, per row: one pass for the two row sums (and the dGamma/dBeta
// column sums, in double), one pass to write dX =
//   rstd * (gamma*g - mean(gamma*g) - zhat * mean(gamma*g*zhat)).
// Elementwise math is in T; out may be x or residual, dX may be dOut, x,
// residual or out (each is read at index j before j is written).
#include <cmath>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/args.h"
#include "common/checks/layernorm.h"
#include "common/ops.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

/** z[j] = x[j] (+ residual[j]). */
template <class T, bool Res>
inline T input(const T* x, const T* r, int64_t j) {
  if constexpr (Res) return x[j] + r[j];
  else return x[j];
}

template <class T, bool Res, bool Relu>
void forwardRows(int64_t m, int64_t n, const T* x, const T* r, const T* __restrict gamma,
                 const T* __restrict beta, double eps, T* out, T* __restrict mean, T* __restrict rstd) {
  // An empty row (n = 0) has mean 0 and variance 0, so rstd = 1/sqrt(eps), as in the TS reference.
  const double nd = n == 0 ? 1.0 : static_cast<double>(n);
  for (int64_t i = 0; i < m; ++i) {
    const T* xr = x + i * n;
    const T* rr = Res ? r + i * n : nullptr;
    T* o = out + i * n;
    double sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; ++j) sum += static_cast<double>(input<T, Res>(xr, rr, j));
    const double mu = sum / nd;
    double sq = 0;
#pragma omp simd reduction(+ : sq)
    for (int64_t j = 0; j < n; ++j) {
      const double d = static_cast<double>(input<T, Res>(xr, rr, j)) - mu;
      sq += d * d;
    }
    const double var = sq / nd;
    const T muT = static_cast<T>(mu);
    const T rs = static_cast<T>(1.0 / std::sqrt(var + eps));
    mean[i] = muT;
    rstd[i] = rs;
    for (int64_t j = 0; j < n; ++j) {
      const T v = gamma[j] * ((input<T, Res>(xr, rr, j) - muT) * rs) + beta[j];
      o[j] = Relu ? relu(v) : v;
    }
  }
}

template <class T, bool Res, bool Relu, bool Acc>
void backwardRows(int64_t m, int64_t n, const T* dOut, const T* x, const T* r, const T* __restrict mean,
                  const T* __restrict rstd, const T* __restrict gamma, const T* out, T* dX,
                  T* __restrict accGamma, T* __restrict accBeta) {
  const double nd = static_cast<double>(n);
  for (int64_t i = 0; i < m; ++i) {
    const int64_t row = i * n;
    const T* d = dOut + row;
    const T* xr = x + row;
    const T* rr = Res ? r + row : nullptr;
    const T* o = Relu ? out + row : nullptr;
    T* dx = dX + row;
    const T muT = mean[i], rs = rstd[i];
    // Row sums of g·gamma and g·gamma·ẑ in double (the part where cancellation matters).
    double s1 = 0, s2 = 0;
#pragma omp simd reduction(+ : s1, s2)
    for (int64_t j = 0; j < n; ++j) {
      const T zh = (input<T, Res>(xr, rr, j) - muT) * rs;
      const T g = Relu ? (o[j] > T(0) ? d[j] : T(0)) : d[j];
      const double gg = static_cast<double>(gamma[j] * g);
      s1 += gg;
      s2 += gg * static_cast<double>(zh);
    }
    const T c1 = static_cast<T>(s1 / nd), c2 = static_cast<T>(s2 / nd);
    // dX, and the column sums for dGamma / dBeta kept in T: one fused, vectorised pass.
#pragma omp simd
    for (int64_t j = 0; j < n; ++j) {
      const T zh = (input<T, Res>(xr, rr, j) - muT) * rs;
      const T g = Relu ? (o[j] > T(0) ? d[j] : T(0)) : d[j];
      dx[j] = rs * (gamma[j] * g - c1 - zh * c2);
      if constexpr (Acc) {
        accGamma[j] += g * zh;
        accBeta[j] += g;
      }
    }
  }
}

template <class T>
void forwardTyped(Args& args, int64_t m, int64_t n) {
  ArrayView<T> x = args.floats<T>(2, "x");
  ArrayView<T> residual = args.floats<T>(3, "residual", true);
  ArrayView<T> gamma = args.floats<T>(4, "gamma");
  ArrayView<T> beta = args.floats<T>(5, "beta");
  const double eps = args.nonNegativeNumber(6, "eps");
  const int act = readNormActivation(args, 7);
  ArrayView<T> out = args.floats<T>(8, "out");
  ArrayView<T> mean = args.floats<T>(9, "mean");
  ArrayView<T> rstd = args.floats<T>(10, "rstd");
  checkLayerNormForward(args, m, n, x, residual, gamma, beta, out, mean, rstd);
  const T* r = residual.present ? residual.data : nullptr;
  auto run = [&](auto res, auto relu) {
    forwardRows<T, decltype(res)::value, decltype(relu)::value>(m, n, x.data, r, gamma.data, beta.data, eps,
                                                                 out.data, mean.data, rstd.data);
  };
  using F = std::false_type;
  using U = std::true_type;
  if (r) {
    act == kRelu ? run(U{}, U{}) : run(U{}, F{});
  } else {
    act == kRelu ? run(F{}, U{}) : run(F{}, F{});
  }
}

template <class T>
void backwardTyped(Args& args, int64_t m, int64_t n) {
  ArrayView<T> dOut = args.floats<T>(2, "dOut");
  ArrayView<T> x = args.floats<T>(3, "x");
  ArrayView<T> residual = args.floats<T>(4, "residual", true);
  ArrayView<T> mean = args.floats<T>(5, "mean");
  ArrayView<T> rstd = args.floats<T>(6, "rstd");
  ArrayView<T> gamma = args.floats<T>(7, "gamma");
  const int act = readNormActivation(args, 8);
  ArrayView<T> out = args.floats<T>(9, "out", true);
  ArrayView<T> dX = args.floats<T>(10, "dX");
  ArrayView<T> dGamma = args.floats<T>(11, "dGamma", true);
  ArrayView<T> dBeta = args.floats<T>(12, "dBeta", true);
  const bool relu = act == kRelu;
  checkLayerNormBackward(args, m, n, relu, dtypeArrayName(dtypeOf<T>()), dOut, x, residual, mean, rstd, gamma, out, dX, dGamma,
                         dBeta);

  const bool acc = dGamma.present || dBeta.present;
  std::vector<T> sums(acc ? static_cast<size_t>(2 * n) : 0, T(0));
  T* accGamma = acc ? sums.data() : nullptr;
  T* accBeta = acc ? sums.data() + n : nullptr;
  const T* r = residual.present ? residual.data : nullptr;
  const T* o = relu ? out.data : nullptr;
  auto run = [&](auto res, auto reluTag, auto accTag) {
    backwardRows<T, decltype(res)::value, decltype(reluTag)::value, decltype(accTag)::value>(
        m, n, dOut.data, x.data, r, mean.data, rstd.data, gamma.data, o, dX.data, accGamma, accBeta);
  };
  using F = std::false_type;
  using U = std::true_type;
  if (acc) {
    if (r) relu ? run(U{}, U{}, U{}) : run(U{}, F{}, U{});
    else relu ? run(F{}, U{}, U{}) : run(F{}, F{}, U{});
  } else {
    if (r) relu ? run(U{}, U{}, F{}) : run(U{}, F{}, F{});
    else relu ? run(F{}, U{}, F{}) : run(F{}, F{}, F{});
  }
  if (dGamma.present) {
    std::copy(accGamma, accGamma + n, dGamma.data);
  }
  if (dBeta.present) {
    std::copy(accBeta, accBeta + n, dBeta.data);
  }
}

}  // namespace

// layerNormForward(m, n, x, residual | null, gamma, beta, eps, act, out, mean, rstd)
Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  Args args(info, "layerNormForward", 11);
  const int64_t m = args.size(0, "m"), n = args.size(1, "n");
  args.byFloatType(2, "x", [&](auto t) { forwardTyped<decltype(t)>(args, m, n); });
  return info.Env().Undefined();
}

// layerNormBackward(m, n, dOut, x, residual | null, mean, rstd, gamma, act, out | null, dX, dGamma | null, dBeta | null)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  Args args(info, "layerNormBackward", 13);
  const int64_t m = args.size(0, "m"), n = args.size(1, "n");
  args.byFloatType(2, "dOut", [&](auto t) { backwardTyped<decltype(t)>(args, m, n); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
