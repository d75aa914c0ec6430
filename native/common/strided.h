// Strided-layout arithmetic shared by binary / copyStrided of both addons: the
// span an operand read through element strides covers, the element count of a
// shape, the contiguity test, and the collapse (size-1 dimensions dropped,
// neighbours contiguous for every operand merged). Host code only, no Node or
// CUDA dependency (the CUDA launchers and the test driver use it too).
#pragma once

#include <cstdint>

#include "common/arith.h"

namespace gradnode {

/** Elements an operand read through `stride` spans: 1 + Σ (shape_d - 1)·stride_d, or 0 when empty. */
inline int64_t stridedSpan(int rank, const int64_t* shape, const int64_t* stride) {
  int64_t span = 1;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] == 0) return 0;
    span = satAdd(span, satMul(shape[d] - 1, stride[d]));
  }
  return span;
}

/** Elements of a contiguous array of this shape (saturating; 0 when any dimension is 0). */
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

/**
 * A layout after collapsing: `rank` dimensions (at most MaxRank) of the
 * contiguous output, and each operand's element strides along them.
 */
template <int Ops, int MaxRank>
struct CollapsedLayout {
  int rank = 0;
  int64_t shape[MaxRank];
  int64_t stride[Ops][MaxRank];
};

/**
 * Size-1 dimensions dropped, and a dimension merged into its left neighbour
 * when that is contiguous with it for every operand (rank <= MaxRank).
 */
template <int MaxRank, int Ops>
CollapsedLayout<Ops, MaxRank> collapse(int rank, const int64_t* shape, const int64_t* const (&strides)[Ops]) {
  CollapsedLayout<Ops, MaxRank> s;
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

}  // namespace gradnode
