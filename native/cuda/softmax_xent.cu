// log-softmax + negative log-likelihood over m rows of c logits, forward and
// backward (src/backend/ts/softmax_xent.ts on the device).
//
// Forward: one block per row (32..512 threads by c, grid-stride over rows):
// the first index of the row maximum (NaN the maximum; a deterministic
// (value, index) block reduction), Σ exp(z - max) in double, then
//   logProbs = T((z - max) - log Σ),
// the per-row loss -((z[label] - max) - log Σ) in double (unrounded, as the
// reference) into a scratch array, and the argmax when asked. The m row
// losses are summed by one block in a fixed order and the single double is
// copied back (the only synchronization); the result is that sum / m (m = 0:
// NaN, as the reference).
// Backward: elementwise, in double, rounded once:
//   dLogits = T((gradLoss / m) · (exp(logProbs) - onehot(labels))).
// Labels are checked on the host before upload; a label outside [0, c) seen on
// the device (impossible through the entry points) gives NaN instead of an
// out-of-bounds read.
#include <cuda_runtime.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "common/ops.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

constexpr int64_t kMaxRowBlocks = int64_t{1} << 20;

inline unsigned rowGrid(int64_t m) { return static_cast<unsigned>(m < kMaxRowBlocks ? m : kMaxRowBlocks); }

template <class T>
__global__ void logSoftmaxForwardKernel(int64_t m, int64_t c, const T* logits, const int32_t* labels, T* logProbs,
                                        int32_t* argmax, double* rowLoss) {
  __shared__ double sh[32];
  __shared__ T shV[32];
  __shared__ int64_t shI[32];
  for (int64_t i = blockIdx.x; i < m; i += gridDim.x) {
    const T* z = logits + i * c;
    T* lp = logProbs + i * c;
    T best = T(0);
    int64_t bestIndex = -1;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) {
      if (preferArg(z[j], j, best, bestIndex)) {
        best = z[j];
        bestIndex = j;
      }
    }
    blockArgmax(best, bestIndex, shV, shI);
    const double mx = static_cast<double>(best);
    double s = 0;
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) s += exp(static_cast<double>(z[j]) - mx);
    s = blockAllReduce<SumOp>(s, sh);
    const double logSum = log(s);
    if (threadIdx.x == 0) {
      const int32_t label = labels[i];
      rowLoss[i] = label >= 0 && label < c ? -((static_cast<double>(z[label]) - mx) - logSum)
                                           : deviceNaN<double>();
      if (argmax) argmax[i] = static_cast<int32_t>(bestIndex);
    }
    // Every thread has read z[label] / the maximum before any lp[j] is written
    // (blockAllReduce synchronized after the reads of the max pass; the label
    // read is by thread 0 itself): logProbs may be logits.
    __syncthreads();
    for (int64_t j = threadIdx.x; j < c; j += blockDim.x) {
      lp[j] = static_cast<T>((static_cast<double>(z[j]) - mx) - logSum);
    }
  }
}

template <class T>
__global__ void logSoftmaxBackwardKernel(int64_t total, int64_t c, const T* logProbs, const int32_t* labels,
                                         double scale, T* dLogits) {
  for (int64_t idx = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; idx < total;
       idx += int64_t(gridDim.x) * blockDim.x) {
    const int64_t i = idx / c, j = idx - i * c;
    const int32_t label = labels[i];
    const double hot = j == label ? 1.0 : 0.0;
    const double v = label >= 0 && label < c ? scale * (exp(static_cast<double>(logProbs[idx])) - hot)
                                             : deviceNaN<double>();
    dLogits[idx] = static_cast<T>(v);
  }
}

}  // namespace

template <class T>
LaunchStatus launchLogSoftmaxNllForward(int64_t m, int64_t c, const T* logits, const int32_t* labels, T* logProbs,
                                        int32_t* argmax, double* loss) {
  if (m == 0) {
    *loss = std::numeric_limits<double>::quiet_NaN();  // 0 / 0, as the reference
    return {};
  }
  Scratch scratch;
  GNK_TRY(scratch.allocate(sizeof(double) * size_t(m + 1)));
  double* rowLoss = scratch.as<double>();
  double* total = rowLoss + m;
  logSoftmaxForwardKernel<T><<<rowGrid(m), rowThreads(c)>>>(m, c, logits, labels, logProbs, argmax, rowLoss);
  GNK_TRY(afterLaunch("logSoftmaxForwardKernel"));
  sumValuesKernel<double><<<1, 1024>>>(m, rowLoss, total);
  GNK_TRY(afterLaunch("sumValuesKernel"));
  double sum = 0;
  GNK_TRY(status(cudaMemcpy(&sum, total, sizeof(double), cudaMemcpyDeviceToHost), "cudaMemcpy (loss)"));
  *loss = sum / static_cast<double>(m);
  return {};
}

