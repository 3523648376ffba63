// The N-API surface of the core (typed in binding.d.ts). Arguments are re-validated here:
// the TypeScript layer checks them for good messages, this layer for memory safety.
#include <napi.h>

#include <cmath>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "../vendor/lz4/lz4.h"
#include "addon_cache.h"
#include "addon_serve.h"
#include "addon_stats.h"
#include "codec.h"
#include "errors.h"
#include "file_cache.h"
#include "addon_downsample.h"  // (here: keeps the include block merge-friendly)
#include "header.h"
#include "job.h"
#include "mag_ops.h"
#include "checked.h"  // (after the others: keeps the include block merge-friendly)
#include "voxel_code.h"

namespace wkw {
void InitLiveness(Napi::Env env, Napi::Object exports);  // addon_liveness.cc
namespace {

constexpr int64_t kMaxCoord = int64_t(1) << 31;  // coordinates are unsigned 32-bit in WKW
// One call touches at most this many cube files: planning allocates per file (and a
// compressed whole-file write up to 16 tasks per file), so an absurd region (a broadcast
// write of 2^31 voxels per axis) must fail as an argument error, not exhaust memory.
constexpr int64_t kMaxPlanFiles = int64_t(1) << 17;

// Wrapped objects carry a type tag, so a NativeMag is never read as a CancelToken (or the
// reverse) when a caller passes the wrong object; napi_unwrap alone cannot tell them apart.
constexpr napi_type_tag kMagTag = {0x7a1f0c3b9e5d4a21ULL, 0x8c2e6b0f13d7a945ULL};
constexpr napi_type_tag kCancelTag = {0x4b6d2f9a0e1c7358ULL, 0xd39a51e7c0b2f864ULL};

void tagObject(Napi::Env env, const Napi::Value& object, const napi_type_tag& tag) {
  if (napi_type_tag_object(env, object, &tag) != napi_ok) {
    throw WkwException("ERR_WKW_ARGUMENT", "the object could not be tagged as a wkw native object");
  }
}

bool hasTag(Napi::Env env, const Napi::Value& v, const napi_type_tag& tag) {
  if (!v.IsObject()) return false;
  bool result = false;
  return napi_check_object_type_tag(env, v, &tag, &result) == napi_ok && result;
}

// A prototype method as a class method is: writable, configurable, not enumerable.
void defineMethod(Napi::Env env, Napi::Object proto, const char* name, Napi::Function::Callback cb) {
  proto.DefineProperty(Napi::PropertyDescriptor::Value(name, Napi::Function::New(env, cb, name),
                                                       napi_property_attributes(napi_writable | napi_configurable)));
}

// Results from this size on (larger than the L2 caches) are written with non-temporal
// stores where rows are whole cache lines (region.cc).
constexpr uint64_t kStreamBytes = uint64_t(4) << 20;

[[noreturn]] void throwJs(Napi::Env env, const WkwException& e) {
  throw Napi::Error(env, makeError(env, e.code, e.what(), e.path, e.blockIndex));
}

// Every exception on the JS thread becomes a JS error with a WKW code: the library's own,
// and std::bad_alloc / std::length_error / ... (an absurd argument), never std::terminate.
// A Napi::Error carries a JS exception that is already pending (a throwing getter): it
// passes through unchanged.
WkwException toWkwException(const std::exception& e) {
  if (auto w = dynamic_cast<const WkwException*>(&e)) return *w;
  if (dynamic_cast<const std::bad_alloc*>(&e)) {
    return WkwException("ERR_WKW_ARGUMENT", "Out of memory while planning the call (the region is too large)");
  }
  return WkwException("ERR_WKW_ARGUMENT", std::string("Invalid arguments: ") + e.what());
}

template <typename F>
Napi::Value guardSync(Napi::Env env, F&& f) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throwJs(env, toWkwException(e));
  } catch (...) {
    throwJs(env, WkwException("ERR_WKW_ARGUMENT", "Unknown error in the native argument layer"));
  }
}

