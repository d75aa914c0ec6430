// A fused 2-D convolution over an NCHW batch, optionally followed by max
// pooling: forward and backward image by image, each image's im2col columns
// built in a small per-thread buffer (never the whole batch's), the GEMMs run
// single-threaded inside each thread, and the bias, the activation, the
// pooling and their derivatives applied while the image's output is still in
// cache. Images are split between threads in fixed parts (parallel.h) and the
// per-thread weight and bias gradients summed in thread order, so results do
// not depend on timing.
//
// x is N×C×H×W, weight O×C×kH×kW (read as the O×R matrix W, R = C·kH·kW),
// the convolution's output N×O×outH×outW (L = outH·outW positions). With
// cols_n the R×L columns of image n:
//   forward   out_n = act(W · cols_n + b ⊗ 1)      [pooled_n = maxpool(out_n)]
//   backward  dZ_n = dOut_n ⊙ act'(out_n),  dW = Σ_n dZ_n · cols_nᵀ,
//             db = Σ_n,l dZ_n,  dX_n = col2im(Wᵀ · dZ_n)
// With pooling, out_n never leaves the thread: dOut_n is dPooled_n routed to
// each window's argmax, and act'(out) there is act' of the pooled value (the
// maximum of act(z) is act(z) at the argmax). The backward pass builds cols_n
// again from x instead of keeping the batch's columns from the forward pass
// (R·L·N elements, 29 MB for the cnn's second convolution): rebuilding costs
// less than writing and reading them back.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "common/args.h"
#include "common/checks/conv.h"
#include "common/ops.h"
#include "cpu/blas.h"
#include "cpu/im2col.h"
#include "cpu/kernels.h"
#include "cpu/parallel.h"
#include "cpu/pooling.h"

