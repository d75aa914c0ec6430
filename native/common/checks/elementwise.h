// Argument checks of the elementwise entry points (binary, unary, scale,
// axpy, copyStrided), shared by the CPU and CUDA addons. A is Args or a class
// derived from it; the views are host or device arrays alike.
#pragma once

#include <cstdint>
#include <string>

#include "common/args.h"
#include "common/ops.h"
#include "common/strided.h"

namespace gradnode {

inline std::string listText(int rank, const int64_t* values) {
  std::string s = "[";
  for (int d = 0; d < rank; ++d) s += (d ? "," : "") + std::to_string(values[d]);
  return s + "]";
}

/** Length check for an operand read through strides; the message lists shape and strides. */
template <class A, class T>
void requireStrided(const A& args, ArrayView<T>& view, const char* name, int rank, const int64_t* shape,
                    const int64_t* stride, const char* strideName) {
  const int64_t needed = stridedSpan(rank, shape, stride);
  if (view.length < needed) {
    throw args.rangeError(std::string(name) + " has " + std::to_string(view.length) + " elements, needs " +
                          (needed == kSaturated ? std::string("more than 2^63") : std::to_string(needed)) +
                          " (shape=" + listText(rank, shape) + ", " + strideName + "=" +
                          listText(rank, stride) + ")");
  }
  view.used = needed;
}

/** Length check for the contiguous output of the given shape. */
template <class A, class T>
void requireShape(const A& args, ArrayView<T>& out, int rank, const int64_t* shape) {
  const int64_t needed = shapeProduct(rank, shape);
  if (out.length < needed) {
    throw args.rangeError("out has " + std::to_string(out.length) + " elements, needs " +
                          (needed == kSaturated ? std::string("more than 2^63") : std::to_string(needed)) +
                          " (shape=" + listText(rank, shape) + ")");
  }
  out.used = needed;
}

/** out may be the operand itself only when the operand is read contiguously. */
template <class A, class T>
void requireAliasOk(const A& args, const ArrayView<T>& out, const ArrayView<T>& operand, const char* name,
                    int rank, const int64_t* shape, const int64_t* stride) {
  args.requireDisjoint(out, "out", operand, name, isContiguous(rank, shape, stride));
}

/** binary(op, shape, a, aStrides, b, bStrides, out): the op, shape and strides (arguments 0, 1, 3, 5). */
struct BinaryParams {
  int op;
  int rank;
  int64_t shape[kMaxRank], aStrides[kMaxRank], bStrides[kMaxRank];
};

template <class A>
void readBinaryParams(const A& args, BinaryParams& p) {
  p.op = args.enumIndex(0, "op", kBinaryOpNames, kBinaryOpCount, "BINARY_OPS");
  p.rank = args.shape(1, "shape", p.shape);
  args.strides(3, "aStrides", p.aStrides, p.rank, "shape");
  args.strides(5, "bStrides", p.bStrides, p.rank, "shape");
}

template <class A, class T>
void checkBinary(const A& args, const BinaryParams& p, ArrayView<T>& a, ArrayView<T>& b, ArrayView<T>& out) {
  requireStrided(args, a, "a", p.rank, p.shape, p.aStrides, "aStrides");
  requireStrided(args, b, "b", p.rank, p.shape, p.bStrides, "bStrides");
  requireShape(args, out, p.rank, p.shape);
  requireAliasOk(args, out, a, "a", p.rank, p.shape, p.aStrides);
  requireAliasOk(args, out, b, "b", p.rank, p.shape, p.bStrides);
}

/** copyStrided(shape, src, srcStrides, out): the shape and strides (arguments 0, 2). */
struct CopyParams {
  int rank;
  int64_t shape[kMaxRank], srcStrides[kMaxRank];
};

template <class A>
void readCopyParams(const A& args, CopyParams& p) {
  p.rank = args.shape(0, "shape", p.shape);
  args.strides(2, "srcStrides", p.srcStrides, p.rank, "shape");
}

template <class A, class T>
void checkCopyStrided(const A& args, const CopyParams& p, ArrayView<T>& src, ArrayView<T>& out) {
  requireStrided(args, src, "src", p.rank, p.shape, p.srcStrides, "srcStrides");
  requireShape(args, out, p.rank, p.shape);
  requireAliasOk(args, out, src, "src", p.rank, p.shape, p.srcStrides);
}

/** unary / scale (out, x) and axpy (y, x): same length, written in place or to a distinct array. */
template <class A, class T>
void checkSameOrInPlace(const A& args, ArrayView<T>& out, const char* outName, ArrayView<T>& x) {
  args.requireSameLength(out, outName, x, "x");
  args.requireDisjoint(out, outName, x, "x", true);
}

}  // namespace gradnode