Napi::Value rejected(Napi::Env env, const WkwException& e) {
  auto deferred = Napi::Promise::Deferred::New(env);
  deferred.Reject(Napi::Value(env, makeError(env, e.code, e.what(), e.path, e.blockIndex)));
  return deferred.Promise();
}

// The same for calls that return a promise: errors reject it.
template <typename F>
Napi::Value guardAsync(Napi::Env env, F&& f) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    return rejected(env, toWkwException(e));
  } catch (...) {
    return rejected(env, WkwException("ERR_WKW_ARGUMENT", "Unknown error in the native argument layer"));
  }
}

int64_t intArg(const Napi::Value& v, const char* name, int64_t min, int64_t max) {
  if (!v.IsNumber()) throwArgument(std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < double(min) || d > double(max)) {
    throwArgument(std::string(name) + " must be an integer in [" + std::to_string(min) + ", " +
                  std::to_string(max) + "]");
  }
  return int64_t(d);
}

void vec3Arg(const Napi::Value& v, const char* name, int64_t out[3], int64_t min, int64_t max) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 3) {
    throwArgument(std::string(name) + " must be an array of 3 integers");
  }
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < 3; i++) out[i] = intArg(a.Get(i), name, min, max);
}

struct TypedArrayInfo {
  uint8_t* data;
  size_t length;  // elements
};

TypedArrayInfo typedArrayArg(const Napi::Value& v, const char* name, const Header& h) {
  if (!v.IsTypedArray()) throwArgument(std::string(name) + " must be a TypedArray");
  Napi::TypedArray a = v.As<Napi::TypedArray>();
  if (voxelCodeOf(a.TypedArrayType()) != h.voxelType) {
    throwArgument(std::string(name) + " has the wrong element type for voxel type " +
                  std::to_string(h.voxelType));
  }
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t byteOffset;
  napi_get_typedarray_info(v.Env(), a, &type, &length, &data, &buffer, &byteOffset);
  return {static_cast<uint8_t*>(data), length};
}

Header headerArg(const Napi::Value& v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throwArgument(std::string(name) + " must be a Uint8Array of 16 bytes");
  }
  Napi::Uint8Array a = v.As<Napi::Uint8Array>();
  return parseHeader(a.Data(), a.ElementLength(), name);
}

WriteOptions writeOptionsArg(const Napi::Value& v) {
  WriteOptions o;
  if (v.IsObject()) {
    Napi::Object obj = v.As<Napi::Object>();
    if (obj.Has("level") && !obj.Get("level").IsUndefined()) o.level = int(intArg(obj.Get("level"), "level", 1, 12));
    if (obj.Has("durable")) o.durable = obj.Get("durable").ToBoolean();
  }
  return o;
}

// A stride of 0 repeats one element along an axis: only where the caller asked for it.
bool broadcastArg(const Napi::Value& v) {
  return v.IsObject() && v.As<Napi::Object>().Get("broadcast").ToBoolean();
}

// Cube files a region touches, checked against kMaxPlanFiles before anything is planned.
void checkPlanSize(const Header& h, const Box& region) {
  if (region.empty()) return;
  const int64_t fl = h.fileLenVx();
  int64_t files = 1;
  for (int i = 0; i < 3; i++) {
    const int64_t n = (region.hi[i] - 1) / fl - region.lo[i] / fl + 1;
    if (!checkedMul(files, n, files) || files > kMaxPlanFiles) {
      throwArgument("the region touches more than " + std::to_string(kMaxPlanFiles) +
                    " cube files; split it into several calls");
    }
  }
}

