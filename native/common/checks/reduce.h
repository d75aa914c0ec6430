// Argument checks of reduce / argmax, shared by the CPU and CUDA addons
// (A: Args or a class derived from it).
#pragma once

#include <cstdint>

#include "common/args.h"
#include "common/ops.h"

namespace gradnode {

/**
 * x holds outer×n×inner elements, out outer×inner. checkOverlap: out and x
 * may share memory (false for the CUDA argmax, whose out is a host array).
 */
template <class A, class T, class U>
void checkReduce(const A& args, int64_t outer, int64_t n, int64_t inner, ArrayView<T>& x, ArrayView<U>& out,
                 bool checkOverlap = true) {
  args.requireLength(x, "x", satProduct({outer, n, inner}), {{"outer", outer}, {"n", n}, {"inner", inner}});
  args.requireLength(out, "out", satMul(outer, inner), {{"outer", outer}, {"inner", inner}});
  if (checkOverlap) args.requireDisjoint(out, "out", x, "x");
}

/** reduce(op, outer, n, inner, x, out) and argmax(outer, n, inner, x, out): the enum and the sizes. */
struct ReduceParams {
  int op;  // REDUCE_OPS index (reduce only)
  int64_t outer, n, inner;
};

template <class A>
ReduceParams readReduceParams(const A& args) {
  ReduceParams p;
  p.op = args.enumIndex(0, "op", kReduceOpNames, kReduceOpCount, "REDUCE_OPS");
  p.outer = args.size(1, "outer");
  p.n = args.size(2, "n");
  p.inner = args.size(3, "inner");
  return p;
}

/** argmax's sizes (arguments 0..2); n = 0 is refused: the maximum of an empty axis has no index. */
template <class A>
ReduceParams readArgmaxParams(const A& args) {
  ReduceParams p;
  p.op = kMaxReduce;
  p.outer = args.size(0, "outer");
  p.n = args.size(1, "n");
  p.inner = args.size(2, "inner");
  if (p.n == 0) throw args.rangeError("n must be at least 1 (the maximum of an empty axis has no index)");
  return p;
}

}  // namespace gradnode
