// The Node-free gemm launcher of the CUDA addon (gemm.cu), shared by the
// N-API entry point and the standalone driver (native/cuda/test/driver.cu,
// which compiles gemm.cu with -DGRADNODE_CUDA_NO_NAPI).
//
//   LaunchStatus s = launchGemm<float>(GemmImpl::kTiled, false, false, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
//
// Row-major C (m×n, ldc) = alpha * op(A) * op(B) + beta * C with device
// pointers; arguments must already be checked (ld >= columns, m, n, k below
// 2^31). beta = 0 never reads C. kCublas requires cublasState().loaded.
#pragma once

#include <cstdint>
#include <string>

#include "cuda/launchers.h"

namespace gradnode::cuda {

enum class GemmImpl { kCublas, kTiled };

/** Whether cuBLAS was loaded (dlopen + symbols + cublasCreate); tried once, on the first call. */
struct CublasState {
  bool loaded = false;
  std::string path;    // the library file that was loaded (or the last one that was found)
  std::string reason;  // why it is not loaded (empty when loaded)
};
const CublasState& cublasState();

/** The text of the last cuBLAS failure of launchGemm (status string and number). */
std::string lastCublasError();

/**
 * Queues the product on the default stream. On a cuBLAS failure the status is
 * {cudaErrorUnknown, "cublasSgemm"/"cublasDgemm"} and lastCublasError() says why.
 */
template <class T>
LaunchStatus launchGemm(GemmImpl impl, bool transA, bool transB, int64_t m, int64_t n, int64_t k, T alpha,
                        const T* a, int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc);

#ifdef GRADNODE_CUDA_NO_NAPI
/**
 * For the driver: other tile shapes of the float tiled kernel (0 is the
 * addon's big-tile configuration), to check them and time them against cuBLAS.
 * Same contract as launchGemm; k > 0 and alpha != 0 (no scaling path).
 */
int tiledGemmVariantCount();
const char* tiledGemmVariantName(int variant);
LaunchStatus launchTiledGemmVariant(int variant, bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                                    float alpha, const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                                    float* c, int64_t ldc);
#endif

}  // namespace gradnode::cuda
