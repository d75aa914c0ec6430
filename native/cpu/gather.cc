// Gather and scatter-add over flat arrays through an Int32Array of indices:
// gather: out[j] = src[index[j]]; scatterAdd: out[index[j]] += src[j] with
// repeated indices accumulated in increasing j (computed in double, rounded
// once per addition, as the TS reference does). Every index is checked to lie
// in range before anything is written, and read once more (and checked again)
// where it is used, so an index array changed under the kernel (shared
// memory) can never cause an out-of-bounds access. out may not overlap src
// or index.
#include <string>

#include "common/args.h"
#include "common/checks/gather.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

/** index[j], read once and checked again against [0, bound). */
inline int64_t indexAt(const Args& args, const int32_t* index, int64_t j, int64_t bound) {
  const int32_t i = index[j];
  if (i < 0 || i >= bound) throw args.rangeError("index changed while the kernel ran");
  return i;
}

template <class T>
void gatherTyped(Args& args) {
  ArrayView<T> src = args.floats<T>(0, "src");
  ArrayView<int32_t> index = args.int32s(1, "index");
  ArrayView<T> out = args.floats<T>(2, "out");
  checkGather(args, src, index, out, /*floatsOnHost=*/true);
  const T* s = src.data;
  const int32_t* idx = index.data;
  T* o = out.data;
  for (int64_t j = 0; j < index.length; ++j) o[j] = s[indexAt(args, idx, j, src.length)];
}

template <class T>
void scatterAddTyped(Args& args) {
  ArrayView<T> src = args.floats<T>(0, "src");
  ArrayView<int32_t> index = args.int32s(1, "index");
  ArrayView<T> out = args.floats<T>(2, "out");
  checkScatterAdd(args, src, index, out, /*floatsOnHost=*/true);
  const T* s = src.data;
  const int32_t* idx = index.data;
  T* o = out.data;
  for (int64_t j = 0; j < index.length; ++j) {
    const int64_t i = indexAt(args, idx, j, out.length);
    o[i] = static_cast<T>(static_cast<double>(o[i]) + static_cast<double>(s[j]));
  }
}

}  // namespace

// gather(src, index: Int32Array, out)
Napi::Value Gather(const Napi::CallbackInfo& info) {
  Args args(info, "gather", 3);
  args.byFloatType(0, "src", [&](auto t) { gatherTyped<decltype(t)>(args); });
  return info.Env().Undefined();
}

// scatterAdd(src, index: Int32Array, out)
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  Args args(info, "scatterAdd", 3);
  args.byFloatType(0, "src", [&](auto t) { scatterAddTyped<decltype(t)>(args); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
