// Argument checking for N-API entry points, shared by the CPU and CUDA addons.
//
// Every native entry point builds an Args over its CallbackInfo and reads each
// argument through it. A wrong type throws a JS TypeError, a value out of range
// (or an array too short for the sizes given) throws a JS RangeError; every
// message starts with the kernel's name and names the argument, e.g.
//   "gemm: a has 12 elements, needs 15 (m=3, k=5, lda=5)".
// Typed arrays are viewed in place (pointer + length), never copied.
//
// Order matters for safety: JS arrays (shapes, strides) can run user code
// (getters, proxies) while they are read, and user code can detach an
// ArrayBuffer. Read every JS-array argument before taking any typed-array
// pointer; sizes, numbers and booleans never run user code.
#pragma once

#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>

#include "common/arith.h"

namespace gradnode {

constexpr double kMaxSize = 2147483647.0;           // 2^31 - 1
constexpr double kMaxStride = 9007199254740991.0;   // 2^53 - 1
constexpr int kMaxRank = 32;

enum class DType { kFloat32, kFloat64 };

/** A typed array viewed in place. `used` is set by the length check (for overlap tests). */
template <class T>
struct ArrayView {
  T* data = nullptr;
  int64_t length = 0;
  int64_t used = 0;
  bool present = false;  // false for a null/undefined nullable argument
};

/** A named size, listed in length-check messages. */
struct Dim {
  const char* name;
  int64_t value;
};

/** A number as JavaScript prints it (integers without exponent, NaN, Infinity). */
inline std::string numberText(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  if (std::floor(d) == d && std::fabs(d) < 1e21) {
    std::snprintf(buf, sizeof buf, "%.0f", d);
  } else {
    std::snprintf(buf, sizeof buf, "%.17g", d);
  }
  return buf;
}

inline const char* typedArrayName(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "TypedArray";
  }
}

inline const char* dtypeArrayName(DType d) {
  return d == DType::kFloat32 ? "Float32Array" : "Float64Array";
}

template <class T>
constexpr DType dtypeOf() {
  static_assert(sizeof(T) == 4 || sizeof(T) == 8, "float or double");
  return sizeof(T) == 4 ? DType::kFloat32 : DType::kFloat64;
}

/** "a string", "null", "an Int32Array", "the number -1", ... for messages. */
inline std::string describeValue(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return "an unknown value";
  switch (t) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_string: return "a string";
    case napi_symbol: return "a symbol";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    case napi_external: return "an external";
    case napi_number: {
      double d = 0;
      napi_get_value_double(env, v, &d);
      return "the number " + numberText(d);
    }
    case napi_object: break;
  }
  bool is = false;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t length;
    napi_get_typedarray_info(env, v, &type, &length, nullptr, nullptr, nullptr);
    const char* name = typedArrayName(type);
    return std::string(name[0] == 'I' || name[0] == 'U' ? "an " : "a ") + name;
  }
  if (napi_is_array(env, v, &is) == napi_ok && is) return "an Array";
  if (napi_is_arraybuffer(env, v, &is) == napi_ok && is) return "an ArrayBuffer";
  if (napi_is_dataview(env, v, &is) == napi_ok && is) return "a DataView";
  return "an object";
}

class Args {
 public:
  /** Checks the argument count: exactly `count` (undefined counts when passed). */
  Args(const Napi::CallbackInfo& info, const char* kernel, size_t count)
      : info_(info), env_(info.Env()), kernel_(kernel) {
    if (info.Length() != count) {
      throw typeError("expects " + std::to_string(count) + " arguments, got " +
                      std::to_string(info.Length()));
    }
  }

  Napi::Env env() const { return env_; }
  const char* kernel() const { return kernel_; }

  Napi::Error typeError(const std::string& what) const {
    return Napi::TypeError::New(env_, std::string(kernel_) + ": " + what);
  }
  Napi::Error rangeError(const std::string& what) const {
    return Napi::RangeError::New(env_, std::string(kernel_) + ": " + what);
  }

  /** A finite integer in [0, 2^31 - 1]. */
  int64_t size(size_t i, const char* name) const {
    return integerValue(info_[i], name, kMaxSize, "an integer in [0, 2147483647]");
  }

  /** Any number (NaN and ±Infinity included: they are data, not sizes). */
  double number(size_t i, const char* name) const {
    double d;
    if (napi_get_value_double(env_, info_[i], &d) != napi_ok) {
      throw typeError(std::string(name) + " must be a number, got " + describe(info_[i]));
    }
    return d;
  }

  /** A finite number >= 0 (eps). */
  double nonNegativeNumber(size_t i, const char* name) const {
    double d = number(i, name);
    if (!(d >= 0 && std::isfinite(d))) {
      throw rangeError(std::string(name) + " must be a finite number >= 0, got " + numberText(d));
    }
    return d;
  }

  bool boolean(size_t i, const char* name) const {
    bool b;
    if (napi_get_value_bool(env_, info_[i], &b) != napi_ok) {
      throw typeError(std::string(name) + " must be a boolean, got " + describe(info_[i]));
    }
    return b;
  }

