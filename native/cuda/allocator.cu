// The caching device allocator (see allocator.h). Node-free: compiled into
// the addon and into the standalone driver.
#include "cuda/allocator.h"

#include <cstdlib>
#include <cstring>

namespace gradnode::cuda {
namespace {

// Plain globals: not thread-safe (see allocator.h).
struct State {
  AllocatorMode mode = AllocatorMode::kNone;
  int device = -1;
  cudaMemPool_t pool = nullptr;  // set in kPool mode
  uint64_t allocatedBytes = 0;
  uint64_t peakAllocatedBytes = 0;
  uint64_t liveAllocations = 0;
};

State state;

size_t rounded(size_t bytes) { return bytes < kMinAllocationBytes ? kMinAllocationBytes : bytes; }

/** Records `call` as the failed one and clears the thread's last error. */
cudaError_t failed(cudaError_t status, const char* name, const char** call) {
  if (status != cudaSuccess) {
    cudaGetLastError();
    if (call) *call = name;
  }
  return status;
}

/** Whether GRADNODE_CUDA_ALLOCATOR=malloc asks for plain cudaMalloc. */
bool mallocRequested() {
  const char* v = std::getenv("GRADNODE_CUDA_ALLOCATOR");
  return v && std::strcmp(v, "malloc") == 0;
}

/**
 * Finds the current device and whether it has memory pools; in pool mode
 * takes and configures its default pool. Leaves the state untouched on failure.
 */
cudaError_t choose(AllocatorMode want, const char** call) {
  int device = -1;
  cudaError_t s = cudaGetDevice(&device);
  if (s != cudaSuccess) return failed(s, "cudaGetDevice", call);
  int poolsSupported = 0;
  s = cudaDeviceGetAttribute(&poolsSupported, cudaDevAttrMemoryPoolsSupported, device);
  if (s != cudaSuccess) return failed(s, "cudaDeviceGetAttribute (cudaDevAttrMemoryPoolsSupported)", call);
  if (want == AllocatorMode::kNone) {
    want = poolsSupported && !mallocRequested() ? AllocatorMode::kPool : AllocatorMode::kCudaMalloc;
  } else if (want == AllocatorMode::kPool && !poolsSupported) {
    if (call) *call = "cudaDevAttrMemoryPoolsSupported";
    return cudaErrorNotSupported;
  }
  cudaMemPool_t pool = nullptr;
  if (want == AllocatorMode::kPool) {
    s = cudaDeviceGetDefaultMemPool(&pool, device);
    if (s != cudaSuccess) return failed(s, "cudaDeviceGetDefaultMemPool", call);
    // Keep every freed block cached: the default threshold (0) hands unused
    // memory back to the driver at every synchronization.
    uint64_t threshold = UINT64_MAX;
    s = cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold);
    if (s != cudaSuccess) return failed(s, "cudaMemPoolSetAttribute (cudaMemPoolAttrReleaseThreshold)", call);
  }
  state.mode = want;
  state.device = device;
  state.pool = pool;
  return cudaSuccess;
}

cudaError_t allocate(void** ptr, size_t bytes, const char** call) {
  if (state.mode == AllocatorMode::kCudaMalloc) return failed(cudaMalloc(ptr, bytes), "cudaMalloc", call);
  cudaError_t s = cudaMallocFromPoolAsync(ptr, bytes, state.pool, 0);
  if (s != cudaErrorMemoryAllocation) return failed(s, "cudaMallocFromPoolAsync", call);
  // Out of memory: release the cache (every block not in use) and retry once.
  cudaGetLastError();
  s = cudaDeviceSynchronize();
  if (s != cudaSuccess) return failed(s, "cudaDeviceSynchronize (before retrying cudaMallocFromPoolAsync)", call);
  s = cudaMemPoolTrimTo(state.pool, 0);
  if (s != cudaSuccess) return failed(s, "cudaMemPoolTrimTo (before retrying cudaMallocFromPoolAsync)", call);
  return failed(cudaMallocFromPoolAsync(ptr, bytes, state.pool, 0), "cudaMallocFromPoolAsync", call);
}

}  // namespace

