// Reductions over the middle axis of x viewed as outer×n×inner
// (native/cpu/reduce.cc on the device): sum (double accumulators), max / min
// (Math.max / Math.min: NaN propagates, +0 above -0), argmax (first index of
// the maximum, NaN the maximum). n = 0 gives 0, -Infinity, +Infinity.
//
// Every reduction combines in an order fixed by the sizes (no atomics):
// - inner = 1 (rows): one block per row (32..512 threads by n), a fixed
//   shuffle tree then the warps in order. Long rows with few of them
//   (n > 32768, outer < 1024) are cut into chunks of 8192: one block per
//   (row, chunk) writes a partial, and a second launch reduces the partials.
// - inner > 1 (columns): blocks of 32 inner positions × 8 lanes over the
//   n axis, row chunks planned from the sizes alone (kernel_util.cuh's
//   columnPlan), partials in the accumulator type, then a second launch over
//   the chunks when there is more than one.
// - argmax: one block per row for inner = 1, else one thread per output
//   scanning its n entries in order (ops.h's beats()); the index array comes
//   back to the host through the entry point (a host Int32Array).
#include <cuda_runtime.h>

#include <cstdint>

#include "common/ops.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gradnode::cuda {
namespace {

using namespace kdetail;

constexpr int64_t kMaxRowBlocks = int64_t{1} << 20;
constexpr int64_t kRowChunk = 8192;

struct MaxOp {
  template <class A>
  __device__ static A combine(A a, A b) { return jsMax(a, b); }
};
struct MinOp {
  template <class A>
  __device__ static A combine(A a, A b) { return jsMin(a, b); }
};

/** The accumulator type and identity of each op. */
template <class T, int Op>
struct Acc;
template <class T>
struct Acc<T, kSum> {
  using type = double;
  using op = SumOp;
  __device__ static double identity() { return 0.0; }
};
template <class T>
struct Acc<T, kMaxReduce> {
  using type = T;
  using op = MaxOp;
  __device__ static T identity() { return -deviceInf<T>(); }
};
template <class T>
struct Acc<T, kMinReduce> {
  using type = T;
  using op = MinOp;
  __device__ static T identity() { return deviceInf<T>(); }
};

/**
 * Row reduction: block b reduces chunk (b mod chunks) of row (b / chunks),
 * elements [c·chunkLen, min(n, (c + 1)·chunkLen)), into out[b].
 */
template <class T, int Op, class In, class Out>
__global__ void reduceRowsKernel(int64_t blocks, int64_t n, int64_t chunks, int64_t chunkLen, const In* x, Out* out) {
  using A = typename Acc<T, Op>::type;
  using C = typename Acc<T, Op>::op;
  __shared__ A sh[32];
  for (int64_t b = blockIdx.x; b < blocks; b += gridDim.x) {
    const int64_t row = b / chunks, c = b - row * chunks;
    const int64_t start = c * chunkLen;
    int64_t end = start + chunkLen;
    if (end > n) end = n;
    const In* xr = x + row * n;
    A acc = Acc<T, Op>::identity();
    for (int64_t j = start + threadIdx.x; j < end; j += blockDim.x) acc = C::combine(acc, static_cast<A>(xr[j]));
    acc = blockAllReduce<C>(acc, sh);
    if (threadIdx.x == 0) out[b] = static_cast<Out>(acc);
  }
}

/**
 * Column reduction over outer×n×inner: block (32, 8); blockIdx.x walks
 * (o, tile) pairs, blockIdx.y is the chunk of the n axis. One chunk: out is
 * outer×inner; several: out is the partial array outer×chunks×inner.
 */
template <class T, int Op, class In, class Out>
__global__ void reduceColumnsKernel(int64_t outer, int64_t n, int64_t inner, int64_t rowsPerChunk, const In* x,
                                    Out* out) {
  using A = typename Acc<T, Op>::type;
  using C = typename Acc<T, Op>::op;
  __shared__ A sh[kColLanes][kColTile + 1];
  const int64_t tiles = (inner + kColTile - 1) / kColTile;
  const int64_t pairs = outer * tiles;
  const int64_t k0 = int64_t(blockIdx.y) * rowsPerChunk;
  int64_t k1 = k0 + rowsPerChunk;
  if (k1 > n) k1 = n;
  for (int64_t p = blockIdx.x; p < pairs; p += gridDim.x) {
    const int64_t o = p / tiles, tile = p - o * tiles;
    const int64_t j = tile * kColTile + threadIdx.x;
    A acc = Acc<T, Op>::identity();
    if (j < inner) {
      const In* base = x + o * n * inner + j;
      for (int64_t k = k0 + threadIdx.y; k < k1; k += kColLanes) acc = C::combine(acc, static_cast<A>(base[k * inner]));
    }
    __syncthreads();  // sh may still be read for the previous pair
    sh[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && j < inner) {
      A s = sh[0][threadIdx.x];
      for (int y = 1; y < kColLanes; ++y) s = C::combine(s, sh[y][threadIdx.x]);
      out[(o * gridDim.y + blockIdx.y) * inner + j] = static_cast<Out>(s);
    }
  }
}

template <class T, int Op>
LaunchStatus reduceRows(int64_t outer, int64_t n, const T* x, T* out) {
  using A = typename Acc<T, Op>::type;
  const int64_t chunks = (n > 32768 && outer < 1024) ? (n + kRowChunk - 1) / kRowChunk : 1;
  if (chunks == 1) {
    const int64_t blocks = outer;
    reduceRowsKernel<T, Op, T, T><<<static_cast<unsigned>(blocks < kMaxRowBlocks ? blocks : kMaxRowBlocks),
                                    rowThreads(n)>>>(blocks, n, 1, n > 0 ? n : 1, x, out);
    return afterLaunch("reduceRowsKernel");
  }
  Scratch partial;
  GNK_TRY(partial.allocate(sizeof(A) * size_t(outer) * size_t(chunks)));
  const int64_t blocks = outer * chunks;
  reduceRowsKernel<T, Op, T, A><<<static_cast<unsigned>(blocks < kMaxRowBlocks ? blocks : kMaxRowBlocks), 256>>>(
      blocks, n, chunks, kRowChunk, x, partial.as<A>());
  GNK_TRY(afterLaunch("reduceRowsKernel"));
  reduceRowsKernel<T, Op, A, T><<<static_cast<unsigned>(outer < kMaxRowBlocks ? outer : kMaxRowBlocks),
                                  rowThreads(chunks)>>>(outer, chunks, 1, chunks, partial.as<A>(), out);
  return afterLaunch("reduceRowsKernel (partials)");
}

inline unsigned pairGrid(int64_t outer, int64_t inner) {
  const int64_t pairs = outer * ((inner + kColTile - 1) / kColTile);
  return static_cast<unsigned>(pairs < kMaxRowBlocks ? (pairs > 0 ? pairs : 1) : kMaxRowBlocks);
}

template <class T, int Op>
LaunchStatus reduceColumns(int64_t outer, int64_t n, int64_t inner, const T* x, T* out) {
  using A = typename Acc<T, Op>::type;
  const ColumnPlan plan = columnPlan(n, outer * inner);
  const dim3 block(kColTile, kColLanes);
  if (plan.chunks == 1) {
    reduceColumnsKernel<T, Op, T, T><<<dim3(pairGrid(outer, inner), 1), block>>>(outer, n, inner,
                                                                               n > 0 ? n : 1, x, out);
    return afterLaunch("reduceColumnsKernel");
  }
  Scratch partial;
  GNK_TRY(partial.allocate(sizeof(A) * size_t(outer) * size_t(plan.chunks) * size_t(inner)));
  reduceColumnsKernel<T, Op, T, A><<<dim3(pairGrid(outer, inner), static_cast<unsigned>(plan.chunks)), block>>>(
      outer, n, inner, plan.rows, x, partial.as<A>());
  GNK_TRY(afterLaunch("reduceColumnsKernel"));
  reduceColumnsKernel<T, Op, A, T><<<dim3(pairGrid(outer, inner), 1), block>>>(outer, plan.chunks, inner,
                                                                             plan.chunks, partial.as<A>(), out);
  return afterLaunch("reduceColumnsKernel (partials)");
}

template <class T, int Op>
LaunchStatus reduceRun(int64_t outer, int64_t n, int64_t inner, const T* x, T* out) {
  return inner == 1 ? reduceRows<T, Op>(outer, n, x, out) : reduceColumns<T, Op>(outer, n, inner, x, out);
}

template <class T>
__global__ void argmaxRowsKernel(int64_t outer, int64_t n, const T* x, int32_t* out) {
  __shared__ T shV[32];
  __shared__ int64_t shI[32];
  for (int64_t o = blockIdx.x; o < outer; o += gridDim.x) {
    const T* row = x + o * n;
    T best = T(0);
    int64_t index = -1;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      if (preferArg(row[j], j, best, index)) {
        best = row[j];
        index = j;
      }
    }
    blockArgmax(best, index, shV, shI);
    if (threadIdx.x == 0) out[o] = static_cast<int32_t>(index);
  }
}

