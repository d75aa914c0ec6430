// Elementwise kernels (native/cpu/elementwise.cc on the device): binary with
// broadcast strides (any rank up to kMaxLaunchRank, 0-d included), unary
// (every op of UNARY_OPS, same order), scale, axpy, copyStrided.
//
// binary / copyStrided: the host collapses the layout as the cpu addon does
// (size-1 dimensions dropped, neighbours contiguous for every operand merged),
// then one grid-stride kernel (256 threads) maps each output index to operand
// offsets by div/mod over the collapsed shape (32-bit index math when the
// output has fewer than 2^32 elements; offsets always 64-bit). A layout that
// collapses to one contiguous run for every operand takes a flat kernel.
// scale / axpy compute in double (alpha is a JS number) and round once, like
// the references. Scalar semantics are common/ops.h's (Math.max/min/pow/sign).
#include <cuda_runtime.h>

#include <cstdint>
#include <utility>

#include "common/ops.h"
#include "common/strided.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

/** Math.pow on the device (ops.h's jsPow uses host-only numeric_limits). */
template <class T>
__device__ inline T devicePow(T a, T b) {
  if (b != b) return b;
  if ((a == T(1) || a == T(-1)) && isinf(b)) return deviceNaN<T>();
  return pow(a, b);
}

template <class T, int Op>
__device__ inline T deviceBinary(T a, T b) {
  if constexpr (Op == kPow) return devicePow(a, b);
  else return binaryOp<T, Op>(a, b);
}

// ---- strided layouts ----------------------------------------------------------

/** A collapsed layout: the cpu addon's (common/strided.h): size-1 dims dropped, contiguous neighbours merged. */
template <int Ops>
using Layout = CollapsedLayout<Ops, kMaxLaunchRank>;

inline int64_t product(int rank, const int64_t* shape) {
  int64_t p = 1;
  for (int d = 0; d < rank; ++d) p *= shape[d];  // validated by the caller: fits
  return p;
}

/** Offsets of output element idx in each operand. */
template <int Ops, class I>
__device__ inline void offsetsOf(const Layout<Ops>& s, I idx, int64_t (&off)[Ops]) {
#pragma unroll
  for (int k = 0; k < Ops; ++k) off[k] = 0;
  I rem = idx;
  for (int d = s.rank - 1; d > 0; --d) {
    const I extent = static_cast<I>(s.shape[d]);
    const I q = rem / extent;
    const int64_t c = static_cast<int64_t>(rem - q * extent);
#pragma unroll
    for (int k = 0; k < Ops; ++k) off[k] += c * s.stride[k][d];
    rem = q;
  }
  if (s.rank > 0) {
#pragma unroll
    for (int k = 0; k < Ops; ++k) off[k] += static_cast<int64_t>(rem) * s.stride[k][0];
  }
}

// ---- binary ---------------------------------------------------------------------

template <class T, int Op, class I>
__global__ void binaryStridedKernel(I total, Layout<2> s, const T* a, const T* b, T* out) {
  for (I idx = blockIdx.x * I(blockDim.x) + threadIdx.x; idx < total; idx += I(gridDim.x) * blockDim.x) {
    int64_t off[2];
    offsetsOf<2, I>(s, idx, off);
    out[idx] = deviceBinary<T, Op>(a[off[0]], b[off[1]]);
  }
}

template <class T, int Op>
__global__ void binaryFlatKernel(int64_t total, const T* a, const T* b, T* out) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    out[idx] = deviceBinary<T, Op>(a[idx], b[idx]);
  }
}

template <class T, int Op>
LaunchStatus binaryRun(int64_t total, const Layout<2>& s, const T* a, const T* b, T* out) {
  if (s.rank <= 1 && (s.rank == 0 || (s.stride[0][0] == 1 && s.stride[1][0] == 1))) {
    if (s.rank == 0) {  // one element (every dimension of size 1)
      binaryStridedKernel<T, Op, uint32_t><<<1, 32>>>(1u, s, a, b, out);
    } else {
      binaryFlatKernel<T, Op><<<gridFor(total), kThreads>>>(total, a, b, out);
    }
    return afterLaunch("binaryKernel");
  }
  if (total <= int64_t{0xffffffff} - int64_t{kMaxBlocks} * kThreads) {
    binaryStridedKernel<T, Op, uint32_t><<<gridFor(total), kThreads>>>(static_cast<uint32_t>(total), s, a, b, out);
  } else {
    binaryStridedKernel<T, Op, uint64_t><<<gridFor(total), kThreads>>>(static_cast<uint64_t>(total), s, a, b, out);
  }
  return afterLaunch("binaryStridedKernel");
}