  /** An index into `names` (the enum arrays of backend.ts). */
  int enumIndex(size_t i, const char* name, const char* const* names, int count,
                const char* arrayName) const {
    double d;
    if (napi_get_value_double(env_, info_[i], &d) != napi_ok) {
      throw typeError(std::string(name) + " must be an index into " + arrayName + ", got " +
                      describe(info_[i]));
    }
    if (!(d >= 0 && d < count && std::floor(d) == d)) {
      std::string list;
      for (int k = 0; k < count; ++k) {
        list += (k ? ", " : "") + std::to_string(k) + " " + names[k];
      }
      throw rangeError(std::string(name) + " must be an index into " + arrayName + " (" + list +
                       "), got " + numberText(d));
    }
    return static_cast<int>(d);
  }

  /**
   * A JS Array of sizes (each an integer in [0, 2^31 - 1]) of at most
   * kMaxRank entries, written to `out`; returns the rank.
   */
  int shape(size_t i, const char* name, int64_t* out) const {
    return integerArray(i, name, out, kMaxSize, "an integer in [0, 2147483647]");
  }

  /** A JS Array of element strides (integers in [0, 2^53 - 1]) with `rank` entries. */
  void strides(size_t i, const char* name, int64_t* out, int rank, const char* shapeName) const {
    int r = integerArray(i, name, out, kMaxStride, "an integer in [0, 2^53 - 1]");
    if (r != rank) {
      throw rangeError(std::string(name) + " has " + std::to_string(r) + " entries but " +
                       shapeName + " has " + std::to_string(rank));
    }
  }

  /** Reads the dtype of the float array at i (Float32Array or Float64Array); later float arrays must match. */
  DType floatDType(size_t i, const char* name) {
    napi_typedarray_type type;
    if (!typedArrayType(info_[i], &type) ||
        (type != napi_float32_array && type != napi_float64_array)) {
      throw typeError(std::string(name) + " must be a Float32Array or Float64Array, got " +
                      describe(info_[i]));
    }
    dtype_ = type == napi_float32_array ? DType::kFloat32 : DType::kFloat64;
    dtypeFrom_ = name;
    return dtype_;
  }

  /**
   * Reads the dtype of the float array at i (as floatDType) and calls
   * fn(float{}) or fn(double{}), so an entry point dispatches in one line:
   * `args.byFloatType(2, "x", [&](auto t) { run<decltype(t)>(args, m, n); })`.
   */
  template <class F>
  auto byFloatType(size_t i, const char* name, F&& fn) {
    return floatDType(i, name) == DType::kFloat32 ? fn(float{}) : fn(double{});
  }

  /** A float array of this call's dtype (set by floatDType first), or absent when nullable and null/undefined. */
  template <class T>
  ArrayView<T> floats(size_t i, const char* name, bool nullable = false) const {
    constexpr DType want = dtypeOf<T>();
    ArrayView<T> view;
    napi_value v = info_[i];
    if (nullable && isNullish(v)) return view;
    napi_typedarray_type type;
    void* data = nullptr;
    size_t length = 0;
    if (!typedArrayInfo(v, &type, &data, &length) ||
        (type != napi_float32_array && type != napi_float64_array)) {
      throw typeError(std::string(name) + " must be a " + dtypeArrayName(want) +
                      (nullable ? " or null" : "") + ", got " + describe(v));
    }
    DType got = type == napi_float32_array ? DType::kFloat32 : DType::kFloat64;
    if (got != want) {
      throw typeError(std::string(name) + " is a " + dtypeArrayName(got) + " but " +
                      (dtypeFrom_ ? dtypeFrom_ : "the first array") + " is a " +
                      dtypeArrayName(want) + " (all float arrays of one call share a dtype)");
    }
    view.data = static_cast<T*>(data);
    view.length = static_cast<int64_t>(length);
    view.present = true;
    return view;
  }

  /** An Int32Array (labels, argmax), or absent when nullable and null/undefined. */
  ArrayView<int32_t> int32s(size_t i, const char* name, bool nullable = false) const {
    ArrayView<int32_t> view;
    napi_value v = info_[i];
    if (nullable && isNullish(v)) return view;
    napi_typedarray_type type;
    void* data = nullptr;
    size_t length = 0;
    if (!typedArrayInfo(v, &type, &data, &length) || type != napi_int32_array) {
      throw typeError(std::string(name) + " must be an Int32Array" + (nullable ? " or null" : "") +
                      ", got " + describe(v));
    }
    view.data = static_cast<int32_t*>(data);
    view.length = static_cast<int64_t>(length);
    view.present = true;
    return view;
  }

  /** A Float64Array whatever this call's dtype (solver outputs kept in double). */
  ArrayView<double> float64s(size_t i, const char* name) const {
    ArrayView<double> view;
    napi_value v = info_[i];
    napi_typedarray_type type;
    void* data = nullptr;
    size_t length = 0;
    if (!typedArrayInfo(v, &type, &data, &length) || type != napi_float64_array) {
      throw typeError(std::string(name) + " must be a Float64Array, got " + describe(v));
    }
    view.data = static_cast<double*>(data);
    view.length = static_cast<int64_t>(length);
    view.present = true;
    return view;
  }