template <class T>
LaunchStatus launchLogSoftmaxNllBackward(int64_t m, int64_t c, const T* logProbs, const int32_t* labels,
                                         double gradLoss, T* dLogits) {
  const int64_t total = m * c;
  if (total == 0) return {};
  logSoftmaxBackwardKernel<T><<<gridFor(total), kThreads>>>(total, c, logProbs, labels,
                                                            gradLoss / static_cast<double>(m), dLogits);
  return afterLaunch("logSoftmaxBackwardKernel");
}

#define GN_INSTANTIATE(T)                                                                                      \
  template LaunchStatus launchLogSoftmaxNllForward<T>(int64_t, int64_t, const T*, const int32_t*, T*, int32_t*, \
                                                      double*);                                               \
  template LaunchStatus launchLogSoftmaxNllBackward<T>(int64_t, int64_t, const T*, const int32_t*, double, T*);
GN_INSTANTIATE(float)
GN_INSTANTIATE(double)
#undef GN_INSTANTIATE

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include <string>

#include "common/checks/softmax_xent.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

template <class T>
double forwardTyped(CudaArgs& args, int64_t m, int64_t c) {
  ArrayView<T> logits = args.device<T>(2, "logits");
  ArrayView<T> logProbs = args.device<T>(4, "logProbs");
  // Host Int32Arrays last: reading DeviceArrays may run getters (see device.h).
  ArrayView<int32_t> labels = args.int32s(3, "labels");
  ArrayView<int32_t> argmax = args.int32s(5, "argmax", true);
  checkLogSoftmaxNllForward(args, m, c, logits, labels, logProbs, argmax, /*floatsOnHost=*/false);
  if (m == 0) return std::numeric_limits<double>::quiet_NaN();
  ArrayView<int32_t> labelsUsed = labels;
  labelsUsed.length = m;  // upload exactly the m labels read
  const int32_t* devLabels = args.uploadInt32s(labelsUsed, 0);
  int32_t* devArgmax = argmax.present ? args.scratchInt32s(1, m) : nullptr;
  double loss = 0;
  throwIfFailed(args, launchLogSoftmaxNllForward<T>(m, c, logits.data, devLabels, logProbs.data, devArgmax, &loss));
  if (argmax.present) {
    ArrayView<int32_t> argmaxUsed = argmax;
    argmaxUsed.length = m;  // write exactly the m entries of the contract
    args.downloadInt32s(devArgmax, argmaxUsed);
  }
  return loss;
}

template <class T>
void backwardTyped(CudaArgs& args, int64_t m, int64_t c, double gradLoss) {
  ArrayView<T> logProbs = args.device<T>(2, "logProbs");
  ArrayView<T> dLogits = args.device<T>(5, "dLogits");
  ArrayView<int32_t> labels = args.int32s(3, "labels");
  checkLogSoftmaxNllBackward(args, m, c, logProbs, labels, dLogits, /*floatsOnHost=*/false);
  if (m == 0 || c == 0) return;
  ArrayView<int32_t> labelsUsed = labels;
  labelsUsed.length = m;
  const int32_t* devLabels = args.uploadInt32s(labelsUsed, 0);
  throwIfFailed(args, launchLogSoftmaxNllBackward<T>(m, c, logProbs.data, devLabels, gradLoss, dLogits.data));
}

}  // namespace

// logSoftmaxNllForward(m, c, logits, labels, logProbs, argmax | null) -> mean loss
Napi::Value LogSoftmaxNllForward(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "logSoftmaxNllForward", 6);
  const int64_t m = args.size(0, "m"), c = args.size(1, "c");
  const double loss = args.byFloatType(2, "logits", [&](auto t) { return forwardTyped<decltype(t)>(args, m, c); });
  return Napi::Number::New(info.Env(), loss);
}

// logSoftmaxNllBackward(m, c, logProbs, labels, gradLoss, dLogits)
Napi::Value LogSoftmaxNllBackward(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "logSoftmaxNllBackward", 6);
  const int64_t m = args.size(0, "m"), c = args.size(1, "c");
  const double gradLoss = args.number(4, "gradLoss");
  args.byFloatType(2, "logProbs", [&](auto t) { backwardTyped<decltype(t)>(args, m, c, gradLoss); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
