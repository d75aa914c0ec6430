// gradnode_cpu: the CPU kernels of gradnode as a Node-API addon.
// Registration only; each kernel family lives in its own file (see kernels.h).
#include <napi.h>

#include "common/guard.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  registerEntryPoint<Gemm>(env, exports, "gemm");
  registerEntryPoint<BiasActivationForward>(env, exports, "biasActivationForward");
  registerEntryPoint<BiasActivationBackward>(env, exports, "biasActivationBackward");
  registerEntryPoint<LayerNormForward>(env, exports, "layerNormForward");
  registerEntryPoint<LayerNormBackward>(env, exports, "layerNormBackward");
  registerEntryPoint<LogSoftmaxNllForward>(env, exports, "logSoftmaxNllForward");
  registerEntryPoint<LogSoftmaxNllBackward>(env, exports, "logSoftmaxNllBackward");
  registerEntryPoint<Im2col>(env, exports, "im2col");
  registerEntryPoint<Col2im>(env, exports, "col2im");
  registerEntryPoint<Conv2dForward>(env, exports, "conv2dForward");
  registerEntryPoint<Conv2dBackward>(env, exports, "conv2dBackward");
  registerEntryPoint<Conv2dPoolForward>(env, exports, "conv2dPoolForward");
  registerEntryPoint<Conv2dPoolBackward>(env, exports, "conv2dPoolBackward");
  registerEntryPoint<MaxPool2d>(env, exports, "maxPool2d");
  registerEntryPoint<Binary>(env, exports, "binary");
  registerEntryPoint<Unary>(env, exports, "unary");
  registerEntryPoint<Scale>(env, exports, "scale");
  registerEntryPoint<Axpy>(env, exports, "axpy");
  registerEntryPoint<CopyStrided>(env, exports, "copyStrided");
  registerEntryPoint<Reduce>(env, exports, "reduce");
  registerEntryPoint<Argmax>(env, exports, "argmax");
  registerEntryPoint<Gather>(env, exports, "gather");
  registerEntryPoint<ScatterAdd>(env, exports, "scatterAdd");
  registerEntryPoint<AdamStep>(env, exports, "adamStep");
  registerEntryPoint<SymEig>(env, exports, "symEig");
  registerEntryPoint<Svd>(env, exports, "svd");
  registerEntryPoint<Solve>(env, exports, "solve");
  registerEntryPoint<Lstsq>(env, exports, "lstsq");
  registerEntryPoint<SvcSolve>(env, exports, "svcSolve");
  registerEntryPoint<Info>(env, exports, "info");
  return exports;
}

NODE_API_MODULE(gradnode_cpu, Init)

}  // namespace gradnode::cpu
