// Argument checks of layerNormForward / layerNormBackward, shared by the CPU
// and CUDA addons (A: Args or a class derived from it).
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "common/args.h"
#include "common/ops.h"

namespace gradnode {

inline constexpr const char* kNormActivationNames[] = {"identity", "relu"};
inline constexpr const char* kNormActivations = "ACTIVATIONS ('identity' | 'relu')";

/** The act argument (at i): an index into kNormActivationNames. */
template <class A>
int readNormActivation(const A& args, size_t i) {
  return args.enumIndex(i, "act", kNormActivationNames, 2, kNormActivations);
}

template <class A, class T>
void checkLayerNormForward(const A& args, int64_t m, int64_t n, ArrayView<T>& x, ArrayView<T>& residual,
                           ArrayView<T>& gamma, ArrayView<T>& beta, ArrayView<T>& out, ArrayView<T>& mean,
                           ArrayView<T>& rstd) {
  const int64_t mn = satMul(m, n);
  args.requireLength(x, "x", mn, {{"m", m}, {"n", n}});
  args.requireLength(residual, "residual", mn, {{"m", m}, {"n", n}});
  args.requireLength(gamma, "gamma", n, {{"n", n}});
  args.requireLength(beta, "beta", n, {{"n", n}});
  args.requireLength(out, "out", mn, {{"m", m}, {"n", n}});
  args.requireLength(mean, "mean", m, {{"m", m}});
  args.requireLength(rstd, "rstd", m, {{"m", m}});
  args.requireDisjoint(out, "out", x, "x", true);
  args.requireDisjoint(out, "out", residual, "residual", true);
  args.requireDisjoint(out, "out", gamma, "gamma");
  args.requireDisjoint(out, "out", beta, "beta");
  args.requireDisjoint(mean, "mean", rstd, "rstd");
  const std::pair<const ArrayView<T>*, const char*> others[] = {
      {&x, "x"}, {&residual, "residual"}, {&gamma, "gamma"}, {&beta, "beta"}, {&out, "out"}};
  for (const auto& [view, name] : others) {
    args.requireDisjoint(mean, "mean", *view, name);
    args.requireDisjoint(rstd, "rstd", *view, name);
  }
}

/**
 * outKind names what out must be in the "out is required with relu" message
 * ("Float32Array", "DeviceArray", ...).
 */
template <class A, class T>
void checkLayerNormBackward(const A& args, int64_t m, int64_t n, bool relu, const std::string& outKind,
                            ArrayView<T>& dOut, ArrayView<T>& x, ArrayView<T>& residual, ArrayView<T>& mean,
                            ArrayView<T>& rstd, ArrayView<T>& gamma, ArrayView<T>& out, ArrayView<T>& dX,
                            ArrayView<T>& dGamma, ArrayView<T>& dBeta) {
  if (relu && !out.present) {
    throw args.typeError("out must be a " + outKind + " (the forward output) when act is relu, got null");
  }
  const int64_t mn = satMul(m, n);
  args.requireLength(dOut, "dOut", mn, {{"m", m}, {"n", n}});
  args.requireLength(x, "x", mn, {{"m", m}, {"n", n}});
  args.requireLength(residual, "residual", mn, {{"m", m}, {"n", n}});
  args.requireLength(mean, "mean", m, {{"m", m}});
  args.requireLength(rstd, "rstd", m, {{"m", m}});
  args.requireLength(gamma, "gamma", n, {{"n", n}});
  if (relu) args.requireLength(out, "out", mn, {{"m", m}, {"n", n}});
  args.requireLength(dX, "dX", mn, {{"m", m}, {"n", n}});
  args.requireLength(dGamma, "dGamma", n, {{"n", n}});
  args.requireLength(dBeta, "dBeta", n, {{"n", n}});
  args.requireDisjoint(dX, "dX", dOut, "dOut", true);
  args.requireDisjoint(dX, "dX", x, "x", true);
  args.requireDisjoint(dX, "dX", residual, "residual", true);
  if (relu) args.requireDisjoint(dX, "dX", out, "out", true);
  args.requireDisjoint(dX, "dX", mean, "mean");
  args.requireDisjoint(dX, "dX", rstd, "rstd");
  args.requireDisjoint(dX, "dX", gamma, "gamma");
  args.requireDisjoint(dGamma, "dGamma", dBeta, "dBeta");
  const std::pair<const ArrayView<T>*, const char*> others[] = {
      {&dOut, "dOut"}, {&x, "x"}, {&residual, "residual"}, {&mean, "mean"},
      {&rstd, "rstd"}, {&gamma, "gamma"}, {&dX, "dX"}};
  for (const auto& [view, name] : others) {
    args.requireDisjoint(dGamma, "dGamma", *view, name);
    args.requireDisjoint(dBeta, "dBeta", *view, name);
  }
}

}  // namespace gradnode
