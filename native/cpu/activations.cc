// Fused bias + activation, forward and backward, over an m×n row-major matrix.
// Elementwise loops run in T; the bias gradient (column sums of dX) is
// accumulated in double. out may be x and dX may be dOut (same-index loops;
// GCC's alias check lets an exact alias take the vector path).
#include <vector>

#include "common/args.h"
#include "common/checks/activations.h"
#include "common/ops.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

template <class T, int Act>
void forwardRows(int64_t m, int64_t n, const T* x, const T* bias, T* out) {
  if (n == 0) return;
  for (int64_t i = 0; i < m; ++i) {
    const T* xr = x + i * n;
    T* o = out + i * n;
    if (bias) {
      for (int64_t j = 0; j < n; ++j) o[j] = activate<T, Act>(xr[j] + bias[j]);
    } else {
      for (int64_t j = 0; j < n; ++j) o[j] = activate<T, Act>(xr[j]);
    }
  }
}

template <class T, int Act>
void backwardRows(int64_t m, int64_t n, const T* dOut, const T* out, T* dX, T* dBias) {
  if (n == 0) return;
  if (!dBias) {
    for (int64_t i = 0; i < m; ++i) {
      const T* d = dOut + i * n;
      const T* o = out + i * n;
      T* dx = dX + i * n;
      for (int64_t j = 0; j < n; ++j) dx[j] = activationGrad<T, Act>(d[j], o[j]);
    }
    return;
  }
  std::vector<double> sums(static_cast<size_t>(n), 0.0);
  double* __restrict acc = sums.data();
  for (int64_t i = 0; i < m; ++i) {
    const T* d = dOut + i * n;
    const T* o = out + i * n;
    T* dx = dX + i * n;
    for (int64_t j = 0; j < n; ++j) {
      const T g = activationGrad<T, Act>(d[j], o[j]);
      dx[j] = g;
      acc[j] += static_cast<double>(g);
    }
  }
  for (int64_t j = 0; j < n; ++j) dBias[j] = static_cast<T>(acc[j]);
}

template <class T>
void forwardTyped(Args& args, int act, int64_t m, int64_t n) {
  ArrayView<T> x = args.floats<T>(3, "x");
  ArrayView<T> bias = args.floats<T>(4, "bias", true);
  ArrayView<T> out = args.floats<T>(5, "out");
  checkBiasActivationForward(args, m, n, x, bias, out);
  const T* b = bias.present ? bias.data : nullptr;
  switch (act) {
    case kRelu: forwardRows<T, kRelu>(m, n, x.data, b, out.data); break;
    case kTanh: forwardRows<T, kTanh>(m, n, x.data, b, out.data); break;
    default: forwardRows<T, kIdentity>(m, n, x.data, b, out.data); break;
  }
}

template <class T>
void backwardTyped(Args& args, int act, int64_t m, int64_t n) {
  ArrayView<T> dOut = args.floats<T>(3, "dOut");
  ArrayView<T> out = args.floats<T>(4, "out");
  ArrayView<T> dX = args.floats<T>(5, "dX");
  ArrayView<T> dBias = args.floats<T>(6, "dBias", true);
  checkBiasActivationBackward(args, m, n, dOut, out, dX, dBias);
  T* db = dBias.present ? dBias.data : nullptr;
  switch (act) {
    case kRelu: backwardRows<T, kRelu>(m, n, dOut.data, out.data, dX.data, db); break;
    case kTanh: backwardRows<T, kTanh>(m, n, dOut.data, out.data, dX.data, db); break;
    default: backwardRows<T, kIdentity>(m, n, dOut.data, out.data, dX.data, db); break;
  }
}

}  // namespace

// biasActivationForward(act, m, n, x, bias | null, out)
Napi::Value BiasActivationForward(const Napi::CallbackInfo& info) {
  Args args(info, "biasActivationForward", 6);
  const BiasActivationParams p = readBiasActivationParams(args);
  args.byFloatType(3, "x", [&](auto t) { forwardTyped<decltype(t)>(args, p.act, p.m, p.n); });
  return info.Env().Undefined();
}

// biasActivationBackward(act, m, n, dOut, out, dX, dBias | null)
Napi::Value BiasActivationBackward(const Napi::CallbackInfo& info) {
  Args args(info, "biasActivationBackward", 7);
  const BiasActivationParams p = readBiasActivationParams(args);
  args.byFloatType(3, "dOut", [&](auto t) { backwardTyped<decltype(t)>(args, p.act, p.m, p.n); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