namespace gradnode::cpu {
namespace {

constexpr int64_t kLimit = int64_t(1) << 31;

struct ConvShape {
  ConvGeometry g;
  int64_t O, R, L;
  int64_t imageSize, outSize;  // per image: x, the convolution's output
  int act;
  bool pooled = false;
  PoolShape pool{};
  int64_t pooledSize = 0;  // per image
};

/** Arguments 0..11 (geometry, outChannels, act) and, with pooling, 12..15 (the pooling kernel and stride). */
ConvShape readConvShape(Args& args, bool pooled) {
  ConvShape s;
  s.g = readConvGeometry(args);
  s.O = args.size(10, "outChannels");
  s.act = args.enumIndex(11, "act", kActivationNames, kActivationCount, "ACTIVATIONS");
  s.R = s.g.colRows;
  s.L = satProduct({s.g.outH, s.g.outW});
  if (s.R >= kLimit || s.L >= kLimit || satProduct({s.O, s.R}) >= kLimit || satProduct({s.R, s.L}) >= kLimit ||
      satProduct({s.O, s.L}) >= kLimit) {
    throw args.rangeError("one image's matrices (outChannels=" + std::to_string(s.O) + ", C·kH·kW=" +
                          std::to_string(s.R) + ", outH·outW=" + std::to_string(s.L) +
                          ") must each hold fewer than 2^31 elements");
  }
  s.imageSize = s.g.channels * s.g.height * s.g.width;
  s.outSize = s.O * s.L;
  if (!pooled) return s;
  s.pooled = true;
  PoolShape& p = s.pool;
  p.channels = s.O;
  p.height = s.g.outH;
  p.width = s.g.outW;
  p.kernelH = args.size(12, "poolKernelH");
  p.kernelW = args.size(13, "poolKernelW");
  p.strideH = args.size(14, "poolStrideH");
  p.strideW = args.size(15, "poolStrideW");
  if (p.kernelH < 1 || p.kernelW < 1 || p.strideH < 1 || p.strideW < 1) {
    throw args.rangeError("the pooling kernel and stride must be at least 1, got " + std::to_string(p.kernelH) + "×" +
                          std::to_string(p.kernelW) + " and " + std::to_string(p.strideH) + "×" +
                          std::to_string(p.strideW));
  }
  if (p.kernelH > p.height || p.kernelW > p.width) {
    throw args.rangeError("the " + std::to_string(p.kernelH) + "×" + std::to_string(p.kernelW) +
                          " pooling kernel is larger than the " + std::to_string(p.height) + "×" +
                          std::to_string(p.width) + " convolution output");
  }
  p.outH = (p.height - p.kernelH) / p.strideH + 1;
  p.outW = (p.width - p.kernelW) / p.strideW + 1;
  s.pooledSize = s.O * p.outH * p.outW;
  if (satProduct({s.g.batch, s.outSize}) >= kLimit) {
    throw args.rangeError("the convolution's output has " + std::to_string(satProduct({s.g.batch, s.outSize})) +
                          " elements; argmax indices need fewer than 2^31");
  }
  return s;
}

template <class T>
void requireImages(Args& args, ArrayView<T>& a, const char* name, const ConvShape& s) {
  const ConvGeometry& g = s.g;
  args.requireLength(a, name, g.imageCount, {{"batch", g.batch}, {"channels", g.channels}, {"height", g.height}, {"width", g.width}});
}

template <class T>
void requireWeight(Args& args, ArrayView<T>& a, const char* name, const ConvShape& s) {
  args.requireLength(a, name, satProduct({s.O, s.R}), {{"outChannels", s.O}, {"C·kH·kW", s.R}});
}

/** The output of the op: the convolution's (N×O×outH×outW) or, with pooling, the pooled one. */
template <class A>
void requireOutput(Args& args, A& a, const char* name, const ConvShape& s) {
  const ConvGeometry& g = s.g;
  if (s.pooled) {
    args.requireLength(a, name, satProduct({g.batch, s.pooledSize}),
                       {{"batch", g.batch}, {"outChannels", s.O}, {"pooledH", s.pool.outH}, {"pooledW", s.pool.outW}});
  } else {
    args.requireLength(a, name, satProduct({g.batch, s.outSize}),
                       {{"batch", g.batch}, {"outChannels", s.O}, {"outH", g.outH}, {"outW", g.outW}});
  }
}

template <class T, int Act>
void biasActivateRows(int64_t O, int64_t L, const T* bias, T* out) {
  for (int64_t o = 0; o < O; ++o) {
    T* row = out + o * L;
    const T b = bias ? bias[o] : T(0);
    for (int64_t l = 0; l < L; ++l) row[l] = activate<T, Act>(row[l] + b);
  }
}

template <class T>
void forwardTyped(Args& args, const ConvShape& s) {
  const size_t at = s.pooled ? 16 : 12;
  ArrayView<T> x = args.floats<T>(at, "x");
  ArrayView<T> weight = args.floats<T>(at + 1, "weight");
  ArrayView<T> bias = args.floats<T>(at + 2, "bias", true);
  ArrayView<T> out = args.floats<T>(at + 3, "out");
  ArrayView<int32_t> argmax;
  if (s.pooled) argmax = args.int32s(at + 4, "argmax");
  requireImages(args, x, "x", s);
  requireWeight(args, weight, "weight", s);
  args.requireLength(bias, "bias", s.O, {{"outChannels", s.O}});
  requireOutput(args, out, "out", s);
  if (s.pooled) requireOutput(args, argmax, "argmax", s);
  args.requireDisjoint(out, "out", x, "x");
  args.requireDisjoint(out, "out", weight, "weight");
  args.requireDisjoint(out, "out", bias, "bias");
  const ConvGeometry& g = s.g;
  const int threads = imageThreads(g.batch);
  // Per thread: cols (R×L) and, with pooling, the image's convolution output (O×L).
  const int64_t perThread = s.R * s.L + (s.pooled ? s.outSize : 0);
  T* arena = threadScratch<T>(static_cast<size_t>(threads * perThread));
  const T* b = bias.present ? bias.data : nullptr;
  parallelImages(threads, g.batch, [&](int w, int64_t first, int64_t last) {
    T* cols = arena + w * perThread;
    for (int64_t n = first; n < last; ++n) {
      T* o = s.pooled ? cols + s.R * s.L : out.data + n * s.outSize;
      im2colImage<T>(g, x.data + n * s.imageSize, cols);
      gemmRowMajor<T>(false, false, s.O, s.L, s.R, T(1), weight.data, s.R, cols, s.L, T(0), o, s.L);
      switch (s.act) {
        case kRelu: biasActivateRows<T, kRelu>(s.O, s.L, b, o); break;
        case kTanh: biasActivateRows<T, kTanh>(s.O, s.L, b, o); break;
        default: biasActivateRows<T, kIdentity>(s.O, s.L, b, o); break;
      }
      if (s.pooled) {
        maxPoolImage<T>(s.pool, o, out.data + n * s.pooledSize, argmax.data + n * s.pooledSize, n * s.outSize);
      }
    }
  });
}

/** dZ = dOut ⊙ act'(out) over n values. */
template <class T, int Act>
void activationGradRange(int64_t n, const T* dOut, const T* out, T* dZ) {
  for (int64_t i = 0; i < n; ++i) dZ[i] = activationGrad<T, Act>(dOut[i], out[i]);
}

/**
 * dZ (the image's O×L output, OL values, zeroed first) += act'(pooled) · dPooled at each window's argmax (local indices);
 * with biasSums, each channel's sum of what it routed (= the row sum of dZ) is added to biasSums[o].
 */
template <class T, int Act>
void unpool(int64_t O, int64_t perChannel, int64_t OL, const T* dPooled, const T* pooled, const int32_t* argmax,
            int64_t base, T* dZ, double* biasSums) {
  std::fill(dZ, dZ + OL, T(0));
  for (int64_t o = 0; o < O; ++o) {
    double sum = 0;
    for (int64_t j = o * perChannel; j < (o + 1) * perChannel; ++j) {
      const T routed = activationGrad<T, Act>(dPooled[j], pooled[j]);
      dZ[argmax[j] - base] += routed;
      sum += static_cast<double>(routed);
    }
    if (biasSums) biasSums[o] += sum;
  }
}

template <class T>
void addRowSums(int64_t O, int64_t L, const T* rows, double* sums) {
  for (int64_t o = 0; o < O; ++o) {
    double sum = 0;
    for (int64_t l = 0; l < L; ++l) sum += static_cast<double>(rows[o * L + l]);
    sums[o] += sum;
  }
}

template <class T>
void backwardTyped(Args& args, const ConvShape& s) {
  const size_t at = s.pooled ? 16 : 12;
  ArrayView<T> x = args.floats<T>(at, "x");
  ArrayView<T> dOut = args.floats<T>(at + 1, "dOut");
  ArrayView<T> out = args.floats<T>(at + 2, "out");
  ArrayView<int32_t> argmax;
  if (s.pooled) argmax = args.int32s(at + 3, "argmax");
  const size_t rest = at + (s.pooled ? 4 : 3);
  ArrayView<T> weight = args.floats<T>(rest, "weight");
  ArrayView<T> dX = args.floats<T>(rest + 1, "dX", true);
  ArrayView<T> dWeight = args.floats<T>(rest + 2, "dWeight", true);
  ArrayView<T> dBias = args.floats<T>(rest + 3, "dBias", true);
  const ConvGeometry& g = s.g;
  requireImages(args, x, "x", s);
  requireOutput(args, dOut, "dOut", s);
  requireOutput(args, out, "out", s);
  if (s.pooled) requireOutput(args, argmax, "argmax", s);
  requireWeight(args, weight, "weight", s);
  requireImages(args, dX, "dX", s);
  requireWeight(args, dWeight, "dWeight", s);
  args.requireLength(dBias, "dBias", s.O, {{"outChannels", s.O}});
  const std::pair<ArrayView<T>*, const char*> outputs[] = {{&dX, "dX"}, {&dWeight, "dWeight"}, {&dBias, "dBias"}};
  const std::pair<ArrayView<T>*, const char*> inputs[] = {{&x, "x"}, {&dOut, "dOut"}, {&out, "out"}, {&weight, "weight"}};
  for (size_t i = 0; i < 3; ++i) {
    for (const auto& in : inputs) args.requireDisjoint(*outputs[i].first, outputs[i].second, *in.first, in.second);
    if (s.pooled) args.requireDisjoint(*outputs[i].first, outputs[i].second, argmax, "argmax");
    for (size_t j = i + 1; j < 3; ++j) args.requireDisjoint(*outputs[i].first, outputs[i].second, *outputs[j].first, outputs[j].second);
  }
  if (s.pooled) {  // every argmax must point into its own image's output (workers do not check)
    for (int64_t n = 0; n < g.batch; ++n) {
      const int32_t* a = argmax.data + n * s.pooledSize;
      for (int64_t j = 0; j < s.pooledSize; ++j) {
        if (a[j] < n * s.outSize || a[j] >= (n + 1) * s.outSize) {
          throw args.rangeError("argmax[" + std::to_string(n * s.pooledSize + j) + "] = " + std::to_string(a[j]) +
                                " is outside image " + std::to_string(n) + "'s output [" + std::to_string(n * s.outSize) +
                                ", " + std::to_string((n + 1) * s.outSize) + ")");
        }
      }
    }
  }
  const bool wantX = dX.present, wantW = dWeight.present, wantB = dBias.present;
  const int threads = imageThreads(g.batch);
  const int64_t RL = s.R * s.L, OL = s.outSize, OR = s.O * s.R;
  // Per thread: cols (R×L), dCols (R×L), dZ (O×L), a dW accumulator (O×R; thread 0 writes dWeight itself).
  const int64_t perThread = 2 * RL + OL + OR;
  T* arena = threadScratch<T>(static_cast<size_t>(threads * perThread));
  std::vector<double> biasSums(static_cast<size_t>(threads * s.O), 0.0);
  const int64_t dOutSize = s.pooled ? s.pooledSize : OL;
  const int64_t perChannel = s.pooled ? s.pool.outH * s.pool.outW : 0;
  parallelImages(threads, g.batch, [&](int w, int64_t first, int64_t last) {
    T* cols = arena + w * perThread;
    T* dCols = cols + RL;
    T* dZbuf = dCols + RL;
    T* dW = w == 0 && wantW ? dWeight.data : dZbuf + OL;
    double* sums = wantB ? biasSums.data() + w * s.O : nullptr;
    for (int64_t n = first; n < last; ++n) {
      const T* d = dOut.data + n * dOutSize;
      const T* y = out.data + n * dOutSize;
      const T* dZ = dZbuf;
      if (s.pooled) {
        const int32_t* a = argmax.data + n * s.pooledSize;
        switch (s.act) {
          case kRelu: unpool<T, kRelu>(s.O, perChannel, OL, d, y, a, n * OL, dZbuf, sums); break;
          case kTanh: unpool<T, kTanh>(s.O, perChannel, OL, d, y, a, n * OL, dZbuf, sums); break;
          default: unpool<T, kIdentity>(s.O, perChannel, OL, d, y, a, n * OL, dZbuf, sums); break;
        }
      } else {
        switch (s.act) {
          case kRelu: activationGradRange<T, kRelu>(OL, d, y, dZbuf); break;
          case kTanh: activationGradRange<T, kTanh>(OL, d, y, dZbuf); break;
          default: dZ = d; break;
        }
      }
      if (wantB && !s.pooled) addRowSums<T>(s.O, s.L, dZ, sums);
      if (wantW) {
        im2colImage<T>(g, x.data + n * s.imageSize, cols);
        gemmRowMajor<T>(false, true, s.O, s.R, s.L, T(1), dZ, s.L, cols, s.L, n == first ? T(0) : T(1), dW, s.R);
      }
      if (wantX) {
        gemmRowMajor<T>(true, false, s.R, s.L, s.O, T(1), weight.data, s.R, dZ, s.L, T(0), dCols, s.L);
        col2imImage<T>(g, dCols, dX.data + n * s.imageSize, true);
      }
    }
    if (wantW && first == last) std::fill(dW, dW + OR, T(0));  // an empty batch (every part has an image otherwise)
  });
  if (wantW) {
    for (int w = 1; w < threads; ++w) {
      const T* part = arena + w * perThread + 2 * RL + OL;
      for (int64_t i = 0; i < OR; ++i) dWeight.data[i] += part[i];
    }
  }
  if (wantB) {
    for (int64_t o = 0; o < s.O; ++o) {
      double sum = 0;
      for (int w = 0; w < threads; ++w) sum += biasSums[w * s.O + o];
      dBias.data[o] = static_cast<T>(sum);
    }
  }
}

}  // namespace

// conv2dForward(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
//               outChannels, act, x, weight, bias | null, out)
Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dForward", 16);
  const ConvShape s = readConvShape(args, false);
  args.byFloatType(12, "x", [&](auto t) { forwardTyped<decltype(t)>(args, s); });
  return info.Env().Undefined();
}

