// Argument checks of biasActivationForward / biasActivationBackward, shared by
// the CPU and CUDA addons (A: Args or a class derived from it).
#pragma once

#include <cstdint>

#include "common/args.h"
#include "common/ops.h"

namespace gradnode {

/** (act, m, n): arguments 0..2 of both entry points. */
struct BiasActivationParams {
  int act;
  int64_t m, n;
};

template <class A>
BiasActivationParams readBiasActivationParams(const A& args) {
  BiasActivationParams p;
  p.act = args.enumIndex(0, "act", kActivationNames, kActivationCount, "ACTIVATIONS");
  p.m = args.size(1, "m");
  p.n = args.size(2, "n");
  return p;
}

template <class A, class T>
void checkBiasActivationForward(const A& args, int64_t m, int64_t n, ArrayView<T>& x, ArrayView<T>& bias,
                                ArrayView<T>& out) {
  const int64_t mn = satMul(m, n);
  args.requireLength(x, "x", mn, {{"m", m}, {"n", n}});
  args.requireLength(bias, "bias", n, {{"n", n}});
  args.requireLength(out, "out", mn, {{"m", m}, {"n", n}});
  args.requireDisjoint(out, "out", x, "x", true);
  args.requireDisjoint(out, "out", bias, "bias");
}

template <class A, class T>
void checkBiasActivationBackward(const A& args, int64_t m, int64_t n, ArrayView<T>& dOut, ArrayView<T>& out,
                                 ArrayView<T>& dX, ArrayView<T>& dBias) {
  const int64_t mn = satMul(m, n);
  args.requireLength(dOut, "dOut", mn, {{"m", m}, {"n", n}});
  args.requireLength(out, "out", mn, {{"m", m}, {"n", n}});
  args.requireLength(dX, "dX", mn, {{"m", m}, {"n", n}});
  args.requireLength(dBias, "dBias", n, {{"n", n}});
  args.requireDisjoint(dX, "dX", dOut, "dOut", true);
  args.requireDisjoint(dX, "dX", out, "out", true);
  args.requireDisjoint(dBias, "dBias", dOut, "dOut");
  args.requireDisjoint(dBias, "dBias", out, "out");
  args.requireDisjoint(dBias, "dBias", dX, "dX");
}

}  // namespace gradnode