template <class T, size_t... Op>
LaunchStatus binaryDispatch(int op, int64_t total, const Layout<2>& s, const T* a, const T* b, T* out,
                            std::index_sequence<Op...>) {
  using Fn = LaunchStatus (*)(int64_t, const Layout<2>&, const T*, const T*, T*);
  static constexpr Fn table[] = {&binaryRun<T, static_cast<int>(Op)>...};
  return table[op](total, s, a, b, out);
}

// ---- unary, scale, axpy -----------------------------------------------------------

template <class T, int Op>
__global__ void unaryKernel(int64_t count, const T* x, T* out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    out[i] = unaryOp<T, Op>(x[i]);
  }
}

template <class T, int Op>
LaunchStatus unaryRun(int64_t count, const T* x, T* out) {
  unaryKernel<T, Op><<<gridFor(count), kThreads>>>(count, x, out);
  return afterLaunch("unaryKernel");
}

template <class T, size_t... Op>
LaunchStatus unaryDispatch(int op, int64_t count, const T* x, T* out, std::index_sequence<Op...>) {
  using Fn = LaunchStatus (*)(int64_t, const T*, T*);
  static constexpr Fn table[] = {&unaryRun<T, static_cast<int>(Op)>...};
  return table[op](count, x, out);
}

template <class T>
__global__ void scaleKernel(int64_t count, double alpha, const T* x, T* out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    out[i] = static_cast<T>(alpha * static_cast<double>(x[i]));
  }
}

template <class T>
__global__ void axpyKernel(int64_t count, double alpha, const T* x, T* y) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    y[i] = static_cast<T>(static_cast<double>(y[i]) + alpha * static_cast<double>(x[i]));
  }
}

// ---- copyStrided --------------------------------------------------------------------

template <class T, class I>
__global__ void copyStridedKernel(I total, Layout<1> s, const T* src, T* out) {
  for (I idx = blockIdx.x * I(blockDim.x) + threadIdx.x; idx < total; idx += I(gridDim.x) * blockDim.x) {
    int64_t off[1];
    offsetsOf<1, I>(s, idx, off);
    out[idx] = src[off[0]];
  }
}

}  // namespace

template <class T>
LaunchStatus launchBinary(int op, int rank, const int64_t* shape, const T* a, const int64_t* aStrides, const T* b,
                          const int64_t* bStrides, T* out) {
  const int64_t total = product(rank, shape);
  if (total == 0) return {};
  const int64_t* const strides[2] = {aStrides, bStrides};
  const Layout<2> s = collapse<kMaxLaunchRank>(rank, shape, strides);
  return binaryDispatch<T>(op, total, s, a, b, out, std::make_index_sequence<kBinaryOpCount>{});
}

template <class T>
LaunchStatus launchUnary(int op, int64_t count, const T* x, T* out) {
  if (count == 0) return {};
  return unaryDispatch<T>(op, count, x, out, std::make_index_sequence<kUnaryOpCount>{});
}

template <class T>
LaunchStatus launchScale(double alpha, int64_t count, const T* x, T* out) {
  if (count == 0) return {};
  scaleKernel<T><<<gridFor(count), kThreads>>>(count, alpha, x, out);
  return afterLaunch("scaleKernel");
}

template <class T>
LaunchStatus launchAxpy(double alpha, int64_t count, const T* x, T* y) {
  if (count == 0) return {};
  axpyKernel<T><<<gridFor(count), kThreads>>>(count, alpha, x, y);
  return afterLaunch("axpyKernel");
}

template <class T>
LaunchStatus launchCopyStrided(int rank, const int64_t* shape, const T* src, const int64_t* srcStrides, T* out) {
  const int64_t total = product(rank, shape);
  if (total == 0) return {};
  const int64_t* const strides[1] = {srcStrides};
  const Layout<1> s = collapse<kMaxLaunchRank>(rank, shape, strides);
  if (s.rank == 1 && s.stride[0][0] == 1) {
    if (src == out) return {};  // the same contiguous array: nothing to move
    return status(cudaMemcpyAsync(out, src, sizeof(T) * size_t(total), cudaMemcpyDeviceToDevice, 0),
                  "cudaMemcpyAsync");
  }
  if (total <= int64_t{0xffffffff} - int64_t{kMaxBlocks} * kThreads) {
    copyStridedKernel<T, uint32_t><<<gridFor(total), kThreads>>>(static_cast<uint32_t>(total), s, src, out);
  } else {
    copyStridedKernel<T, uint64_t><<<gridFor(total), kThreads>>>(static_cast<uint64_t>(total), s, src, out);
  }
  return afterLaunch("copyStridedKernel");
}

