// Fused bias + activation over an m×n row-major matrix, forward and backward
// (native/cpu/activations.cc on the device).
//
// Forward / dX: one grid-stride elementwise kernel (256 threads, column from
// the flat index). dBias = column sums of dX accumulated in double with the
// deterministic two-level column reduction of kernel_util.cuh (block partials
// over fixed row chunks, then one ordered pass over the chunks): no atomics,
// bitwise reproducible. The dX kernel runs first, so dX may alias dOut / out.
#include <cuda_runtime.h>

#include <cstdint>

#include "common/ops.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

template <class T, int Act, bool HasBias>
__global__ void biasActForwardKernel(int64_t total, int64_t n, const T* x, const T* bias, T* out) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    T v = x[idx];
    if constexpr (HasBias) v = v + bias[idx % n];
    out[idx] = activate<T, Act>(v);
  }
}

template <class T, int Act>
__global__ void biasActBackwardKernel(int64_t total, const T* dOut, const T* out, T* dX) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    dX[idx] = activationGrad<T, Act>(dOut[idx], out[idx]);
  }
}

/** The value summed into dBias: dX[i, j] as double. */
template <class T>
struct ReadColumn {
  const T* x;
  int64_t n;
  __device__ void operator()(int64_t i, int64_t j, double* v) const { v[0] = static_cast<double>(x[i * n + j]); }
};

template <class T, int Act>
LaunchStatus forwardAct(int64_t m, int64_t n, const T* x, const T* bias, T* out) {
  const int64_t total = m * n;
  if (bias) {
    biasActForwardKernel<T, Act, true><<<gridFor(total), kThreads>>>(total, n, x, bias, out);
  } else {
    biasActForwardKernel<T, Act, false><<<gridFor(total), kThreads>>>(total, n, x, bias, out);
  }
  return afterLaunch("biasActForwardKernel");
}

template <class T, int Act>
LaunchStatus backwardAct(int64_t m, int64_t n, const T* dOut, const T* out, T* dX) {
  const int64_t total = m * n;
  biasActBackwardKernel<T, Act><<<gridFor(total), kThreads>>>(total, dOut, out, dX);
  return afterLaunch("biasActBackwardKernel");
}

}  // namespace

template <class T>
LaunchStatus launchBiasActivationForward(int act, int64_t m, int64_t n, const T* x, const T* bias, T* out) {
  if (m == 0 || n == 0) return {};
  switch (act) {
    case kRelu: return forwardAct<T, kRelu>(m, n, x, bias, out);
    case kTanh: return forwardAct<T, kTanh>(m, n, x, bias, out);
    default: return forwardAct<T, kIdentity>(m, n, x, bias, out);
  }
}

template <class T>
LaunchStatus launchBiasActivationBackward(int act, int64_t m, int64_t n, const T* dOut, const T* out, T* dX,
                                          T* dBias) {
  if (n == 0) return {};
  if (m > 0) {
    switch (act) {
      case kRelu: GNK_TRY((backwardAct<T, kRelu>(m, n, dOut, out, dX))); break;
      case kTanh: GNK_TRY((backwardAct<T, kTanh>(m, n, dOut, out, dX))); break;
      default: GNK_TRY((backwardAct<T, kIdentity>(m, n, dOut, out, dX))); break;
    }
  }
  if (!dBias) return {};
  return columnSums<T, 1>(m, n, ReadColumn<T>{dX, n}, dBias, static_cast<T*>(nullptr), "dBiasColumnKernel");
}

#define GN_INSTANTIATE(T)                                                                                    \
  template LaunchStatus launchBiasActivationForward<T>(int, int64_t, int64_t, const T*, const T*, T*);     \
  template LaunchStatus launchBiasActivationBackward<T>(int, int64_t, int64_t, const T*, const T*, T*, T*);
GN_INSTANTIATE(float)
GN_INSTANTIATE(double)
#undef GN_INSTANTIATE

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include "common/checks/activations.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

template <class T>
void forwardTyped(CudaArgs& args, int act, int64_t m, int64_t n) {
  ArrayView<T> x = args.device<T>(3, "x");
  ArrayView<T> bias = args.device<T>(4, "bias", true);
  ArrayView<T> out = args.device<T>(5, "out");
  checkBiasActivationForward(args, m, n, x, bias, out);
  throwIfFailed(args, launchBiasActivationForward<T>(act, m, n, x.data, bias.present ? bias.data : nullptr,
                                                     out.data));
}

template <class T>
void backwardTyped(CudaArgs& args, int act, int64_t m, int64_t n) {
  ArrayView<T> dOut = args.device<T>(3, "dOut");
  ArrayView<T> out = args.device<T>(4, "out");
  ArrayView<T> dX = args.device<T>(5, "dX");
  ArrayView<T> dBias = args.device<T>(6, "dBias", true);
  checkBiasActivationBackward(args, m, n, dOut, out, dX, dBias);
  throwIfFailed(args, launchBiasActivationBackward<T>(act, m, n, dOut.data, out.data, dX.data,
                                                      dBias.present ? dBias.data : nullptr));
}

}  // namespace

// biasActivationForward(act, m, n, x, bias | null, out)
Napi::Value BiasActivationForward(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "biasActivationForward", 6);
  const BiasActivationParams p = readBiasActivationParams(args);
  args.byFloatType(3, "x", [&](auto t) { forwardTyped<decltype(t)>(args, p.act, p.m, p.n); });
  return info.Env().Undefined();
}

// biasActivationBackward(act, m, n, dOut, out, dX, dBias | null)
Napi::Value BiasActivationBackward(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "biasActivationBackward", 7);
  const BiasActivationParams p = readBiasActivationParams(args);
  args.byFloatType(3, "dOut", [&](auto t) { backwardTyped<decltype(t)>(args, p.act, p.m, p.n); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