  /**
   * Throws a RangeError unless the array (when present) has at least `needed`
   * elements: "<name> has L elements, needs N (m=3, k=5, lda=5[, note])".
   */
  template <class T>
  void requireLength(ArrayView<T>& view, const char* name, int64_t needed,
                     std::initializer_list<Dim> dims, const char* note = nullptr) const {
    if (!view.present) return;
    if (view.length < needed) {
      std::string detail;
      for (const Dim& d : dims) detail += (detail.empty() ? "" : ", ") + std::string(d.name) + "=" + std::to_string(d.value);
      if (note) detail += (detail.empty() ? "" : ", ") + std::string(note);
      throw rangeError(std::string(name) + " has " + std::to_string(view.length) + " elements, needs " +
                       (needed == kSaturated ? std::string("more than 2^63") : std::to_string(needed)) +
                       (detail.empty() ? "" : " (" + detail + ")"));
    }
    view.used = needed;
  }

  /** Throws a RangeError unless both arrays have the same length (unary, scale, axpy). */
  template <class A, class B>
  void requireSameLength(ArrayView<A>& a, const char* an, ArrayView<B>& b, const char* bn) const {
    if (a.length != b.length) {
      throw rangeError(std::string(an) + " has " + std::to_string(a.length) + " elements but " + bn +
                       " has " + std::to_string(b.length) + " (they must match)");
    }
    a.used = a.length;
    b.used = b.length;
  }

  /**
   * Throws a RangeError when the used parts of two arrays share memory. With
   * allowSame, the same start (an elementwise kernel writing in place) is fine.
   */
  template <class A, class B>
  void requireDisjoint(const ArrayView<A>& a, const char* an, const ArrayView<B>& b, const char* bn,
                       bool allowSame = false) const {
    if (!a.present || !b.present || a.used == 0 || b.used == 0) return;
    auto a0 = reinterpret_cast<uintptr_t>(a.data), b0 = reinterpret_cast<uintptr_t>(b.data);
    uintptr_t a1 = a0 + static_cast<uintptr_t>(a.used) * sizeof(A);
    uintptr_t b1 = b0 + static_cast<uintptr_t>(b.used) * sizeof(B);
    if (a0 < b1 && b0 < a1 && !(allowSame && a0 == b0)) {
      throw rangeError(std::string(an) + " and " + bn + " overlap in memory" +
                       (allowSame ? " (they may only be the same array)" : " (they must be distinct)"));
    }
  }

 private:
  std::string describe(napi_value v) const { return describeValue(env_, v); }

  bool isNullish(napi_value v) const {
    napi_valuetype t;
    return napi_typeof(env_, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
  }

  bool typedArrayType(napi_value v, napi_typedarray_type* type) const {
    void* data;
    size_t length;
    return typedArrayInfo(v, type, &data, &length);
  }

  bool typedArrayInfo(napi_value v, napi_typedarray_type* type, void** data, size_t* length) const {
    bool is = false;
    if (napi_is_typedarray(env_, v, &is) != napi_ok || !is) return false;
    return napi_get_typedarray_info(env_, v, type, length, data, nullptr, nullptr) == napi_ok;
  }

  int64_t integerValue(napi_value v, const std::string& name, double max, const char* what) const {
    double d;
    if (napi_get_value_double(env_, v, &d) != napi_ok) {
      throw typeError(name + " must be a number, got " + describe(v));
    }
    if (!(d >= 0 && d <= max && std::floor(d) == d)) {
      throw rangeError(name + " must be " + what + ", got " + numberText(d));
    }
    return static_cast<int64_t>(d);
  }

  int integerArray(size_t i, const char* name, int64_t* out, double max, const char* what) const {
    napi_value v = info_[i];
    bool is = false;
    if (napi_is_array(env_, v, &is) != napi_ok || !is) {
      throw typeError(std::string(name) + " must be an Array of integers, got " + describe(v));
    }
    uint32_t length = 0;
    napi_get_array_length(env_, v, &length);
    if (length > static_cast<uint32_t>(kMaxRank)) {
      throw rangeError(std::string(name) + " has " + std::to_string(length) + " entries, at most " +
                       std::to_string(kMaxRank) + " are supported");
    }
    for (uint32_t k = 0; k < length; ++k) {
      napi_value e;
      if (napi_get_element(env_, v, k, &e) != napi_ok) {
        throw Napi::Error::New(env_);  // a getter threw: rethrow its pending exception
      }
      out[k] = integerValue(e, std::string(name) + "[" + std::to_string(k) + "]", max, what);
    }
    return static_cast<int>(length);
  }

  const Napi::CallbackInfo& info_;
  Napi::Env env_;
  const char* kernel_;
  DType dtype_ = DType::kFloat32;
  const char* dtypeFrom_ = nullptr;
};

}  // namespace gradnode
