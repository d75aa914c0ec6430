// 2-D max pooling of one C×H×W image (no padding), for pooling.cc and the
// fused convolution + pooling of conv.cc: out[c, oy, ox] is the largest
// x[c, oy·strideH + ky, ox·strideW + kx] of its window, and argmax the index
// of the value taken, plus `base`: the first maximum in row-major window
// order, or the first NaN (NaN wins, as in PyTorch and the TS reference).
//
// The scans use selects, not data-dependent branches (random activations
// would mispredict half of them), and only note whether a plane holds a NaN;
// such a plane is scanned again with the NaN rule. The common 2×2 window of
// stride 2 has a loop of its own (about 3× faster than the general one).
#pragma once

#include <cstdint>

namespace gradnode::cpu {

struct PoolShape {
  int64_t channels, height, width, kernelH, kernelW, strideH, strideW, outH, outW;
};

namespace detail {

/** Replaces the result of every window of plane c that holds a NaN by its first NaN. */
template <class T>
void firstNanWins(const PoolShape& p, const T* x, int64_t c, T* po, int32_t* pa, int64_t base) {
  const int64_t W = p.width, plane = c * p.height * W;
  for (int64_t oy = 0; oy < p.outH; ++oy) {
    for (int64_t ox = 0; ox < p.outW; ++ox) {
      const int64_t first = plane + oy * p.strideH * W + ox * p.strideW;
      for (int64_t ky = 0; ky < p.kernelH; ++ky) {
        for (int64_t kx = 0; kx < p.kernelW; ++kx) {
          const int64_t i = first + ky * W + kx;
          if (x[i] != x[i]) {
            po[oy * p.outW + ox] = x[i];
            pa[oy * p.outW + ox] = static_cast<int32_t>(base + i);
            ky = p.kernelH;  // the first NaN of the window: done with it
            break;
          }
        }
      }
    }
  }
}

/** One plane, any window; returns whether it met a NaN. */
template <class T>
bool maxPoolPlane(const PoolShape& p, const T* x, int64_t c, T* po, int32_t* pa, int64_t base) {
  const int64_t W = p.width, plane = c * p.height * W;
  bool sawNan = false;
  for (int64_t oy = 0; oy < p.outH; ++oy) {
    for (int64_t ox = 0; ox < p.outW; ++ox) {
      const int64_t first = plane + oy * p.strideH * W + ox * p.strideW;
      int64_t best = first;
      T value = x[first];
      for (int64_t ky = 0; ky < p.kernelH; ++ky) {
        for (int64_t kx = 0; kx < p.kernelW; ++kx) {
          const int64_t i = first + ky * W + kx;
          const T v = x[i];
          sawNan |= v != v;
          best = v > value ? i : best;
          value = v > value ? v : value;
        }
      }
      po[oy * p.outW + ox] = value;
      pa[oy * p.outW + ox] = static_cast<int32_t>(base + best);
    }
  }
  return sawNan;
}

/** One plane, 2×2 windows of stride 2; returns whether it may hold a NaN (the sum of its values is NaN). */
template <class T>
bool maxPoolPlane2x2(const PoolShape& p, const T* x, int64_t c, T* po, int32_t* pa, int64_t base) {
  const int64_t W = p.width, plane = c * p.height * W;
  const int32_t down = static_cast<int32_t>(W);
  T check = 0;  // NaN when a value is NaN (or ∞ meets -∞: a rescan that changes nothing)
  for (int64_t oy = 0; oy < p.outH; ++oy) {
    const T* r0 = x + plane + 2 * oy * W;
    const T* r1 = r0 + W;
    const int32_t rowBase = static_cast<int32_t>(base + plane + 2 * oy * W);
    for (int64_t ox = 0; ox < p.outW; ++ox) {
      const T a = r0[2 * ox], b = r0[2 * ox + 1], c2 = r1[2 * ox], d = r1[2 * ox + 1];
      int32_t i = 0;
      T v = a;
      i = b > v ? 1 : i;
      v = b > v ? b : v;
      i = c2 > v ? down : i;
      v = c2 > v ? c2 : v;
      i = d > v ? down + 1 : i;
      v = d > v ? d : v;
      check += (a + b) + (c2 + d);
      po[oy * p.outW + ox] = v;
      pa[oy * p.outW + ox] = rowBase + static_cast<int32_t>(2 * ox) + i;
    }
  }
  return check != check;
}

}  // namespace detail

template <class T>
void maxPoolImage(const PoolShape& p, const T* x, T* out, int32_t* argmax, int64_t base) {
  const bool twoByTwo = p.kernelH == 2 && p.kernelW == 2 && p.strideH == 2 && p.strideW == 2;
  for (int64_t c = 0; c < p.channels; ++c) {
    T* po = out + c * p.outH * p.outW;
    int32_t* pa = argmax + c * p.outH * p.outW;
    const bool nan = twoByTwo ? detail::maxPoolPlane2x2<T>(p, x, c, po, pa, base) : detail::maxPoolPlane<T>(p, x, c, po, pa, base);
    if (nan) detail::firstNanWins<T>(p, x, c, po, pa, base);
  }
}

}  // namespace gradnode::cpu
