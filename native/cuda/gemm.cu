// gemm: C = alpha * op(A) * op(B) + beta * C on the device, row-major, with
// the cpu addon's argument checks. Two implementations:
//
// - cuBLAS, loaded at run time with dlopen (no link-time dependency, so the
//   addon builds and loads where cuBLAS is absent): $GRADNODE_CUBLAS (a file)
//   first, then libcublas.so.13, .so.12, .so.11, .so. Row-major C (m×n, ldc)
//   is column-major Cᵀ, so C = op(A) op(B) is computed as
//   Cᵀ = op(B)ᵀ op(A)ᵀ: cublas?gemm(opB, opA, n, m, k, alpha, B, ldb, A, lda,
//   beta, C, ldc). cuBLAS does not read C when beta = 0, so NaNs in C vanish.
// - "tiled", our own shared-memory kernel (the fallback, and what setGemm('tiled')
//   forces): block tiles of BM×BN over K in steps of BK, double-buffered in
//   shared memory with the next tile prefetched into registers, each thread
//   accumulating a TM×TN register block (float: 128×128×8 tiles, 8×8 per
//   thread; double and small products: 64×64×8, 4×4 per thread). Edges are
//   bounds-checked (zeros are loaded outside A and B, C is written only
//   inside); any lda/ldb/ldc and any alignment work. beta = 0 writes without
//   reading C.
//
// k = 0 or alpha = 0 scales C by beta (zeros for beta = 0) without reading A or
// B; m = 0 or n = 0 does nothing.
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "cuda/gemm.h"

