// Overflow-checked integer arithmetic for sizes, strides and offsets that come from callers
// or files: a product or sum that does not fit is an error, never a wrapped value.
#pragma once
#include <cstdint>
#include <string>

#include "errors.h"

namespace wkw {

// false if a * b (a + b) does not fit in T; `out` is then unspecified.
template <typename T>
[[nodiscard]] inline bool checkedMul(T a, T b, T& out) {
  return !__builtin_mul_overflow(a, b, &out);
}
template <typename T>
[[nodiscard]] inline bool checkedAdd(T a, T b, T& out) {
  return !__builtin_add_overflow(a, b, &out);
}

// The same, throwing ERR_WKW_ARGUMENT ("<what> overflows") when the result does not fit.
template <typename T>
inline T mulOrThrow(T a, T b, const char* what) {
  T out;
  if (!checkedMul(a, b, out)) throwArgument(std::string(what) + " is too large (integer overflow)");
  return out;
}
template <typename T>
inline T addOrThrow(T a, T b, const char* what) {
  T out;
  if (!checkedAdd(a, b, out)) throwArgument(std::string(what) + " is too large (integer overflow)");
  return out;
}

}  // namespace wkw
