// im2col / col2im of one image (C×H×W) of a 2-D convolution, for im2col.cc
// (whole batches) and conv.cc (image by image inside the fused conv).
//
// cols is (channels·kernelH·kernelW) × (outH·outW), row index
// (ch·kernelH + ky)·kernelW + kx; padding reads as 0. col2im is the adjoint:
// every column entry is added at its pixel, visiting entries in the same
// (ch, ky, kx, oy, ox) order as im2col writes them.
#pragma once

#include <algorithm>
#include <cstdint>

#include "common/checks/conv.h"

namespace gradnode::cpu {

namespace detail {

/** The output columns ox in [lo, hi) whose input column ox·stride - pad + k lies inside the image. */
inline void validRange(int64_t out, int64_t in, int64_t stride, int64_t pad, int64_t k, int64_t* lo, int64_t* hi) {
  const int64_t first = pad - k;          // ox·stride >= first
  const int64_t last = in - 1 + pad - k;  // ox·stride <= last
  *lo = first > 0 ? (first + stride - 1) / stride : 0;
  *hi = last >= 0 ? last / stride + 1 : 0;
  *hi = std::min(*hi, out);
  *lo = std::min(*lo, *hi);
}

/**
 * Visits every (column row, output row oy) pair of one image: fn(col, src, lo, hi, step, offset)
 * where col is the outW-long column segment and src the image row it reads (null when
 * the row is padding); entries [lo, hi) map to src[ox·step + offset].
 */
template <class T, class Fn>
void forEachSegment(const ConvGeometry& g, T* image, T* cols, Fn fn) {
  const int64_t colCols = g.outH * g.outW;
  for (int64_t ch = 0; ch < g.channels; ++ch) {
    T* plane = image + ch * g.height * g.width;
    for (int64_t ky = 0; ky < g.kernelH; ++ky) {
      for (int64_t kx = 0; kx < g.kernelW; ++kx) {
        T* col = cols + ((ch * g.kernelH + ky) * g.kernelW + kx) * colCols;
        int64_t lo, hi;
        validRange(g.outW, g.width, g.strideW, g.padW, kx, &lo, &hi);
        for (int64_t oy = 0; oy < g.outH; ++oy) {
          const int64_t iy = oy * g.strideH - g.padH + ky;
          T* src = (iy >= 0 && iy < g.height) ? plane + iy * g.width : nullptr;
          fn(col + oy * g.outW, src, lo, hi, g.strideW, kx - g.padW);
        }
      }
    }
  }
}

}  // namespace detail

/** The column matrix of one image (every entry written). */
template <class T>
void im2colImage(const ConvGeometry& g, const T* image, T* cols) {
  const int64_t outW = g.outW;
  detail::forEachSegment<T>(g, const_cast<T*>(image), cols,
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

/** image = the adjoint of im2colImage applied to cols (image is zeroed first). */
template <class T>
void col2imImage(const ConvGeometry& g, const T* cols, T* image) {
  std::fill(image, image + g.channels * g.height * g.width, T(0));
  detail::forEachSegment<T>(g, image, const_cast<T*>(cols),
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

}  // namespace gradnode::cpu
