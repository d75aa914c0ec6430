// info(): what the `doctor` command prints about the CPU addon — the BLAS
// build (openblas_get_config, core, threads, threading model), the N-API
// version of this Node and the one the addon was built for, the compiler,
// and the enum names in index order (the TS loader checks them against
// backend.ts so a stale build cannot map an op to the wrong kernel).
#include <cblas.h>

#include "common/args.h"
#include "common/info.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

const char* parallelName(int mode) {
  switch (mode) {
    case 0: return "sequential";
    case 1: return "pthreads";
    case 2: return "openmp";
    default: return "unknown";
  }
}

}  // namespace

// info() -> { blasConfig, blasCore, blasThreads, blasParallel, napiVersion, napiBuildVersion, compiler, enums }
Napi::Value Info(const Napi::CallbackInfo& info) {
  Args args(info, "info", 0);
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  const char* config = openblas_get_config();
  const char* core = openblas_get_corename();
  result.Set("blasConfig", Napi::String::New(env, config ? config : "unknown"));
  result.Set("blasCore", Napi::String::New(env, core ? core : "unknown"));
  result.Set("blasThreads", Napi::Number::New(env, openblas_get_num_threads()));
  result.Set("blasParallel", Napi::String::New(env, parallelName(openblas_get_parallel())));
  setNapiVersions(env, result);
  result.Set("compiler", Napi::String::New(env, __VERSION__));
  result.Set("enums", enumNames(env));
  return result;
}

}  // namespace gradnode::cpu
