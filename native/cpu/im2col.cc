// im2col / col2im for a 2-D convolution over an NCHW batch, image by image
// (the per-image loops are in im2col.h): cols is batch × (channels·kernelH·
// kernelW) × (outH·outW); col2im zeroes images, then adds every column entry
// at its pixel.
#include <algorithm>

#include "common/args.h"
#include "common/checks/conv.h"
#include "cpu/im2col.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

template <class T>
void im2colTyped(Args& args, const ConvGeometry& g) {
  ArrayView<T> images = args.floats<T>(10, "images");
  ArrayView<T> cols = args.floats<T>(11, "cols");
  checkConvArrays(args, g, images, cols);
  if (g.colCount == 0) return;
  const int64_t imageSize = g.channels * g.height * g.width, colSize = g.colRows * g.outH * g.outW;
  for (int64_t b = 0; b < g.batch; ++b) im2colImage<T>(g, images.data + b * imageSize, cols.data + b * colSize);
}

template <class T>
void col2imTyped(Args& args, const ConvGeometry& g) {
  ArrayView<T> cols = args.floats<T>(10, "cols");
  ArrayView<T> images = args.floats<T>(11, "images");
  checkConvArrays(args, g, images, cols);
  if (g.colCount == 0) {
    std::fill(images.data, images.data + g.imageCount, T(0));
    return;
  }
  const int64_t imageSize = g.channels * g.height * g.width, colSize = g.colRows * g.outH * g.outW;
  for (int64_t b = 0; b < g.batch; ++b) col2imImage<T>(g, cols.data + b * colSize, images.data + b * imageSize);
}

}  // namespace

// im2col(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, images, cols)
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  Args args(info, "im2col", 12);
  const ConvGeometry g = readConvGeometry(args);
  args.byFloatType(10, "images", [&](auto t) { im2colTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

// col2im(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, cols, images)
Napi::Value Col2im(const Napi::CallbackInfo& info) {
  Args args(info, "col2im", 12);
  const ConvGeometry g = readConvGeometry(args);
  args.byFloatType(10, "cols", [&](auto t) { col2imTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
