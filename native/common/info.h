// The parts of info() both addons report the same way: the N-API versions and
// the enum names in index order (the TS loader checks them against
// backend.ts so a stale build cannot map an op to the wrong kernel).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "common/ops.h"

namespace gradnode {

template <size_t N>
Napi::Array nameArray(Napi::Env env, const char* const (&list)[N]) {
  Napi::Array array = Napi::Array::New(env, N);
  for (size_t i = 0; i < N; ++i) array.Set(static_cast<uint32_t>(i), Napi::String::New(env, list[i]));
  return array;
}

/** Sets napiVersion (this Node's) and napiBuildVersion (the one the addon was built for). */
inline void setNapiVersions(Napi::Env env, Napi::Object result) {
  uint32_t napiVersion = 0;
  napi_get_version(env, &napiVersion);
  result.Set("napiVersion", Napi::Number::New(env, napiVersion));
  result.Set("napiBuildVersion", Napi::Number::New(env, NAPI_VERSION));
}

/** { activations, binaryOps, unaryOps, reduceOps }: the enum names of common/ops.h. */
inline Napi::Object enumNames(Napi::Env env) {
  Napi::Object enums = Napi::Object::New(env);
  enums.Set("activations", nameArray(env, kActivationNames));
  enums.Set("binaryOps", nameArray(env, kBinaryOpNames));
  enums.Set("unaryOps", nameArray(env, kUnaryOpNames));
  enums.Set("reduceOps", nameArray(env, kReduceOpNames));
  return enums;
}

}  // namespace gradnode
