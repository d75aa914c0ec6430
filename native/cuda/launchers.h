// The C++ (non-N-API) launch functions of the CUDA kernel families, shared by
// the N-API entry points (native/cuda/*.cu) and the standalone test-and-bench
// driver (native/cuda/test/driver.cu). Owned by helper "cuda-kernels".
//
// Contract of every launcher:
// - Arguments are already validated (sizes, lengths, enum ranges, label and
//   index ranges): the N-API entry points do that on the host before calling.
//   Kernels still never read or write out of bounds when handed a label or
//   index outside its range (they write NaN / skip), so a racing host buffer
//   cannot corrupt device memory.
// - Float pointers are DEVICE pointers; int32 pointers are DEVICE pointers
//   too unless the parameter is named host* (scatterAdd sorts its index on the
//   host). Semantics are those of src/backend/backend.ts, argument order that
//   of the CpuAddon interface (src/backend/cpu.ts).
// - Kernels run on the default (legacy) stream and are not synchronized,
//   except where a result comes back to the host (the softmax loss).
// - The result says which CUDA call failed ({cudaSuccess, nullptr} when none),
//   e.g. {cudaErrorInvalidValue, "layerNormRowsKernel launch"}; the entry
//   point turns it into "<kernel>: <call> failed: <cudaGetErrorString>".
// - Templates are explicitly instantiated for float and double in the .cu file
//   of their family.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace gradnode::cuda {

struct LaunchStatus {
  cudaError_t error = cudaSuccess;
  const char* call = nullptr;  // static string: the CUDA call or "<kernel> launch"
  bool ok() const { return error == cudaSuccess; }
};

/** ConvGeometry plus the derived output size (outH, outW >= 1). */
struct ConvShape {
  int64_t batch, channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW;
  int64_t outH, outW;
};

/** The most dimensions binary / copyStrided take (as common/args.h's kMaxRank). */
constexpr int kMaxLaunchRank = 32;

// ---- activations.cu -------------------------------------------------------
/** act: index into ACTIVATIONS. bias may be null. out may be x. */
template <class T>
LaunchStatus launchBiasActivationForward(int act, int64_t m, int64_t n, const T* x, const T* bias, T* out);
/** dX may be dOut or out; dBias (column sums of dX, in double) may be null. */
template <class T>
LaunchStatus launchBiasActivationBackward(int act, int64_t m, int64_t n, const T* dOut, const T* out, T* dX,
                                          T* dBias);

// ---- layernorm.cu ---------------------------------------------------------
/** act: 0 identity, 1 relu. residual may be null. */
template <class T>
LaunchStatus launchLayerNormForward(int64_t m, int64_t n, const T* x, const T* residual, const T* gamma,
                                    const T* beta, double eps, int act, T* out, T* mean, T* rstd);
/** out must be non-null when act = relu. dGamma / dBeta may be null. dX may alias dOut, x, residual or out. */
template <class T>
LaunchStatus launchLayerNormBackward(int64_t m, int64_t n, const T* dOut, const T* x, const T* residual,
                                     const T* mean, const T* rstd, const T* gamma, int act, const T* out, T* dX,
                                     T* dGamma, T* dBeta);

// ---- softmax_xent.cu ------------------------------------------------------
/**
 * labels (device, m entries in [0, c)); argmax (device, m entries) may be null.
 * Writes the mean loss to *loss (host) after copying one double back; m = 0
 * gives NaN (0/0), like the reference. Requires c >= 1 when m > 0.
 */
template <class T>
LaunchStatus launchLogSoftmaxNllForward(int64_t m, int64_t c, const T* logits, const int32_t* labels, T* logProbs,
                                        int32_t* argmax, double* loss);
template <class T>
LaunchStatus launchLogSoftmaxNllBackward(int64_t m, int64_t c, const T* logProbs, const int32_t* labels,
                                         double gradLoss, T* dLogits);

// ---- im2col.cu ------------------------------------------------------------
template <class T>
LaunchStatus launchIm2col(const ConvShape& g, const T* images, T* cols);
/** images is overwritten (one thread per pixel sums its column entries: no atomics). */
template <class T>
LaunchStatus launchCol2im(const ConvShape& g, const T* cols, T* images);

// ---- elementwise.cu -------------------------------------------------------
/** op: index into BINARY_OPS; rank <= kMaxLaunchRank; strides in elements (0 = broadcast). */
template <class T>
LaunchStatus launchBinary(int op, int rank, const int64_t* shape, const T* a, const int64_t* aStrides, const T* b,
                          const int64_t* bStrides, T* out);
/** op: index into UNARY_OPS. out may be x. */
template <class T>
LaunchStatus launchUnary(int op, int64_t count, const T* x, T* out);
/** out = alpha * x computed in double, rounded once. */
template <class T>
LaunchStatus launchScale(double alpha, int64_t count, const T* x, T* out);
/** y += alpha * x computed in double, rounded once. */
template <class T>
LaunchStatus launchAxpy(double alpha, int64_t count, const T* x, T* y);
template <class T>
LaunchStatus launchCopyStrided(int rank, const int64_t* shape, const T* src, const int64_t* srcStrides, T* out);

// ---- reduce.cu ------------------------------------------------------------
/** op: index into REDUCE_OPS. out (outer×inner) must not overlap x. */
template <class T>
LaunchStatus launchReduce(int op, int64_t outer, int64_t n, int64_t inner, const T* x, T* out);
/** n >= 1; out: device int32, outer×inner. */
template <class T>
LaunchStatus launchArgmax(int64_t outer, int64_t n, int64_t inner, const T* x, int32_t* out);

// ---- gather.cu ------------------------------------------------------------
/** out[j] = src[index[j]] for j < count; index is a device array. */
template <class T>
LaunchStatus launchGather(const T* src, int64_t srcLength, const int32_t* index, int64_t count, T* out);
/**
 * out[hostIndex[j]] += src[j], in increasing j per target (in double, rounded
 * once per addition, as the reference). hostIndex is a HOST array of count
 * entries in [0, outLength): it is sorted on the host into segments, uploaded
 * once, and one thread per distinct target adds its entries in order, so the
 * result is deterministic and bitwise equal to the sequential loop.
 */
template <class T>
LaunchStatus launchScatterAdd(const T* src, const int32_t* hostIndex, int64_t count, T* out, int64_t outLength);

}  // namespace gradnode::cuda
