// Device memory, argument checking and CUDA error handling for the CUDA addon's
// N-API entry points. Included by every native/cuda/*.cu file.
//
// ---------------------------------------------------------------- usage ----
//
//   #include "cuda/device.h"
//   namespace gradnode::cuda {
//   template <class T> __global__ void scaleKernel(int64_t n, T alpha, const T* x, T* out) {
//     for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n;
//          i += int64_t(gridDim.x) * blockDim.x) out[i] = alpha * x[i];
//   }
//   // scale(alpha, x: DeviceArray, out: DeviceArray)
//   Napi::Value Scale(const Napi::CallbackInfo& info) {
//     CudaArgs args(info, "scale", 3);           // count check -> TypeError "scale: expects 3 arguments, got 2"
//     const double alpha = args.number(0, "alpha");
//     args.byFloatType(1, "x", [&](auto t) {     // dispatch on x's dtype (a DeviceArray), T = float | double
//       using T = decltype(t);
//       ArrayView<T> x = args.device<T>(1, "x");       // data = DEVICE pointer (base + offset), length = view length
//       ArrayView<T> out = args.device<T>(2, "out");   // a dtype other than x's -> TypeError
//       args.requireSameLength(x, "x", out, "out");    // the Args checks of common/args.h work on device views
//       args.requireDisjoint(x, "x", out, "out", true);
//       if (x.length == 0) return;
//       scaleKernel<T><<<blocksFor(x.length), kBlock>>>(x.length, T(alpha), x.data, out.data);
//       args.checkLaunch("scaleKernel");           // cudaGetLastError -> Error "scale: scaleKernel launch failed: ..."
//     });
//     return info.Env().Undefined();
//   }
//   }
//
// - Everything of gradnode::Args (common/args.h) is inherited: size, number, nonNegativeNumber, boolean,
//   enumIndex, shape, strides, int32s (HOST Int32Array), requireLength, requireSameLength, requireDisjoint,
//   typeError, rangeError. Added here: device<T>, deviceDType, byFloatType (on a DeviceArray), integer,
//   check, checkLaunch, and the host<->device Int32 helpers uploadInt32s / downloadInt32s.
// - ORDER: read every argument (DeviceArrays, JS arrays, numbers) and do every check BEFORE the first CUDA
//   call, so a bad call throws TypeError/RangeError even on a machine without a GPU. Reading a DeviceArray
//   reads JS properties (user getters may run), so read DeviceArrays and JS arrays before int32s() takes a
//   host typed-array pointer (same rule as args.h).
// - Every CUDA runtime call goes through args.check(status, "cudaMemcpy") — a failure throws a JS Error
//   "<kernel>: cudaMemcpy failed: <cudaGetErrorString>" — and every launch is followed by
//   args.checkLaunch("kernelName"). Kernels run on the default (legacy) stream, in order; entry points do
//   not synchronize (download() and the int32 downloads do).
// - Use int64_t for element indices in kernels (views may exceed 2^31 elements) and grid-stride loops with
//   blocksFor(n) (grid capped, so any n works).
// - Register entry points as in the cpu addon: registerEntryPoint<F>(env, exports, "name") (common/guard.h).
//
// ---------------------------------------------------------- the layout ----
//
// A DeviceArray (the JS view) is { handle, offset, length, dtype }:
//   handle: a Napi::External<DeviceAllocation> made by alloc(), type-tagged with kAllocationTag so no other
//           External (or object) passes as one; freed by its finalizer (deviceFree of the caching allocator,
//           allocator.h), never explicitly.
//   offset, length: integers (elements), offset + length <= the allocation's length.
//   dtype: 'float32' | 'float64', equal to the allocation's.
#pragma once

#include <cuda_runtime.h>
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "common/args.h"
#include "common/guard.h"
#include "cuda/allocator.h"

