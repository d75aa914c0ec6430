// cub::DeviceRadixSort::SortPairs for the host-only CUDA emulator (see
// ../../cuda_runtime.h): a stable sort of (key, value) pairs by the key bits
// [beginBit, endBit), with CUB's two-call protocol (a null temp_storage asks
// for the scratch size). Only the entry point native/cuda/gather.cu uses.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace cub {

struct DeviceRadixSort {
  template <class K, class V>
  static cudaError_t SortPairs(void* tempStorage, size_t& tempBytes, const K* keysIn, K* keysOut, const V* valuesIn,
                               V* valuesOut, int count, int beginBit = 0, int endBit = int(sizeof(K) * 8),
                               cudaStream_t = nullptr) {
    if (!tempStorage) {
      tempBytes = 1;
      return cudaSuccess;
    }
    if (count < 0 || beginBit < 0 || endBit > int(sizeof(K) * 8) || beginBit > endBit) return cudaErrorInvalidValue;
    if (count == 0) return cudaSuccess;
    for (const void* p : {static_cast<const void*>(keysIn), static_cast<const void*>(keysOut),
                          static_cast<const void*>(valuesIn), static_cast<const void*>(valuesOut)}) {
      if (!gnemu::pointerArgumentOk("cub::DeviceRadixSort::SortPairs", 0, p)) return cudaErrorIllegalAddress;
    }
    const int bits = endBit - beginBit;
    const K mask = bits >= int(sizeof(K) * 8) ? K(~K(0)) : K((K(1) << bits) - 1);
    auto digit = [&](K k) { return K((k >> beginBit) & mask); };
    std::vector<size_t> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return digit(keysIn[a]) < digit(keysIn[b]); });
    std::vector<K> keys(order.size());
    std::vector<V> values(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      keys[i] = keysIn[order[i]];
      values[i] = valuesIn[order[i]];
    }
    std::copy(keys.begin(), keys.end(), keysOut);
    std::copy(values.begin(), values.end(), valuesOut);
    return cudaSuccess;
  }
};

}  // namespace cub
