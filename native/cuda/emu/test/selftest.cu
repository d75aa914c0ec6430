// Checks of the CUDA emulator itself (native/cuda/emu/): that it runs what a
// GPU runs (barriers, shuffles, block reductions, grid-stride loops) and
// refuses what a GPU would (bad launch configurations, host pointers given to
// kernels or copies, divergent barriers and shuffles). Built only for the
// emulator (build-cuda-emu/Release/gradnode_cuda_emu_selftest), run by
// test/backend/cuda_emulator.test.ts. Cases that fault run in a child process,
// since a kernel fault is sticky. Prints "N checks passed, M failed".
#include <cuda_runtime.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "cuda/allocator.h"
#include "cuda/kernel_util.cuh"

namespace {

using namespace gradnode::cuda::kdetail;

int passes = 0, failures = 0;

void check(bool ok, const std::string& what) {
  if (ok) {
    ++passes;
  } else {
    ++failures;
    std::printf("FAIL %s\n", what.c_str());
  }
}

/** Runs `body` in a child process; true when the child's body returned the expected error. */
void inChild(const std::string& what, cudaError_t expected, const std::function<cudaError_t()>& body) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    const cudaError_t got = body();
    std::printf("  %s: %s\n", what.c_str(), cudaGetErrorName(got));
    std::fflush(stdout);
    _exit(got == expected ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        what + " (wanted " + cudaGetErrorName(expected) + ")");
}

__global__ void blockSumKernel(const double* in, double* out) {
  __shared__ double sh[32];
  const double s = blockAllReduce<SumOp>(in[blockIdx.x * blockDim.x + threadIdx.x], sh);
  if (threadIdx.x == blockDim.x - 1) out[blockIdx.x] = s;  // every thread has the sum
}

__global__ void gridStrideKernel(int64_t n, float* x) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    x[i] = static_cast<float>(i);
  }
}

/** out[i] = base + the neighbour's index, read after a barrier (correct) or without one (a race). */
template <bool Barrier>
__global__ void neighbourKernel(int base, int* out) {
  __shared__ int sh[256];
  sh[threadIdx.x] = base + static_cast<int>(threadIdx.x);
  if (Barrier) __syncthreads();
  out[threadIdx.x] = sh[(threadIdx.x + 1) % blockDim.x];
}

__global__ void divergentShuffleKernel(float* out) {
  float v = static_cast<float>(threadIdx.x);
  if ((threadIdx.x & 31) < 16) v = __shfl_xor_sync(0xffffffffu, v, 16);
  out[threadIdx.x] = v;
}

__global__ void mixedBarrierKernel(float* out) {
  float v = static_cast<float>(threadIdx.x);
  if (threadIdx.x < 16) {
    __syncthreads();
  } else {
    v = __shfl_xor_sync(0xffffffffu, v, 1);
  }
  out[threadIdx.x] = v;
}

__global__ void writeKernel(float* out) { out[threadIdx.x] = 1.0f; }

template <class T>
T* deviceAlloc(size_t n) {
  T* p = nullptr;
  cudaMalloc(&p, n * sizeof(T));
  return p;
}

template <class T>
std::vector<T> download(const T* d, size_t n) {
  std::vector<T> h(n);
  cudaMemcpy(h.data(), d, n * sizeof(T), cudaMemcpyDeviceToHost);
  return h;
}

void testReductions() {
  for (const unsigned threads : {32u, 64u, 256u, 1024u}) {
    const unsigned blocks = 3;
    std::vector<double> in(blocks * threads);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<double>(i % 97) - 40.0;
    double* din = deviceAlloc<double>(in.size());
    double* dout = deviceAlloc<double>(blocks);
    cudaMemcpy(din, in.data(), in.size() * sizeof(double), cudaMemcpyHostToDevice);
    blockSumKernel<<<blocks, threads>>>(din, dout);
    check(cudaGetLastError() == cudaSuccess, "blockSumKernel launches");
    const std::vector<double> out = download(dout, blocks);
    for (unsigned b = 0; b < blocks; ++b) {
      double want = 0;
      for (unsigned t = 0; t < threads; ++t) want += in[b * threads + t];
      check(out[b] == want, "blockAllReduce over " + std::to_string(threads) + " threads, block " + std::to_string(b));
    }
    cudaFree(din);
    cudaFree(dout);
  }
}