namespace gradnode {
namespace cuda {

/** What a handle External points to. dtype: 0 = float32, 1 = float64 (the DType order). */
struct DeviceAllocation {
  void* ptr = nullptr;
  int64_t length = 0;  // elements
  int dtype = 0;
};

/** Type tag of allocation Externals (napi_type_tag_object): a random 128-bit constant. */
inline const napi_type_tag* allocationTag() {
  static const napi_type_tag tag = {0x6a1f0c3d52b84e97ULL, 0xb3d9a2e4f1c05768ULL};
  return &tag;
}

inline size_t dtypeSize(DType d) { return d == DType::kFloat32 ? 4 : 8; }
inline const char* dtypeName(DType d) { return d == DType::kFloat32 ? "float32" : "float64"; }

/** Threads per block of the elementwise kernels. */
constexpr int kBlock = 256;

/** Blocks for a grid-stride loop over n elements (at least 1, at most 2^20 blocks). */
inline unsigned blocksFor(int64_t n, int block = kBlock) {
  int64_t b = (n + block - 1) / block;
  if (b < 1) b = 1;
  if (b > (int64_t(1) << 20)) b = int64_t(1) << 20;
  return static_cast<unsigned>(b);
}

/**
 * The JS classes of device errors, set once per environment by
 * setErrorClasses(CudaError, CudaOutOfMemoryError) (src/errors.ts; the
 * loader in src/backend/cuda_addon.ts calls it).
 */
struct ErrorClasses {
  Napi::FunctionReference base;
  Napi::FunctionReference outOfMemory;
};

/**
 * A device error: new CudaError(message, code, status), or
 * CudaOutOfMemoryError for cudaErrorMemoryAllocation, once the classes are
 * set; before that a plain Error with the same `code` and `status` properties.
 */
inline Napi::Error deviceError(Napi::Env env, const std::string& message, const char* code, int status) {
  const ErrorClasses* classes = env.GetInstanceData<ErrorClasses>();
  if (!classes) {
    Napi::Error e = Napi::Error::New(env, message);
    e.Set("code", Napi::String::New(env, code));
    e.Set("status", Napi::Number::New(env, status));
    return e;
  }
  const Napi::FunctionReference& ctor = status == cudaErrorMemoryAllocation ? classes->outOfMemory : classes->base;
  return Napi::Error(env, ctor.New({Napi::String::New(env, message), Napi::String::New(env, code),
                                    Napi::Number::New(env, status)}));
}

/** "<kernel>: <what> failed: <cudaGetErrorString> (<cudaGetErrorName>)" as a CudaError with that code. */
inline Napi::Error cudaError(Napi::Env env, const char* kernel, const char* what, cudaError_t status) {
  return deviceError(env, std::string(kernel) + ": " + what + " failed: " + cudaGetErrorString(status) + " (" +
                              cudaGetErrorName(status) + ")",
                     cudaGetErrorName(status), static_cast<int>(status));
}

/**
 * Throws cudaError(...) unless status is cudaSuccess. A failed runtime call
 * (cudaMalloc out of memory, a bad cudaMemcpy...) also records its error as
 * the thread's "last error", which the next checkLaunch() would read back and
 * report as a failure of an unrelated kernel launch: clear it first (a sticky
 * error stays sticky and is reported again by the next call anyway).
 */
inline void check(Napi::Env env, const char* kernel, cudaError_t status, const char* what) {
  if (status != cudaSuccess) {
    cudaGetLastError();
    throw cudaError(env, kernel, what, status);
  }
}

/**
 * Gets the allocation behind an External made by alloc(), or nullptr when v
 * is anything else (another External, an object, a number...).
 */
inline DeviceAllocation* allocationOf(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external) return nullptr;
  bool tagged = false;
  if (napi_check_object_type_tag(env, v, allocationTag(), &tagged) != napi_ok || !tagged) return nullptr;
  void* data = nullptr;
  if (napi_get_value_external(env, v, &data) != napi_ok) return nullptr;
  return static_cast<DeviceAllocation*>(data);
}

/**
 * The Args of common/args.h for device arrays: float arguments are DeviceArray
 * views, whose ArrayView<T>::data is a DEVICE pointer (never dereference it on
 * the host). Host Int32Arrays are read with the inherited int32s().
 */
class CudaArgs : public Args {
 public:
  CudaArgs(const Napi::CallbackInfo& info, const char* kernel, size_t count)
      : Args(info, kernel, count), info_(info) {}

  /** Reads the dtype of the DeviceArray at i; later device<T>() views must match it. */
  DType deviceDType(size_t i, const char* name) {
    Parsed p = parse(i, name, false);
    dtype_ = p.dtype;
    dtypeFrom_ = name;
    return dtype_;
  }

