// Argument checks of im2col / col2im, shared by the CPU and CUDA addons
// (A: Args or a class derived from it): the ConvGeometry integers
// (arguments 0..9) and the lengths of images and cols.
#pragma once

#include <cstdint>
#include <string>

#include "common/args.h"

namespace gradnode {

struct ConvGeometry {
  int64_t batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW;
  int64_t outH, outW;
  int64_t imageCount, colRows, colCount;  // saturating
};

/** Reads ConvGeometry's 10 integers (arguments 0..9) and checks they describe a convolution. */
template <class A>
ConvGeometry readConvGeometry(const A& args) {
  ConvGeometry g;
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
  const int64_t paddedH = g.height + 2 * g.padH, paddedW = g.width + 2 * g.padW;  // < 2^33: no overflow
  if (paddedH < g.kernelH || paddedW < g.kernelW) {
    throw args.rangeError("the " + std::to_string(g.kernelH) + "×" + std::to_string(g.kernelW) +
                          " kernel is larger than the padded " + std::to_string(paddedH) + "×" +
                          std::to_string(paddedW) + " image (height=" + std::to_string(g.height) +
                          ", width=" + std::to_string(g.width) + ", padH=" + std::to_string(g.padH) +
                          ", padW=" + std::to_string(g.padW) + ")");
  }
  g.outH = (paddedH - g.kernelH) / g.strideH + 1;
  g.outW = (paddedW - g.kernelW) / g.strideW + 1;
  g.imageCount = satProduct({g.batch, g.channels, g.height, g.width});
  g.colRows = satProduct({g.channels, g.kernelH, g.kernelW});
  g.colCount = satProduct({g.batch, g.colRows, g.outH, g.outW});
  return g;
}

template <class A, class T>
void checkConvArrays(const A& args, const ConvGeometry& g, ArrayView<T>& images, ArrayView<T>& cols) {
  args.requireLength(images, "images", g.imageCount,
                     {{"batch", g.batch}, {"channels", g.channels}, {"height", g.height}, {"width", g.width}});
  args.requireLength(cols, "cols", g.colCount,
                     {{"batch", g.batch}, {"rows", g.colRows}, {"outH", g.outH}, {"outW", g.outW}});
  args.requireDisjoint(images, "images", cols, "cols");
}

}  // namespace gradnode