template <class T>
__global__ void argmaxColumnsKernel(int64_t outer, int64_t n, int64_t inner, const T* x, int32_t* out) {
  const int64_t total = outer * inner;
  for (int64_t p = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; p < total; p += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = p / inner, i = p - o * inner;
    const T* base = x + o * n * inner + i;
    T best = base[0];
    int32_t index = 0;
    for (int64_t k = 1; k < n; ++k) {
      const T v = base[k * inner];
      if (beats(v, best)) {
        best = v;
        index = static_cast<int32_t>(k);
      }
    }
    out[p] = index;
  }
}

}  // namespace

template <class T>
LaunchStatus launchReduce(int op, int64_t outer, int64_t n, int64_t inner, const T* x, T* out) {
  if (outer == 0 || inner == 0) return {};
  switch (op) {
    case kSum: return reduceRun<T, kSum>(outer, n, inner, x, out);
    case kMaxReduce: return reduceRun<T, kMaxReduce>(outer, n, inner, x, out);
    default: return reduceRun<T, kMinReduce>(outer, n, inner, x, out);
  }
}

template <class T>
LaunchStatus launchArgmax(int64_t outer, int64_t n, int64_t inner, const T* x, int32_t* out) {
  if (outer == 0 || inner == 0 || n == 0) return {};
  if (inner == 1) {
    argmaxRowsKernel<T><<<static_cast<unsigned>(outer < kMaxRowBlocks ? outer : kMaxRowBlocks), rowThreads(n)>>>(
        outer, n, x, out);
    return afterLaunch("argmaxRowsKernel");
  }
  argmaxColumnsKernel<T><<<gridFor(outer * inner), kThreads>>>(outer, n, inner, x, out);
  return afterLaunch("argmaxColumnsKernel");
}