void testGridStride() {
  const int64_t n = 100003;
  float* x = deviceAlloc<float>(n);
  gridStrideKernel<<<7, 96>>>(n, x);
  const std::vector<float> h = download(x, n);
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) ok = ok && h[i] == static_cast<float>(i);
  check(ok, "a grid-stride loop over 7 blocks of 96 threads covers every element once");
  cudaFree(x);
}

void testFreshMemoryIsNaN() {
  float* x = deviceAlloc<float>(5);
  const std::vector<float> h = download(x, 5);
  check(std::isnan(h[0]) && std::isnan(h[4]), "fresh device memory reads as NaN, not 0");
  cudaFree(x);
}

enum class Order { kIndex, kReverse, kRandom };

void testNeighbour(Order order) {
  int* out = deviceAlloc<int>(256);
  neighbourKernel<true><<<1, 256>>>(0, out);
  std::vector<int> h = download(out, 256);
  bool ok = true;
  for (int t = 0; t < 256; ++t) ok = ok && h[t] == (t + 1) % 256;
  check(ok, "with a barrier every thread reads its neighbour's value");
  neighbourKernel<false><<<1, 256>>>(1000, out);
  h = download(out, 256);
  int right = 0;
  for (int t = 0; t < 256; ++t) right += h[t] == 1000 + (t + 1) % 256;
  // In index order each thread reads before its neighbour writes (the previous launch's value), but for
  // thread 255, whose neighbour is thread 0: 1 of 256 right. From the last thread, each neighbour has
  // written already, but thread 0 (for thread 255): 255 right. Shuffled: somewhere in between.
  const bool expected = order == Order::kIndex ? right == 1 : order == Order::kReverse ? right == 255
                                                                                      : right > 1 && right < 255;
  check(expected, "without the barrier the race shows (" + std::to_string(right) + " of 256 right)");
  cudaFree(out);
}

