// Strided iteration for binary / copyStrided: the output is contiguous in the
// given shape, each operand is read through element strides (0 along
// broadcast dimensions). Dimensions of size 1 are dropped and neighbours that
// are contiguous for every operand are merged, so a contiguous, scalar,
// row-broadcast or column-broadcast operand ends with a short loop nest whose
// innermost loop has stride 1 or 0.
#pragma once

#include <cstdint>

#include "common/arith.h"
#include "common/args.h"

namespace gradnode::cpu {

template <int Ops>
struct StridedLayout {
  int rank = 0;                         // after collapsing
  int64_t shape[kMaxRank];
  int64_t stride[Ops][kMaxRank];
};

/** Elements an operand read through `stride` spans: 1 + Σ (shape_d - 1)·stride_d, or 0 when empty. */
inline int64_t stridedSpan(int rank, const int64_t* shape, const int64_t* stride) {
  int64_t span = 1;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return 0;
    span = satAdd(span, satMul(shape[d] - 1, stride[d]));
  }
  return span;
}

inline int64_t shapeProduct(int rank, const int64_t* shape) {
  int64_t p = 1;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return 0;
  }
  for (int d = 0; d < rank; ++d) p = satMul(p, shape[d]);
  return p;
}

/** True when the strides are the contiguous row-major ones (ignoring size-1 dimensions). */
inline bool isContiguous(int rank, const int64_t* shape, const int64_t* stride) {
  int64_t expected = 1;
  for (int d = rank - 1; d >= 0; --d) {
    if (shape[d] != 1 && stride[d] != expected) return false;
    expected = satMul(expected, shape[d]);
  }
  return true;
}

template <int Ops>
StridedLayout<Ops> collapse(int rank, const int64_t* shape, const int64_t* const (&strides)[Ops]) {
  StridedLayout<Ops> s;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    bool merge = s.rank > 0;
    for (int k = 0; merge && k < Ops; ++k) {
      merge = s.stride[k][s.rank - 1] == satMul(strides[k][d], shape[d]);
    }
    if (merge) {
      s.shape[s.rank - 1] *= shape[d];
      for (int k = 0; k < Ops; ++k) s.stride[k][s.rank - 1] = strides[k][d];
    } else {
      s.shape[s.rank] = shape[d];
      for (int k = 0; k < Ops; ++k) s.stride[k][s.rank] = strides[k][d];
      ++s.rank;
    }
  }
  return s;
}

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
