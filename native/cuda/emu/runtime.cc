// The emulator's CUDA runtime calls: one device, its memory on the host heap.
//
// What it checks that a GPU would (or should) refuse:
// - copies and memsets only touch live device allocations on the device
//   side, and host memory on the host side (a host pointer where a device
//   pointer belongs, or a use after free, is cudaErrorInvalidValue);
// - kernel pointer arguments point into live allocations (scheduler.cc's
//   launch, through pointerArgumentOk);
// - fresh allocations are filled with 0xff bytes (NaN in float32 and
//   float64), as device memory is never zeroed for you: a kernel that reads
//   memory nobody wrote gives NaN, not a lucky 0.
// A kernel fault is sticky: every later call returns it, as on a GPU.
//
// The stream-ordered pool is modelled by its accounting: host memory is freed
// at once, but the freed block's size stays reserved in the pool's cache
// until cudaMemPoolTrimTo, and an allocation reuses the smallest cached block
// that fits. Reserved bytes count against the device's memory (16 GiB, or
// GRADNODE_CUDA_EMU_MEMORY bytes), so an allocation that only fits once the
// cache is released fails with cudaErrorMemoryAllocation first, as on a GPU:
// the allocator's trim-and-retry path runs here.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <set>
#include <mutex>
#include <string>

#include "internal.h"

namespace gnemu {
namespace {

constexpr int kMultiprocessors = 4;  // few, so gemm picks its big tiles for modest sizes too
constexpr size_t kDefaultMemoryBytes = size_t{16} << 30;
constexpr size_t kAlignment = 256;   // as cudaMalloc's

struct Allocation {
  size_t bytes;       // what was asked for (accessible)
  bool pooled;
  size_t blockBytes;  // pool: the size of the block it occupies (a reused block may be larger)
};

/** The device's memory: GRADNODE_CUDA_EMU_MEMORY bytes if set (to test out-of-memory paths), else 16 GiB. */
size_t capacity() {
  const char* v = std::getenv("GRADNODE_CUDA_EMU_MEMORY");
  const unsigned long long n = v ? std::strtoull(v, nullptr, 10) : 0;
  return n > 0 ? static_cast<size_t>(n) : kDefaultMemoryBytes;
}

struct Device {
  std::mutex mutex;
  std::map<uintptr_t, Allocation> allocations;  // by start address
  cudaError_t sticky = cudaSuccess;
  size_t plainUsed = 0;             // cudaMalloc'ed bytes
  size_t poolUsed = 0;              // bytes of the pool's blocks in use
  std::multiset<size_t> poolCache;  // sizes of the pool's freed blocks, kept until a trim
  size_t poolReserved = 0;          // poolUsed + the cached blocks
  uint64_t releaseThreshold = 0;
};

Device& device() {
  static Device d;
  return d;
}

thread_local cudaError_t lastError = cudaSuccess;

CUmemPoolHandle_st* const kPool = reinterpret_cast<CUmemPoolHandle_st*>(uintptr_t{0x9001});

/** The allocation holding [p, p + bytes), or null. Call with the mutex held. */
const Allocation* find(Device& d, const void* p, size_t bytes, uintptr_t* start = nullptr) {
  const auto a = reinterpret_cast<uintptr_t>(p);
  auto it = d.allocations.upper_bound(a);
  if (it == d.allocations.begin()) return nullptr;
  --it;
  const uintptr_t end = it->first + it->second.bytes;
  if (a > end || bytes > end - a) return nullptr;
  if (start) *start = it->first;
  return &it->second;
}

cudaError_t fail(cudaError_t e) { return setLastError(e); }

cudaError_t allocate(void** ptr, size_t bytes, bool pooled) {
  if (!ptr) return fail(cudaErrorInvalidValue);
  *ptr = nullptr;
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (d.sticky != cudaSuccess) return d.sticky;
  if (bytes == 0) return cudaSuccess;
  // The pool reuses the smallest cached block that fits, else reserves a new one.
  auto cached = pooled ? d.poolCache.lower_bound(bytes) : d.poolCache.end();
  const bool reuse = cached != d.poolCache.end();
  if (!reuse && d.poolReserved + d.plainUsed + bytes > capacity()) return fail(cudaErrorMemoryAllocation);
  // Exactly `bytes` (aligned as cudaMalloc's): under AddressSanitizer the first byte past it is a redzone.
  void* p = nullptr;
  if (posix_memalign(&p, kAlignment, bytes) != 0) return fail(cudaErrorMemoryAllocation);
  std::memset(p, 0xff, bytes);
  size_t block = bytes;
  if (reuse) {
    block = *cached;
    d.poolCache.erase(cached);
  } else if (pooled) {
    d.poolReserved += bytes;
  }
  if (pooled) d.poolUsed += block;
  else d.plainUsed += bytes;
  d.allocations[reinterpret_cast<uintptr_t>(p)] = Allocation{bytes, pooled, block};
  *ptr = p;
  return cudaSuccess;
}

cudaError_t release(void* ptr) {
  if (!ptr) return cudaSuccess;
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (d.sticky != cudaSuccess) return d.sticky;
  const auto it = d.allocations.find(reinterpret_cast<uintptr_t>(ptr));
  if (it == d.allocations.end()) return fail(cudaErrorInvalidValue);
  if (it->second.pooled) {
    d.poolUsed -= it->second.blockBytes;
    d.poolCache.insert(it->second.blockBytes);
  } else {
    d.plainUsed -= it->second.bytes;
  }
  d.allocations.erase(it);
  std::free(ptr);
  return cudaSuccess;
}

/** Whether [p, p + bytes) is device memory (true) or not in any allocation (false); -1 if it straddles one. */
int side(Device& d, const void* p, size_t bytes) {
  if (find(d, p, bytes)) return 1;
  // Host memory must not overlap a device allocation at all.
  return find(d, p, 0) || find(d, static_cast<const char*>(p) + bytes, 0) ? -1 : 0;
}

bool checkPool(cudaMemPool_t pool) { return pool == kPool; }

}  // namespace

void fault(cudaError_t error, const std::string& message) {
  Device& d = device();
  {
    std::lock_guard<std::mutex> lock(d.mutex);
    if (d.sticky == cudaSuccess) d.sticky = error;
  }
  lastError = error;
  std::fprintf(stderr, "gradnode CUDA emulator: %s\n", message.c_str());
}

cudaError_t stickyError() {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  return d.sticky;
}

cudaError_t setLastError(cudaError_t error) {
  lastError = error;
  return error;
}

bool isDeviceRange(const void* p, size_t bytes) {
  Device& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  return find(d, p, bytes) != nullptr;
}

bool pointerArgumentOk(const char* kernel, int index, const void* p) {
  if (!p || isDeviceRange(p, 0)) return true;
  fault(cudaErrorIllegalAddress, std::string(kernel) + ": argument " + std::to_string(index) +
                                     " is not device memory (a host pointer, or memory already freed)");
  return false;
}

}  // namespace gnemu