namespace gradnode::cuda {
namespace {

constexpr int kScaleBlock = 256;

/** Blocks for a grid-stride loop over n elements (at least 1, at most 2^20). */
inline unsigned scaleBlocksFor(int64_t n) {
  int64_t b = (n + kScaleBlock - 1) / kScaleBlock;
  return static_cast<unsigned>(b < 1 ? 1 : b > (int64_t(1) << 20) ? (int64_t(1) << 20) : b);
}

// ------------------------------------------------------------ cuBLAS ----

// The few cuBLAS types and entry points used, declared here (no cublas_v2.h needed).
using cublasHandle = void*;
using CreateFn = int (*)(cublasHandle*);
using DestroyFn = int (*)(cublasHandle);
using SgemmFn = int (*)(cublasHandle, int, int, int, int, int, const float*, const float*, int, const float*,
                        int, const float*, float*, int);
using DgemmFn = int (*)(cublasHandle, int, int, int, int, int, const double*, const double*, int,
                        const double*, int, const double*, double*, int);
using StatusStringFn = const char* (*)(int);
constexpr int kOpN = 0, kOpT = 1;  // CUBLAS_OP_N, CUBLAS_OP_T

struct Cublas {
  CublasState state;
  void* library = nullptr;
  cublasHandle handle = nullptr;
  CreateFn create = nullptr;
  DestroyFn destroy = nullptr;  // resolved but not called: the handle lives until the process exits
  SgemmFn sgemm = nullptr;
  DgemmFn dgemm = nullptr;
  StatusStringFn statusString = nullptr;
};

Cublas& cublas() {
  static Cublas c;
  return c;
}

std::string statusText(int status) {
  const Cublas& c = cublas();
  const char* s = c.statusString ? c.statusString(status) : nullptr;
  return s ? std::string(s) + " (" + std::to_string(status) + ")" : "cuBLAS status " + std::to_string(status);
}

std::atomic<bool> loadedFlag{false};

void loadCublas() {
  Cublas& c = cublas();
  std::vector<std::string> candidates;
  const char* env = std::getenv("GRADNODE_CUBLAS");
  if (env && *env) candidates.push_back(env);
  for (const char* name : {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"}) {
    candidates.push_back(name);
  }
  std::string tried;
  for (const std::string& name : candidates) {
    dlerror();
    void* lib = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* e = dlerror();
      tried += (tried.empty() ? "" : "; ") + (e ? std::string(e) : name + ": not found");
      continue;
    }
    auto sym = [&](const char* s) { return dlsym(lib, s); };
    c.create = reinterpret_cast<CreateFn>(sym("cublasCreate_v2"));
    c.destroy = reinterpret_cast<DestroyFn>(sym("cublasDestroy_v2"));
    c.sgemm = reinterpret_cast<SgemmFn>(sym("cublasSgemm_v2"));
    c.dgemm = reinterpret_cast<DgemmFn>(sym("cublasDgemm_v2"));
    c.statusString = reinterpret_cast<StatusStringFn>(sym("cublasGetStatusString"));  // optional (11.4+)
    c.state.path = name;
    if (!c.create || !c.sgemm || !c.dgemm) {
      tried += (tried.empty() ? "" : "; ") + name + " lacks cublasCreate_v2/cublasSgemm_v2/cublasDgemm_v2";
      dlclose(lib);
      c.create = nullptr;
      c.destroy = nullptr;
      c.sgemm = nullptr;
      c.dgemm = nullptr;
      c.statusString = nullptr;
      continue;  // e.g. a wrong $GRADNODE_CUBLAS: the standard names may still load
    }
    int status = c.create(&c.handle);
    if (status != 0) {
      c.state.reason = name + ": cublasCreate failed: " + statusText(status);
      c.handle = nullptr;
      return;  // the library stays loaded (statusString may be in use); gemm uses the tiled kernel
    }
    c.library = lib;
    c.state.loaded = true;
    loadedFlag = true;
    c.state.reason.clear();
    return;
  }
  c.state.reason = "cuBLAS not found (tried " + tried + ")";
}

// ------------------------------------------------------------- tiled ----

template <class T, int BM, int BN, int BK, int TM, int TN>
struct Tile {
  static constexpr int kThreads = (BM / TM) * (BN / TN);
  static constexpr int kLoadA = BM * BK / kThreads;  // elements of A each thread loads per K step
  static constexpr int kLoadB = BN * BK / kThreads;
  static constexpr int kPad = 4;                     // keeps the transposed stores free of bank conflicts
  static_assert(BM * BK % kThreads == 0 && BN * BK % kThreads == 0, "tile loads divide evenly");
  static_assert(TM % 4 == 0 && TN % 4 == 0, "register blocks are made of 4-wide strips");
};

/**
 * One BM×BN block of C per thread block. Thread (ty, tx) owns rows
 * ty*4 + h*(BM/(TM/4)) + {0..3} for h < TM/4 and likewise columns: 4-wide
 * strips spread over the tile, so a warp's shared-memory reads are
 * broadcasts or contiguous 16-byte vectors.
 */
template <class T, int BM, int BN, int BK, int TM, int TN, int MinBlocks = 1>
__global__ void __launch_bounds__((BM / TM) * (BN / TN), MinBlocks)
    tiledGemmKernel(bool transA, bool transB, int m, int n, int k, T alpha, const T* __restrict__ a, int64_t lda,
                    const T* __restrict__ b, int64_t ldb, T beta, T* __restrict__ c, int64_t ldc) {
  using P = Tile<T, BM, BN, BK, TM, TN>;
  constexpr int kThreads = P::kThreads;
  constexpr int kStridesM = TM / 4, kStridesN = TN / 4;
  constexpr int kRowStep = BM / kStridesM, kColStep = BN / kStridesN;
  constexpr int kLdA = BM + P::kPad, kLdB = BN + P::kPad;
  __shared__ __align__(16) T As[2][BK][kLdA];
  __shared__ __align__(16) T Bs[2][BK][kLdB];

  const int tid = threadIdx.x;
  const int tx = tid % (BN / TN), ty = tid / (BN / TN);
  // 64-bit: rowBase + BM (and k0 + BK) may pass 2^31 - 1 when m (k) is close to it.
  const int64_t rowBase = int64_t(blockIdx.x) * BM, colBase = int64_t(blockIdx.y) * BN;  // rows in x: m may be large

  // Where each thread's loads land in the tile (fixed over K).
  int aRow[P::kLoadA], aK[P::kLoadA], bCol[P::kLoadB], bK[P::kLoadB];
#pragma unroll
  for (int r = 0; r < P::kLoadA; ++r) {
    const int e = tid + r * kThreads;
    if (transA) {  // A stored k×m: consecutive threads read consecutive rows of op(A) = columns of A
      aRow[r] = e % BM;
      aK[r] = e / BM;
    } else {       // A stored m×k: consecutive threads read along k
      aRow[r] = e / BK;
      aK[r] = e % BK;
    }
  }
#pragma unroll
  for (int r = 0; r < P::kLoadB; ++r) {
    const int e = tid + r * kThreads;
    if (transB) {  // B stored n×k
      bCol[r] = e / BK;
      bK[r] = e % BK;
    } else {       // B stored k×n
      bCol[r] = e % BN;
      bK[r] = e / BN;
    }
  }

  T ra[P::kLoadA], rb[P::kLoadB];
  auto loadGlobal = [&](int64_t k0) {
#pragma unroll
    for (int r = 0; r < P::kLoadA; ++r) {
      const int64_t i = rowBase + aRow[r], p = k0 + aK[r];
      ra[r] = (i < m && p < k) ? a[transA ? p * lda + i : i * lda + p] : T(0);
    }
#pragma unroll
    for (int r = 0; r < P::kLoadB; ++r) {
      const int64_t j = colBase + bCol[r], p = k0 + bK[r];
      rb[r] = (j < n && p < k) ? b[transB ? j * ldb + p : p * ldb + j] : T(0);
    }
  };
  auto storeShared = [&](int buf) {
#pragma unroll
    for (int r = 0; r < P::kLoadA; ++r) As[buf][aK[r]][aRow[r]] = ra[r];
#pragma unroll
    for (int r = 0; r < P::kLoadB; ++r) Bs[buf][bK[r]][bCol[r]] = rb[r];
  };

  T acc[TM][TN];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TN; ++j) acc[i][j] = T(0);

