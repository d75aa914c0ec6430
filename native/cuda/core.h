// The CUDA addon's own entry points (memory, device info, gemm) and the
// cuBLAS state shared by gemm.cu and info.cu. The kernel families of the
// other files are declared in families.h.
#pragma once

#include <napi.h>

#include <string>

#include "cuda/gemm.h"  // CublasState

namespace gradnode::cuda {

Napi::Value Alloc(const Napi::CallbackInfo& info);        // memory.cu
Napi::Value Upload(const Napi::CallbackInfo& info);
Napi::Value Download(const Napi::CallbackInfo& info);
Napi::Value Copy(const Napi::CallbackInfo& info);
Napi::Value Copy2d(const Napi::CallbackInfo& info);
Napi::Value Fill(const Napi::CallbackInfo& info);
Napi::Value Cast(const Napi::CallbackInfo& info);
Napi::Value Synchronize(const Napi::CallbackInfo& info);
Napi::Value EmptyCache(const Napi::CallbackInfo& info);   // the caching allocator (over allocator.h)
Napi::Value MemoryStats(const Napi::CallbackInfo& info);
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info);
Napi::Value Info(const Napi::CallbackInfo& info);         // info.cu
Napi::Value Gemm(const Napi::CallbackInfo& info);         // gemm.cu
Napi::Value SetGemm(const Napi::CallbackInfo& info);

/** "cublas" or "tiled": what gemm() uses now. */
const char* gemmImplName();

}  // namespace gradnode::cuda
