// The caching device allocator of the CUDA addon (allocator.cu): Node-free,
// shared by memory.cu (alloc() and the allocation finalizer) and the
// standalone driver (native/cuda/test/driver.cu).
//
//   void* p = nullptr;
//   const char* call = nullptr;
//   cudaError_t s = deviceAllocZeroed(&p, bytes, &call);   // what alloc() does
//   if (s != cudaSuccess) ... "<call> failed: <cudaGetErrorString(s)>" ...
//   ...kernels on the default stream...
//   deviceFree(p, bytes);                                   // what the finalizer does
//
// Modes, chosen once on the first allocation (while no device is usable the
// mode stays kNone and every allocation retries the choice):
//   - kPool: CUDA's stream-ordered allocator. The device's default memory
//     pool with cudaMemPoolAttrReleaseThreshold = UINT64_MAX, so freed memory
//     stays cached in the pool instead of going back to the driver;
//     cudaMallocFromPoolAsync / cudaFreeAsync on the legacy default stream
//     (stream 0). Every kernel and copy of the addon runs on stream 0, so a
//     block freed while a queued kernel still reads it is handed out again
//     only after that kernel, in stream order: freeing never synchronizes.
//   - kCudaMalloc: plain cudaMalloc / cudaFree (cudaFree synchronizes the
//     device). Used when the device lacks memory pools
//     (cudaDevAttrMemoryPoolsSupported = 0) or when the environment has
//     GRADNODE_CUDA_ALLOCATOR=malloc (the escape hatch, like PyTorch's
//     PYTORCH_NO_CUDA_MEMORY_CACHING=1; any other value means the default).
//
// Memory of a reused pool block holds whatever it held before: callers that
// promise zeros (alloc()) use deviceAllocZeroed.
//
// NOT thread-safe: plain globals, no locks. Node calls every entry point and
// every finalizer on the main JS thread, and the driver is single-threaded.
// Every function returns the CUDA status; none prints or exits.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace gradnode::cuda {

enum class AllocatorMode { kNone, kPool, kCudaMalloc };

/** "pool" | "cudaMalloc" | "none". */
const char* allocatorModeName(AllocatorMode mode);

struct AllocatorStats {
  AllocatorMode mode = AllocatorMode::kNone;  // kNone before the first allocation, or without a device
  uint64_t allocatedBytes = 0;      // live bytes handed out (each request rounded up to kMinAllocationBytes)
  uint64_t peakAllocatedBytes = 0;  // the largest allocatedBytes so far (never reset)
  uint64_t liveAllocations = 0;     // deviceAlloc successes not yet freed
  // Device memory the allocator holds: in kPool mode the pool's
  // cudaMemPoolAttrReservedMemCurrent (live blocks + cached free ones; 0 when
  // the query fails, its error cleared); in kCudaMalloc mode allocatedBytes;
  // 0 in kNone mode.
  uint64_t reservedBytes = 0;
};

/** Requests below this many bytes (0 included) allocate this many, so alloc(_, 0) still needs a device. */
constexpr size_t kMinAllocationBytes = 8;

/**
 * Allocates max(bytes, kMinAllocationBytes) bytes of device memory
 * (uninitialized). In kPool mode an out-of-memory failure clears the error,
 * synchronizes, trims the pool to 0 (cached blocks go back to the driver, so
 * a fragmented cache can make room) and retries once. On failure *ptr is
 * nullptr, the thread's last error is cleared, and *call (when given) names
 * the CUDA call that failed ("cudaMallocFromPoolAsync", "cudaMalloc",
 * "cudaGetDevice", ...).
 */
cudaError_t deviceAlloc(void** ptr, size_t bytes, const char** call = nullptr);

/**
 * deviceAlloc, then cudaMemsetAsync(ptr, 0, max(bytes, kMinAllocationBytes),
 * stream 0) (freed on failure): what the addon's alloc() does.
 */
cudaError_t deviceAllocZeroed(void** ptr, size_t bytes, const char** call = nullptr);

/**
 * Frees memory from deviceAlloc; `bytes` is the size it was asked for (the
 * counters are kept per request, not per pointer). The counters drop even
 * when the CUDA call fails (the pointer is gone either way). nullptr: a no-op.
 * Stream-ordered in kPool mode: safe while queued kernels still use ptr.
 */
cudaError_t deviceFree(void* ptr, size_t bytes);

/**
 * Returns cached, unused pool memory to the driver: cudaDeviceSynchronize,
 * then cudaMemPoolTrimTo(pool, 0). A no-op (cudaSuccess, no CUDA call) in
 * kCudaMalloc mode and before the first allocation (nothing is cached).
 * *call (when given) names the failed call.
 */
cudaError_t emptyCache(const char** call = nullptr);

/** The counters and the reserved bytes (never fails; makes no allocation). */
AllocatorStats allocatorStats();

/**
 * For the driver's tests and benchmarks: switches to kPool or kCudaMalloc for
 * the following allocations, or back to kNone (the next allocation chooses
 * again from the device and GRADNODE_CUDA_ALLOCATOR). Refused with
 * cudaErrorInvalidValue while allocations are live (they must be freed by the
 * mode that made them), and with cudaErrorNotSupported for kPool on a device
 * without memory pools. The counters are kept (peak included).
 */
cudaError_t setAllocatorModeForTesting(AllocatorMode mode, const char** call = nullptr);

}  // namespace gradnode::cuda
