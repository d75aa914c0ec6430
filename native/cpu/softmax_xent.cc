// log-softmax + negative log-likelihood over m rows of c logits, forward and
// backward. Stable: logProbs = z - (max + log Σ exp(z - max)), with the sum
// and the log-sum-exp in double; the loss is the mean over rows of
// -logProbs[i, labels[i]] accumulated in double and returned as a JS number.
// Labels are checked before anything is written.
#include <cmath>

#include "common/args.h"
#include "common/checks/softmax_xent.h"
#include "common/ops.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

/** The label of row i, read once (the array may be shared with another thread). */
inline int64_t labelAt(const Args& args, const int32_t* labels, int64_t i, int64_t c) {
  const int32_t label = labels[i];
  if (label < 0 || label >= c) throw args.rangeError("labels changed while the kernel ran");
  return label;
}

template <class T>
double forwardRows(const Args& args, int64_t m, int64_t c, const T* logits, const int32_t* labels,
                   T* logProbs, int32_t* __restrict argmax) {
  double total = 0;
  for (int64_t i = 0; i < m; ++i) {
    const T* z = logits + i * c;
    T* lp = logProbs + i * c;
    T best = z[0];
    int64_t bestIndex = 0;
    for (int64_t j = 1; j < c; ++j) {
      if (beats(z[j], best)) {
        best = z[j];
        bestIndex = j;
      }
    }
    const double mx = static_cast<double>(best);
    double sum = 0;
    for (int64_t j = 0; j < c; ++j) sum += std::exp(static_cast<double>(z[j]) - mx);
    const double lse = mx + std::log(sum);
    for (int64_t j = 0; j < c; ++j) lp[j] = static_cast<T>(static_cast<double>(z[j]) - lse);
    if (argmax) argmax[i] = static_cast<int32_t>(bestIndex);
    total -= static_cast<double>(lp[labelAt(args, labels, i, c)]);
  }
  return total / static_cast<double>(m);
}

template <class T>
void backwardRows(const Args& args, int64_t m, int64_t c, const T* logProbs, const int32_t* labels, T scale,
                  T* dLogits) {
  for (int64_t i = 0; i < m; ++i) {
    const T* lp = logProbs + i * c;
    T* d = dLogits + i * c;
    const int64_t label = labelAt(args, labels, i, c);
    for (int64_t j = 0; j < c; ++j) d[j] = scale * (std::exp(lp[j]) - (j == label ? T(1) : T(0)));
  }
}

template <class T>
double forwardTyped(Args& args, int64_t m, int64_t c) {
  ArrayView<T> logits = args.floats<T>(2, "logits");
  ArrayView<int32_t> labels = args.int32s(3, "labels");
  ArrayView<T> logProbs = args.floats<T>(4, "logProbs");
  ArrayView<int32_t> argmax = args.int32s(5, "argmax", true);
  checkLogSoftmaxNllForward(args, m, c, logits, labels, logProbs, argmax, /*floatsOnHost=*/true);
  return forwardRows<T>(args, m, c, logits.data, labels.data, logProbs.data,
                        argmax.present ? argmax.data : nullptr);
}

template <class T>
void backwardTyped(Args& args, int64_t m, int64_t c, double gradLoss) {
  ArrayView<T> logProbs = args.floats<T>(2, "logProbs");
  ArrayView<int32_t> labels = args.int32s(3, "labels");
  ArrayView<T> dLogits = args.floats<T>(5, "dLogits");
  checkLogSoftmaxNllBackward(args, m, c, logProbs, labels, dLogits, /*floatsOnHost=*/true);
  if (m == 0) return;
  backwardRows<T>(args, m, c, logProbs.data, labels.data, static_cast<T>(gradLoss / static_cast<double>(m)),
                  dLogits.data);
}

}  // namespace

// logSoftmaxNllForward(m, c, logits, labels, logProbs, argmax | null) -> mean loss
Napi::Value LogSoftmaxNllForward(const Napi::CallbackInfo& info) {
  Args args(info, "logSoftmaxNllForward", 6);
  const int64_t m = args.size(0, "m"), c = args.size(1, "c");
  const double loss = args.byFloatType(2, "logits", [&](auto t) { return forwardTyped<decltype(t)>(args, m, c); });
  return Napi::Number::New(info.Env(), loss);
}

// logSoftmaxNllBackward(m, c, logProbs, labels, gradLoss, dLogits)
Napi::Value LogSoftmaxNllBackward(const Napi::CallbackInfo& info) {
  Args args(info, "logSoftmaxNllBackward", 6);
  const int64_t m = args.size(0, "m"), c = args.size(1, "c");
  const double gradLoss = args.number(4, "gradLoss");
  args.byFloatType(2, "logProbs", [&](auto t) { backwardTyped<decltype(t)>(args, m, c, gradLoss); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