void testRefusals() {
  float* x = deviceAlloc<float>(1024);
  writeKernel<<<1, 1025>>>(x);
  check(cudaGetLastError() == cudaErrorInvalidConfiguration, "a block of 1025 threads is an invalid configuration");
  writeKernel<<<dim3(1, 65536), 32>>>(x);
  check(cudaGetLastError() == cudaErrorInvalidConfiguration, "gridDim.y = 65536 is an invalid configuration");
  check(cudaGetLastError() == cudaSuccess, "a configuration error is not sticky");
  std::vector<float> host(16, 0.0f);
  check(cudaMemcpy(x, host.data(), 64, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue,
        "cudaMemcpy DeviceToHost from host memory is refused");
  check(cudaMemcpy(host.data(), x, 64, cudaMemcpyHostToDevice) == cudaErrorInvalidValue,
        "cudaMemcpy HostToDevice into host memory is refused");
  check(cudaMemcpy(host.data(), x + 1020, 64, cudaMemcpyDeviceToHost) == cudaErrorInvalidValue,
        "cudaMemcpy past the end of an allocation is refused");
  check(cudaGetLastError() == cudaErrorInvalidValue, "a refused copy sets the last error");
  check(cudaFree(host.data()) == cudaErrorInvalidValue, "cudaFree of host memory is refused");
  cudaGetLastError();
  cudaFree(x);

  inChild("a host pointer given to a kernel is an illegal address, and sticky", cudaErrorIllegalAddress, [] {
    std::vector<float> h(32);
    writeKernel<<<1, 32>>>(h.data());
    const cudaError_t first = cudaGetLastError();
    float* d = nullptr;
    return first == cudaErrorIllegalAddress && cudaMalloc(&d, 4) == cudaErrorIllegalAddress ? first : cudaSuccess;
  });
  inChild("a freed allocation given to a kernel is an illegal address", cudaErrorIllegalAddress, [] {
    float* d = deviceAlloc<float>(32);
    cudaFree(d);
    writeKernel<<<1, 32>>>(d);
    return cudaDeviceSynchronize();
  });
  inChild("a shuffle that reads lanes which never reach it faults", cudaErrorLaunchFailure, [] {
    float* d = deviceAlloc<float>(64);
    divergentShuffleKernel<<<1, 64>>>(d);
    return cudaDeviceSynchronize();
  });
  inChild("threads at __syncthreads while others of their warp wait at a shuffle deadlock", cudaErrorLaunchFailure, [] {
    float* d = deviceAlloc<float>(32);
    mixedBarrierKernel<<<1, 32>>>(d);
    return cudaDeviceSynchronize();
  });
}

/**
 * The caching allocator's out-of-memory path (allocator.cu): on a 64 MiB
 * device, a freed 40 MiB block stays cached, so a 48 MiB request fails until
 * the allocator trims the cache and retries; a request that cannot fit even
 * then fails with cudaErrorMemoryAllocation, and the device stays usable.
 */
void testOutOfMemory() {
  inChild("the allocator trims its cache and retries on out-of-memory; a request that cannot fit fails, not sticky",
          cudaSuccess, [] {
    namespace gc = gradnode::cuda;
    setenv("GRADNODE_CUDA_EMU_MEMORY", std::to_string(64 << 20).c_str(), 1);
    bool ok = true;
    auto expect = [&](bool c, const char* what) {
      if (!c) std::printf("  not so: %s\n", what);
      ok = ok && c;
    };
    const char* call = nullptr;
    void *a = nullptr, *b = nullptr, *c = nullptr, *d = nullptr;
    expect(gc::deviceAlloc(&a, 40 << 20, &call) == cudaSuccess, "40 MiB fits");
    gc::deviceFree(a, 40 << 20);
    expect(gc::allocatorStats().reservedBytes == uint64_t(40) << 20, "the freed 40 MiB stay reserved");
    expect(gc::deviceAlloc(&b, 48 << 20, &call) == cudaSuccess, "48 MiB fits once the cache is trimmed");
    expect(gc::allocatorStats().reservedBytes == uint64_t(48) << 20, "only the 48 MiB block is reserved after the retry");
    expect(gc::deviceAlloc(&c, 20 << 20, &call) == cudaErrorMemoryAllocation, "20 MiB more does not fit");
    expect(call && std::strcmp(call, "cudaMallocFromPoolAsync") == 0, "the failed call is named");
    expect(gc::deviceAlloc(&d, 8 << 20, &call) == cudaSuccess, "8 MiB still fits after the failure");
    expect(gc::allocatorStats().liveAllocations == 2, "two allocations are live");
    return ok ? cudaSuccess : cudaErrorUnknown;
  });
}

}  // namespace

int main() {
  const char* name = std::getenv("GRADNODE_CUDA_EMU_ORDER");
  const Order order = !name ? Order::kIndex
                      : std::strcmp(name, "reverse") == 0 ? Order::kReverse
                      : std::strcmp(name, "random") == 0 ? Order::kRandom
                                                          : Order::kIndex;
  std::printf("CUDA emulator self-test, threads and blocks in %s order\n", name ? name : "index");
  testReductions();
  testGridStride();
  testFreshMemoryIsNaN();
  testNeighbour(order);
  testRefusals();
  testOutOfMemory();
  std::printf("%d checks passed, %d failed\n", passes, failures);
  return failures == 0 ? 0 : 1;
}