class CancelToken : public Napi::ObjectWrap<CancelToken> {
 public:
  static Napi::Function Init(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "CancelToken", {});
    defineMethod(env, ctor.Get("prototype").As<Napi::Object>(), "cancel", CancelMethod);
    return ctor;
  }
  // A plain prototype function that checks the tag of `this` (see NativeMag::method).
  static Napi::Value CancelMethod(const Napi::CallbackInfo& info) {
    CancelToken* self = nullptr;
    if (!hasTag(info.Env(), info.This(), kCancelTag) ||
        napi_unwrap(info.Env(), info.This(), reinterpret_cast<void**>(&self)) != napi_ok || !self) {
      throwJs(info.Env(), WkwException("ERR_WKW_ARGUMENT", "this must be a CancelToken"));
    }
    return self->Cancel(info);
  }
  explicit CancelToken(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<CancelToken>(info), flag(std::make_shared<CancelFlag>(false)) {
    try {
      tagObject(info.Env(), info.This(), kCancelTag);
    } catch (const WkwException& e) {
      throwJs(info.Env(), e);
    }
  }
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    flag->store(true);
    return info.Env().Undefined();
  }
  std::shared_ptr<CancelFlag> flag;
};

std::shared_ptr<CancelFlag> cancelArg(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  // Only our CancelToken objects carry the tag (any other wrapped object, a NativeMag,
  // would be misread by napi_unwrap).
  if (!hasTag(v.Env(), v, kCancelTag)) throwArgument("cancel must be a CancelToken");
  CancelToken* token = nullptr;
  if (napi_unwrap(v.Env(), v, reinterpret_cast<void**>(&token)) != napi_ok || !token) {
    throwArgument("cancel must be a CancelToken");
  }
  return token->flag;
}

size_t inFlightArg(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return Job::defaultInFlight();
  int64_t n = intArg(v, "concurrency", 0, 1024);
  return n == 0 ? Job::defaultInFlight() : size_t(n);
}

class NativeMag : public Napi::ObjectWrap<NativeMag> {
 public:
  // Methods are plain functions on the prototype that check `this` carries the NativeMag
  // tag before unwrapping (ObjectWrap's InstanceMethod would unwrap any wrapped object).
  static Napi::Function Init(Napi::Env env) {
    Napi::Function ctor = DefineClass(env, "NativeMag", {});
    Napi::Object proto = ctor.Get("prototype").As<Napi::Object>();
    defineMethod(env, proto, "read", method<&NativeMag::Read>);
    defineMethod(env, proto, "readSync", method<&NativeMag::ReadSync>);
    defineMethod(env, proto, "write", method<&NativeMag::Write>);
    defineMethod(env, proto, "writeSync", method<&NativeMag::WriteSync>);
    defineMethod(env, proto, "compressFiles", method<&NativeMag::CompressFiles>);
    defineMethod(env, proto, "close", method<&NativeMag::Close>);
    return ctor;
  }

