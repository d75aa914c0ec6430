// 2-D max pooling over an NCHW batch, without padding: out[b, c, oy, ox] is
// the largest x[b, c, oy·strideH + ky, ox·strideW + kx] of its window, and
// argmax the flat index into x of the value taken: the first maximum in
// row-major window order, or the first NaN (NaN wins, as in PyTorch and the
// TS reference). The backward pass is a scatterAdd at argmax.
#include <string>

#include "common/args.h"
#include "common/checks/conv.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

template <class T>
void maxPoolTyped(Args& args, const ConvGeometry& g) {
  ArrayView<T> x = args.floats<T>(10, "x");
  ArrayView<T> out = args.floats<T>(11, "out");
  ArrayView<int32_t> argmax = args.int32s(12, "argmax");
  const int64_t planes = satProduct({g.batch, g.channels});
  const int64_t outCount = satProduct({planes, g.outH, g.outW});
  args.requireLength(x, "x", g.imageCount, {{"batch", g.batch}, {"channels", g.channels}, {"height", g.height}, {"width", g.width}});
  args.requireLength(out, "out", outCount, {{"batch", g.batch}, {"channels", g.channels}, {"outH", g.outH}, {"outW", g.outW}});
  args.requireLength(argmax, "argmax", outCount, {{"batch", g.batch}, {"channels", g.channels}, {"outH", g.outH}, {"outW", g.outW}});
  args.requireDisjoint(out, "out", x, "x");
  args.requireDisjoint(argmax, "argmax", x, "x");
  args.requireDisjoint(argmax, "argmax", out, "out");
  if (g.imageCount >= (int64_t(1) << 31)) {
    throw args.rangeError("x has " + std::to_string(g.imageCount) + " elements; argmax indices need fewer than 2^31");
  }
  const T* px = x.data;
  T* po = out.data;
  int32_t* pa = argmax.data;
  // The scan uses selects, not data-dependent branches (random activations would mispredict
  // half of them), and only notes whether it met a NaN; a plane that holds one is scanned
  // again with the NaN rule (the first NaN of a window wins; among equal values the first).
  const int64_t W = g.width, KH = g.kernelH, KW = g.kernelW, SH = g.strideH, SW = g.strideW;
  for (int64_t p = 0; p < planes; ++p) {
    const int64_t plane = p * g.height * W;
    const int64_t o0 = p * g.outH * g.outW;
    bool sawNan = false;
    for (int64_t oy = 0; oy < g.outH; ++oy) {
      for (int64_t ox = 0; ox < g.outW; ++ox) {
        const int64_t first = plane + oy * SH * W + ox * SW;
        int64_t best = first;
        T value = px[first];
        for (int64_t ky = 0; ky < KH; ++ky) {
          for (int64_t kx = 0; kx < KW; ++kx) {
            const int64_t i = first + ky * W + kx;
            const T v = px[i];
            sawNan |= v != v;
            best = v > value ? i : best;
            value = v > value ? v : value;
          }
        }
        po[o0 + oy * g.outW + ox] = value;
        pa[o0 + oy * g.outW + ox] = static_cast<int32_t>(best);
      }
    }
    if (!sawNan) continue;
    for (int64_t oy = 0; oy < g.outH; ++oy) {
      for (int64_t ox = 0; ox < g.outW; ++ox) {
        const int64_t first = plane + oy * SH * W + ox * SW;
        for (int64_t ky = 0; ky < KH; ++ky) {
          for (int64_t kx = 0; kx < KW; ++kx) {
            const int64_t i = first + ky * W + kx;
            if (px[i] != px[i]) {
              po[o0 + oy * g.outW + ox] = px[i];
              pa[o0 + oy * g.outW + ox] = static_cast<int32_t>(i);
              ky = KH;  // the first NaN of the window: done with it
              break;
            }
          }
        }
      }
    }
  }
}

}  // namespace

// maxPool2d(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, x, out, argmax)
Napi::Value MaxPool2d(const Napi::CallbackInfo& info) {
  Args args(info, "maxPool2d", 13);
  const ConvGeometry g = readConvGeometry(args);
  if (g.padH != 0 || g.padW != 0) {
    throw args.rangeError("padH and padW must be 0, got " + std::to_string(g.padH) + "×" + std::to_string(g.padW));
  }
  args.byFloatType(10, "x", [&](auto t) { maxPoolTyped<decltype(t)>(args, g); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
