// Device memory: alloc (zero-filled), upload, download, copy, fill, cast,
// synchronize, emptyCache, memoryStats. An allocation is a type-tagged
// External<DeviceAllocation> (see device.h) freed by its finalizer; its size
// is reported to V8 as external memory so that garbage collection runs when
// much device memory is held by unreachable tensors. Memory comes from the
// caching allocator of allocator.h (a stream-ordered pool: a finalizer's
// free neither synchronizes nor returns memory to the driver).
#include "cuda/allocator.h"
#include "cuda/core.h"
#include "cuda/device.h"

namespace gradnode::cuda {
namespace {

const char* const kDTypeNames[] = {"float32", "float64"};

void finalizeAllocation(Napi::Env env, DeviceAllocation* allocation) {
  const int64_t bytes = allocation->length * (allocation->dtype == 0 ? 4 : 8);
  if (allocation->ptr && deviceFree(allocation->ptr, static_cast<size_t>(bytes)) != cudaSuccess) {
    // Ignored (at exit the runtime may be gone), but cleared: a finalizer runs
    // between arbitrary calls, and the next checkLaunch() must not read it back.
    cudaGetLastError();
  }
  Napi::MemoryManagement::AdjustExternalMemory(env, -bytes);
  delete allocation;
}

template <class T>
__global__ void fillKernel(int64_t n, T value, T* out) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    out[i] = value;
  }
}

template <class S, class D>
__global__ void castKernel(int64_t n, const S* src, D* dst) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
    dst[i] = static_cast<D>(src[i]);
  }
}

/** TypeError unless the host float array at i has the DeviceArray's dtype. */
void requireHostDType(CudaArgs& args, DType host, const char* hostName, DType device, const char* deviceName) {
  if (host != device) {
    throw args.typeError(std::string(hostName) + " is a " + dtypeArrayName(host) + " but " + deviceName +
                         " is a " + dtypeName(device) + " DeviceArray (they must match)");
  }
}

}  // namespace

// alloc(dtype: 0 | 1, length) -> External (zero-filled device memory)
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "alloc", 2);
  const int dtype = args.enumIndex(0, "dtype", kDTypeNames, 2, "[float32, float64]");
  const int64_t length = args.integer(1, "length", 0, int64_t(1) << 40);
  const size_t bytes = static_cast<size_t>(length) * (dtype == 0 ? 4 : 8);
  void* ptr = nullptr;
  const char* call = "cudaMalloc";
  // Zero-filled on stream 0 (a reused pool block holds old data); at least
  // kMinAllocationBytes, so that alloc(_, 0) also fails without a device.
  const cudaError_t status = deviceAllocZeroed(&ptr, bytes, &call);  // sets call on failure: read it after
  args.check(status, call);
  auto* allocation = new DeviceAllocation{ptr, length, dtype};
  Napi::External<DeviceAllocation> handle =
      Napi::External<DeviceAllocation>::New(info.Env(), allocation, finalizeAllocation);
  // Accounted as soon as the finalizer owns it (the finalizer subtracts it, even
  // when TypeTag below throws and the External is collected unreturned).
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), static_cast<int64_t>(bytes));
  handle.TypeTag(allocationTag());
  return handle;
}

// upload(src: Float32Array | Float64Array, dst: DeviceArray): same length and dtype; synchronous.
Napi::Value Upload(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "upload", 2);
  const DType host = args.floatDType(0, "src");
  const DType device = args.deviceDType(1, "dst");
  requireHostDType(args, host, "src", device, "dst");
  args.byFloatType(1, "dst", [&](auto t) {
    using T = decltype(t);
    ArrayView<T> dst = args.device<T>(1, "dst");
    ArrayView<T> src = args.floats<T>(0, "src");  // the host pointer last (device() reads JS properties)
    args.requireSameLength(src, "src", dst, "dst");
    if (src.length == 0) return;
    // Async from pageable memory: returns once the data is staged (the typed
    // array may change at once), ordered after the queued kernels without
    // waiting for them (a plain cudaMemcpy would synchronize the stream first).
    args.check(cudaMemcpyAsync(dst.data, src.data, static_cast<size_t>(src.length) * sizeof(T), cudaMemcpyHostToDevice, 0),
               "cudaMemcpyAsync");
  });
  return info.Env().Undefined();
}