#define GN_INSTANTIATE(T)                                                                                          \
  template LaunchStatus launchBinary<T>(int, int, const int64_t*, const T*, const int64_t*, const T*,            \
                                        const int64_t*, T*);                                                     \
  template LaunchStatus launchUnary<T>(int, int64_t, const T*, T*);                                              \
  template LaunchStatus launchScale<T>(double, int64_t, const T*, T*);                                           \
  template LaunchStatus launchAxpy<T>(double, int64_t, const T*, T*);                                            \
  template LaunchStatus launchCopyStrided<T>(int, const int64_t*, const T*, const int64_t*, T*);
GN_INSTANTIATE(float)
GN_INSTANTIATE(double)
#undef GN_INSTANTIATE

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include <string>

#include "common/checks/elementwise.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

static_assert(kMaxLaunchRank == kMaxRank, "launchers.h and common/args.h must agree on the largest rank");

template <class T>
void binaryTyped(CudaArgs& args, const BinaryParams& p) {
  ArrayView<T> a = args.device<T>(2, "a");
  ArrayView<T> b = args.device<T>(4, "b");
  ArrayView<T> out = args.device<T>(6, "out");
  checkBinary(args, p, a, b, out);
  throwIfFailed(args, launchBinary<T>(p.op, p.rank, p.shape, a.data, p.aStrides, b.data, p.bStrides, out.data));
}

template <class T>
void unaryTyped(CudaArgs& args, int op) {
  ArrayView<T> x = args.device<T>(1, "x");
  ArrayView<T> out = args.device<T>(2, "out");
  checkSameOrInPlace(args, out, "out", x);
  throwIfFailed(args, launchUnary<T>(op, x.length, x.data, out.data));
}

template <class T>
void scaleTyped(CudaArgs& args, double alpha) {
  ArrayView<T> x = args.device<T>(1, "x");
  ArrayView<T> out = args.device<T>(2, "out");
  checkSameOrInPlace(args, out, "out", x);
  throwIfFailed(args, launchScale<T>(alpha, x.length, x.data, out.data));
}

template <class T>
void axpyTyped(CudaArgs& args, double alpha) {
  ArrayView<T> x = args.device<T>(1, "x");
  ArrayView<T> y = args.device<T>(2, "y");
  checkSameOrInPlace(args, y, "y", x);
  throwIfFailed(args, launchAxpy<T>(alpha, x.length, x.data, y.data));
}

template <class T>
void copyTyped(CudaArgs& args, const CopyParams& p) {
  ArrayView<T> src = args.device<T>(1, "src");
  ArrayView<T> out = args.device<T>(3, "out");
  checkCopyStrided(args, p, src, out);
  throwIfFailed(args, launchCopyStrided<T>(p.rank, p.shape, src.data, p.srcStrides, out.data));
}

}  // namespace

// binary(op, shape, a, aStrides, b, bStrides, out)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "binary", 7);
  BinaryParams p;
  readBinaryParams(args, p);
  args.byFloatType(2, "a", [&](auto t) { binaryTyped<decltype(t)>(args, p); });
  return info.Env().Undefined();
}

// unary(op, x, out)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "unary", 3);
  const int op = args.enumIndex(0, "op", kUnaryOpNames, kUnaryOpCount, "UNARY_OPS");
  args.byFloatType(1, "x", [&](auto t) { unaryTyped<decltype(t)>(args, op); });
  return info.Env().Undefined();
}

// scale(alpha, x, out)
Napi::Value Scale(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "scale", 3);
  const double alpha = args.number(0, "alpha");
  args.byFloatType(1, "x", [&](auto t) { scaleTyped<decltype(t)>(args, alpha); });
  return info.Env().Undefined();
}

// axpy(alpha, x, y)
Napi::Value Axpy(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "axpy", 3);
  const double alpha = args.number(0, "alpha");
  args.byFloatType(1, "x", [&](auto t) { axpyTyped<decltype(t)>(args, alpha); });
  return info.Env().Undefined();
}

// copyStrided(shape, src, srcStrides, out)
Napi::Value CopyStrided(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "copyStrided", 4);
  CopyParams p;
  readCopyParams(args, p);
  args.byFloatType(1, "src", [&](auto t) { copyTyped<decltype(t)>(args, p); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
