// Argument checks of gather / scatterAdd, shared by the CPU and CUDA addons
// (A: Args or a class derived from it). index is a host Int32Array;
// floatsOnHost says whether src and out are host memory too (the CPU addon),
// so that an overlap of out with index is possible and checked.
#pragma once

#include <cstdint>
#include <string>

#include "common/args.h"

namespace gradnode {

/** Every index[j] lies in [0, bound), bound being the length of boundName. */
template <class A>
void checkIndices(const A& args, const ArrayView<int32_t>& index, int64_t bound, const char* boundName) {
  for (int64_t j = 0; j < index.length; ++j) {
    const int32_t i = index.data[j];
    if (i < 0 || i >= bound) {
      throw args.rangeError("index[" + std::to_string(j) + "] = " + std::to_string(i) + " is outside [0, " +
                            std::to_string(bound) + ") (" + boundName + " has " + std::to_string(bound) +
                            " elements)");
    }
  }
}

/** gather: out[j] = src[index[j]]. */
template <class A, class T>
void checkGather(const A& args, ArrayView<T>& src, ArrayView<int32_t>& index, ArrayView<T>& out,
                 bool floatsOnHost) {
  args.requireSameLength(out, "out", index, "index");
  src.used = src.length;  // any element may be read
  args.requireDisjoint(out, "out", src, "src");
  if (floatsOnHost) args.requireDisjoint(out, "out", index, "index");
  checkIndices(args, index, src.length, "src");
}

/** scatterAdd: out[index[j]] += src[j]. */
template <class A, class T>
void checkScatterAdd(const A& args, ArrayView<T>& src, ArrayView<int32_t>& index, ArrayView<T>& out,
                     bool floatsOnHost) {
  args.requireSameLength(src, "src", index, "index");
  out.used = out.length;  // any element may be written
  args.requireDisjoint(out, "out", src, "src");
  if (floatsOnHost) args.requireDisjoint(out, "out", index, "index");
  checkIndices(args, index, out.length, "out");
}

}  // namespace gradnode
