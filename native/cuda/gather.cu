// Gather and scatter-add over flat device arrays through a HOST Int32Array of
// indices (native/cpu/gather.cc on the device).
//
// gather: the index is uploaded (device.h's cached int32 slot), one thread per
// output: out[j] = src[index[j]].
// scatterAdd, deterministic and bitwise equal to the sequential loop
// out[index[j]] = T(double(out[index[j]]) + double(src[j])) in increasing j:
// the index is uploaded and the pairs (index[j], j) sorted by target on the
// device (CUB's radix sort, which is stable: each run keeps increasing j, and
// sorts only the bits that outLength needs); one thread per distinct target
// (the first of its run) adds its entries in increasing j. No float atomics,
// so the result never depends on scheduling. Cost: a 4-byte-per-entry upload
// and a device sort per call; a target hit k times is summed serially by one
// thread (k additions).
// Indices are checked on the host before anything is uploaded; the kernels
// still guard the range (gather writes NaN, scatterAdd cannot see a bad key).
#include <cuda_runtime.h>

#include <cstdint>

#include <cub/device/device_radix_sort.cuh>

#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

template <class T>
__global__ void gatherKernel(int64_t count, const T* src, int64_t srcLength, const int32_t* index, T* out) {
  for (int64_t j = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; j < count; j += int64_t(gridDim.x) * blockDim.x) {
    const int32_t i = index[j];
    out[j] = i >= 0 && i < srcLength ? src[i] : deviceNaN<T>();
  }
}

__global__ void iotaKernel(int64_t count, uint32_t* out) {
  for (int64_t j = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; j < count; j += int64_t(gridDim.x) * blockDim.x) {
    out[j] = static_cast<uint32_t>(j);
  }
}

/** targets: sorted; entries: the j of each, increasing within a run of equal targets. */
template <class T>
__global__ void scatterAddKernel(int64_t count, const uint32_t* targets, const uint32_t* entries, const T* src, T* out) {
  for (int64_t p = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; p < count; p += int64_t(gridDim.x) * blockDim.x) {
    const uint32_t target = targets[p];
    if (p > 0 && targets[p - 1] == target) continue;  // not the first entry of its run
    T v = out[target];
    for (int64_t q = p; q < count && targets[q] == target; ++q) {
      v = static_cast<T>(static_cast<double>(v) + static_cast<double>(src[entries[q]]));
    }
    out[target] = v;
  }
}

}  // namespace

template <class T>
LaunchStatus launchGather(const T* src, int64_t srcLength, const int32_t* index, int64_t count, T* out) {
  if (count == 0) return {};
  gatherKernel<T><<<gridFor(count), kThreads>>>(count, src, srcLength, index, out);
  return afterLaunch("gatherKernel");
}

template <class T>
LaunchStatus launchScatterAdd(const T* src, const int32_t* hostIndex, int64_t count, T* out, int64_t outLength) {
  if (count == 0) return {};
  if (count > int64_t{0xffffffff}) return {cudaErrorInvalidValue, "scatterAdd index longer than 2^32 - 1"};
  for (int64_t j = 0; j < count; ++j) {
    if (hostIndex[j] < 0 || hostIndex[j] >= outLength) return {cudaErrorInvalidValue, "scatterAdd index check (index changed)"};
  }
  int endBit = 1;  // the bits of the largest possible target
  while (endBit < 32 && (uint64_t{1} << endBit) < static_cast<uint64_t>(outLength)) ++endBit;
  const size_t bytes = sizeof(uint32_t) * static_cast<size_t>(count);
  Scratch keys, sortedKeys, entries, sortedEntries, temp;
  GNK_TRY(keys.allocate(bytes));
  GNK_TRY(sortedKeys.allocate(bytes));
  GNK_TRY(entries.allocate(bytes));
  GNK_TRY(sortedEntries.allocate(bytes));
  // From pageable memory: staged before it returns, no synchronization.
  GNK_TRY(status(cudaMemcpyAsync(keys.as<uint32_t>(), hostIndex, bytes, cudaMemcpyHostToDevice, 0),
                 "cudaMemcpyAsync (scatterAdd index)"));
  iotaKernel<<<gridFor(count), kThreads>>>(count, entries.as<uint32_t>());
  GNK_TRY(afterLaunch("iotaKernel"));
  size_t tempBytes = 0;
  GNK_TRY(status(cub::DeviceRadixSort::SortPairs(nullptr, tempBytes, keys.as<uint32_t>(), sortedKeys.as<uint32_t>(),
                                                 entries.as<uint32_t>(), sortedEntries.as<uint32_t>(), count, 0,
                                                 endBit, cudaStream_t{0}),
                 "cub::DeviceRadixSort::SortPairs (size)"));
  GNK_TRY(temp.allocate(tempBytes));
  GNK_TRY(status(cub::DeviceRadixSort::SortPairs(temp.as<void>(), tempBytes, keys.as<uint32_t>(),
                                                 sortedKeys.as<uint32_t>(), entries.as<uint32_t>(),
                                                 sortedEntries.as<uint32_t>(), count, 0, endBit, cudaStream_t{0}),
                 "cub::DeviceRadixSort::SortPairs"));
  scatterAddKernel<T><<<gridFor(count), kThreads>>>(count, sortedKeys.as<uint32_t>(), sortedEntries.as<uint32_t>(), src, out);
  return afterLaunch("scatterAddKernel");
}

template LaunchStatus launchGather<float>(const float*, int64_t, const int32_t*, int64_t, float*);
template LaunchStatus launchGather<double>(const double*, int64_t, const int32_t*, int64_t, double*);
template LaunchStatus launchScatterAdd<float>(const float*, const int32_t*, int64_t, float*, int64_t);
template LaunchStatus launchScatterAdd<double>(const double*, const int32_t*, int64_t, double*, int64_t);

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include <string>

#include "common/checks/gather.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

template <class T>
void gatherTyped(CudaArgs& args) {
  ArrayView<T> src = args.device<T>(0, "src");
  ArrayView<T> out = args.device<T>(2, "out");
  ArrayView<int32_t> index = args.int32s(1, "index");  // host, read after the DeviceArrays
  checkGather(args, src, index, out, /*floatsOnHost=*/false);
  if (index.length == 0) return;
  const int32_t* dev = args.uploadInt32s(index, 0);
  throwIfFailed(args, launchGather<T>(src.data, src.length, dev, index.length, out.data));
}

template <class T>
void scatterAddTyped(CudaArgs& args) {
  ArrayView<T> src = args.device<T>(0, "src");
  ArrayView<T> out = args.device<T>(2, "out");
  ArrayView<int32_t> index = args.int32s(1, "index");
  checkScatterAdd(args, src, index, out, /*floatsOnHost=*/false);
  throwIfFailed(args, launchScatterAdd<T>(src.data, index.data, index.length, out.data, out.length));
}

}  // namespace

// gather(src, index: host Int32Array, out)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "gather", 3);
  args.byFloatType(0, "src", [&](auto t) { gatherTyped<decltype(t)>(args); });
  return info.Env().Undefined();
}

// scatterAdd(src, index: host Int32Array, out)
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "scatterAdd", 3);
  args.byFloatType(0, "src", [&](auto t) { scatterAddTyped<decltype(t)>(args); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
