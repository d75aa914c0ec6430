// Device-side helpers shared by the kernel families of the CUDA addon (owned
// by helper "cuda-kernels"): launch shapes, deterministic block reductions,
// stream-ordered scratch memory and status plumbing. No Node dependency, so
// the standalone driver (native/cuda/test/driver.cu) compiles the same code.
//
// Determinism: every reduction here combines values in an order fixed by the
// problem sizes alone (a fixed shuffle tree inside a warp, then the warps in
// index order), never by scheduling, and no float atomics are used anywhere,
// so a kernel run twice on the same input gives bitwise identical results.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>
#include <limits>

#include "cuda/allocator.h"
#include "cuda/launchers.h"

namespace gradnode::cuda::kdetail {

constexpr int kThreads = 256;                      // default block size for elementwise kernels
constexpr int64_t kMaxBlocks = int64_t{1} << 20;   // grid-stride loops cap the grid here

/** Blocks for a grid-stride loop over `count` items with `threads` per block (at least 1). */
inline unsigned gridFor(int64_t count, int threads = kThreads) {
  int64_t blocks = (count + threads - 1) / threads;
  if (blocks < 1) blocks = 1;
  if (blocks > kMaxBlocks) blocks = kMaxBlocks;
  return static_cast<unsigned>(blocks);
}

/** Status after a launch: the launch error (bad configuration) or success. */
inline LaunchStatus afterLaunch(const char* kernelName) {
  const cudaError_t e = cudaGetLastError();
  return e == cudaSuccess ? LaunchStatus{} : LaunchStatus{e, kernelName};
}

inline LaunchStatus status(cudaError_t e, const char* call) {
  return e == cudaSuccess ? LaunchStatus{} : LaunchStatus{e, call};
}

#define GNK_TRY(expr)                       \
  do {                                     \
    const ::gradnode::cuda::LaunchStatus s_ = (expr); \
    if (!s_.ok()) return s_;               \
  } while (0)

/**
 * Stream-ordered device scratch from the caching allocator (allocator.h: the
 * pool, on the default stream), freed when the object goes out of scope; the
 * free is ordered after the kernels that use it, so it needs no
 * synchronization. Counted in the allocator's stats while it lives.
 */
class Scratch {
 public:
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() { release(); }

  LaunchStatus allocate(size_t bytes) {
    release();
    if (bytes == 0) return {};
    const char* call = "deviceAlloc (scratch)";
    const cudaError_t e = deviceAlloc(&ptr_, bytes, &call);
    if (e != cudaSuccess) {
      ptr_ = nullptr;
      return {e, call};
    }
    bytes_ = bytes;
    return {};
  }

  template <class U>
  U* as() const { return static_cast<U*>(ptr_); }

 private:
  void release() {
    if (!ptr_) return;
    // Errors while freeing scratch cannot be reported from a destructor (and
    // deviceFree clears them); a failing device surfaces at the next checked call.
    deviceFree(ptr_, bytes_);
    ptr_ = nullptr;
    bytes_ = 0;
  }

  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

// ---- reductions -------------------------------------------------------------

struct SumOp {
  template <class A>
  __device__ static A combine(A a, A b) { return a + b; }
};

/** Warp-wide combine with a fixed butterfly: every lane ends with the same value. */
template <class Op, class A>
__device__ inline A warpAllReduce(A v) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    v = Op::combine(v, __shfl_xor_sync(0xffffffffu, v, offset));
  }
  return v;
}

/**
 * Block-wide reduction (blockDim.x a multiple of 32, at most 1024): each warp
 * reduces with a fixed butterfly, then warp results are combined in warp
 * order by every thread, so every thread returns the same value. `shared`
 * holds 32 entries. Contains __syncthreads: every thread must call it.
 */
template <class Op, class A>
__device__ inline A blockAllReduce(A v, A* shared) {
  v = warpAllReduce<Op>(v);
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int warps = blockDim.x >> 5;
  __syncthreads();  // shared may still be read by a previous call
  if (lane == 0) shared[warp] = v;
  __syncthreads();
  A r = shared[0];
  for (int w = 1; w < warps; ++w) r = Op::combine(r, shared[w]);
  return r;
}

