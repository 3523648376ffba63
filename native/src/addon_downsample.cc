// N-API functions of downsampling (typed in binding.d.ts): downsampleArray(Sync) on
// caller arrays and resampleFile, which builds one cube file of a new mag. Arguments are
// re-validated here for memory safety; the TypeScript layer checks them for good messages.
#include "addon_downsample.h"

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "downsample.h"
#include "errors.h"
#include "header.h"
#include "job.h"
#include "voxel_code.h"

namespace wkw {
namespace {

__extension__ typedef __int128 Int128;  // overflow-free size arithmetic

constexpr int64_t kMaxCoord = int64_t(1) << 31;
constexpr int64_t kMaxFactor = 1024;
constexpr int64_t kMaxBlockVoxels = int64_t(1) << 20;  // voxels one output voxel filters

[[noreturn]] void throwJs(Napi::Env env, const WkwException& e) {
  throw Napi::Error(env, makeError(env, e.code, e.what(), e.path, e.blockIndex));
}

Napi::Value rejected(Napi::Env env, const WkwException& e) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(Napi::Value(env, makeError(env, e.code, e.what(), e.path, e.blockIndex)));
  return deferred.Promise();
}

int64_t intArg(const Napi::Value& v, const std::string& name, int64_t min, int64_t max) {
  if (!v.IsNumber()) throwArgument(name + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < double(min) || d > double(max)) {
    throwArgument(name + " must be an integer in [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return int64_t(d);
}

void intsArg(const Napi::Value& v, const std::string& name, int64_t* out, uint32_t n,
             int64_t min, int64_t max) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != n) {
    throwArgument(name + " must be an array of " + std::to_string(n) + " integers");
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < n; i++) out[i] = intArg(a.Get(i), name, min, max);
}

struct Typed {
  uint8_t* data;
  size_t length;
  uint8_t code;
};

Typed typedArg(const Napi::Value& v, const std::string& name) {
  if (!v.IsTypedArray()) throwArgument(name + " must be a TypedArray of a voxel type");
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t byteOffset;
  napi_get_typedarray_info(v.Env(), v, &type, &length, &data, &buffer, &byteOffset);
  const uint8_t code = voxelCodeOf(type);
  if (code == 0) throwArgument(name + " must be a TypedArray of a voxel type");
  return {static_cast<uint8_t*>(data), length, code};
}

Filter filterArg(const Napi::Value& v) {
  Filter f;
  if (!v.IsString() || !parseFilter(v.As<Napi::String>().Utf8Value(), f)) {
    throwArgument(std::string("mode must be one of ") + supportedFilters());
  }
  return f;
}

void factorsArg(const Napi::Value& v, int64_t f[3]) {
  intsArg(v, "factors", f, 3, 1, kMaxFactor);
  if (f[0] * f[1] * f[2] > kMaxBlockVoxels) {
    throwArgument("factors must span at most " + std::to_string(kMaxBlockVoxels) + " voxels");
  }
}

class DownsampleTask : public Task {
 public:
  DownsampleTask(uint8_t code, Filter filter, const StridedArray& in, const int64_t f[3],
                 const StridedArray& out, int64_t z0, int64_t z1)
      : code_(code), filter_(filter), in_(in), out_(out), z0_(z0), z1_(z1) {
    for (int i = 0; i < 3; i++) f_[i] = f[i];
  }
  void run() override { downsampleRegion(code_, filter_, in_, f_, out_, z0_, z1_); }

 private:
  uint8_t code_;
  Filter filter_;
  StridedArray in_, out_;
  int64_t f_[3];
  int64_t z0_, z1_;
};

// (data, elementOffset, shape [c,x,y,z], strides [4], factors [3], mode, out) → tasks over
// output z planes of about 1 MiB of input each.
std::vector<std::unique_ptr<Task>> planArray(const Napi::CallbackInfo& info) {
  Typed in = typedArg(info[0], "data");
  const int64_t base = intArg(info[1], "elementOffset", 0, int64_t(1) << 53);
  int64_t shape[4], strides[4], f[3];
  intsArg(info[2], "shape", shape, 4, 0, kMaxCoord);
  intsArg(info[3], "strides", strides, 4, -(int64_t(1) << 50), int64_t(1) << 50);
  factorsArg(info[4], f);
  const Filter filter = filterArg(info[5]);
  Typed out = typedArg(info[6], "out");
  if (out.code != in.code) throwArgument("out must have the element type of data");
  if (shape[0] < 1 || shape[0] > 65535) throwArgument("shape[0] (channels) must be in [1, 65535]");
  std::vector<std::unique_ptr<Task>> tasks;
  int64_t outShape[4] = {shape[0], 0, 0, 0};
  Int128 outCount = shape[0];
  for (int i = 0; i < 3; i++) {
    outShape[i + 1] = (shape[i + 1] + f[i] - 1) / f[i];
    outCount *= outShape[i + 1];
  }
  if (outCount > Int128(out.length)) {
    throwArgument("out holds " + std::to_string(out.length) + " items, the result needs " +
                  std::to_string(int64_t(outCount)));
  }
  if (outCount == 0) return tasks;
  // Every element the strides can reach must lie inside data.
  Int128 lo = base, hi = base;
  for (int i = 0; i < 4; i++) {
    const Int128 span = Int128(shape[i] - 1) * strides[i];
    if (span < 0) lo += span; else hi += span;
  }
  if (lo < 0 || hi >= Int128(in.length)) {
    throwArgument("data (" + std::to_string(in.length) +
                  " items) is too small for the given shape, strides and offset");
  }
  const uint32_t ts = voxelTypeSize(in.code);
  StridedArray a, o;
  a.base = in.data + base * ts;
  o.base = out.data;
  for (int i = 0; i < 4; i++) {
    a.shape[i] = shape[i];
    a.stride[i] = strides[i];
    o.shape[i] = outShape[i];
  }
  o.stride[0] = 1;
  for (int i = 1; i < 4; i++) o.stride[i] = o.stride[i - 1] * outShape[i - 1];
  const int64_t planeBytes = shape[0] * shape[1] * shape[2] * f[2] * ts;
  const int64_t step = std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(1, planeBytes));
  for (int64_t z = 0; z < outShape[3]; z += step) {
    tasks.emplace_back(new DownsampleTask(in.code, filter, a, f, o, z, std::min(outShape[3], z + step)));
  }
  return tasks;
}

