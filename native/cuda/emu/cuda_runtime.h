// The CUDA runtime as the host-only CUDA emulator provides it (native/cuda/emu/,
// README.md there). Found before the toolkit's <cuda_runtime.h> when the
// kernel sources are compiled by g++ for the emulated addon
// (build-cuda-emu/Release/gradnode_cuda.node, `npm run build:cuda-emu`).
//
// It declares just what native/cuda/ uses: the runtime calls (memory on the
// host heap, a single emulated device, the stream-ordered pool by its
// accounting),
// the error codes with their real values, dim3/uint3 and the built-in
// variables, the device qualifiers (kernels become plain functions, __shared__
// becomes a per-block static) and the warp shuffle. Kernel launches
// (`k<<<grid, block>>>(args)`) are rewritten by scripts/cuda-emu/translate.js
// into gnemu::launch(...), which runs every thread of every block on fibers
// (scheduler.cc), __syncthreads and shuffles being barriers between them.
#pragma once

#include <math.h>  // libstdc++'s: the float and double overloads (isinf, exp, ...) in the global namespace, as in device code

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- qualifiers ---------------------------------------------------------------
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// One block runs at a time on a host thread, so a static is shared by exactly
// the threads of the running block (thread_local: Node worker threads may
// launch kernels at the same time).
#define __shared__ static thread_local

// ---- types and error codes ----------------------------------------------------
enum cudaError_t : int {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorIllegalAddress = 700,
  cudaErrorLaunchFailure = 719,
  cudaErrorNotSupported = 801,
  cudaErrorUnknown = 999,
};
using cudaError = cudaError_t;

enum cudaMemcpyKind : int {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4,
};

enum cudaDeviceAttr : int {
  cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrMemoryPoolsSupported = 115,
};

enum cudaMemPoolAttr : int {
  cudaMemPoolAttrReleaseThreshold = 4,
  cudaMemPoolAttrReservedMemCurrent = 5,
  cudaMemPoolAttrReservedMemHigh = 6,
  cudaMemPoolAttrUsedMemCurrent = 7,
  cudaMemPoolAttrUsedMemHigh = 8,
};

struct CUstream_st;
using cudaStream_t = CUstream_st*;
struct CUmemPoolHandle_st;
using cudaMemPool_t = CUmemPoolHandle_st*;
struct CUevent_st;
using cudaEvent_t = CUevent_st*;

struct uint3 {
  unsigned x, y, z;
};

struct dim3 {
  unsigned x, y, z;
  constexpr dim3(unsigned vx = 1, unsigned vy = 1, unsigned vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  int major;
  int minor;
  int multiProcessorCount;
  int warpSize;
  int maxThreadsPerBlock;
};

// ---- runtime calls (scheduler.cc) -----------------------------------------------
cudaError_t cudaGetDeviceCount(int* count);
cudaError_t cudaGetDevice(int* device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* prop, int device);
cudaError_t cudaDeviceGetAttribute(int* value, cudaDeviceAttr attr, int device);
cudaError_t cudaRuntimeGetVersion(int* version);
cudaError_t cudaDriverGetVersion(int* version);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
const char* cudaGetErrorString(cudaError_t error);
const char* cudaGetErrorName(cudaError_t error);
cudaError_t cudaDeviceSynchronize();

cudaError_t cudaMalloc(void** ptr, size_t bytes);
cudaError_t cudaFree(void* ptr);
cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* pool, int device);
cudaError_t cudaMemPoolSetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, void* value);
cudaError_t cudaMemPoolGetAttribute(cudaMemPool_t pool, cudaMemPoolAttr attr, void* value);
cudaError_t cudaMemPoolTrimTo(cudaMemPool_t pool, size_t minBytesToKeep);
cudaError_t cudaMallocFromPoolAsync(void** ptr, size_t bytes, cudaMemPool_t pool, cudaStream_t stream);
cudaError_t cudaFreeAsync(void* ptr, cudaStream_t stream);
cudaError_t cudaMemcpy(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream = 0);
cudaError_t cudaMemcpy2D(void* dst, size_t dpitch, const void* src, size_t spitch, size_t width, size_t height,
                         cudaMemcpyKind kind);
cudaError_t cudaMemset(void* ptr, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void* ptr, int value, size_t bytes, cudaStream_t stream = 0);

// Events time on the host clock (kernels run inside the launch call).
cudaError_t cudaEventCreate(cudaEvent_t* event);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t start, cudaEvent_t end);