// download(src: DeviceArray, dst: Float32Array | Float64Array): same length and dtype; synchronizes.
Napi::Value Download(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "download", 2);
  const DType host = args.floatDType(1, "dst");
  const DType device = args.deviceDType(0, "src");
  requireHostDType(args, host, "dst", device, "src");
  args.byFloatType(0, "src", [&](auto t) {
    using T = decltype(t);
    ArrayView<T> src = args.device<T>(0, "src");
    ArrayView<T> dst = args.floats<T>(1, "dst");
    args.requireSameLength(src, "src", dst, "dst");
    if (src.length == 0) {
      args.check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
      return;
    }
    // cudaMemcpy to pageable memory waits for every earlier kernel; an
    // asynchronous kernel error surfaces here.
    args.check(cudaMemcpy(dst.data, src.data, static_cast<size_t>(src.length) * sizeof(T), cudaMemcpyDeviceToHost),
               "cudaMemcpy");
  });
  return info.Env().Undefined();
}

// copy(src: DeviceArray, dst: DeviceArray): same length and dtype, device to device.
Napi::Value Copy(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "copy", 2);
  args.byFloatType(0, "src", [&](auto t) {
    using T = decltype(t);
    ArrayView<T> src = args.device<T>(0, "src");
    ArrayView<T> dst = args.device<T>(1, "dst");
    args.requireSameLength(src, "src", dst, "dst");
    args.requireDisjoint(src, "src", dst, "dst", true);
    if (src.length == 0 || src.data == dst.data) return;
    args.check(cudaMemcpy(dst.data, src.data, static_cast<size_t>(src.length) * sizeof(T), cudaMemcpyDeviceToDevice),
               "cudaMemcpy");
  });
  return info.Env().Undefined();
}

// copy2d(rows, cols, src: DeviceArray, srcStride, dst: DeviceArray, dstStride): a rows × cols block,
// dst[r*dstStride + c] = src[r*srcStride + c] (concatenation and packing), one cudaMemcpy2D.
Napi::Value Copy2d(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "copy2d", 6);
  constexpr int64_t kMax = int64_t{1} << 52;
  const int64_t rows = args.integer(0, "rows", 0, kMax);
  const int64_t cols = args.integer(1, "cols", 0, kMax);
  const int64_t srcStride = args.integer(3, "srcStride", 0, kMax);
  const int64_t dstStride = args.integer(5, "dstStride", 0, kMax);
  args.byFloatType(2, "src", [&](auto t) {
    using T = decltype(t);
    ArrayView<T> src = args.device<T>(2, "src");
    ArrayView<T> dst = args.device<T>(4, "dst");
    if (rows == 0 || cols == 0) return;
    if (srcStride < cols || dstStride < cols) {
      throw args.rangeError("strides " + std::to_string(srcStride) + ", " + std::to_string(dstStride) +
                            " are below cols " + std::to_string(cols));
    }
    // Saturating: (rows - 1) * stride of two values up to 2^52 overflows int64.
    args.requireLength(src, "src", matrixSpan(rows, cols, srcStride), {{"rows", rows}, {"cols", cols}, {"srcStride", srcStride}});
    args.requireLength(dst, "dst", matrixSpan(rows, cols, dstStride), {{"rows", rows}, {"cols", cols}, {"dstStride", dstStride}});
    args.requireDisjoint(src, "src", dst, "dst");
    args.check(cudaMemcpy2D(dst.data, static_cast<size_t>(dstStride) * sizeof(T), src.data,
                            static_cast<size_t>(srcStride) * sizeof(T), static_cast<size_t>(cols) * sizeof(T),
                            static_cast<size_t>(rows), cudaMemcpyDeviceToDevice),
               "cudaMemcpy2D");
  });
  return info.Env().Undefined();
}