  explicit NativeMag(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeMag>(info) {
    Napi::Env env = info.Env();
    guardSync(env, [&]() -> Napi::Value {
      if (!info[0].IsString()) throwArgument("root must be a string");
      auto ctx = std::make_shared<MagContext>();
      ctx->root = info[0].As<Napi::String>().Utf8Value();
      if (ctx->root.empty()) throwArgument("root must be a non-empty string");
      while (ctx->root.size() > 1 && ctx->root.back() == '/') ctx->root.pop_back();
      ctx->header = headerArg(info[1], "header");
      ctx->cache = blockCacheArg(info[2]);
      mag_ = ctx;
      tagObject(env, info.This(), kMagTag);
      return env.Undefined();
    });
  }

 private:
  template <Napi::Value (NativeMag::*M)(const Napi::CallbackInfo&)>
  static Napi::Value method(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    NativeMag* self = nullptr;
    if (!hasTag(env, info.This(), kMagTag) ||
        napi_unwrap(env, info.This(), reinterpret_cast<void**>(&self)) != napi_ok || !self) {
      throwJs(env, WkwException("ERR_WKW_ARGUMENT", "this must be a NativeMag"));
    }
    return (self->*M)(info);
  }

  void ensureOpen() const {
    if (!mag_) throw WkwException("ERR_WKW_CLOSED", "The dataset was closed");
  }

  // offset (info[0]) and shape (info[1]) of a region below 2^31 voxels on every axis.
  static Box regionArgs(const Napi::CallbackInfo& info, int64_t off[3], int64_t shape[3]) {
    vec3Arg(info[0], "offset", off, 0, kMaxCoord);
    vec3Arg(info[1], "shape", shape, 0, kMaxCoord);
    Box region;
    for (int i = 0; i < 3; i++) {
      if (off[i] + shape[i] > kMaxCoord) throwArgument("region exceeds 2^31 voxels");
      region.lo[i] = off[i];
      region.hi[i] = off[i] + shape[i];
    }
    return region;
  }

  using Planner = std::vector<std::unique_ptr<Task>> (NativeMag::*)(const Napi::CallbackInfo&);

  // An async call: plans on the JS thread, runs on the pool; argument errors reject.
  Napi::Value runAsync(const Napi::CallbackInfo& info, Planner plan, size_t concurrencyArg) {
    Napi::Env env = info.Env();
    return guardAsync(env, [&]() -> Napi::Value {
      const size_t inFlight = inFlightArg(info[concurrencyArg]);
      auto cancel = cancelArg(info[concurrencyArg + 1]);
      auto tasks = (this->*plan)(info);
      return Napi::Value(env, Job::start(env, std::move(tasks), inFlight, std::move(cancel), {info[2]}));
    });
  }

  // A sync twin: the same tasks, one after another on the JS thread.
  Napi::Value runSync(const Napi::CallbackInfo& info, Planner plan) {
    Napi::Env env = info.Env();
    return guardSync(env, [&]() -> Napi::Value {
      auto tasks = (this->*plan)(info);
      Job::runSync(tasks);
      return env.Undefined();
    });
  }

  // Common part of read/readSync: validates and plans.
  std::vector<std::unique_ptr<Task>> planReadCall(const Napi::CallbackInfo& info) {
    ensureOpen();
    const Header& h = mag_->header;
    int64_t off[3], shape[3];
    const Box region = regionArgs(info, off, shape);
    TypedArrayInfo out = typedArrayArg(info[2], "out", h);
    const int64_t c = h.numChannels();
    int64_t need = c;
    for (int i = 0; i < 3; i++) need = mulOrThrow(need, shape[i], "the region's item count");
    if (uint64_t(need) > out.length) {
      throwArgument("out holds " + std::to_string(out.length) + " items, the region needs " +
                    std::to_string(need));
    }
    checkPlanSize(h, region);
    ArrayView view;
    view.base = out.data;
    view.channels = uint32_t(c);
    view.typeSize = h.typeSize();
    for (int i = 0; i < 3; i++) view.origin[i] = off[i];
    // Byte strides: bounded by the array's byte length, which `need` was checked against.
    view.stride[0] = h.typeSize();
    view.stride[1] = int64_t(h.voxelSize);
    view.stride[2] = mulOrThrow(view.stride[1], shape[0], "the y stride");
    view.stride[3] = mulOrThrow(view.stride[2], shape[1], "the z stride");
    // info[3], what `out` is: 0 the caller's array, 1 a fresh zeroed array, 2 a fresh
    // array from the pool (not zeroed; its memory has cycled through the pool, so it is
    // not in the cache: written with non-temporal stores whatever its size).
    const double kind = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : -1;
    if (kind != 0 && kind != 1 && kind != 2) throwArgument("outKind must be 0, 1 or 2");
    view.stream = kind == 2 || uint64_t(need) * h.typeSize() >= kStreamBytes;
    const bool outZeroed = kind == 1;
    return planRead(mag_, region, view, outZeroed, size_t(64) << 10);
  }

  Napi::Value Read(const Napi::CallbackInfo& info) { return runAsync(info, &NativeMag::planReadCall, 4); }
  Napi::Value ReadSync(const Napi::CallbackInfo& info) { return runSync(info, &NativeMag::planReadCall); }

  std::vector<std::unique_ptr<Task>> planWriteCall(const Napi::CallbackInfo& info) {
    ensureOpen();
    const Header& h = mag_->header;
    int64_t off[3], shape[3];
    const Box region = regionArgs(info, off, shape);
    TypedArrayInfo in = typedArrayArg(info[2], "data", h);
    int64_t base = intArg(info[3], "elementOffset", 0, int64_t(1) << 53);
    if (!info[4].IsArray() || info[4].As<Napi::Array>().Length() != 4) {
      throwArgument("strides must be an array of 4 integers");
    }
    int64_t strides[4];
    const int64_t lim = int64_t(1) << 50;
    for (uint32_t i = 0; i < 4; i++) strides[i] = intArg(info[4].As<Napi::Array>().Get(i), "strides", -lim, lim);
    const int64_t c = h.numChannels();
    const int64_t dims[4] = {c, shape[0], shape[1], shape[2]};
    const WriteOptions options = writeOptionsArg(info[5]);
    if (region.empty()) return {};
    static const char* const kAxes[4] = {"c", "x", "y", "z"};
    const bool broadcast = broadcastArg(info[5]);
    for (int i = 0; i < 4; i++) {
      if (strides[i] == 0 && dims[i] > 1 && !broadcast) {
        throwArgument(std::string("strides[") + std::to_string(i) + "] (" + kAxes[i] +
                      ") is 0 for an axis of length " + std::to_string(dims[i]) +
                      ": a stride-0 broadcast must be requested with the broadcast option");
      }
    }
    // Every element the strides can reach must lie inside the array (all sums and
    // products checked: a stride of 2^50 times 2^31 voxels does not fit in 64 bits).
    int64_t lo = base, hi = base;
    for (int i = 0; i < 4; i++) {
      const int64_t span = mulOrThrow(dims[i] - 1, strides[i], "the strided extent of data");
      if (span < 0) lo = addOrThrow(lo, span, "the strided extent of data");
      else hi = addOrThrow(hi, span, "the strided extent of data");
    }
    if (lo < 0 || hi >= int64_t(in.length)) {
      throwArgument("data (" + std::to_string(in.length) +
                    " items) is too small for the given shape, strides and offset");
    }
    checkPlanSize(h, region);
    ArrayView view;
    const int64_t ts = h.typeSize();
    // base < in.length and every stride span fits inside the array: these products are
    // below its byte length, checked all the same.
    view.base = in.data + mulOrThrow(base, ts, "elementOffset");
    view.channels = uint32_t(c);
    view.typeSize = uint32_t(ts);
    for (int i = 0; i < 3; i++) view.origin[i] = off[i];
    for (int i = 0; i < 4; i++) view.stride[i] = mulOrThrow(strides[i], ts, "strides");
    return planWrite(mag_, region, view, options);
  }

  Napi::Value Write(const Napi::CallbackInfo& info) { return runAsync(info, &NativeMag::planWriteCall, 6); }
  Napi::Value WriteSync(const Napi::CallbackInfo& info) { return runSync(info, &NativeMag::planWriteCall); }

  // compressFiles(targetRoot, targetHeader, fileIndices: number[] (x,y,z triples), options,
  //               concurrency?, cancel?)
  Napi::Value CompressFiles(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    return guardAsync(env, [&]() -> Napi::Value {
      ensureOpen();
      if (!info[0].IsString()) throwArgument("targetRoot must be a string");
      auto dst = std::make_shared<MagContext>();
      dst->root = info[0].As<Napi::String>().Utf8Value();
      while (dst->root.size() > 1 && dst->root.back() == '/') dst->root.pop_back();
      dst->header = headerArg(info[1], "targetHeader");
      if (!dst->header.sameLayout(mag_->header)) {
        throwArgument("targetHeader must have the same block length, file length and voxel type");
      }
      if (!info[2].IsArray()) throwArgument("fileIndices must be an array");
      Napi::Array a = info[2].As<Napi::Array>();
      if (a.Length() % 3 != 0) throwArgument("fileIndices must hold x, y, z triples");
      if (a.Length() / 3 > uint32_t(kMaxPlanFiles)) {
        throwArgument("fileIndices lists more than " + std::to_string(kMaxPlanFiles) +
                      " files; split it into several calls");
      }
      std::vector<int64_t> indices(a.Length());
      for (uint32_t i = 0; i < a.Length(); i++) indices[i] = intArg(a.Get(i), "fileIndices", 0, kMaxCoord);
      const WriteOptions options = writeOptionsArg(info[3]);
      const size_t inFlight = inFlightArg(info[4]);
      auto cancel = cancelArg(info[5]);
      auto tasks = planCompress(mag_, dst, indices, options);
      return Napi::Value(env, Job::start(env, std::move(tasks), inFlight, std::move(cancel), {}));
    });
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (mag_) FileCache::instance().invalidatePrefix(mag_->root + "/");
    mag_.reset();  // pending tasks hold their own reference to the context
    return info.Env().Undefined();
  }

  std::shared_ptr<const MagContext> mag_;
};

Napi::Value ParseHeader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guardSync(env, [&]() -> Napi::Value {
    Header h = headerArg(info[0], info[1].IsString() ? info[1].As<Napi::String>().Utf8Value().c_str() : "header");
    Napi::Object o = Napi::Object::New(env);
    o.Set("version", h.version);
    o.Set("blockLen", h.blockLen());
    o.Set("fileLen", h.fileLen());
    o.Set("blockType", h.blockType);
    o.Set("voxelType", h.voxelType);
    o.Set("voxelSize", h.voxelSize);
    o.Set("numChannels", h.numChannels());
    o.Set("dataOffset", double(h.dataOffset));
    return o;
  });
}