using gnemu::device;
using gnemu::fail;

namespace {

/** *out = value, or cudaErrorInvalidValue for a null out. */
cudaError_t put(int* out, int value) {
  if (!out) return fail(cudaErrorInvalidValue);
  *out = value;
  return cudaSuccess;
}

}  // namespace

cudaError_t cudaGetDeviceCount(int* count) { return put(count, 1); }

cudaError_t cudaGetDevice(int* dev) { return put(dev, 0); }

cudaError_t cudaSetDevice(int dev) { return dev == 0 ? cudaSuccess : fail(cudaErrorInvalidDevice); }

cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int dev) {
  if (!prop) return fail(cudaErrorInvalidValue);
  if (dev != 0) return fail(cudaErrorInvalidDevice);
  *prop = cudaDeviceProp{};
  std::snprintf(prop->name, sizeof prop->name, "gradnode CUDA emulator (host CPU)");
  prop->totalGlobalMem = gnemu::capacity();
  prop->major = 9;
  prop->minor = 0;
  prop->multiProcessorCount = gnemu::kMultiprocessors;
  prop->warpSize = 32;
  prop->maxThreadsPerBlock = 1024;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int dev) {
  if (dev != 0) return fail(cudaErrorInvalidDevice);
  switch (attr) {
    case cudaDevAttrMultiProcessorCount: return put(value, gnemu::kMultiprocessors);
    case cudaDevAttrMemoryPoolsSupported: return put(value, 1);
  }
  return fail(cudaErrorInvalidValue);
}

cudaError_t cudaRuntimeGetVersion(int* version) { return put(version, 13000); }

cudaError_t cudaDriverGetVersion(int* version) { return put(version, 13000); }

cudaError_t cudaGetLastError() {
  const cudaError_t sticky = gnemu::stickyError();
  const cudaError_t e = gnemu::lastError;
  gnemu::lastError = cudaSuccess;
  return sticky != cudaSuccess ? sticky : e;
}

cudaError_t cudaPeekAtLastError() {
  const cudaError_t sticky = gnemu::stickyError();
  return sticky != cudaSuccess ? sticky : gnemu::lastError;
}

namespace {

struct ErrorText {
  cudaError_t code;
  const char* name;
  const char* text;
};

constexpr ErrorText kErrors[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInitializationError, "cudaErrorInitializationError", "initialization error"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration", "invalid configuration argument"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorIllegalAddress, "cudaErrorIllegalAddress", "an illegal memory access was encountered"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorNotSupported, "cudaErrorNotSupported", "operation not supported"},
    {cudaErrorUnknown, "cudaErrorUnknown", "unknown error"},
};

const ErrorText& errorText(cudaError_t error) {
  for (const ErrorText& e : kErrors) {
    if (e.code == error) return e;
  }
  return kErrors[sizeof kErrors / sizeof kErrors[0] - 1];  // cudaErrorUnknown
}

}  // namespace

const char* cudaGetErrorName(cudaError_t error) { return errorText(error).name; }

const char* cudaGetErrorString(cudaError_t error) { return errorText(error).text; }

cudaError_t cudaDeviceSynchronize() { return gnemu::stickyError(); }

cudaError_t cudaMalloc(void** ptr, size_t bytes) { return gnemu::allocate(ptr, bytes, false); }

