// The entry points of the CPU addon, one per Backend method (see
// src/backend/backend.ts), plus info(). Each takes the interface's positional
// arguments (enums as indices, ConvGeometry as its 10 integers), checks them
// through gradnode::Args and computes in place on the caller's typed arrays.
#pragma once

#include <napi.h>

namespace gradnode::cpu {

Napi::Value Gemm(const Napi::CallbackInfo& info);                   // gemm.cc
Napi::Value BiasActivationForward(const Napi::CallbackInfo& info);  // activations.cc
Napi::Value BiasActivationBackward(const Napi::CallbackInfo& info);
Napi::Value LayerNormForward(const Napi::CallbackInfo& info);       // layernorm.cc
Napi::Value LayerNormBackward(const Napi::CallbackInfo& info);
Napi::Value LogSoftmaxNllForward(const Napi::CallbackInfo& info);   // softmax_xent.cc
Napi::Value LogSoftmaxNllBackward(const Napi::CallbackInfo& info);
Napi::Value Im2col(const Napi::CallbackInfo& info);                 // im2col.cc
Napi::Value Col2im(const Napi::CallbackInfo& info);
Napi::Value Conv2dForward(const Napi::CallbackInfo& info);          // conv.cc
Napi::Value Conv2dBackward(const Napi::CallbackInfo& info);
Napi::Value Conv2dPoolForward(const Napi::CallbackInfo& info);
Napi::Value Conv2dPoolBackward(const Napi::CallbackInfo& info);
Napi::Value MaxPool2d(const Napi::CallbackInfo& info);              // pooling.cc
Napi::Value Binary(const Napi::CallbackInfo& info);                 // elementwise.cc
Napi::Value Unary(const Napi::CallbackInfo& info);
Napi::Value Scale(const Napi::CallbackInfo& info);
Napi::Value Axpy(const Napi::CallbackInfo& info);
Napi::Value CopyStrided(const Napi::CallbackInfo& info);
Napi::Value Reduce(const Napi::CallbackInfo& info);                 // reduce.cc
Napi::Value Argmax(const Napi::CallbackInfo& info);
Napi::Value Gather(const Napi::CallbackInfo& info);                 // gather.cc
Napi::Value ScatterAdd(const Napi::CallbackInfo& info);
Napi::Value AdamStep(const Napi::CallbackInfo& info);               // optim.cc
Napi::Value SymEig(const Napi::CallbackInfo& info);                 // linalg.cc
Napi::Value Svd(const Napi::CallbackInfo& info);
Napi::Value Solve(const Napi::CallbackInfo& info);
Napi::Value Lstsq(const Napi::CallbackInfo& info);
Napi::Value SvcSolve(const Napi::CallbackInfo& info);               // svm.cc
Napi::Value Info(const Napi::CallbackInfo& info);                   // info.cc

}  // namespace gradnode::cpu
