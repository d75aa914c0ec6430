// im2col / col2im for a 2-D convolution over an NCHW batch.
//
// cols is batch × (channels·kernelH·kernelW) × (outH·outW), row index
// (ch·kernelH + ky)·kernelW + kx; padding reads as 0. col2im is the adjoint:
// images is zeroed, then every column entry is added at its pixel, visiting
// entries in the same (b, ch, ky, kx, oy, ox) order as im2col writes them.
#include <algorithm>
#include <cstring>

#include "common/args.h"
#include "common/checks/conv.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

using Geometry = ConvGeometry;

/** The output columns ox in [lo, hi) whose input column ox·stride - pad + kx lies inside the image. */
inline void validRange(int64_t out, int64_t in, int64_t stride, int64_t pad, int64_t k, int64_t* lo, int64_t* hi) {
  const int64_t first = pad - k;                // ox·stride >= first
  const int64_t last = in - 1 + pad - k;        // ox·stride <= last
  *lo = first > 0 ? (first + stride - 1) / stride : 0;
  *hi = last >= 0 ? last / stride + 1 : 0;
  *hi = std::min(*hi, out);
  *lo = std::min(*lo, *hi);
}

/**
 * Visits every (column row, output row oy) pair of image b: fn(dst, src, lo, hi, step, offset)
 * where dst is the outW-long column segment and src the image row it reads (null when
 * the row is padding); entries [lo, hi) map to src[ox·step + offset].
 */
template <class T, class Fn>
void forEachSegment(const Geometry& g, T* imageBase, T* colBase, Fn fn) {
  const int64_t colCols = g.outH * g.outW;
  for (int64_t ch = 0; ch < g.channels; ++ch) {
    T* image = imageBase + ch * g.height * g.width;
    for (int64_t ky = 0; ky < g.kernelH; ++ky) {
      for (int64_t kx = 0; kx < g.kernelW; ++kx) {
        T* col = colBase + ((ch * g.kernelH + ky) * g.kernelW + kx) * colCols;
        int64_t lo, hi;
        validRange(g.outW, g.width, g.strideW, g.padW, kx, &lo, &hi);
        for (int64_t oy = 0; oy < g.outH; ++oy) {
          const int64_t iy = oy * g.strideH - g.padH + ky;
          T* src = (iy >= 0 && iy < g.height) ? image + iy * g.width : nullptr;
          fn(col + oy * g.outW, src, lo, hi, g.strideW, kx - g.padW);
        }
      }
    }
  }
}

template <class T>
void im2colTyped(Args& args, const Geometry& g) {
  ArrayView<T> images = args.floats<T>(10, "images");
  ArrayView<T> cols = args.floats<T>(11, "cols");
  checkConvArrays(args, g, images, cols);
  if (g.colCount == 0) return;
  const int64_t outW = g.outW;
  for (int64_t b = 0; b < g.batch; ++b) {
    forEachSegment<T>(g, images.data + b * g.channels * g.height * g.width, cols.data + b * g.colRows * g.outH * outW,
                      [outW](T* dst, const T* src, int64_t lo, int64_t hi, int64_t step, int64_t offset) {
                        if (!src) {
                          std::fill(dst, dst + outW, T(0));
                          return;
                        }
                        std::fill(dst, dst + lo, T(0));
                        if (step == 1) {
                          std::copy(src + lo + offset, src + hi + offset, dst + lo);
                        } else {
                          for (int64_t ox = lo; ox < hi; ++ox) dst[ox] = src[ox * step + offset];
                        }
                        std::fill(dst + hi, dst + outW, T(0));
                      });
  }
}

template <class T>
void col2imTyped(Args& args, const Geometry& g) {
  ArrayView<T> cols = args.floats<T>(10, "cols");
  ArrayView<T> images = args.floats<T>(11, "images");
  checkConvArrays(args, g, images, cols);
  std::fill(images.data, images.data + g.imageCount, T(0));
  if (g.colCount == 0) return;
  for (int64_t b = 0; b < g.batch; ++b) {
    forEachSegment<T>(g, images.data + b * g.channels * g.height * g.width, cols.data + b * g.colRows * g.outH * g.outW,
                      [](T* col, T* dst, int64_t lo, int64_t hi, int64_t step, int64_t offset) {
                        if (!dst) return;
                        if (step == 1) {
                          T* d = dst + offset;
                          for (int64_t ox = lo; ox < hi; ++ox) d[ox] += col[ox];
                        } else {
                          for (int64_t ox = lo; ox < hi; ++ox) dst[ox * step + offset] += col[ox];
                        }
                      });
  }
}

}  // namespace

// im2col(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, images, cols)
Napi::Value Im2col(const Napi::CallbackInfo& info) {
  Args args(info, "im2col", 12);
  const Geometry g = readConvGeometry(args);
  args.byFloatType(10, "images", [&](auto t) { im2colTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

// col2im(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, cols, images)
Napi::Value Col2im(const Napi::CallbackInfo& info) {
  Args args(info, "col2im", 12);
  const Geometry g = readConvGeometry(args);
  args.byFloatType(10, "cols", [&](auto t) { col2imTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
