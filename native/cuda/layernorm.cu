// LayerNorm over the last dimension of an m×n matrix, fused with the residual
// add (z = x + residual) and an optional ReLU, forward and backward
// (native/cpu/layernorm.cc and src/backend/ts/layernorm.ts on the device).
//
// Forward: one block per row (32..512 threads by n, grid-stride over rows).
// Statistics in double with deterministic block reductions: the mean, one
// correction of the mean by Σ(z - mean)/n (as the TS reference: a constant
// row gets zhat = 0 exactly), then the biased variance around it. An empty row
// (n = 0) stores mean = 0 and rstd = 1/sqrt(eps) as the reference does.
// Elementwise math in T, as the cpu addon.
//
// Backward: first dGamma / dBeta, the column sums of g·zhat and g (g = dOut
// masked by out > 0 for relu: masked entries exactly 0), accumulated in
// double by the two-level column reduction of kernel_util.cuh (fixed row
// chunks, no atomics, bitwise reproducible); then one block per row for
//   dX = rstd·(gamma·g - mean(gamma·g) - zhat·mean(gamma·g·zhat)),
// with the two row sums in double. The column pass runs before the dX pass,
// so dX may alias dOut, x, residual or out.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>

#include "common/ops.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

constexpr int64_t kMaxRowBlocks = int64_t{1} << 20;

inline unsigned rowGrid(int64_t m) { return static_cast<unsigned>(m < kMaxRowBlocks ? m : kMaxRowBlocks); }

template <class T, bool Res>
__device__ inline T input(const T* x, const T* r, int64_t j) {
  if constexpr (Res) return x[j] + r[j];
  else return x[j];
}

template <class T, bool Res, bool Relu>
__global__ void layerNormForwardKernel(int64_t m, int64_t n, const T* x, const T* r, const T* gamma,
                                       const T* beta, double eps, T* out, T* mean, T* rstd) {
  __shared__ double sh[32];
  const double nd = static_cast<double>(n);
  for (int64_t i = blockIdx.x; i < m; i += gridDim.x) {
    const T* xr = x + i * n;
    const T* rr = Res ? r + i * n : nullptr;
    T* o = out + i * n;
    double s = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) s += static_cast<double>(input<T, Res>(xr, rr, j));
    s = blockAllReduce<SumOp>(s, sh);
    double mu = s / nd;
    double c = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) c += static_cast<double>(input<T, Res>(xr, rr, j)) - mu;
    c = blockAllReduce<SumOp>(c, sh);
    mu += c / nd;
    double q = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const double d = static_cast<double>(input<T, Res>(xr, rr, j)) - mu;
      q += d * d;
    }
    q = blockAllReduce<SumOp>(q, sh);
    double rs;
    if (n == 0) {
      mu = 0;
      rs = 1.0 / sqrt(eps);
    } else {
      rs = 1.0 / sqrt(q / nd + eps);
    }
    const T muT = static_cast<T>(mu), rsT = static_cast<T>(rs);
    if (threadIdx.x == 0) {
      mean[i] = muT;
      rstd[i] = rsT;
    }
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const T v = gamma[j] * ((input<T, Res>(xr, rr, j) - muT) * rsT) + beta[j];
      o[j] = Relu ? relu(v) : v;
    }
  }
}

/** g (the gradient after the activation) and zhat of element (i, j), in T. */
template <class T, bool Res, bool Relu>
struct GradZhat {
  const T* dOut;
  const T* x;
  const T* r;
  const T* out;
  const T* mean;
  const T* rstd;
  int64_t n;

  __device__ void operator()(int64_t i, int64_t j, double* v) const {
    const int64_t k = i * n + j;
    T z = x[k];
    if constexpr (Res) z = z + r[k];
    const T zh = (z - mean[i]) * rstd[i];
    const T d = dOut[k];
    const T g = Relu ? (out[k] > T(0) ? d : T(0)) : d;
    v[0] = static_cast<double>(g) * static_cast<double>(zh);
    v[1] = static_cast<double>(g);
  }
};