  /**
   * Reads the dtype of the DeviceArray at i (as deviceDType) and calls
   * fn(float{}) or fn(double{}). Hides Args::byFloatType (which reads a host
   * typed array).
   */
  template <class F>
  auto byFloatType(size_t i, const char* name, F&& fn) {
    return deviceDType(i, name) == DType::kFloat32 ? fn(float{}) : fn(double{});
  }

  /**
   * The DeviceArray at i as a view of T (data = device pointer base + offset,
   * length = the view's length), or absent (present = false) when nullable
   * and the argument is null/undefined. TypeError when it is not a DeviceArray
   * (handle not from alloc(), dtype not a string of the allocation's dtype) or
   * its dtype is not T; RangeError when offset/length are not integers >= 0 or
   * offset + length exceeds the allocation.
   */
  template <class T>
  ArrayView<T> device(size_t i, const char* name, bool nullable = false) const {
    constexpr DType want = dtypeOf<T>();
    ArrayView<T> view;
    Parsed p = parse(i, name, nullable);
    if (!p.present) return view;
    if (p.dtype != want) {
      throw typeError(std::string(name) + " is a " + dtypeName(p.dtype) + " DeviceArray but " +
                      (dtypeFrom_ ? dtypeFrom_ : "the first array") + " is " + dtypeName(want) +
                      " (all float arrays of one call share a dtype)");
    }
    view.data = static_cast<T*>(p.allocation->ptr) + p.offset;
    view.length = p.length;
    view.present = true;
    return view;
  }