uint8_t log2Arg(const Napi::Object& o, const char* name) {
  int64_t v = intArg(o.Get(name), name, 1, 1 << kMaxLenLog2);
  if (v & (v - 1)) throwArgument(std::string(name) + " must be a power of two");
  uint8_t l = 0;
  while ((int64_t(1) << l) < v) l++;
  return l;
}

Napi::Value SerializeHeader(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return guardSync(env, [&]() -> Napi::Value {
    if (!info[0].IsObject()) throwArgument("header must be an object");
    Napi::Object o = info[0].As<Napi::Object>();
    Header h;
    h.blockLenLog2 = log2Arg(o, "blockLen");
    h.fileLenLog2 = log2Arg(o, "fileLen");
    h.blockType = uint8_t(intArg(o.Get("blockType"), "blockType", 1, 3));
    h.voxelType = uint8_t(intArg(o.Get("voxelType"), "voxelType", 1, 10));
    h.voxelSize = uint8_t(intArg(o.Get("voxelSize"), "voxelSize", 1, 255));
    if (h.voxelSize % h.typeSize() != 0) throwArgument("voxelSize must be a multiple of the type size");
    h.dataOffset = o.Has("dataOffset") && !o.Get("dataOffset").IsUndefined()
                       ? uint64_t(intArg(o.Get("dataOffset"), "dataOffset", 0, int64_t(1) << 53))
                       : 0;
    auto buf = Napi::Buffer<uint8_t>::New(env, kHeaderSize);
    serializeHeader(h, buf.Data());
    return buf;
  });
}

Napi::Value DefaultConcurrency(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), double(Job::defaultInFlight()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  InitLiveness(env, exports);  // addon_liveness.cc
  exports.Set("NativeMag", NativeMag::Init(env));
  exports.Set("CancelToken", CancelToken::Init(env));
  initDownsample(env, exports);  // addon_downsample.cc
  initStats(env, exports);       // addon_stats.cc
  exports.Set("parseHeader", Napi::Function::New(env, ParseHeader));
  exports.Set("serializeHeader", Napi::Function::New(env, SerializeHeader));
  exports.Set("defaultConcurrency", Napi::Function::New(env, DefaultConcurrency));
  exports.Set("lz4Version", Napi::Number::New(env, LZ4_versionNumber()));
  initCacheBindings(env, exports);
  initServe(env, exports);
  return exports;
}

}  // namespace

std::shared_ptr<CancelFlag> cancelTokenArg(const Napi::Value& v) { return cancelArg(v); }

}  // namespace wkw

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return wkw::Init(env, exports); }

NODE_API_MODULE(wkw, InitAddon)
