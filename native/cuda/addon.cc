// gradnode_cuda: the CUDA kernels of gradnode as a Node-API addon.
// Registration only: memory, info and gemm are declared in core.h, the kernel
// families in families.h. Every entry point is Guarded (common/guard.h), so a
// C++ exception becomes a JS error naming the kernel.
#include <napi.h>

#include "common/guard.h"
#include "cuda/core.h"
#include "cuda/families.h"

namespace gradnode::cuda {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // Memory and device (core.h).
  registerEntryPoint<Info>(env, exports, "info");
  registerEntryPoint<Alloc>(env, exports, "alloc");
  registerEntryPoint<Upload>(env, exports, "upload");
  registerEntryPoint<Download>(env, exports, "download");
  registerEntryPoint<Copy>(env, exports, "copy");
  registerEntryPoint<Copy2d>(env, exports, "copy2d");
  registerEntryPoint<Fill>(env, exports, "fill");
  registerEntryPoint<Cast>(env, exports, "cast");
  registerEntryPoint<Synchronize>(env, exports, "synchronize");
  registerEntryPoint<EmptyCache>(env, exports, "emptyCache");
  registerEntryPoint<MemoryStats>(env, exports, "memoryStats");
  registerEntryPoint<SetErrorClasses>(env, exports, "setErrorClasses");
  registerEntryPoint<SetGemm>(env, exports, "setGemm");
  registerEntryPoint<Gemm>(env, exports, "gemm");
  // Kernel families (families.h), in the CpuAddon order of src/backend/cpu.ts.
  registerEntryPoint<BiasActivationForward>(env, exports, "biasActivationForward");
  registerEntryPoint<BiasActivationBackward>(env, exports, "biasActivationBackward");
  registerEntryPoint<LayerNormForward>(env, exports, "layerNormForward");
  registerEntryPoint<LayerNormBackward>(env, exports, "layerNormBackward");
  registerEntryPoint<LogSoftmaxNllForward>(env, exports, "logSoftmaxNllForward");
  registerEntryPoint<LogSoftmaxNllBackward>(env, exports, "logSoftmaxNllBackward");
  registerEntryPoint<Im2col>(env, exports, "im2col");
  registerEntryPoint<Col2im>(env, exports, "col2im");
  registerEntryPoint<Binary>(env, exports, "binary");
  registerEntryPoint<Unary>(env, exports, "unary");
  registerEntryPoint<Scale>(env, exports, "scale");
  registerEntryPoint<Axpy>(env, exports, "axpy");
  registerEntryPoint<CopyStrided>(env, exports, "copyStrided");
  registerEntryPoint<Reduce>(env, exports, "reduce");
  registerEntryPoint<Argmax>(env, exports, "argmax");
  registerEntryPoint<Gather>(env, exports, "gather");
  registerEntryPoint<ScatterAdd>(env, exports, "scatterAdd");
  return exports;
}

NODE_API_MODULE(gradnode_cuda, Init)

}  // namespace gradnode::cuda
