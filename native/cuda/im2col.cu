// im2col / col2im for a 2-D convolution over an NCHW batch
// (native/cpu/im2col.cc on the device).
//
// cols is batch × (channels·kernelH·kernelW) × (outH·outW), row index
// (ch·kernelH + ky)·kernelW + kx; padding reads as 0.
// im2col: one thread per column entry (grid-stride), reading its pixel or 0.
// col2im: one thread per image pixel, summing (in T, starting from 0) the
// column entries that read it in increasing (ky, kx) order, the order the cpu
// addon adds them in, so the result is bitwise the cpu addon's. No atomics.
#include <cuda_runtime.h>

#include <cstdint>

#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

template <class T>
__global__ void im2colKernel(ConvShape g, int64_t total, const T* images, T* cols) {
  const int64_t colRows = g.channels * g.kernelH * g.kernelW;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t t = idx;
    const int64_t ox = t % g.outW;
    t /= g.outW;
    const int64_t oy = t % g.outH;
    t /= g.outH;
    const int64_t row = t % colRows;
    const int64_t b = t / colRows;
    const int64_t kx = row % g.kernelW;
    const int64_t ky = (row / g.kernelW) % g.kernelH;
    const int64_t ch = row / (g.kernelW * g.kernelH);
    const int64_t iy = oy * g.strideH - g.padH + ky;
    const int64_t ix = ox * g.strideW - g.padW + kx;
    T v = T(0);
    if (iy >= 0 && iy < g.height && ix >= 0 && ix < g.width) {
      v = images[((b * g.channels + ch) * g.height + iy) * g.width + ix];
    }
    cols[idx] = v;
  }
}

template <class T>
__global__ void col2imKernel(ConvShape g, int64_t total, const T* cols, T* images) {
  const int64_t colRows = g.channels * g.kernelH * g.kernelW;
  const int64_t colCols = g.outH * g.outW;
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    int64_t t = idx;
    const int64_t ix = t % g.width;
    t /= g.width;
    const int64_t iy = t % g.height;
    t /= g.height;
    const int64_t ch = t % g.channels;
    const int64_t b = t / g.channels;
    const T* base = cols + b * colRows * colCols;
    T acc = T(0);
    for (int64_t ky = 0; ky < g.kernelH; ++ky) {
      const int64_t ty = iy + g.padH - ky;  // = oy·strideH
      if (ty < 0 || ty % g.strideH != 0) continue;
      const int64_t oy = ty / g.strideH;
      if (oy >= g.outH) continue;
      for (int64_t kx = 0; kx < g.kernelW; ++kx) {
        const int64_t tx = ix + g.padW - kx;
        if (tx < 0 || tx % g.strideW != 0) continue;
        const int64_t ox = tx / g.strideW;
        if (ox >= g.outW) continue;
        const int64_t row = (ch * g.kernelH + ky) * g.kernelW + kx;
        acc += base[row * colCols + oy * g.outW + ox];
      }
    }
    images[idx] = acc;
  }
}

}  // namespace

template <class T>
LaunchStatus launchIm2col(const ConvShape& g, const T* images, T* cols) {
  const int64_t total = g.batch * g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
  if (total == 0) return {};
  im2colKernel<T><<<gridFor(total), kThreads>>>(g, total, images, cols);
  return afterLaunch("im2colKernel");
}

template <class T>
LaunchStatus launchCol2im(const ConvShape& g, const T* cols, T* images) {
  const int64_t total = g.batch * g.channels * g.height * g.width;
  if (total == 0) return {};
  col2imKernel<T><<<gridFor(total), kThreads>>>(g, total, cols, images);
  return afterLaunch("col2imKernel");
}

template LaunchStatus launchIm2col<float>(const ConvShape&, const float*, float*);
template LaunchStatus launchIm2col<double>(const ConvShape&, const double*, double*);
template LaunchStatus launchCol2im<float>(const ConvShape&, const float*, float*);
template LaunchStatus launchCol2im<double>(const ConvShape&, const double*, double*);

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include <string>

#include "common/checks/conv.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

/** The launchers' view of the checked geometry. */
ConvShape shapeOf(const ConvGeometry& g) {
  return {g.batch,   g.channels, g.height, g.width, g.kernelH, g.kernelW,
          g.strideH, g.strideW,  g.padH,   g.padW,  g.outH,    g.outW};
}

template <class T>
void im2colTyped(CudaArgs& args, const ConvGeometry& g) {
  ArrayView<T> images = args.device<T>(10, "images");
  ArrayView<T> cols = args.device<T>(11, "cols");
  checkConvArrays(args, g, images, cols);
  throwIfFailed(args, launchIm2col<T>(shapeOf(g), images.data, cols.data));
}

template <class T>
void col2imTyped(CudaArgs& args, const ConvGeometry& g) {
  ArrayView<T> cols = args.device<T>(10, "cols");
  ArrayView<T> images = args.device<T>(11, "images");
  checkConvArrays(args, g, images, cols);
  throwIfFailed(args, launchCol2im<T>(shapeOf(g), cols.data, images.data));
}

}  // namespace

// im2col(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, images, cols)
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "im2col", 12);
  const ConvGeometry g = readConvGeometry(args);
  args.byFloatType(10, "images", [&](auto t) { im2colTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

// col2im(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, cols, images)
Napi::Value Col2im(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "col2im", 12);
  const ConvGeometry g = readConvGeometry(args);
  args.byFloatType(10, "cols", [&](auto t) { col2imTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