template <class T, bool Res, bool Relu>
__global__ void layerNormBackwardKernel(int64_t m, int64_t n, const T* dOut, const T* x, const T* r,
                                        const T* mean, const T* rstd, const T* gamma, const T* out, T* dX) {
  __shared__ double sh[32];
  const double nd = static_cast<double>(n);
  for (int64_t i = blockIdx.x; i < m; i += gridDim.x) {
    const int64_t row = i * n;
    const T* d = dOut + row;
    const T* xr = x + row;
    const T* rr = Res ? r + row : nullptr;
    const T* o = Relu ? out + row : nullptr;
    T* dx = dX + row;
    const T muT = mean[i], rs = rstd[i];
    double s1 = 0, s2 = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const T zh = (input<T, Res>(xr, rr, j) - muT) * rs;
      const T g = Relu ? (o[j] > T(0) ? d[j] : T(0)) : d[j];
      const double gg = static_cast<double>(gamma[j] * g);
      s1 += gg;
      s2 += gg * static_cast<double>(zh);
    }
    s1 = blockAllReduce<SumOp>(s1, sh);
    s2 = blockAllReduce<SumOp>(s2, sh);
    const T c1 = static_cast<T>(s1 / nd), c2 = static_cast<T>(s2 / nd);
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const T zh = (input<T, Res>(xr, rr, j) - muT) * rs;
      const T g = Relu ? (o[j] > T(0) ? d[j] : T(0)) : d[j];
      dx[j] = rs * (gamma[j] * g - c1 - zh * c2);
    }
  }
}

template <class T, bool Res, bool Relu>
LaunchStatus forward(int64_t m, int64_t n, const T* x, const T* r, const T* gamma, const T* beta, double eps,
                     T* out, T* mean, T* rstd) {
  layerNormForwardKernel<T, Res, Relu><<<rowGrid(m), rowThreads(n)>>>(m, n, x, r, gamma, beta, eps, out, mean,
                                                                       rstd);
  return afterLaunch("layerNormForwardKernel");
}

template <class T, bool Res, bool Relu>
LaunchStatus backward(int64_t m, int64_t n, const T* dOut, const T* x, const T* r, const T* mean, const T* rstd,
                      const T* gamma, const T* out, T* dX, T* dGamma, T* dBeta) {
  if (n == 0) return {};
  if (dGamma || dBeta) {
    GNK_TRY((columnSums<T, 2>(m, n, GradZhat<T, Res, Relu>{dOut, x, r, out, mean, rstd, n}, dGamma, dBeta,
                              "layerNormColumnKernel")));
  }
  if (m == 0) return {};
  layerNormBackwardKernel<T, Res, Relu><<<rowGrid(m), rowThreads(n)>>>(m, n, dOut, x, r, mean, rstd, gamma, out,
                                                                        dX);
  return afterLaunch("layerNormBackwardKernel");
}

}  // namespace

template <class T>
LaunchStatus launchLayerNormForward(int64_t m, int64_t n, const T* x, const T* residual, const T* gamma,
                                    const T* beta, double eps, int act, T* out, T* mean, T* rstd) {
  if (m == 0) return {};
  const bool relu = act == kRelu;
  if (residual) {
    return relu ? forward<T, true, true>(m, n, x, residual, gamma, beta, eps, out, mean, rstd)
                : forward<T, true, false>(m, n, x, residual, gamma, beta, eps, out, mean, rstd);
  }
  return relu ? forward<T, false, true>(m, n, x, residual, gamma, beta, eps, out, mean, rstd)
              : forward<T, false, false>(m, n, x, residual, gamma, beta, eps, out, mean, rstd);
}

template <class T>
LaunchStatus launchLayerNormBackward(int64_t m, int64_t n, const T* dOut, const T* x, const T* residual,
                                     const T* mean, const T* rstd, const T* gamma, int act, const T* out, T* dX,
                                     T* dGamma, T* dBeta) {
  const bool relu = act == kRelu;
  if (residual) {
    return relu ? backward<T, true, true>(m, n, dOut, x, residual, mean, rstd, gamma, out, dX, dGamma, dBeta)
                : backward<T, true, false>(m, n, dOut, x, residual, mean, rstd, gamma, out, dX, dGamma, dBeta);
  }
  return relu ? backward<T, false, true>(m, n, dOut, x, residual, mean, rstd, gamma, out, dX, dGamma, dBeta)
              : backward<T, false, false>(m, n, dOut, x, residual, mean, rstd, gamma, out, dX, dGamma, dBeta);
}