#define GN_INSTANTIATE(T)                                                                       \
  template LaunchStatus launchReduce<T>(int, int64_t, int64_t, int64_t, const T*, T*);        \
  template LaunchStatus launchArgmax<T>(int64_t, int64_t, int64_t, const T*, int32_t*);
GN_INSTANTIATE(float)
GN_INSTANTIATE(double)
#undef GN_INSTANTIATE

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
#include "common/checks/reduce.h"
#include "cuda/families.h"
#include "cuda/kernel_entry.h"

namespace gradnode::cuda {
namespace {

template <class T>
void reduceTyped(CudaArgs& args, int op, int64_t outer, int64_t n, int64_t inner) {
  ArrayView<T> x = args.device<T>(4, "x");
  ArrayView<T> out = args.device<T>(5, "out");
  checkReduce(args, outer, n, inner, x, out);
  throwIfFailed(args, launchReduce<T>(op, outer, n, inner, x.data, out.data));
}

template <class T>
void argmaxTyped(CudaArgs& args, int64_t outer, int64_t n, int64_t inner) {
  ArrayView<T> x = args.device<T>(3, "x");
  ArrayView<int32_t> out = args.int32s(4, "out");  // host, read after the DeviceArray
  checkReduce(args, outer, n, inner, x, out, /*checkOverlap=*/false);
  if (out.used == 0) return;
  int32_t* dev = args.scratchInt32s(1, out.used);
  throwIfFailed(args, launchArgmax<T>(outer, n, inner, x.data, dev));
  ArrayView<int32_t> used = out;
  used.length = out.used;  // exactly outer×inner entries
  args.downloadInt32s(dev, used);
}

}  // namespace

// reduce(op, outer, n, inner, x, out)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "reduce", 6);
  const ReduceParams p = readReduceParams(args);
  args.byFloatType(4, "x", [&](auto t) { reduceTyped<decltype(t)>(args, p.op, p.outer, p.n, p.inner); });
  return info.Env().Undefined();
}

// argmax(outer, n, inner, x, out: host Int32Array)
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "argmax", 5);
  const ReduceParams p = readArgmaxParams(args);
  args.byFloatType(3, "x", [&](auto t) { argmaxTyped<decltype(t)>(args, p.outer, p.n, p.inner); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
