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

#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

struct Checked {
  ConvShape g;
  int64_t imageCount, colRows, colCount;
};

/** Reads ConvGeometry's 10 integers (arguments 0..9) and checks they describe a convolution (as the cpu addon). */
Checked readGeometry(const CudaArgs& args) {
  Checked c;
  ConvShape& g = c.g;
  g.batch = args.size(0, "batch");
  g.channels = args.size(1, "channels");
  g.height = args.size(2, "height");
  g.width = args.size(3, "width");
  g.kernelH = args.size(4, "kernelH");
  g.kernelW = args.size(5, "kernelW");
  g.strideH = args.size(6, "strideH");
  g.strideW = args.size(7, "strideW");
  g.padH = args.size(8, "padH");
  g.padW = args.size(9, "padW");
  if (g.kernelH < 1 || g.kernelW < 1) {
    throw args.rangeError("kernelH and kernelW must be at least 1, got " + std::to_string(g.kernelH) + "×" +
                          std::to_string(g.kernelW));
  }
  if (g.strideH < 1 || g.strideW < 1) {
    throw args.rangeError("strideH and strideW must be at least 1, got " + std::to_string(g.strideH) + "×" +
                          std::to_string(g.strideW));
  }
  const int64_t paddedH = g.height + 2 * g.padH, paddedW = g.width + 2 * g.padW;
  if (paddedH < g.kernelH || paddedW < g.kernelW) {
    throw args.rangeError("the " + std::to_string(g.kernelH) + "×" + std::to_string(g.kernelW) +
                          " kernel is larger than the padded " + std::to_string(paddedH) + "×" +
                          std::to_string(paddedW) + " image (height=" + std::to_string(g.height) +
                          ", width=" + std::to_string(g.width) + ", padH=" + std::to_string(g.padH) +
                          ", padW=" + std::to_string(g.padW) + ")");
  }
  g.outH = (paddedH - g.kernelH) / g.strideH + 1;
  g.outW = (paddedW - g.kernelW) / g.strideW + 1;
  c.imageCount = satProduct({g.batch, g.channels, g.height, g.width});
  c.colRows = satProduct({g.channels, g.kernelH, g.kernelW});
  c.colCount = satProduct({g.batch, c.colRows, g.outH, g.outW});
  return c;
}

template <class T>
void checkArrays(const CudaArgs& args, const Checked& c, ArrayView<T>& images, ArrayView<T>& cols) {
  const ConvShape& g = c.g;
  args.requireLength(images, "images", c.imageCount,
                     {{"batch", g.batch}, {"channels", g.channels}, {"height", g.height}, {"width", g.width}});
  args.requireLength(cols, "cols", c.colCount,
                     {{"batch", g.batch}, {"rows", c.colRows}, {"outH", g.outH}, {"outW", g.outW}});
  args.requireDisjoint(images, "images", cols, "cols");
}

template <class T>
void im2colTyped(CudaArgs& args, const Checked& c) {
  ArrayView<T> images = args.device<T>(10, "images");
  ArrayView<T> cols = args.device<T>(11, "cols");
  checkArrays(args, c, images, cols);
  throwIfFailed(args, launchIm2col<T>(c.g, images.data, cols.data));
}

template <class T>
void col2imTyped(CudaArgs& args, const Checked& c) {
  ArrayView<T> cols = args.device<T>(10, "cols");
  ArrayView<T> images = args.device<T>(11, "images");
  checkArrays(args, c, images, cols);
  throwIfFailed(args, launchCol2im<T>(c.g, cols.data, images.data));
}

}  // namespace

// im2col(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, images, cols)
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "im2col", 12);
  const Checked c = readGeometry(args);
  args.byFloatType(10, "images", [&](auto t) { im2colTyped<decltype(t)>(args, c); });
  return info.Env().Undefined();
}

// col2im(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, cols, images)
Napi::Value Col2im(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "col2im", 12);
  const Checked c = readGeometry(args);
  args.byFloatType(10, "cols", [&](auto t) { col2imTyped<decltype(t)>(args, c); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