  loadGlobal(0);
  storeShared(0);
  __syncthreads();

  int buf = 0;
  for (int64_t k0 = 0; k0 < k; k0 += BK) {
    const bool more = k0 + BK < k;
    if (more) loadGlobal(k0 + BK);  // in flight while this tile is multiplied
#pragma unroll
    for (int kk = 0; kk < BK; ++kk) {
      T fa[TM], fb[TN];
#pragma unroll
      for (int h = 0; h < kStridesM; ++h)
#pragma unroll
        for (int q = 0; q < 4; ++q) fa[h * 4 + q] = As[buf][kk][ty * 4 + h * kRowStep + q];
#pragma unroll
      for (int h = 0; h < kStridesN; ++h)
#pragma unroll
        for (int q = 0; q < 4; ++q) fb[h * 4 + q] = Bs[buf][kk][tx * 4 + h * kColStep + q];
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j) acc[i][j] = fma(fa[i], fb[j], acc[i][j]);
    }
    if (more) {
      // The other buffer was last read before the previous __syncthreads, so it is free.
      storeShared(buf ^ 1);
      __syncthreads();
      buf ^= 1;
    }
  }

#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const int64_t row = rowBase + ty * 4 + (i / 4) * kRowStep + (i % 4);
    if (row >= m) continue;
    T* cRow = c + row * ldc;
#pragma unroll
    for (int j = 0; j < TN; ++j) {
      const int64_t col = colBase + tx * 4 + (j / 4) * kColStep + (j % 4);
      if (col >= n) continue;
      const T v = alpha * acc[i][j];
      cRow[col] = beta == T(0) ? v : fma(beta, cRow[col], v);
    }
  }
}

/** C = beta * C (the k = 0 product); beta = 0 stores zeros. */
template <class T>
__global__ void scaleMatrixKernel(int m, int n, T beta, T* c, int64_t ldc) {
  const int64_t total = int64_t(m) * n;
  for (int64_t e = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; e < total; e += int64_t(gridDim.x) * blockDim.x) {
    T* p = c + (e / n) * ldc + e % n;
    *p = beta == T(0) ? T(0) : beta * *p;
  }
}

template <class T, int BM, int BN, int BK, int TM, int TN, int MinBlocks = 1>
LaunchStatus launchTiled(bool transA, bool transB, int m, int n, int k, T alpha, const T* a, int64_t lda,
                         const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  using P = Tile<T, BM, BN, BK, TM, TN>;
  const int64_t blocksM = (int64_t(m) + BM - 1) / BM, blocksN = (int64_t(n) + BN - 1) / BN;  // m + BM may pass 2^31
  if (blocksN > 65535) return {cudaErrorInvalidConfiguration, "tiledGemmKernel launch (n too large)"};
  dim3 grid(static_cast<unsigned>(blocksM), static_cast<unsigned>(blocksN));
  tiledGemmKernel<T, BM, BN, BK, TM, TN, MinBlocks><<<grid, P::kThreads>>>(transA, transB, m, n, k, alpha, a, lda, b,
                                                                            ldb, beta, c, ldc);
  cudaError_t e = cudaGetLastError();
  return {e, e == cudaSuccess ? nullptr : "tiledGemmKernel launch"};
}