Napi::Value DownsampleArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    auto tasks = planArray(info);
    size_t inFlight = Job::defaultInFlight();
    if (!info[7].IsUndefined() && !info[7].IsNull()) {
      const int64_t n = intArg(info[7], "concurrency", 0, 1024);
      if (n > 0) inFlight = size_t(n);
    }
    return Napi::Value(env, Job::start(env, std::move(tasks), inFlight, nullptr, {info[0], info[6]}));
  } catch (const WkwException& e) {
    return rejected(env, e);
  }
}

Napi::Value DownsampleArraySync(const Napi::CallbackInfo& info) {
  try {
    auto tasks = planArray(info);
    Job::runSync(tasks);
  } catch (const WkwException& e) {
    throwJs(info.Env(), e);
  }
  return info.Env().Undefined();
}

std::shared_ptr<MagContext> magArg(const Napi::Value& root, const Napi::Value& header,
                                   const char* name) {
  if (!root.IsString()) throwArgument(std::string(name) + "Root must be a string");
  if (!header.IsTypedArray() || header.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throwArgument(std::string(name) + "Header must be a Uint8Array of 16 bytes");
  }
  auto ctx = std::make_shared<MagContext>();
  ctx->root = root.As<Napi::String>().Utf8Value();
  while (ctx->root.size() > 1 && ctx->root.back() == '/') ctx->root.pop_back();
  Napi::Uint8Array a = header.As<Napi::Uint8Array>();
  ctx->header = parseHeader(a.Data(), a.ElementLength(), std::string(name) + "Header");
  return ctx;
}

// resampleFile(srcRoot, srcHeader, dstRoot, dstHeader, file [3], factors [3], mode,
//              upsample, region [lo x3, hi x3] (target voxels), options, concurrency?, cancel?)
Napi::Value ResampleFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    auto src = magArg(info[0], info[1], "source");
    auto dst = magArg(info[2], info[3], "target");
    if (src->header.voxelType != dst->header.voxelType || src->header.voxelSize != dst->header.voxelSize) {
      throwArgument("targetHeader must have the voxel type and channels of the source");
    }
    if (src->root == dst->root) throwArgument("the target must be a folder other than the source");
    int64_t file[3], f[3], region[6];
    intsArg(info[4], "file", file, 3, 0, kMaxCoord / dst->header.fileLenVx());
    factorsArg(info[5], f);
    const Filter filter = filterArg(info[6]);
    const bool upsample = info[7].ToBoolean();
    intsArg(info[8], "region", region, 6, 0, kMaxCoord);
    Box box;
    for (int i = 0; i < 3; i++) {
      box.lo[i] = region[i];
      box.hi[i] = region[i + 3];
      // Source coordinates must stay below 2^31 as well.
      if (!upsample && box.hi[i] * f[i] > kMaxCoord) throwArgument("region times factors exceeds 2^31 voxels");
    }
    WriteOptions options;
    if (info[9].IsObject()) {
      Napi::Object o = info[9].As<Napi::Object>();
      if (o.Has("level") && !o.Get("level").IsUndefined()) options.level = int(intArg(o.Get("level"), "level", 1, 12));
      if (o.Has("durable")) options.durable = o.Get("durable").ToBoolean();
    }
    size_t inFlight = Job::defaultInFlight();
    if (!info[10].IsUndefined() && !info[10].IsNull()) {
      const int64_t n = intArg(info[10], "concurrency", 0, 1024);
      if (n > 0) inFlight = size_t(n);
    }
    auto cancel = cancelTokenArg(info[11]);
    std::vector<std::unique_ptr<Task>> tasks;
    planResampleFile(tasks, src, dst, file[0], file[1], file[2], f, filter, upsample, box, options);
    return Napi::Value(env, Job::start(env, std::move(tasks), inFlight, std::move(cancel), {}));
  } catch (const WkwException& e) {
    return rejected(env, e);
  }
}

}  // namespace

void initDownsample(Napi::Env env, Napi::Object exports) {
  exports.Set("downsampleArray", Napi::Function::New(env, DownsampleArray));
  exports.Set("downsampleArraySync", Napi::Function::New(env, DownsampleArraySync));
  exports.Set("resampleFile", Napi::Function::New(env, ResampleFile));
}

}  // namespace wkw
