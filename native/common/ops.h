// The enums of src/backend/backend.ts (by index) and the scalar semantics of
// every elementwise op, shared by the CPU and CUDA addons. Header-only; the
// functions are host+device under nvcc.
//
// The semantics follow the TS reference backend, which follows JavaScript:
// max/min propagate NaN and order +0 above -0 like Math.max/Math.min,
// pow follows Math.pow (1 ** NaN and (±1) ** ±Infinity are NaN), sign
// is -1/0/1 with ±0 → +0 and NaN → NaN, relu(x) = x for x > 0 or NaN, else +0.
#pragma once

#include <cmath>
#include <limits>

#if defined(__CUDACC__)
#define GN_HD __host__ __device__
#else
#define GN_HD
#endif

namespace gradnode {

// Index order must match ACTIVATIONS / BINARY_OPS / UNARY_OPS / REDUCE_OPS in
// src/backend/backend.ts (the TS loader compares them with info()).
enum Activation : int { kIdentity = 0, kRelu = 1, kTanh = 2, kActivationCount = 3 };
enum BinaryOp : int { kAdd, kSub, kMul, kDiv, kMax, kMin, kPow, kBinaryOpCount };
enum UnaryOp : int {
  kNeg, kAbs, kSign, kExp, kLog, kSqrt, kSquare, kReciprocal,
  kTanhOp, kTanhGrad, kSigmoid, kReluOp, kReluMask, kLog1p, kUnaryOpCount
};
enum ReduceOp : int { kSum, kMaxReduce, kMinReduce, kReduceOpCount };

inline constexpr const char* kActivationNames[] = {"identity", "relu", "tanh"};
inline constexpr const char* kBinaryOpNames[] = {"add", "sub", "mul", "div", "max", "min", "pow"};
inline constexpr const char* kUnaryOpNames[] = {
    "neg", "abs", "sign", "exp", "log", "sqrt", "square", "reciprocal",
    "tanh", "tanhGrad", "sigmoid", "relu", "reluMask", "log1p"};
inline constexpr const char* kReduceOpNames[] = {"sum", "max", "min"};

/** Math.max: NaN if either is NaN; +0 above -0. */
template <class T>
GN_HD inline T jsMax(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

/** Math.min: NaN if either is NaN; -0 below +0. */
template <class T>
GN_HD inline T jsMin(T a, T b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

/** Math.pow: like C pow except that x ** NaN is NaN and (±1) ** ±Infinity is NaN. */
template <class T>
GN_HD inline T jsPow(T a, T b) {
  if (b != b) return b;
  if ((a == T(1) || a == T(-1)) && std::isinf(b)) return std::numeric_limits<T>::quiet_NaN();
  return std::pow(a, b);
}

/** Math.sign: -1, +1, or x itself for ±0 and NaN. */
template <class T>
GN_HD inline T jsSign(T x) {
  return x > T(0) ? T(1) : (x < T(0) ? T(-1) : (x == T(0) ? T(0) : x));  // ±0 → +0, NaN → NaN
}

template <class T>
GN_HD inline T relu(T x) {
  return x > T(0) || x != x ? x : T(0);  // NaN propagates (as Math.max(x, 0) and PyTorch); -0 → +0
}

template <class T>
GN_HD inline T reluMask(T x) {
  return x > T(0) ? T(1) : T(0);
}

template <class T>
GN_HD inline T sigmoid(T x) {
  return T(1) / (T(1) + std::exp(-x));
}

template <class T, int Op>
GN_HD inline T binaryOp(T a, T b) {
  if constexpr (Op == kAdd) return a + b;
  else if constexpr (Op == kSub) return a - b;
  else if constexpr (Op == kMul) return a * b;
  else if constexpr (Op == kDiv) return a / b;
  else if constexpr (Op == kMax) return jsMax(a, b);
  else if constexpr (Op == kMin) return jsMin(a, b);
  else return jsPow(a, b);
}

template <class T, int Op>
GN_HD inline T unaryOp(T x) {
  if constexpr (Op == kNeg) return -x;
  else if constexpr (Op == kAbs) return std::fabs(x);
  else if constexpr (Op == kSign) return jsSign(x);
  else if constexpr (Op == kExp) return std::exp(x);
  else if constexpr (Op == kLog) return std::log(x);
  else if constexpr (Op == kSqrt) return std::sqrt(x);
  else if constexpr (Op == kSquare) return x * x;
  else if constexpr (Op == kReciprocal) return T(1) / x;
  else if constexpr (Op == kTanhOp) return std::tanh(x);
  else if constexpr (Op == kTanhGrad) return T(1) - x * x;
  else if constexpr (Op == kSigmoid) return sigmoid(x);
  else if constexpr (Op == kReluOp) return relu(x);
  else if constexpr (Op == kReluMask) return reluMask(x);
  else return std::log1p(x);
}

/**
 * Whether `candidate` replaces `best` in an argmax scan: larger, or the first
 * NaN (NaN counts as the largest value, as numpy.argmax and the TS reference).
 */
template <class T>
GN_HD inline bool beats(T candidate, T best) {
  return candidate > best || (candidate != candidate && best == best);
}

/** The fused activation of biasActivationForward. */
template <class T, int Act>
GN_HD inline T activate(T x) {
  if constexpr (Act == kRelu) return relu(x);
  else if constexpr (Act == kTanh) return std::tanh(x);
  else return x;
}

/** dOut * act'(.), with act' read from the forward output (relu: out > 0; tanh: 1 - out²). */
template <class T, int Act>
GN_HD inline T activationGrad(T dOut, T out) {
  if constexpr (Act == kRelu) return out > T(0) ? dOut : T(0);  // masked entries are exactly 0, even for NaN/Inf dOut
  else if constexpr (Act == kTanh) return dOut * (T(1) - out * out);
  else return dOut;
}

}  // namespace gradnode
