// adamStep: one Adam update (PyTorch's form) of a parameter array in place,
// fused into a single pass over p, g, m and v:
//   m = β1·m + (1-β1)·g,   v = β2·v + (1-β2)·g²,
//   p -= (lr / c1) · m / (sqrt(v) / sqrt(c2) + eps),   c1 = 1 - β1^t, c2 = 1 - β2^t.
// Arithmetic in T (float32 stays float32, vectorised); the per-step constants
// are computed in double.
#include <cmath>
#include <string>

#include "common/args.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

struct AdamParams {
  int64_t step;
  double lr, beta1, beta2, eps;
};

double unitInterval(Args& args, size_t i, const char* name) {
  const double b = args.number(i, name);
  if (!(b >= 0 && b < 1)) throw args.rangeError(std::string(name) + " must be in [0, 1), got " + std::to_string(b));
  return b;
}

template <class T>
void adamTyped(Args& args, const AdamParams& a) {
  ArrayView<T> p = args.floats<T>(5, "p");
  ArrayView<T> g = args.floats<T>(6, "g");
  ArrayView<T> m = args.floats<T>(7, "m");
  ArrayView<T> v = args.floats<T>(8, "v");
  args.requireSameLength(g, "g", p, "p");
  args.requireSameLength(m, "m", p, "p");
  args.requireSameLength(v, "v", p, "p");
  args.requireDisjoint(p, "p", g, "g");
  args.requireDisjoint(p, "p", m, "m");
  args.requireDisjoint(p, "p", v, "v");
  args.requireDisjoint(g, "g", m, "m");
  args.requireDisjoint(g, "g", v, "v");
  args.requireDisjoint(m, "m", v, "v");
  const double c1 = 1 - std::pow(a.beta1, static_cast<double>(a.step));
  const double c2 = 1 - std::pow(a.beta2, static_cast<double>(a.step));
  const T b1 = static_cast<T>(a.beta1), b2 = static_cast<T>(a.beta2);
  const T ob1 = static_cast<T>(1 - a.beta1), ob2 = static_cast<T>(1 - a.beta2);
  const T stepSize = static_cast<T>(a.lr / c1), rsqrtC2 = static_cast<T>(1 / std::sqrt(c2)), eps = static_cast<T>(a.eps);
  T* __restrict pp = p.data;
  const T* __restrict pg = g.data;
  T* __restrict pm = m.data;
  T* __restrict pv = v.data;
  const int64_t n = p.length;
  for (int64_t i = 0; i < n; ++i) {
    const T gi = pg[i];
    const T mi = b1 * pm[i] + ob1 * gi;
    const T vi = b2 * pv[i] + ob2 * gi * gi;
    pm[i] = mi;
    pv[i] = vi;
    pp[i] -= stepSize * mi / (std::sqrt(vi) * rsqrtC2 + eps);
  }
}

}  // namespace

// adamStep(step, lr, beta1, beta2, eps, p, g, m, v)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  Args args(info, "adamStep", 9);
  AdamParams a;
  a.step = args.size(0, "step");
  if (a.step < 1) throw args.rangeError("step must be at least 1 (the first update is step 1), got " + std::to_string(a.step));
  a.lr = args.nonNegativeNumber(1, "lr");
  a.beta1 = unitInterval(args, 2, "beta1");
  a.beta2 = unitInterval(args, 3, "beta2");
  a.eps = args.nonNegativeNumber(4, "eps");
  args.byFloatType(5, "p", [&](auto t) { adamTyped<decltype(t)>(args, a); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
