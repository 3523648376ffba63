// The WKW voxel-type code of a JS typed array kind (0: not a voxel array), shared by the
// binding files so the mapping lives in one place.
#pragma once
#include <napi.h>

#include <cstdint>

namespace wkw {

inline uint8_t voxelCodeOf(napi_typedarray_type t) {
  switch (t) {
    case napi_uint8_array: return 1;
    case napi_uint16_array: return 2;
    case napi_uint32_array: return 3;
    case napi_biguint64_array: return 4;
    case napi_float32_array: return 5;
    case napi_float64_array: return 6;
    case napi_int8_array: return 7;
    case napi_int16_array: return 8;
    case napi_int32_array: return 9;
    case napi_bigint64_array: return 10;
    default: return 0;
  }
}

}  // namespace wkw
