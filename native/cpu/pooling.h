// 2-D max pooling of one C×H×W image (no padding), for pooling.cc and the
// fused convolution + pooling of conv.cc: out[c, oy, ox] is the largest
// x[c, oy·strideH + ky, ox·strideW + kx] of its window, and argmax the index
// of the value taken, plus `base`: the first maximum in row-major window
// order, or the first NaN (NaN wins, as in PyTorch and the TS reference).
#pragma once

#include <cstdint>

namespace gradnode::cpu {

struct PoolShape {
  int64_t channels, height, width, kernelH, kernelW, strideH, strideW, outH, outW;
};

template <class T>
void maxPoolImage(const PoolShape& p, const T* x, T* out, int32_t* argmax, int64_t base) {
  // The scan uses selects, not data-dependent branches (random activations would mispredict
  // half of them), and only notes whether it met a NaN; a plane that holds one is scanned
  // again with the NaN rule (the first NaN of a window wins; among equal values the first).
  const int64_t W = p.width, KH = p.kernelH, KW = p.kernelW, SH = p.strideH, SW = p.strideW;
  for (int64_t c = 0; c < p.channels; ++c) {
    const int64_t plane = c * p.height * W;
    T* po = out + c * p.outH * p.outW;
    int32_t* pa = argmax + c * p.outH * p.outW;
    bool sawNan = false;
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        const int64_t first = plane + oy * SH * W + ox * SW;
        int64_t best = first;
        T value = x[first];
        for (int64_t ky = 0; ky < KH; ++ky) {
          for (int64_t kx = 0; kx < KW; ++kx) {
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
    if (!sawNan) continue;
    for (int64_t oy = 0; oy < p.outH; ++oy) {
      for (int64_t ox = 0; ox < p.outW; ++ox) {
        const int64_t first = plane + oy * SH * W + ox * SW;
        for (int64_t ky = 0; ky < KH; ++ky) {
          for (int64_t kx = 0; kx < KW; ++kx) {
            const int64_t i = first + ky * W + kx;
            if (x[i] != x[i]) {
              po[oy * p.outW + ox] = x[i];
              pa[oy * p.outW + ox] = static_cast<int32_t>(base + i);
              ky = KH;  // the first NaN of the window: done with it
              break;
            }
          }
        }
      }
    }
  }
}

}  // namespace gradnode::cpu