const char* allocatorModeName(AllocatorMode mode) {
  switch (mode) {
    case AllocatorMode::kPool: return "pool";
    case AllocatorMode::kCudaMalloc: return "cudaMalloc";
    default: return "none";
  }
}

cudaError_t deviceAlloc(void** ptr, size_t bytes, const char** call) {
  *ptr = nullptr;
  if (state.mode == AllocatorMode::kNone) {
    const cudaError_t s = choose(AllocatorMode::kNone, call);
    if (s != cudaSuccess) return s;
  }
  const size_t size = rounded(bytes);
  const cudaError_t s = allocate(ptr, size, call);
  if (s != cudaSuccess) {
    *ptr = nullptr;
    return s;
  }
  state.allocatedBytes += size;
  state.liveAllocations += 1;
  if (state.allocatedBytes > state.peakAllocatedBytes) state.peakAllocatedBytes = state.allocatedBytes;
  return cudaSuccess;
}

cudaError_t deviceAllocZeroed(void** ptr, size_t bytes, const char** call) {
  cudaError_t s = deviceAlloc(ptr, bytes, call);
  if (s != cudaSuccess) return s;
  // Stream 0, like every kernel: ordered after the previous user of a reused block.
  s = cudaMemsetAsync(*ptr, 0, rounded(bytes), 0);
  if (s != cudaSuccess) {
    failed(s, "cudaMemsetAsync", call);
    deviceFree(*ptr, bytes);  // its own failure (cleared) is secondary: the memset's is returned
    *ptr = nullptr;
  }
  return s;
}

cudaError_t deviceFree(void* ptr, size_t bytes) {
  if (!ptr) return cudaSuccess;
  const size_t size = rounded(bytes);
  state.allocatedBytes -= size <= state.allocatedBytes ? size : state.allocatedBytes;
  if (state.liveAllocations > 0) state.liveAllocations -= 1;
  cudaError_t s = state.mode == AllocatorMode::kPool ? cudaFreeAsync(ptr, 0) : cudaFree(ptr);
  if (s != cudaSuccess) cudaGetLastError();
  return s;
}

cudaError_t emptyCache(const char** call) {
  if (state.mode != AllocatorMode::kPool) return cudaSuccess;
  // The trim releases only blocks whose stream-ordered free has completed.
  cudaError_t s = cudaDeviceSynchronize();
  if (s != cudaSuccess) return failed(s, "cudaDeviceSynchronize", call);
  return failed(cudaMemPoolTrimTo(state.pool, 0), "cudaMemPoolTrimTo", call);
}

AllocatorStats allocatorStats() {
  AllocatorStats stats;
  stats.mode = state.mode;
  stats.allocatedBytes = state.allocatedBytes;
  stats.peakAllocatedBytes = state.peakAllocatedBytes;
  stats.liveAllocations = state.liveAllocations;
  if (state.mode == AllocatorMode::kPool) {
    uint64_t reserved = 0;
    if (cudaMemPoolGetAttribute(state.pool, cudaMemPoolAttrReservedMemCurrent, &reserved) == cudaSuccess) {
      stats.reservedBytes = reserved;
    } else {
      cudaGetLastError();
    }
  } else if (state.mode == AllocatorMode::kCudaMalloc) {
    stats.reservedBytes = state.allocatedBytes;
  }
  return stats;
}

cudaError_t setAllocatorModeForTesting(AllocatorMode mode, const char** call) {
  if (state.liveAllocations > 0) {
    if (call) *call = "setAllocatorModeForTesting (allocations are live)";
    return cudaErrorInvalidValue;
  }
  if (mode == AllocatorMode::kNone) {
    state.mode = AllocatorMode::kNone;
    state.pool = nullptr;
    return cudaSuccess;
  }
  return choose(mode, call);
}

}  // namespace gradnode::cuda