int multiprocessors() {
  static int count = [] {
    int device = 0, sms = 0;
    if (cudaGetDevice(&device) != cudaSuccess ||
        cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device) != cudaSuccess) {
      cudaGetLastError();
      return 100;
    }
    return sms;
  }();
  return count;
}

LaunchStatus tiledGemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int64_t lda,
                       const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  // 128×128 tiles when there are enough of them to fill the GPU, else 64×64.
  const int64_t bigTiles = ((int64_t(m) + 127) / 128) * ((int64_t(n) + 127) / 128);  // m + 127 may pass 2^31 - 1
  if (bigTiles >= 2 * multiprocessors()) {
    return launchTiled<float, 128, 128, 8, 8, 8>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  return launchTiled<float, 64, 64, 8, 4, 4>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

LaunchStatus tiledGemm(bool transA, bool transB, int m, int n, int k, double alpha, const double* a, int64_t lda,
                       const double* b, int64_t ldb, double beta, double* c, int64_t ldc) {
  return launchTiled<double, 64, 64, 8, 4, 4>(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#ifdef GRADNODE_CUDA_NO_NAPI
// Other shapes of the float kernel, for the driver to check and time against
// the addon's two (not compiled into the addon).
using TiledLaunch = LaunchStatus (*)(bool, bool, int, int, int, float, const float*, int64_t, const float*, int64_t,
                                     float, float*, int64_t);
struct TiledVariant {
  const char* name;
  TiledLaunch launch;
};
const TiledVariant kTiledVariants[] = {
    {"128x128x8 (the addon's big tiles)", &launchTiled<float, 128, 128, 8, 8, 8>},
    {"128x128x8, 2 blocks/SM", &launchTiled<float, 128, 128, 8, 8, 8, 2>},
    {"128x128x16", &launchTiled<float, 128, 128, 16, 8, 8>},
    {"128x128x16, 2 blocks/SM", &launchTiled<float, 128, 128, 16, 8, 8, 2>},
    {"64x64x8 (the addon's small tiles)", &launchTiled<float, 64, 64, 8, 4, 4>},
};
#endif

int cublasGemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
               int ldb, float beta, float* c, int ldc) {
  const Cublas& cb = cublas();
  return cb.sgemm(cb.handle, transB ? kOpT : kOpN, transA ? kOpT : kOpN, n, m, k, &alpha, b, ldb, a, lda, &beta, c,
                  ldc);
}

int cublasGemm(bool transA, bool transB, int m, int n, int k, double alpha, const double* a, int lda,
               const double* b, int ldb, double beta, double* c, int ldc) {
  const Cublas& cb = cublas();
  return cb.dgemm(cb.handle, transB ? kOpT : kOpN, transA ? kOpT : kOpN, n, m, k, &alpha, b, ldb, a, lda, &beta, c,
                  ldc);
}

std::string lastCublas;  // launchGemm's last cuBLAS failure

}  // namespace

#ifdef GRADNODE_CUDA_NO_NAPI
int tiledGemmVariantCount() { return static_cast<int>(sizeof kTiledVariants / sizeof kTiledVariants[0]); }

const char* tiledGemmVariantName(int variant) { return kTiledVariants[variant].name; }

LaunchStatus launchTiledGemmVariant(int variant, bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                                    float alpha, const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                                    float* c, int64_t ldc) {
  return kTiledVariants[variant].launch(transA, transB, static_cast<int>(m), static_cast<int>(n), static_cast<int>(k),
                                        alpha, a, lda, b, ldb, beta, c, ldc);
}
#endif

const CublasState& cublasState() {
  static std::once_flag once;
  std::call_once(once, loadCublas);
  return cublas().state;
}

std::string lastCublasError() { return lastCublas; }

template <class T>
LaunchStatus launchGemm(GemmImpl impl, bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha,
                        const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  if (m == 0 || n == 0) return {};
  if (k == 0 || alpha == T(0)) {
    // C = beta * C without reading A or B (as reference BLAS and the TS reference:
    // NaN or Infinity in A or B must not reach C through 0 * x).
    if (beta == T(1)) return {};
    scaleMatrixKernel<T><<<scaleBlocksFor(m * n), kScaleBlock>>>(static_cast<int>(m), static_cast<int>(n), beta, c, ldc);
    cudaError_t e = cudaGetLastError();
    return {e, e == cudaSuccess ? nullptr : "scaleMatrixKernel launch"};
  }
  const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
  if (impl == GemmImpl::kCublas) {
    if (!cublasState().loaded) {
      lastCublas = "cuBLAS is not loaded: " + cublasState().reason;
      return {cudaErrorUnknown, sizeof(T) == 4 ? "cublasSgemm" : "cublasDgemm"};
    }
    // cuBLAS takes int leading dimensions; the checks keep them below 2^31.
    int status = cublasGemm(transA, transB, im, in, ik, alpha, a, static_cast<int>(lda), b, static_cast<int>(ldb),
                            beta, c, static_cast<int>(ldc));
    if (status != 0) {
      lastCublas = statusText(status);
      return {cudaErrorUnknown, sizeof(T) == 4 ? "cublasSgemm" : "cublasDgemm"};
    }
    return {};
  }
  return tiledGemm(transA, transB, im, in, ik, alpha, a, lda, b, ldb, beta, c, ldc);
}

template LaunchStatus launchGemm<float>(GemmImpl, bool, bool, int64_t, int64_t, int64_t, float, const float*,
                                        int64_t, const float*, int64_t, float, float*, int64_t);
template LaunchStatus launchGemm<double>(GemmImpl, bool, bool, int64_t, int64_t, int64_t, double, const double*,
                                         int64_t, const double*, int64_t, double, double*, int64_t);

}  // namespace gradnode::cuda