/** Threads per row for a row-wise kernel over rows of n elements (a multiple of 32). */
inline int rowThreads(int64_t n) {
  if (n <= 256) return 32;
  if (n <= 2048) return 128;
  if (n <= 8192) return 256;
  return 512;
}

}  // namespace gradnode::cuda::kdetail

// ---- deterministic column sums ----------------------------------------------

namespace gradnode::cuda::kdetail {

constexpr int kColTile = 32;   // columns per block (threadIdx.x)
constexpr int kColLanes = 8;   // row lanes per block (threadIdx.y)

/**
 * Row chunking of a column reduction over an m×n matrix: `chunks` blocks
 * along the rows, each covering `rows` consecutive rows. A function of (m, n)
 * only, so the summation order (and the result) does not depend on the GPU.
 */
struct ColumnPlan {
  int64_t rows = 1;
  int64_t chunks = 1;
};

inline ColumnPlan columnPlan(int64_t m, int64_t n) {
  ColumnPlan p;
  const int64_t tiles = (n + kColTile - 1) / kColTile;
  int64_t want = 1024 / (tiles > 0 ? tiles : 1);           // aim at ~1024 blocks in all
  const int64_t byRows = (m + 63) / 64;                      // but at least 64 rows per block
  if (want > byRows) want = byRows;
  if (want > 4096) want = 4096;
  if (want < 1) want = 1;
  p.rows = (m + want - 1) / want;
  if (p.rows < 1) p.rows = 1;
  p.chunks = m > 0 ? (m + p.rows - 1) / p.rows : 1;
  return p;
}

/**
 * Column sums of K derived quantities: F::operator()(i, j, double v[K])
 * gives the K values of element (i, j). Block (kColTile, kColLanes), grid
 * (ceil(n / kColTile), chunks). With one chunk the sums go straight to out[k]
 * (rounded to T, skipped when null); otherwise to partial[(k·chunks + c)·n + j]
 * for columnFinalKernel.
 */
template <class T, int K, class F>
__global__ void columnPartialsKernel(int64_t m, int64_t n, int64_t rowsPerChunk, F f, double* partial,
                                     T* out0, T* out1) {
  __shared__ double sh[K][kColLanes][kColTile + 1];
  const int64_t j = int64_t(blockIdx.x) * kColTile + threadIdx.x;
  const int64_t i0 = int64_t(blockIdx.y) * rowsPerChunk;
  int64_t i1 = i0 + rowsPerChunk;
  if (i1 > m) i1 = m;
  double acc[K];
#pragma unroll
  for (int k = 0; k < K; ++k) acc[k] = 0.0;
  if (j < n) {
    for (int64_t i = i0 + threadIdx.y; i < i1; i += kColLanes) {
      double v[K];
      f(i, j, v);
#pragma unroll
      for (int k = 0; k < K; ++k) acc[k] += v[k];
    }
  }
#pragma unroll
  for (int k = 0; k < K; ++k) sh[k][threadIdx.y][threadIdx.x] = acc[k];
  __syncthreads();
  if (threadIdx.y == 0 && j < n) {
#pragma unroll
    for (int k = 0; k < K; ++k) {
      double s = sh[k][0][threadIdx.x];
      for (int y = 1; y < kColLanes; ++y) s += sh[k][y][threadIdx.x];
      if (gridDim.y == 1) {
        T* o = k == 0 ? out0 : out1;
        if (o) o[j] = static_cast<T>(s);
      } else {
        partial[(int64_t(k) * gridDim.y + blockIdx.y) * n + j] = s;
      }
    }
  }
}

/** out_k[j] = Σ_c partial[(k·chunks + c)·n + j], in c order. */
template <class T, int K>
__global__ void columnFinalKernel(int64_t n, int64_t chunks, const double* partial, T* out0, T* out1) {
  for (int64_t j = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; j < n; j += int64_t(gridDim.x) * blockDim.x) {
#pragma unroll
    for (int k = 0; k < K; ++k) {
      T* o = k == 0 ? out0 : out1;
      if (!o) continue;
      const double* p = partial + int64_t(k) * chunks * n + j;
      double s = 0.0;
      for (int64_t c = 0; c < chunks; ++c) s += p[c * n];
      o[j] = static_cast<T>(s);
    }
  }
}

/** Runs the column sums of F over an m×n matrix into out0 (and out1 when K = 2); n >= 1. */
template <class T, int K, class F>
LaunchStatus columnSums(int64_t m, int64_t n, F f, T* out0, T* out1, const char* name) {
  const ColumnPlan plan = columnPlan(m, n);
  Scratch partial;
  if (plan.chunks > 1) {
    GNK_TRY(partial.allocate(sizeof(double) * size_t(K) * size_t(plan.chunks) * size_t(n)));
  }
  const dim3 block(kColTile, kColLanes);
  const dim3 grid(static_cast<unsigned>((n + kColTile - 1) / kColTile), static_cast<unsigned>(plan.chunks));
  columnPartialsKernel<T, K, F><<<grid, block>>>(m, n, plan.rows, f, partial.as<double>(), out0, out1);
  GNK_TRY(afterLaunch(name));
  if (plan.chunks > 1) {
    columnFinalKernel<T, K><<<gridFor(n), kThreads>>>(n, plan.chunks, partial.as<double>(), out0, out1);
    GNK_TRY(afterLaunch("columnFinalKernel"));
  }
  return {};
}

}  // namespace gradnode::cuda::kdetail