// conv2dBackward(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
//                outChannels, act, x, dOut, out, weight, dX | null, dWeight | null, dBias | null)
Napi::Value Conv2dBackward(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dBackward", 19);
  const ConvShape s = readConvShape(args, false);
  args.byFloatType(12, "x", [&](auto t) { backwardTyped<decltype(t)>(args, s); });
  return info.Env().Undefined();
}

// conv2dPoolForward(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
//                   outChannels, act, poolKernelH, poolKernelW, poolStrideH, poolStrideW, x, weight, bias | null,
//                   pooled, argmax)
Napi::Value Conv2dPoolForward(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dPoolForward", 21);
  const ConvShape s = readConvShape(args, true);
  args.byFloatType(16, "x", [&](auto t) { forwardTyped<decltype(t)>(args, s); });
  return info.Env().Undefined();
}

// conv2dPoolBackward(batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW,
//                    outChannels, act, poolKernelH, poolKernelW, poolStrideH, poolStrideW, x, dPooled, pooled, argmax,
//                    weight, dX | null, dWeight | null, dBias | null)
Napi::Value Conv2dPoolBackward(const Napi::CallbackInfo& info) {
  Args args(info, "conv2dPoolBackward", 24);
  const ConvShape s = readConvShape(args, true);
  args.byFloatType(16, "x", [&](auto t) { backwardTyped<decltype(t)>(args, s); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
