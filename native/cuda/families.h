// The N-API entry points of the CUDA kernel families (helper "cuda-kernels"),
// one per CpuAddon method of src/backend/cpu.ts except gemm, symEig, svd,
// solve, lstsq and info (gemm, the memory functions and info are cuda-core's;
// the linear algebra — symEig, svd, solve, lstsq — is not in the CUDA addon:
// src/backend/cuda.ts runs it on the host). Same names and positional
// arguments as the cpu addon, with every FloatArray a DeviceArray { handle, offset, length, dtype }
// and every Int32Array a HOST Int32Array copied to / from the device per call.
// addon.cc registers them with registerEntryPoint<F>(env, exports, "name").
#pragma once

#include <napi.h>

namespace gradnode::cuda {

Napi::Value BiasActivationForward(const Napi::CallbackInfo& info);  // activations.cu
Napi::Value BiasActivationBackward(const Napi::CallbackInfo& info);
Napi::Value LayerNormForward(const Napi::CallbackInfo& info);       // layernorm.cu
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info);
Napi::Value LogSoftmaxNllForward(const Napi::CallbackInfo& info);   // softmax_xent.cu
Napi::Value LogSoftmaxNllBackward(const Napi::CallbackInfo& info);
Napi::Value Im2col(const Napi::CallbackInfo& info);                 // im2col.cu
Napi::Value Col2im(const Napi::CallbackInfo& info);
Napi::Value Binary(const Napi::CallbackInfo& info);                 // elementwise.cu
Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value Scale(const Napi::CallbackInfo& info);
Napi::Value Axpy(const Napi::CallbackInfo& info);
Napi::Value CopyStrided(const Napi::CallbackInfo& info);
Napi::Value Reduce(const Napi::CallbackInfo& info);                 // reduce.cu
Napi::Value Argmax(const Napi::CallbackInfo& info);
Napi::Value Gather(const Napi::CallbackInfo& info);                 // gather.cu
Napi::Value ScatterAdd(const Napi::CallbackInfo& info);

}  // namespace gradnode::cuda