// ---- argmax pairs -------------------------------------------------------------

namespace gradnode::cuda::kdetail {

/**
 * Whether candidate (value a, index ia) should be preferred over (b, ib) in an
 * argmax over a set visited in any order: a NaN beats every number, a larger
 * value beats a smaller one, and among equal values (or two NaNs) the smaller
 * index wins. An index < 0 marks "no element" and always loses. This gives the
 * sequential answer of ops.h's beats() (first index of the maximum, NaN the
 * maximum) whatever the combination order.
 */
template <class T>
__device__ inline bool preferArg(T a, int64_t ia, T b, int64_t ib) {
  if (ia < 0) return false;
  if (ib < 0) return true;
  const bool an = a != a, bn = b != b;
  if (an || bn) return an && bn ? ia < ib : an;
  if (a != b) return a > b;
  return ia < ib;
}

/** Block-wide argmax of (v, i) pairs (see preferArg); every thread gets the result. Syncs. */
template <class T>
__device__ inline void blockArgmax(T& v, int64_t& idx, T* shV, int64_t* shI) {
#pragma unroll
  for (int offset = 16; offset > 0; offset >>= 1) {
    const T ov = __shfl_xor_sync(0xffffffffu, v, offset);
    const int64_t oi = __shfl_xor_sync(0xffffffffu, idx, offset);
    if (preferArg(ov, oi, v, idx)) {
      v = ov;
      idx = oi;
    }
  }
  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int warps = blockDim.x >> 5;
  __syncthreads();
  if (lane == 0) {
    shV[warp] = v;
    shI[warp] = idx;
  }
  __syncthreads();
  v = shV[0];
  idx = shI[0];
  for (int w = 1; w < warps; ++w) {
    if (preferArg(shV[w], shI[w], v, idx)) {
      v = shV[w];
      idx = shI[w];
    }
  }
}

/** out[0] = Σ values[0..count) in double (one block, fixed order). */
template <class D>
__global__ void sumValuesKernel(int64_t count, const D* values, D* out) {
  __shared__ D sh[32];
  D s = 0;
  for (int64_t k = threadIdx.x; k < count; k += blockDim.x) s += values[k];
  s = blockAllReduce<SumOp>(s, sh);
  if (threadIdx.x == 0) out[0] = s;
}

}  // namespace gradnode::cuda::kdetail

namespace gradnode::cuda::kdetail {

/** A quiet NaN of T in device code (std::numeric_limits is host-only without --expt-relaxed-constexpr). */
template <class T>
__device__ inline T deviceNaN() {
  if constexpr (sizeof(T) == 4) return __int_as_float(0x7fc00000);
  else return __longlong_as_double(0x7ff8000000000000LL);
}

}  // namespace gradnode::cuda::kdetail

namespace gradnode::cuda::kdetail {

/** +Infinity of T in device code. */
template <class T>
__device__ inline T deviceInf() {
  if constexpr (sizeof(T) == 4) return __int_as_float(0x7f800000);
  else return __longlong_as_double(0x7ff0000000000000LL);
}

}  // namespace gradnode::cuda::kdetail