  /** An integer in [min, max] (signed sizes, offsets, axes). */
  int64_t integer(size_t i, const char* name, int64_t min, int64_t max) const {
    double d = number(i, name);
    if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max) && std::floor(d) == d)) {
      throw rangeError(std::string(name) + " must be an integer in [" + std::to_string(min) + ", " +
                       std::to_string(max) + "], got " + numberText(d));
    }
    return static_cast<int64_t>(d);
  }

  /** Throws "<kernel>: <what> failed: <error string>" unless status is cudaSuccess. */
  void check(cudaError_t status, const char* what) const { cuda::check(env(), kernel(), status, what); }

  /** After a launch: throws "<kernel>: <launched> launch failed: ..." when cudaGetLastError() reports one. */
  void checkLaunch(const char* launched) const {
    cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess) {
      throw cudaError(env(), kernel(), (std::string(launched) + " launch").c_str(), status);
    }
  }

  /**
   * Copies a host Int32Array to device memory owned by the addon (a cached
   * buffer per slot, 0..3, grown as needed and reused by later calls: safe
   * because everything runs in order on the default stream). Returns the
   * device pointer (valid until the next call that uses the same slot), or
   * nullptr for an absent or empty view.
   */
  int32_t* uploadInt32s(const ArrayView<int32_t>& host, int slot) const {
    if (!host.present || host.length == 0) return nullptr;
    int32_t* dev = scratchInt32s(slot, host.length);
    // Staged before it returns, ordered after earlier kernels using the slot, no synchronization (see Upload).
    check(cudaMemcpyAsync(dev, host.data, static_cast<size_t>(host.length) * sizeof(int32_t), cudaMemcpyHostToDevice, 0),
          "cudaMemcpyAsync (int32 upload)");
    return dev;
  }

  /** A device int32 buffer of at least `count` elements in slot 0..3 (uninitialized; see uploadInt32s). */
  int32_t* scratchInt32s(int slot, int64_t count) const {
    static Scratch slots[kScratchSlots];
    if (slot < 0 || slot >= kScratchSlots) throw Napi::Error::New(env(), std::string(kernel()) + ": bad scratch slot");
    Scratch& s = slots[slot];
    const size_t bytes = static_cast<size_t>(count) * sizeof(int32_t);
    if (bytes > s.bytes) {
      // From the caching allocator, like every other device buffer: a plain
      // cudaMalloc could fail for memory the pool holds cached (it never gives
      // it back by itself), and deviceAlloc trims the pool and retries. The
      // old buffer's free is stream-ordered after the kernels still using it.
      deviceFree(s.ptr, s.bytes);
      s.ptr = nullptr;
      s.bytes = 0;
      void* p = nullptr;
      const size_t want = bytes < 4096 ? 4096 : bytes;
      const char* call = "deviceAlloc (int32 scratch)";
      const cudaError_t status = deviceAlloc(&p, want, &call);  // sets call on failure: read it after
      check(status, call);
      s.ptr = p;
      s.bytes = want;
    }
    return static_cast<int32_t*>(s.ptr);
  }

  /** Copies `host.length` int32s from the device to a host Int32Array (synchronizes). */
  void downloadInt32s(const int32_t* dev, ArrayView<int32_t>& host) const {
    if (!host.present || host.length == 0) return;
    check(cudaMemcpy(host.data, dev, static_cast<size_t>(host.length) * sizeof(int32_t), cudaMemcpyDeviceToHost),
          "cudaMemcpy (int32 download)");
  }

 private:
  static constexpr int kScratchSlots = 4;
  struct Scratch {
    void* ptr = nullptr;
    size_t bytes = 0;
  };

  struct Parsed {
    bool present = false;
    DeviceAllocation* allocation = nullptr;
    int64_t offset = 0;
    int64_t length = 0;
    DType dtype = DType::kFloat32;
  };

  std::string describe(napi_value v) const { return describeValue(env(), v); }

  static bool isNullish(napi_env env, napi_value v) {
    napi_valuetype t;
    return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
  }

  napi_value property(napi_value object, const char* key) const {
    napi_value v;
    if (napi_get_named_property(env(), object, key, &v) != napi_ok) {
      throw Napi::Error::New(env());  // a getter threw: rethrow its pending exception
    }
    return v;
  }

  int64_t element(napi_value v, const std::string& name) const {
    double d;
    if (napi_get_value_double(env(), v, &d) != napi_ok) {
      throw typeError(name + " must be a number, got " + describe(v));
    }
    if (!(d >= 0 && d <= kMaxStride && std::floor(d) == d)) {
      throw rangeError(name + " must be an integer in [0, 2^53 - 1], got " + numberText(d));
    }
    return static_cast<int64_t>(d);
  }

  Parsed parse(size_t i, const char* name, bool nullable) const {
    Parsed p;
    napi_env e = env();
    napi_value v = info_[i];
    if (nullable && isNullish(e, v)) return p;
    napi_valuetype t;
    bool typed = false, array = false;
    if (napi_typeof(e, v, &t) != napi_ok || t != napi_object ||
        (napi_is_typedarray(e, v, &typed) == napi_ok && typed) || (napi_is_array(e, v, &array) == napi_ok && array)) {
      throw typeError(std::string(name) + " must be a DeviceArray { handle, offset, length, dtype }" +
                      (nullable ? " or null" : "") + ", got " + describe(v));
    }
    const std::string n(name);
    napi_value handle = property(v, "handle");
    p.allocation = allocationOf(e, handle);
    if (!p.allocation) {
      throw typeError(n + ".handle must be a device allocation made by alloc(), got " + describe(handle) +
                      " (" + n + " must be a DeviceArray { handle, offset, length, dtype })");
    }
    napi_value dtype = property(v, "dtype");
    char text[16] = {0};
    size_t textLength = 0;
    napi_valuetype dt;
    if (napi_typeof(e, dtype, &dt) != napi_ok || dt != napi_string ||
        napi_get_value_string_utf8(e, dtype, text, sizeof text, &textLength) != napi_ok ||
        (std::string(text) != "float32" && std::string(text) != "float64")) {
      throw typeError(n + ".dtype must be 'float32' or 'float64', got " +
                      (dt == napi_string ? "'" + std::string(text) + "'" : describe(dtype)));
    }
    p.dtype = std::string(text) == "float32" ? DType::kFloat32 : DType::kFloat64;
    const DType allocated = p.allocation->dtype == 0 ? DType::kFloat32 : DType::kFloat64;
    if (p.dtype != allocated) {
      throw typeError(n + ".dtype is '" + dtypeName(p.dtype) + "' but its allocation holds " +
                      dtypeName(allocated));
    }
    p.offset = element(property(v, "offset"), n + ".offset");
    p.length = element(property(v, "length"), n + ".length");
    if (p.offset > p.allocation->length || p.length > p.allocation->length - p.offset) {
      throw rangeError(n + ".offset + " + n + ".length = " + std::to_string(p.offset) + " + " +
                       std::to_string(p.length) + " exceeds its allocation's " +
                       std::to_string(p.allocation->length) + " elements");
    }
    p.present = true;
    return p;
  }

  const Napi::CallbackInfo& info_;
  DType dtype_ = DType::kFloat32;
  const char* dtypeFrom_ = nullptr;
};

}  // namespace cuda
}  // namespace gradnode
