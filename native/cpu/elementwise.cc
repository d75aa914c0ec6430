// Elementwise kernels: binary (with broadcast strides of any rank, 0-d
// included), unary, scale, axpy, copyStrided. Single-threaded, memory-bound
// loops with stride-1 / stride-0 inner loops the compiler vectorises.
// scale and axpy compute in double (alpha is a JS number) and round once, like
// the TS reference.
#include <algorithm>
#include <string>
#include <utility>

#include "common/args.h"
#include "common/checks/elementwise.h"
#include "common/ops.h"
#include "cpu/kernels.h"
#include "cpu/strided.h"

namespace gradnode::cpu {
namespace {

// ---- binary ---------------------------------------------------------------

template <class T, int Op>
void binaryRun(const StridedLayout<2>& s, const T* a, const T* b, T* out) {
  forEachRun<2>(s, [&](int64_t o, const int64_t* off, int64_t n, const int64_t* st) {
    const T* pa = a + off[0];
    const T* pb = b + off[1];
    T* po = out + o;
    if (st[0] == 1 && st[1] == 1) {
      for (int64_t i = 0; i < n; ++i) po[i] = binaryOp<T, Op>(pa[i], pb[i]);
    } else if (st[0] == 1 && st[1] == 0) {
      const T bv = *pb;
      for (int64_t i = 0; i < n; ++i) po[i] = binaryOp<T, Op>(pa[i], bv);
    } else if (st[0] == 0 && st[1] == 1) {
      const T av = *pa;
      for (int64_t i = 0; i < n; ++i) po[i] = binaryOp<T, Op>(av, pb[i]);
    } else {
      const int64_t sa = st[0], sb = st[1];
      for (int64_t i = 0; i < n; ++i) po[i] = binaryOp<T, Op>(pa[i * sa], pb[i * sb]);
    }
  });
}

template <class T, size_t... Op>
void binaryDispatch(int op, const StridedLayout<2>& s, const T* a, const T* b, T* out, std::index_sequence<Op...>) {
  using Fn = void (*)(const StridedLayout<2>&, const T*, const T*, T*);
  static constexpr Fn table[] = {&binaryRun<T, static_cast<int>(Op)>...};
  table[op](s, a, b, out);
}

template <class T>
void binaryTyped(Args& args, const BinaryParams& p) {
  ArrayView<T> a = args.floats<T>(2, "a");
  ArrayView<T> b = args.floats<T>(4, "b");
  ArrayView<T> out = args.floats<T>(6, "out");
  checkBinary(args, p, a, b, out);
  const int64_t total = shapeProduct(p.rank, p.shape);
  if (total == 0) return;
  const int64_t* const strides[2] = {p.aStrides, p.bStrides};
  binaryDispatch<T>(p.op, collapse<kMaxRank>(p.rank, p.shape, strides), a.data, b.data, out.data,
                    std::make_index_sequence<kBinaryOpCount>{});
}

// ---- unary ----------------------------------------------------------------

template <class T, int Op>
void unaryRun(const T* x, T* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = unaryOp<T, Op>(x[i]);
}

template <class T, size_t... Op>
void unaryDispatch(int op, const T* x, T* out, int64_t n, std::index_sequence<Op...>) {
  using Fn = void (*)(const T*, T*, int64_t);
  static constexpr Fn table[] = {&unaryRun<T, static_cast<int>(Op)>...};
  table[op](x, out, n);
}

template <class T>
void unaryTyped(Args& args, int op) {
  ArrayView<T> x = args.floats<T>(1, "x");
  ArrayView<T> out = args.floats<T>(2, "out");
  checkSameOrInPlace(args, out, "out", x);
  unaryDispatch<T>(op, x.data, out.data, x.length, std::make_index_sequence<kUnaryOpCount>{});
}

// ---- scale, axpy ----------------------------------------------------------

template <class T>
void scaleTyped(Args& args, double alpha) {
  ArrayView<T> x = args.floats<T>(1, "x");
  ArrayView<T> out = args.floats<T>(2, "out");
  checkSameOrInPlace(args, out, "out", x);
  const T* px = x.data;
  T* po = out.data;
  for (int64_t i = 0; i < x.length; ++i) po[i] = static_cast<T>(alpha * static_cast<double>(px[i]));
}

template <class T>
void axpyTyped(Args& args, double alpha) {
  ArrayView<T> x = args.floats<T>(1, "x");
  ArrayView<T> y = args.floats<T>(2, "y");
  checkSameOrInPlace(args, y, "y", x);
  const T* px = x.data;
  T* py = y.data;
  for (int64_t i = 0; i < x.length; ++i) {
    py[i] = static_cast<T>(static_cast<double>(py[i]) + alpha * static_cast<double>(px[i]));
  }
}

// ---- copyStrided ----------------------------------------------------------

template <class T>
void copyTyped(Args& args, const CopyParams& p) {
  ArrayView<T> src = args.floats<T>(1, "src");
  ArrayView<T> out = args.floats<T>(3, "out");
  checkCopyStrided(args, p, src, out);
  const int64_t total = shapeProduct(p.rank, p.shape);
  if (total == 0 || out.data == src.data) return;  // the same contiguous array: nothing to move
  const int64_t* const strides[1] = {p.srcStrides};
  const T* s = src.data;
  T* o = out.data;
  forEachRun<1>(collapse<kMaxRank>(p.rank, p.shape, strides), [&](int64_t oo, const int64_t* off, int64_t n, const int64_t* st) {
    const T* ps = s + off[0];
    T* po = o + oo;
    if (st[0] == 1) {
      std::copy(ps, ps + n, po);
    } else if (st[0] == 0) {
      std::fill(po, po + n, *ps);
    } else {
      const int64_t step = st[0];
      for (int64_t i = 0; i < n; ++i) po[i] = ps[i * step];
    }
  });
}

}  // namespace

// binary(op, shape, a, aStrides, b, bStrides, out)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Args args(info, "binary", 7);
  BinaryParams p;
  readBinaryParams(args, p);
  args.byFloatType(2, "a", [&](auto t) { binaryTyped<decltype(t)>(args, p); });
  return info.Env().Undefined();
}

// unary(op, x, out)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  Args args(info, "unary", 3);
  const int op = args.enumIndex(0, "op", kUnaryOpNames, kUnaryOpCount, "UNARY_OPS");
  args.byFloatType(1, "x", [&](auto t) { unaryTyped<decltype(t)>(args, op); });
  return info.Env().Undefined();
}

// scale(alpha, x, out)
Napi::Value Scale(const Napi::CallbackInfo& info) {
  Args args(info, "scale", 3);
  const double alpha = args.number(0, "alpha");
  args.byFloatType(1, "x", [&](auto t) { scaleTyped<decltype(t)>(args, alpha); });
  return info.Env().Undefined();
}

// axpy(alpha, x, y)
Napi::Value Axpy(const Napi::CallbackInfo& info) {
  Args args(info, "axpy", 3);
  const double alpha = args.number(0, "alpha");
  args.byFloatType(1, "x", [&](auto t) { axpyTyped<decltype(t)>(args, alpha); });
  return info.Env().Undefined();
}

// copyStrided(shape, src, srcStrides, out)
Napi::Value CopyStrided(const Napi::CallbackInfo& info) {
  Args args(info, "copyStrided", 4);
  CopyParams p;
  readCopyParams(args, p);
  args.byFloatType(1, "src", [&](auto t) { copyTyped<decltype(t)>(args, p); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
