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

/** Stride 1 with outW = width (a "same" convolution): each column row is its input plane shifted, rows contiguous in both. */
inline bool isShiftedPlane(const ConvGeometry& g) {
  return g.strideH == 1 && g.strideW == 1 && g.outW == g.width;
}

/**
 * For the shifted-plane case: visits every column row (ch, ky, kx) as fn(col, plane, first, last, shift, lo, hi, oy0, oy1):
 * col[i] pairs with plane[i + shift] for i in [first, last) except the columns ox outside [lo, hi) of each row;
 * rows outside [oy0, oy1) are padding.
 */
template <class T, class Fn>
void forEachShiftedRow(const ConvGeometry& g, T* image, T* cols, Fn fn) {
  const int64_t W = g.width, HW = g.height * W, L = g.outH * W;
  for (int64_t ch = 0; ch < g.channels; ++ch) {
    T* plane = image + ch * HW;
    for (int64_t ky = 0; ky < g.kernelH; ++ky) {
      const int64_t oy0 = std::min(std::max<int64_t>(g.padH - ky, 0), g.outH);
      const int64_t oy1 = std::max(oy0, std::min(g.outH, g.height + g.padH - ky));
      for (int64_t kx = 0; kx < g.kernelW; ++kx) {
        T* col = cols + ((ch * g.kernelH + ky) * g.kernelW + kx) * L;
        const int64_t shift = (ky - g.padH) * W + (kx - g.padW);
        // [first, last): rows oy0..oy1 whose shifted source lies inside the plane (the ends cut off are edge columns).
        const int64_t first = std::max(oy0 * W, -shift), last = std::min(oy1 * W, HW - shift);
        int64_t lo, hi;
        validRange(g.outW, W, 1, g.padW, kx, &lo, &hi);
        fn(col, plane, first, std::max(first, last), shift, lo, hi, oy0, oy1);
      }
    }
  }
}

}  // namespace detail

/** The column matrix of one image (every entry written). */
template <class T>
void im2colImage(const ConvGeometry& g, const T* image, T* cols) {
  if (detail::isShiftedPlane(g)) {
    const int64_t W = g.width, L = g.outH * W;
    detail::forEachShiftedRow<T>(g, const_cast<T*>(image), cols,
                                 [&](T* col, const T* plane, int64_t first, int64_t last, int64_t shift, int64_t lo,
                                     int64_t hi, int64_t oy0, int64_t oy1) {
                                   std::fill(col, col + first, T(0));
                                   std::copy(plane + first + shift, plane + last + shift, col + first);
                                   std::fill(col + last, col + L, T(0));
                                   if (lo == 0 && hi == W) return;
                                   for (int64_t oy = oy0; oy < oy1; ++oy) {
                                     std::fill(col + oy * W, col + oy * W + lo, T(0));
                                     std::fill(col + oy * W + hi, col + (oy + 1) * W, T(0));
                                   }
                                 });
    return;
  }
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

/**
 * image = the adjoint of im2colImage applied to cols (image is zeroed first). With scratchCols, cols is the
 * caller's scratch and may be overwritten (the edge entries are zeroed so each row adds as one block).
 * Each pixel sums its entries in the same (ky, kx) order either way.
 */
template <class T>
void col2imImage(const ConvGeometry& g, const T* cols, T* image, bool scratchCols = false) {
  std::fill(image, image + g.channels * g.height * g.width, T(0));
  if (scratchCols && detail::isShiftedPlane(g)) {
    const int64_t W = g.width;
    detail::forEachShiftedRow<T>(g, image, const_cast<T*>(cols),
                                 [&](T* col, T* plane, int64_t first, int64_t last, int64_t shift, int64_t lo, int64_t hi,
                                     int64_t oy0, int64_t oy1) {
                                   if (lo != 0 || hi != W) {
                                     for (int64_t oy = oy0; oy < oy1; ++oy) {
                                       std::fill(col + oy * W, col + oy * W + lo, T(0));
                                       std::fill(col + oy * W + hi, col + (oy + 1) * W, T(0));
                                     }
                                   }
                                   T* d = plane + shift;
                                   for (int64_t i = first; i < last; ++i) d[i] += col[i];
                                 });
    return;
  }
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