template <class T>
inline cudaError_t cudaMalloc(T** ptr, size_t bytes) {
  return cudaMalloc(reinterpret_cast<void**>(ptr), bytes);
}
template <class T>
inline cudaError_t cudaMallocFromPoolAsync(T** ptr, size_t bytes, cudaMemPool_t pool, cudaStream_t stream) {
  return cudaMallocFromPoolAsync(reinterpret_cast<void**>(ptr), bytes, pool, stream);
}

// ---- the emulator ------------------------------------------------------------------
namespace gnemu {

/** The built-in variables of the thread now running. */
struct Builtins {
  uint3 thread;     // threadIdx
  uint3 block;      // blockIdx
  uint3 blockSize;  // blockDim
  uint3 gridSize;   // gridDim
};
// Defined here (an inline variable, constant-initialized), so no TLS init wrapper guards its uses.
inline thread_local Builtins tlsBuiltins{};
inline Builtins& builtins() { return tlsBuiltins; }

/** One kernel launch's configuration (the part between <<< and >>>). */
struct LaunchConfig {
  dim3 grid, block;
  size_t sharedBytes;
  cudaStream_t stream;
  LaunchConfig(dim3 g, dim3 b, size_t smem = 0, cudaStream_t s = nullptr)
      : grid(g), block(b), sharedBytes(smem), stream(s) {}
};

/** Runs body(context) once per thread of the grid (see scheduler.cc). */
void run(const char* kernel, const LaunchConfig& config, void (*body)(void*), void* context);

/**
 * Whether pointer argument `index` of a launch is null or points into a live
 * device allocation; otherwise records a fault (a host pointer handed to a
 * kernel would be an illegal address on a GPU) and returns false.
 */
bool pointerArgumentOk(const char* kernel, int index, const void* p);

/** A kernel launch: the arguments are converted to the parameter types once, as CUDA copies them. */
template <class... P, class... A>
void launch(const char* kernel, const LaunchConfig& config, void (*fn)(P...), A&&... args) {
  static_assert(sizeof...(P) == sizeof...(A), "a kernel launch with the wrong number of arguments");
  struct Call {
    void (*fn)(P...);
    std::tuple<std::decay_t<P>...> params;
  } call{fn, std::tuple<std::decay_t<P>...>(std::forward<A>(args)...)};
  bool ok = true;
  std::apply([&](const auto&... a) {
    int index = 0;
    auto check = [&](const auto& v) {
      if constexpr (std::is_pointer_v<std::decay_t<decltype(v)>>) {
        ok = ok && pointerArgumentOk(kernel, index, static_cast<const void*>(v));
      }
      ++index;
    };
    (check(a), ...);
  }, call.params);
  if (!ok) return;
  run(kernel, config, [](void* c) {
    Call& k = *static_cast<Call*>(c);
    std::apply(k.fn, k.params);
  }, &call);
}

/** __syncthreads(): waits until every live thread of the running block gets here. */
void syncBlock();
/** Exchanges `bytes` bytes with lane (own lane ^ laneMask) of the warp, between two warp-wide barriers. */
void shuffleXor(void* value, size_t bytes, int laneMask, int width);

}  // namespace gnemu

#define threadIdx (::gnemu::builtins().thread)
#define blockIdx (::gnemu::builtins().block)
#define blockDim (::gnemu::builtins().blockSize)
#define gridDim (::gnemu::builtins().gridSize)

constexpr int warpSize = 32;

inline void __syncthreads() { ::gnemu::syncBlock(); }

template <class T>
inline T __shfl_xor_sync(unsigned /*mask*/, T value, int laneMask, int width = 32) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8, "__shfl_xor_sync of a type over 8 bytes");
  ::gnemu::shuffleXor(&value, sizeof(T), laneMask, width);
  return value;
}

// ---- device intrinsics ---------------------------------------------------------------
/** The host's steady clock in nanoseconds (a "cycle" is 1 ns). */
long long clock64();

inline float __int_as_float(int v) {
  float f;
  std::memcpy(&f, &v, sizeof f);
  return f;
}
inline int __float_as_int(float v) {
  int i;
  std::memcpy(&i, &v, sizeof i);
  return i;
}
inline double __longlong_as_double(long long v) {
  double d;
  std::memcpy(&d, &v, sizeof d);
  return d;
}
inline long long __double_as_longlong(double v) {
  long long i;
  std::memcpy(&i, &v, sizeof i);
  return i;
}
