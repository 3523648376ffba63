// channelsToPlanar(src, dst, channels): WKW arrays keep the channels of a voxel together
// (channel fastest); Neuroglancer's raw chunk encoding wants one whole volume per channel
// (channel slowest). A byte shuffle on the JS thread: a 64³ chunk takes well under a
// millisecond, less than a pool hop would cost. Nothing from JS is trusted: both arrays are
// checked for type, size and overlap before a byte moves.
#include "addon_serve.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "errors.h"
#include "job.h"

namespace wkw {
namespace {

struct Bytes {
  uint8_t* data;
  size_t byteLength;
  size_t elementSize;
};

Bytes typedArrayBytes(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray()) throwArgument(std::string(name) + " must be a TypedArray");
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t byteOffset;
  if (napi_get_typedarray_info(v.Env(), v, &type, &length, &data, &buffer, &byteOffset) != napi_ok) {
    throwArgument(std::string(name) + " must be a TypedArray");
  }
  size_t elementSize = 0;
  switch (type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: elementSize = 1; break;
    case napi_int16_array: case napi_uint16_array: elementSize = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: elementSize = 4; break;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: elementSize = 8; break;
    default: throwArgument(std::string(name) + " has an unsupported element type");
  }
  return {static_cast<uint8_t*>(data), length * elementSize, elementSize};
}

template <typename T>
void toPlanar(const uint8_t* srcBytes, uint8_t* dstBytes, size_t voxels, size_t channels) {
  // memcpy per element: the arrays may not be aligned for T (byte offsets of views).
  for (size_t c = 0; c < channels; c++) {
    uint8_t* out = dstBytes + c * voxels * sizeof(T);
    const uint8_t* in = srcBytes + c * sizeof(T);
    for (size_t v = 0; v < voxels; v++) {
      std::memcpy(out + v * sizeof(T), in + v * channels * sizeof(T), sizeof(T));
    }
  }
}

Napi::Value ChannelsToPlanar(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    Bytes src = typedArrayBytes(info[0], "src");
    Bytes dst = typedArrayBytes(info[1], "dst");
    if (!info[2].IsNumber()) throwArgument("channels must be a number");
    double c = info[2].As<Napi::Number>().DoubleValue();
    if (!(c >= 1 && c <= 255) || c != double(int64_t(c))) throwArgument("channels must be an integer in [1, 255]");
    size_t channels = size_t(c);
    if (src.elementSize != dst.elementSize || src.byteLength != dst.byteLength) {
      throwArgument("src and dst must have the same element size and length");
    }
    size_t itemBytes = src.elementSize * channels;
    if (src.byteLength % itemBytes != 0) throwArgument("the length of src must be a multiple of channels");
    if (src.data < dst.data + dst.byteLength && dst.data < src.data + src.byteLength && src.byteLength > 0) {
      throwArgument("src and dst must not overlap");
    }
    size_t voxels = src.byteLength / itemBytes;
    if (channels == 1) {
      if (src.byteLength > 0) std::memcpy(dst.data, src.data, src.byteLength);
    } else {
      switch (src.elementSize) {
        case 1: toPlanar<uint8_t>(src.data, dst.data, voxels, channels); break;
        case 2: toPlanar<uint16_t>(src.data, dst.data, voxels, channels); break;
        case 4: toPlanar<uint32_t>(src.data, dst.data, voxels, channels); break;
        default: toPlanar<uint64_t>(src.data, dst.data, voxels, channels); break;
      }
    }
  } catch (const WkwException& e) {
    throw Napi::Error(env, makeError(env, e.code, e.what(), e.path, e.blockIndex));
  }
  return env.Undefined();
}

}  // namespace

void initServe(Napi::Env env, Napi::Object exports) {
  exports.Set("channelsToPlanar", Napi::Function::New(env, ChannelsToPlanar));
}

}  // namespace wkw
