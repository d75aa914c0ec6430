// 2-D max pooling over an NCHW batch, without padding, image by image
// (pooling.h), the images split between threads (parallel.h): argmax is the
// flat index into x of each value taken. The backward pass is a scatterAdd at
// argmax.
#include <string>

#include "common/args.h"
#include "common/checks/conv.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"
#include "cpu/pooling.h"

namespace gradnode::cpu {
namespace {

template <class T>
void maxPoolTyped(Args& args, const ConvGeometry& g) {
  ArrayView<T> x = args.floats<T>(10, "x");
  ArrayView<T> out = args.floats<T>(11, "out");
  ArrayView<int32_t> argmax = args.int32s(12, "argmax");
  const int64_t outCount = satProduct({g.batch, g.channels, g.outH, g.outW});
  args.requireLength(x, "x", g.imageCount, {{"batch", g.batch}, {"channels", g.channels}, {"height", g.height}, {"width", g.width}});
  args.requireLength(out, "out", outCount, {{"batch", g.batch}, {"channels", g.channels}, {"outH", g.outH}, {"outW", g.outW}});
  args.requireLength(argmax, "argmax", outCount, {{"batch", g.batch}, {"channels", g.channels}, {"outH", g.outH}, {"outW", g.outW}});
  args.requireDisjoint(out, "out", x, "x");
  args.requireDisjoint(argmax, "argmax", x, "x");
  args.requireDisjoint(argmax, "argmax", out, "out");
  if (g.imageCount >= (int64_t(1) << 31)) {
    throw args.rangeError("x has " + std::to_string(g.imageCount) + " elements; argmax indices need fewer than 2^31");
  }
  const PoolShape p{g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.outH, g.outW};
  const int64_t imageSize = g.channels * g.height * g.width, outSize = g.channels * g.outH * g.outW;
  parallelImages(imageThreads(g.batch), g.batch, [&](int, int64_t first, int64_t last) {
    for (int64_t n = first; n < last; ++n) {
      maxPoolImage<T>(p, x.data + n * imageSize, out.data + n * outSize, argmax.data + n * outSize, n * imageSize);
    }
  });
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
