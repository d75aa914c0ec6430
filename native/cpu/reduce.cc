// Reductions over the middle axis of x viewed as outer×n×inner: sum (double
// accumulators), max / min (Math.max / Math.min semantics: NaN propagates),
// and argmax (first index of the maximum). n = 0 gives 0, -Infinity and
// +Infinity; argmax needs n >= 1. For inner > 1 the accumulators of a block of
// inner positions stay in registers / L1 while the n rows stream through.
#include <algorithm>
#include <limits>

#include "common/args.h"
#include "common/checks/reduce.h"
#include "common/ops.h"
#include "cpu/kernels.h"

namespace gradnode::cpu {
namespace {

constexpr int64_t kBlock = 256;

template <class T>
void sumRows(int64_t outer, int64_t n, int64_t inner, const T* x, T* out) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const T* row = x + o * n;
      double s = 0;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < n; ++j) s += static_cast<double>(row[j]);
      out[o] = static_cast<T>(s);
    }
    return;
  }
  double acc[kBlock];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i0 = 0; i0 < inner; i0 += kBlock) {
      const int64_t width = std::min(kBlock, inner - i0);
      std::fill(acc, acc + width, 0.0);
      for (int64_t j = 0; j < n; ++j) {
        const T* row = x + (o * n + j) * inner + i0;
        for (int64_t i = 0; i < width; ++i) acc[i] += static_cast<double>(row[i]);
      }
      T* dst = out + o * inner + i0;
      for (int64_t i = 0; i < width; ++i) dst[i] = static_cast<T>(acc[i]);
    }
  }
}

template <class T, bool Max>
void extremeRows(int64_t outer, int64_t n, int64_t inner, const T* x, T* out) {
  const T start = Max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  auto pick = [](T a, T b) { return Max ? jsMax(a, b) : jsMin(a, b); };
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const T* row = x + o * n;
      T best = start;
      for (int64_t j = 0; j < n; ++j) best = pick(best, row[j]);
      out[o] = best;
    }
    return;
  }
  T acc[kBlock];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i0 = 0; i0 < inner; i0 += kBlock) {
      const int64_t width = std::min(kBlock, inner - i0);
      std::fill(acc, acc + width, start);
      for (int64_t j = 0; j < n; ++j) {
        const T* row = x + (o * n + j) * inner + i0;
        for (int64_t i = 0; i < width; ++i) acc[i] = pick(acc[i], row[i]);
      }
      std::copy(acc, acc + width, out + o * inner + i0);
    }
  }
}

template <class T>
void argmaxRows(int64_t outer, int64_t n, int64_t inner, const T* x, int32_t* out) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const T* row = x + o * n;
      T best = row[0];
      int32_t index = 0;
      for (int64_t j = 1; j < n; ++j) {
        if (beats(row[j], best)) {
          best = row[j];
          index = static_cast<int32_t>(j);
        }
      }
      out[o] = index;
    }
    return;
  }
  T best[kBlock];
  int32_t index[kBlock];
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i0 = 0; i0 < inner; i0 += kBlock) {
      const int64_t width = std::min(kBlock, inner - i0);
      std::copy(x + o * n * inner + i0, x + o * n * inner + i0 + width, best);
      std::fill(index, index + width, 0);
      for (int64_t j = 1; j < n; ++j) {
        const T* row = x + (o * n + j) * inner + i0;
        for (int64_t i = 0; i < width; ++i) {
          const bool better = beats(row[i], best[i]);
          best[i] = better ? row[i] : best[i];
          index[i] = better ? static_cast<int32_t>(j) : index[i];
        }
      }
      std::copy(index, index + width, out + o * inner + i0);
    }
  }
}

template <class T>
void reduceTyped(Args& args, int op, int64_t outer, int64_t n, int64_t inner) {
  ArrayView<T> x = args.floats<T>(4, "x");
  ArrayView<T> out = args.floats<T>(5, "out");
  checkReduce(args, outer, n, inner, x, out);
  if (out.used == 0) return;
  switch (op) {
    case kSum: sumRows<T>(outer, n, inner, x.data, out.data); break;
    case kMaxReduce: extremeRows<T, true>(outer, n, inner, x.data, out.data); break;
    default: extremeRows<T, false>(outer, n, inner, x.data, out.data); break;
  }
}

template <class T>
void argmaxTyped(Args& args, int64_t outer, int64_t n, int64_t inner) {
  ArrayView<T> x = args.floats<T>(3, "x");
  ArrayView<int32_t> out = args.int32s(4, "out");
  checkReduce(args, outer, n, inner, x, out);
  if (out.used == 0) return;
  argmaxRows<T>(outer, n, inner, x.data, out.data);
}

}  // namespace

// reduce(op, outer, n, inner, x, out)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Args args(info, "reduce", 6);
  const ReduceParams p = readReduceParams(args);
  args.byFloatType(4, "x", [&](auto t) { reduceTyped<decltype(t)>(args, p.op, p.outer, p.n, p.inner); });
  return info.Env().Undefined();
}

// argmax(outer, n, inner, x, out: Int32Array)
Napi::Value Argmax(const Napi::CallbackInfo& info) {
  Args args(info, "argmax", 5);
  const ReduceParams p = readArgmaxParams(args);
  args.byFloatType(3, "x", [&](auto t) { argmaxTyped<decltype(t)>(args, p.outer, p.n, p.inner); });
  return info.Env().Undefined();
}

}  // namespace gradnode::cpu
