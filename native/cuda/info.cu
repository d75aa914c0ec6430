// info(): what the `doctor` command and the TS backend's availability check
// read. Never throws for a missing device or driver: deviceCount is then 0
// and `error` holds the CUDA error string.
#include "common/info.h"
#include "cuda/core.h"
#include "cuda/device.h"

namespace gradnode::cuda {
namespace {

Napi::Value stringOrNull(Napi::Env env, const std::string& s) {
  return s.empty() ? env.Null() : Napi::String::New(env, s);
}

}  // namespace

// info() -> { cudaRuntimeVersion, cudaDriverVersion, deviceCount, devices, error, cublas, gemm,
//             napiVersion, napiBuildVersion, compiler, enums }
Napi::Value Info(const Napi::CallbackInfo& info) {
  Args args(info, "info", 0);
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  cudaDriverGetVersion(&driver);  // 0 when no driver is installed
  result.Set("cudaRuntimeVersion", Napi::Number::New(env, runtime));
  result.Set("cudaDriverVersion", Napi::Number::New(env, driver));
  int count = 0;
  std::string error;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    error = std::string("cudaGetDeviceCount failed: ") + cudaGetErrorString(status) + " (" +
            cudaGetErrorName(status) + ")";
    count = 0;
    cudaGetLastError();  // clear it
  } else if (count == 0) {
    error = "cudaGetDeviceCount found no device";
  }
  Napi::Array devices = Napi::Array::New(env);
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop;
    cudaError_t s = cudaGetDeviceProperties(&prop, d);
    if (s != cudaSuccess) {
      if (error.empty()) error = std::string("cudaGetDeviceProperties failed: ") + cudaGetErrorString(s);
      cudaGetLastError();
      continue;
    }
    Napi::Object device = Napi::Object::New(env);
    device.Set("name", Napi::String::New(env, prop.name));
    device.Set("computeCapability", Napi::String::New(env, std::to_string(prop.major) + "." + std::to_string(prop.minor)));
    device.Set("memoryBytes", Napi::Number::New(env, static_cast<double>(prop.totalGlobalMem)));
    device.Set("multiprocessors", Napi::Number::New(env, prop.multiProcessorCount));
    devices.Set(devices.Length(), device);
  }
  result.Set("deviceCount", Napi::Number::New(env, count));
  result.Set("devices", devices);
  result.Set("error", stringOrNull(env, error));
  // cuBLAS is only tried with a device (cublasCreate needs one).
  Napi::Object cublas = Napi::Object::New(env);
  if (count > 0) {
    const CublasState& state = cublasState();
    cublas.Set("loaded", Napi::Boolean::New(env, state.loaded));
    cublas.Set("path", stringOrNull(env, state.path));
    cublas.Set("reason", stringOrNull(env, state.reason));
  } else {
    cublas.Set("loaded", Napi::Boolean::New(env, false));
    cublas.Set("path", env.Null());
    cublas.Set("reason", Napi::String::New(env, "not tried: no CUDA device"));
  }
  result.Set("cublas", cublas);
  result.Set("gemm", Napi::String::New(env, gemmImplName()));
  setNapiVersions(env, result);
#ifdef GRADNODE_CUDA_EMULATOR
  result.Set("compiler", Napi::String::New(env, std::string("host-only CUDA emulator (native/cuda/emu) / ") + __VERSION__));
#else
  result.Set("compiler", Napi::String::New(env, "nvcc " + std::to_string(__CUDACC_VER_MAJOR__) + "." +
                                                    std::to_string(__CUDACC_VER_MINOR__) + " / " + __VERSION__));
#endif
  result.Set("enums", enumNames(env));
  return result;
}

}  // namespace gradnode::cuda