#ifndef GRADNODE_CUDA_NO_NAPI
// ------------------------------------------------------- N-API entry ----
#include "common/checks/gemm.h"
#include "cuda/core.h"
#include "cuda/device.h"

namespace gradnode::cuda {
namespace {

bool useCublas = true;  // setGemm's choice; the default uses cuBLAS when it loads

template <class T>
void gemmTyped(CudaArgs& args, const GemmParams& p) {
  ArrayView<T> a = args.device<T>(6, "a");
  ArrayView<T> b = args.device<T>(8, "b");
  ArrayView<T> c = args.device<T>(11, "c");
  checkGemm(args, p, a, b, c);
  if (p.n > 65535 * 64 && !(useCublas && cublasState().loaded)) {
    throw args.rangeError("n=" + std::to_string(p.n) + " is too large for the tiled gemm (at most " +
                          std::to_string(65535 * 64) + ")");
  }

  const GemmImpl impl = useCublas && p.k > 0 && p.m > 0 && p.n > 0 && cublasState().loaded ? GemmImpl::kCublas
                                                                                           : GemmImpl::kTiled;
  LaunchStatus status = launchGemm<T>(impl, p.transA, p.transB, p.m, p.n, p.k, static_cast<T>(p.alpha), a.data,
                                      p.lda, b.data, p.ldb, static_cast<T>(p.beta), c.data, p.ldc);
  if (!status.ok()) {
    if (status.call && std::strncmp(status.call, "cublas", 6) == 0) {
      throw deviceError(args.env(), std::string("gemm: ") + status.call + " failed: " + lastCublasError(), "cublasError",
                        static_cast<int>(status.error));
    }
    args.check(status.error, status.call);
  }
}

}  // namespace

const char* gemmImplName() {
  // Reports without loading cuBLAS: "cublas" only once it has been loaded.
  return useCublas && loadedFlag.load() ? "cublas" : "tiled";
}

// gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) on DeviceArrays
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "gemm", 13);
  const GemmParams p = readGemmParams(args);
  args.byFloatType(6, "a", [&](auto t) { gemmTyped<decltype(t)>(args, p); });
  return info.Env().Undefined();
}

// setGemm('cublas' | 'tiled'): 'cublas' throws when cuBLAS is not loaded (with the reason).
Napi::Value SetGemm(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "setGemm", 1);
  if (!info[0].IsString()) {
    throw args.typeError("impl must be 'cublas' or 'tiled', got " + describeValue(info.Env(), info[0]));
  }
  const std::string impl = info[0].As<Napi::String>().Utf8Value();
  if (impl == "tiled") {
    useCublas = false;
  } else if (impl == "cublas") {
    const CublasState& state = cublasState();
    if (!state.loaded) throw Napi::Error::New(info.Env(), "setGemm: cuBLAS is not loaded: " + state.reason);
    useCublas = true;
  } else {
    throw args.rangeError("impl must be 'cublas' or 'tiled', got '" + impl + "'");
  }
  return info.Env().Undefined();
}

}  // namespace gradnode::cuda
#endif  // GRADNODE_CUDA_NO_NAPI