#define GN_INSTANTIATE(T)                                                                                         \
  template LaunchStatus launchLayerNormForward<T>(int64_t, int64_t, const T*, const T*, const T*, const T*,      \
                                                  double, int, T*, T*, T*);                                     \
  template LaunchStatus launchLayerNormBackward<T>(int64_t, int64_t, const T*, const T*, const T*, const T*,     \
                                                   const T*, const T*, int, const T*, T*, T*, T*);
GN_INSTANTIATE(float)
GN_INSTANTIATE(double)
#undef GN_INSTANTIATE

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include <string>
#include <utility>

#include "common/checks/layernorm.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

template <class T>
void forwardTyped(CudaArgs& args, int64_t m, int64_t n, double eps, int act) {
  ArrayView<T> x = args.device<T>(2, "x");
  ArrayView<T> residual = args.device<T>(3, "residual", true);
  ArrayView<T> gamma = args.device<T>(4, "gamma");
  ArrayView<T> beta = args.device<T>(5, "beta");
  ArrayView<T> out = args.device<T>(8, "out");
  ArrayView<T> mean = args.device<T>(9, "mean");
  ArrayView<T> rstd = args.device<T>(10, "rstd");
  checkLayerNormForward(args, m, n, x, residual, gamma, beta, out, mean, rstd);
  throwIfFailed(args, launchLayerNormForward<T>(m, n, x.data, residual.present ? residual.data : nullptr,
                                                gamma.data, beta.data, eps, act, out.data, mean.data, rstd.data));
}

template <class T>
void backwardTyped(CudaArgs& args, int64_t m, int64_t n, int act) {
  ArrayView<T> dOut = args.device<T>(2, "dOut");
  ArrayView<T> x = args.device<T>(3, "x");
  ArrayView<T> residual = args.device<T>(4, "residual", true);
  ArrayView<T> mean = args.device<T>(5, "mean");
  ArrayView<T> rstd = args.device<T>(6, "rstd");
  ArrayView<T> gamma = args.device<T>(7, "gamma");
  ArrayView<T> out = args.device<T>(9, "out", true);
  ArrayView<T> dX = args.device<T>(10, "dX");
  ArrayView<T> dGamma = args.device<T>(11, "dGamma", true);
  ArrayView<T> dBeta = args.device<T>(12, "dBeta", true);
  const bool relu = act == kRelu;
  checkLayerNormBackward(args, m, n, relu, "DeviceArray", dOut, x, residual, mean, rstd, gamma, out, dX, dGamma,
                         dBeta);
  if (relu) {
    args.requireDisjoint(dGamma, "dGamma", out, "out");
    args.requireDisjoint(dBeta, "dBeta", out, "out");
  }
  throwIfFailed(args, launchLayerNormBackward<T>(m, n, dOut.data, x.data, residual.present ? residual.data : nullptr,
                                                 mean.data, rstd.data, gamma.data, act,
                                                 relu ? out.data : nullptr, dX.data,
                                                 dGamma.present ? dGamma.data : nullptr,
                                                 dBeta.present ? dBeta.data : nullptr));
}

}  // namespace

// layerNormForward(m, n, x, residual | null, gamma, beta, eps, act, out, mean, rstd)
Napi::Value LayerNormForward(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "layerNormForward", 11);
  const int64_t m = args.size(0, "m"), n = args.size(1, "n");
  const double eps = args.nonNegativeNumber(6, "eps");
  const int act = readNormActivation(args, 7);
  args.byFloatType(2, "x", [&](auto t) { forwardTyped<decltype(t)>(args, m, n, eps, act); });
  return info.Env().Undefined();
}

// layerNormBackward(m, n, dOut, x, residual | null, mean, rstd, gamma, act, out | null, dX, dGamma | null, dBeta | null)
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "layerNormBackward", 13);
  const int64_t m = args.size(0, "m"), n = args.size(1, "n");
  const int act = readNormActivation(args, 8);
  args.byFloatType(2, "dOut", [&](auto t) { backwardTyped<decltype(t)>(args, m, n, act); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
