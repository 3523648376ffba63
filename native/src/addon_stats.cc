// maxValue(array): the largest element of an integer TypedArray, e.g. the largest segment
// id of a segmentation chunk (typed in binding.d.ts). Synchronous: one pass over memory
// the caller holds, at memory speed.
#include "addon_stats.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "errors.h"
#include "job.h"  // makeError

namespace wkw {
namespace {

// Four independent maxima: no loop-carried dependency, so the compiler vectorises it.
template <typename T>
T maxOf(const void* data, size_t n) {
  const T* p = static_cast<const T*>(data);  // typed arrays are aligned to their element
  T m[4] = {p[0], p[0], p[0], p[0]};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    for (size_t k = 0; k < 4; k++) m[k] = std::max(m[k], p[i + k]);
  }
  for (; i < n; i++) m[0] = std::max(m[0], p[i]);
  return std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
}

Napi::Value MaxValue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    if (info.Length() < 1 || !info[0].IsTypedArray()) throwArgument("data must be a TypedArray of an integer voxel type");
    napi_typedarray_type type;
    size_t n;
    void* data;
    napi_value buffer;
    size_t byteOffset;
    if (napi_get_typedarray_info(env, info[0], &type, &n, &data, &buffer, &byteOffset) != napi_ok) {
      throwArgument("data must be a TypedArray of an integer voxel type");
    }
    const bool integer = type == napi_uint8_array || type == napi_uint16_array || type == napi_uint32_array ||
                         type == napi_biguint64_array || type == napi_int8_array || type == napi_int16_array ||
                         type == napi_int32_array || type == napi_bigint64_array;
    if (!integer) throwArgument("data must be a TypedArray of an integer voxel type");
    if (n == 0) return env.Null();
    switch (type) {
      case napi_uint8_array: return Napi::Number::New(env, maxOf<uint8_t>(data, n));
      case napi_uint16_array: return Napi::Number::New(env, maxOf<uint16_t>(data, n));
      case napi_uint32_array: return Napi::Number::New(env, maxOf<uint32_t>(data, n));
      case napi_int8_array: return Napi::Number::New(env, maxOf<int8_t>(data, n));
      case napi_int16_array: return Napi::Number::New(env, maxOf<int16_t>(data, n));
      case napi_int32_array: return Napi::Number::New(env, maxOf<int32_t>(data, n));
      case napi_biguint64_array: return Napi::BigInt::New(env, maxOf<uint64_t>(data, n));
      default: return Napi::BigInt::New(env, maxOf<int64_t>(data, n));
    }
  } catch (const WkwException& e) {
    throw Napi::Error(env, makeError(env, e.code, e.what(), e.path, e.blockIndex));
  }
}

}  // namespace

void initStats(Napi::Env env, Napi::Object exports) {
  exports.Set("maxValue", Napi::Function::New(env, MaxValue));
}

}  // namespace wkw