// fill(dst: DeviceArray, value)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "fill", 2);
  const double value = args.number(1, "value");
  args.byFloatType(0, "dst", [&](auto t) {
    using T = decltype(t);
    ArrayView<T> dst = args.device<T>(0, "dst");
    if (dst.length == 0) return;
    fillKernel<T><<<blocksFor(dst.length), kBlock>>>(dst.length, static_cast<T>(value), dst.data);
    args.checkLaunch("fillKernel");
  });
  return info.Env().Undefined();
}

// cast(src: DeviceArray, dst: DeviceArray): float32 <-> float64 (or the same dtype: a copy); same length.
Napi::Value Cast(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "cast", 2);
  const DType to = args.deviceDType(1, "dst");
  const DType from = args.deviceDType(0, "src");
  auto run = [&](auto s, auto d) {
    using S = decltype(s);
    using D = decltype(d);
    // device<T>() compares with the dtype read last (src's); read dst through a fresh parse.
    ArrayView<S> src = args.device<S>(0, "src");
    args.deviceDType(1, "dst");
    ArrayView<D> dst = args.device<D>(1, "dst");
    args.requireSameLength(src, "src", dst, "dst");
    args.requireDisjoint(src, "src", dst, "dst", sizeof(S) == sizeof(D));
    if (src.length == 0) return;
    if (sizeof(S) == sizeof(D)) {
      if (static_cast<const void*>(src.data) == static_cast<const void*>(dst.data)) return;
      args.check(cudaMemcpy(dst.data, src.data, static_cast<size_t>(src.length) * sizeof(S), cudaMemcpyDeviceToDevice),
                 "cudaMemcpy");
      return;
    }
    castKernel<S, D><<<blocksFor(src.length), kBlock>>>(src.length, src.data, dst.data);
    args.checkLaunch("castKernel");
  };
  if (from == DType::kFloat32) {
    if (to == DType::kFloat32) run(float{}, float{}); else run(float{}, double{});
  } else {
    if (to == DType::kFloat32) run(double{}, float{}); else run(double{}, double{});
  }
  return info.Env().Undefined();
}

// synchronize(): waits for every queued kernel; throws the first asynchronous error.
Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "synchronize", 0);
  args.check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  return info.Env().Undefined();
}

// emptyCache(): returns the pool's cached, unused blocks to the driver (synchronizes); a no-op in
// cudaMalloc mode and before the first alloc.
Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "emptyCache", 0);
  const char* call = "emptyCache";
  const cudaError_t status = emptyCache(&call);  // sets call on failure: read it after
  args.check(status, call);
  return info.Env().Undefined();
}

// setErrorClasses(CudaError, CudaOutOfMemoryError): the classes CUDA failures are thrown as, from now
// on, in this environment (device.h's deviceError); called by the loader.
Napi::Value SetErrorClasses(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "setErrorClasses", 2);
  for (size_t i = 0; i < 2; ++i) {
    if (!info[i].IsFunction()) {
      throw Napi::TypeError::New(info.Env(), std::string("setErrorClasses: ") + (i == 0 ? "base" : "outOfMemory") +
                                                 " must be a class (a function)");
    }
  }
  Napi::Env env = info.Env();
  delete env.GetInstanceData<ErrorClasses>();  // a replaced value's finalizer is not called
  env.SetInstanceData(new ErrorClasses{Napi::Persistent(info[0].As<Napi::Function>()),
                                       Napi::Persistent(info[1].As<Napi::Function>())});
  return env.Undefined();
}

// memoryStats() -> { allocator, allocatedBytes, peakAllocatedBytes, liveAllocations, reservedBytes }; never
// throws a CUDA error.
Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  CudaArgs args(info, "memoryStats", 0);
  const AllocatorStats stats = allocatorStats();
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("allocator", Napi::String::New(env, allocatorModeName(stats.mode)));
  out.Set("allocatedBytes", Napi::Number::New(env, static_cast<double>(stats.allocatedBytes)));
  out.Set("peakAllocatedBytes", Napi::Number::New(env, static_cast<double>(stats.peakAllocatedBytes)));
  out.Set("liveAllocations", Napi::Number::New(env, static_cast<double>(stats.liveAllocations)));
  out.Set("reservedBytes", Napi::Number::New(env, static_cast<double>(stats.reservedBytes)));
  return out;
}

}  // namespace gradnode::cuda
