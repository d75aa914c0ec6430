// Argument checks of logSoftmaxNllForward / logSoftmaxNllBackward, shared by
// the CPU and CUDA addons (A: Args or a class derived from it). labels and
// argmax are host Int32Arrays; floatsOnHost says whether the float arrays are
// host memory too (the CPU addon), so that overlaps between the two kinds are
// possible and checked.
#pragma once

#include <cstdint>
#include <string>

#include "common/args.h"

namespace gradnode {

/** Every labels[i], i < m, lies in [0, c). */
template <class A>
void checkLabels(const A& args, const ArrayView<int32_t>& labels, int64_t m, int64_t c) {
  for (int64_t i = 0; i < m; ++i) {
    const int32_t label = labels.data[i];
    if (label < 0 || label >= c) {
      throw args.rangeError("labels[" + std::to_string(i) + "] = " + std::to_string(label) +
                            " is outside [0, " + std::to_string(c) + ")");
    }
  }
}

template <class A, class T>
void checkLogSoftmaxNllForward(const A& args, int64_t m, int64_t c, ArrayView<T>& logits,
                               ArrayView<int32_t>& labels, ArrayView<T>& logProbs, ArrayView<int32_t>& argmax,
                               bool floatsOnHost) {
  const int64_t mc = satMul(m, c);
  args.requireLength(logits, "logits", mc, {{"m", m}, {"c", c}});
  args.requireLength(labels, "labels", m, {{"m", m}});
  args.requireLength(logProbs, "logProbs", mc, {{"m", m}, {"c", c}});
  args.requireLength(argmax, "argmax", m, {{"m", m}});
  args.requireDisjoint(logProbs, "logProbs", logits, "logits", true);
  if (floatsOnHost) args.requireDisjoint(logProbs, "logProbs", labels, "labels");
  args.requireDisjoint(argmax, "argmax", labels, "labels");
  if (floatsOnHost) {
    args.requireDisjoint(argmax, "argmax", logits, "logits");
    args.requireDisjoint(argmax, "argmax", logProbs, "logProbs");
  }
  if (m > 0 && c == 0) throw args.rangeError("c must be at least 1 when m > 0 (labels lie in [0, c))");
  checkLabels(args, labels, m, c);
}

template <class A, class T>
void checkLogSoftmaxNllBackward(const A& args, int64_t m, int64_t c, ArrayView<T>& logProbs,
                                ArrayView<int32_t>& labels, ArrayView<T>& dLogits, bool floatsOnHost) {
  const int64_t mc = satMul(m, c);
  args.requireLength(logProbs, "logProbs", mc, {{"m", m}, {"c", c}});
  args.requireLength(labels, "labels", m, {{"m", m}});
  args.requireLength(dLogits, "dLogits", mc, {{"m", m}, {"c", c}});
  args.requireDisjoint(dLogits, "dLogits", logProbs, "logProbs", true);
  if (floatsOnHost) args.requireDisjoint(dLogits, "dLogits", labels, "labels");
  checkLabels(args, labels, m, c);
}

}  // namespace gradnode