cudaError_t cudaFree(void* ptr) { return gnemu::release(ptr); }

cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* pool, int dev) {
  if (!pool) return fail(cudaErrorInvalidValue);
  if (dev != 0) return fail(cudaErrorInvalidDevice);
  *pool = gnemu::kPool;
  return cudaSuccess;
}

cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, void* value) {
  if (!gnemu::checkPool(pool) || !value || attr != cudaMemPoolAttrReleaseThreshold) return fail(cudaErrorInvalidValue);
  auto& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  d.releaseThreshold = *static_cast<uint64_t*>(value);
  return cudaSuccess;
}

cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, void* value) {
  if (!gnemu::checkPool(pool) || !value) return fail(cudaErrorInvalidValue);
  auto& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  auto* out = static_cast<uint64_t*>(value);
  switch (attr) {
    case cudaMemPoolAttrReleaseThreshold: *out = d.releaseThreshold; return cudaSuccess;
    case cudaMemPoolAttrReservedMemCurrent: *out = d.poolReserved; return cudaSuccess;
    case cudaMemPoolAttrUsedMemCurrent: *out = d.poolUsed; return cudaSuccess;
    default: return fail(cudaErrorInvalidValue);
  }
}

cudaError_t cudaMemPoolTrimTo(cudaMemPool_t pool, size_t minBytesToKeep) {
  if (!gnemu::checkPool(pool)) return fail(cudaErrorInvalidValue);
  auto& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (d.sticky != cudaSuccess) return d.sticky;
  // Releases cached blocks, largest first, while more than minBytesToKeep stays reserved.
  while (!d.poolCache.empty() && d.poolReserved > minBytesToKeep) {
    const auto largest = std::prev(d.poolCache.end());
    d.poolReserved -= *largest;
    d.poolCache.erase(largest);
  }
  return cudaSuccess;
}

cudaError_t cudaMallocFromPoolAsync(void** ptr, size_t bytes, cudaMemPool_t pool, cudaStream_t) {
  if (!gnemu::checkPool(pool)) return fail(cudaErrorInvalidValue);
  return gnemu::allocate(ptr, bytes, true);
}

cudaError_t cudaFreeAsync(void* ptr, cudaStream_t) { return gnemu::release(ptr); }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind) {
  auto& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (d.sticky != cudaSuccess) return d.sticky;
  if (bytes == 0) return cudaSuccess;
  if (!dst || !src) return fail(cudaErrorInvalidValue);
  const int to = gnemu::side(d, dst, bytes), from = gnemu::side(d, src, bytes);
  bool ok;
  switch (kind) {
    case cudaMemcpyHostToHost: ok = to == 0 && from == 0; break;
    case cudaMemcpyHostToDevice: ok = to == 1 && from == 0; break;
    case cudaMemcpyDeviceToHost: ok = to == 0 && from == 1; break;
    case cudaMemcpyDeviceToDevice: ok = to == 1 && from == 1; break;
    case cudaMemcpyDefault: ok = to >= 0 && from >= 0; break;
    default: return fail(cudaErrorInvalidMemcpyDirection);
  }
  if (!ok) return fail(cudaErrorInvalidValue);
  std::memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, bytes, kind);
}

cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                         cudaMemcpyKind kind) {
  if (height == 0 || width == 0) return gnemu::stickyError();
  if (width > dpitch || width > spitch) return fail(cudaErrorInvalidValue);  // as CUDA: rows may not overlap
  for (size_t r = 0; r < height; ++r) {
    const cudaError_t e = cudaMemcpy(static_cast<char*>(dst) + r * dpitch, static_cast<const char*>(src) + r * spitch,
                                     width, kind);
    if (e != cudaSuccess) return e;
  }
  return cudaSuccess;
}

cudaError_t cudaMemset(void* ptr, int value, size_t bytes) {
  auto& d = device();
  std::lock_guard<std::mutex> lock(d.mutex);
  if (d.sticky != cudaSuccess) return d.sticky;
  if (bytes == 0) return cudaSuccess;
  if (!gnemu::find(d, ptr, bytes)) return fail(cudaErrorInvalidValue);
  std::memset(ptr, value, bytes);
  return cudaSuccess;
}

cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t) { return cudaMemset(ptr, value, bytes); }

struct CUevent_st {
  std::chrono::steady_clock::time_point at;
  bool recorded = false;
};

cudaError_t cudaEventCreate(cudaEvent_t* event) {
  if (!event) return fail(cudaErrorInvalidValue);
  *event = new CUevent_st();
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  delete event;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t) {
  if (!event) return fail(cudaErrorInvalidValue);
  event->at = std::chrono::steady_clock::now();
  event->recorded = true;
  return gnemu::stickyError();
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  if (!event) return fail(cudaErrorInvalidValue);
  return gnemu::stickyError();
}

cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end) {
  if (!ms || !start || !end || !start->recorded || !end->recorded) return fail(cudaErrorInvalidValue);
  *ms = std::chrono::duration<float, std::milli>(end->at - start->at).count();
  return cudaSuccess;
}

long long clock64() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
