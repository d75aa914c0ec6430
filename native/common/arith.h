// Overflow-safe size arithmetic for argument checks. Header-only, no Node or
// CUDA dependency, shared by the CPU and CUDA addons.
//
// Every size a caller passes is a non-negative integer below 2^31 (strides
// below 2^53), so products of two fit in int64; products of more may not.
// The saturating helpers clamp to INT64_MAX instead of wrapping, so a
// "needed length" that overflows compares as larger than any real array and
// fails the length check instead of passing it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>

namespace gradnode {

constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();

/** a * b for non-negative a, b; kSaturated on overflow. */
inline int64_t satMul(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kSaturated : r;
}

/** a + b for non-negative a, b; kSaturated on overflow. */
inline int64_t satAdd(int64_t a, int64_t b) {
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? kSaturated : r;
}

/** Product of several non-negative sizes, saturating. 0 if any is 0. */
inline int64_t satProduct(std::initializer_list<int64_t> sizes) {
  int64_t p = 1;
  for (int64_t s : sizes) {
    if (s == 0) return 0;
  }
  for (int64_t s : sizes) p = satMul(p, s);
  return p;
}

/**
 * Elements a rows×cols matrix with row stride ld spans:
 * (rows - 1) * ld + cols, or 0 when it has no element.
 */
inline int64_t matrixSpan(int64_t rows, int64_t cols, int64_t ld) {
  if (rows == 0 || cols == 0) return 0;
  return satAdd(satMul(rows - 1, ld), cols);
}

}  // namespace gradnode
