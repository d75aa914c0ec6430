// Strided iteration for binary / copyStrided (the layout arithmetic is common/strided.h's): the output is contiguous in the
// given shape, each operand is read through element strides (0 along
// broadcast dimensions). Dimensions of size 1 are dropped and neighbours that
// are contiguous for every operand are merged, so a contiguous, scalar,
// row-broadcast or column-broadcast operand ends with a short loop nest whose
// innermost loop has stride 1 or 0.
#pragma once

#include <cstdint>

#include "common/args.h"
#include "common/strided.h"

namespace gradnode::cpu {

/** A collapsed layout (common/strided.h's collapse<kMaxRank>). */
template <int Ops>
using StridedLayout = CollapsedLayout<Ops, kMaxRank>;

/**
 * Calls inner(outOffset, offsets[Ops], length, innerStrides[Ops]) for each
 * innermost run of a collapsed, non-empty layout (rank 0: one element).
 */
template <int Ops, class Inner>
void forEachRun(const StridedLayout<Ops>& s, Inner inner) {
  int64_t offsets[Ops] = {};
  int64_t innerStride[Ops];
  if (s.rank == 0) {
    for (int k = 0; k < Ops; ++k) innerStride[k] = 0;
    inner(int64_t{0}, offsets, int64_t{1}, innerStride);
    return;
  }
  const int last = s.rank - 1;
  const int64_t length = s.shape[last];
  for (int k = 0; k < Ops; ++k) innerStride[k] = s.stride[k][last];
  int64_t runs = 1;
  for (int d = 0; d < last; ++d) runs *= s.shape[d];
  int64_t index[kMaxRank] = {};
  int64_t outOffset = 0;
  for (int64_t r = 0; r < runs; ++r) {
    inner(outOffset, offsets, length, innerStride);
    outOffset += length;
    for (int d = last - 1; d >= 0; --d) {
      for (int k = 0; k < Ops; ++k) offsets[k] += s.stride[k][d];
      if (++index[d] < s.shape[d]) break;
      for (int k = 0; k < Ops; ++k) offsets[k] -= s.stride[k][d] * s.shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace gradnode::cpu
