// The caches and pools as seen from JavaScript (typed in binding.d.ts):
//   new BlockCache(maxBytes) with stats() and clear(), passed to NativeMag;
//   setFileCacheCapacity(maxFiles, maxBytes), fileCacheStats();
//   allocateOutput(bytes) → ArrayBuffer from the pool of recycled arrays,
//   setOutputPoolLimit(bytes), outputPoolStats().
#include "addon_cache.h"

#include <cmath>
#include <string>
#include <vector>

#include "errors.h"
#include "file_cache.h"
#include "job.h"
#include "output_pool.h"

namespace wkw {
namespace {

constexpr double kMaxBytes = 9007199254740991.0;  // 2^53 - 1

// Only objects made by the BlockCache constructor carry this tag, so no other wrapped
// native object can be taken for a cache.
const napi_type_tag kBlockCacheTag = {0x6b1f3c2a9d4e5b70ULL, 0x8c2d7e6f1a3b4c5dULL};

[[noreturn]] void throwJs(Napi::Env env, const WkwException& e) {
  throw Napi::Error(env, makeError(env, e.code, e.what(), e.path, e.blockIndex));
}

uint64_t sizeArg(const Napi::Value& v, const char* name) {
  if (!v.IsNumber()) throwArgument(std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || d < 0 || d > kMaxBytes) {
    throwArgument(std::string(name) + " must be an integer in [0, 2^53 - 1]");
  }
  return uint64_t(d);
}

class NativeBlockCache : public Napi::ObjectWrap<NativeBlockCache> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "BlockCache",
                       {InstanceMethod("stats", &NativeBlockCache::Stats),
                        InstanceMethod("clear", &NativeBlockCache::Clear)});
  }

  explicit NativeBlockCache(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NativeBlockCache>(info) {
    try {
      cache = std::make_shared<BlockCache>(sizeArg(info[0], "maxBytes"));
    } catch (const WkwException& e) {
      throwJs(info.Env(), e);
    }
    napi_type_tag_object(info.Env(), info.This(), &kBlockCacheTag);
  }

  Napi::Value Stats(const Napi::CallbackInfo& info) {
    const BlockCacheStats s = cache->stats();
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("hits", double(s.hits));
    o.Set("misses", double(s.misses));
    o.Set("bytes", double(s.bytes));
    o.Set("evictions", double(s.evictions));
    o.Set("blocks", double(s.entries));
    o.Set("maxBytes", double(cache->maxBytes()));
    return o;
  }

  Napi::Value Clear(const Napi::CallbackInfo& info) {
    cache->clear();
    return info.Env().Undefined();
  }

  std::shared_ptr<BlockCache> cache;
};

Napi::Value SetFileCacheCapacity(const Napi::CallbackInfo& info) {
  try {
    const uint64_t files = sizeArg(info[0], "maxFiles");
    if (files > (uint64_t(1) << 20)) throwArgument("maxFiles must be at most 2^20");
    FileCache::instance().setCapacity(size_t(files), sizeArg(info[1], "maxBytes"));
  } catch (const WkwException& e) {
    throwJs(info.Env(), e);
  }
  return info.Env().Undefined();
}

Napi::Value FileCacheStats(const Napi::CallbackInfo& info) {
  const FileCache::Stats s = FileCache::instance().stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("files", double(s.files));
  o.Set("bytes", double(s.bytes));
  o.Set("maxFiles", double(s.maxFiles));
  o.Set("maxBytes", double(s.maxBytes));
  return o;
}

// One pooled array handed out to JavaScript. Node calls the release callback only when the
// event loop turns after V8 freed the ArrayBuffer, so a synchronous loop of reads would
// never get memory back. A weak reference tells sooner: it is cleared by the garbage
// collection that finds the ArrayBuffer dead, and from then on nothing in JavaScript can
// reach the memory (views keep their buffer alive; native code must hold a reference to
// use it), so it can serve the next read at once.
struct PooledArray {
  void* data;
  size_t capacity;
  napi_ref ref;  // weak
  bool reclaimed = false;
};

// Per JavaScript thread: napi references belong to one environment and its thread.
thread_local std::vector<PooledArray*> handedOut;

void forget(napi_env env, PooledArray* a) {
  if (!a->ref) return;
  napi_delete_reference(env, a->ref);
  for (size_t i = 0; i < handedOut.size(); i++) {
    if (handedOut[i] == a) {
      handedOut[i] = handedOut.back();
      handedOut.pop_back();
      break;
    }
  }
}

void releaseOutput(napi_env env, void*, void* hint) {
  auto* a = static_cast<PooledArray*>(hint);
  if (!a->reclaimed) {
    forget(env, a);
    OutputPool::instance().give(a->data, a->capacity);
  }
  delete a;
}

// Allocations that found no free memory since the last look at the weak references.
thread_local size_t missesSinceScan = 0;
// A weak reference to an object made at the last look: once it is cleared, a garbage
// collection has run since, and the look is worth its cost (arrays may have died).
thread_local napi_ref gcSentinel = nullptr;

bool collectedSinceLastScan(napi_env env) {
  if (!gcSentinel) return true;
  napi_value v = nullptr;
  return napi_get_reference_value(env, gcSentinel, &v) == napi_ok && v == nullptr;
}

void armSentinel(napi_env env) {
  if (gcSentinel) napi_delete_reference(env, gcSentinel);
  gcSentinel = nullptr;
  napi_value o;
  if (napi_create_object(env, &o) == napi_ok) napi_create_reference(env, o, 0, &gcSentinel);
}

// Gives the memory of collected arrays back to the pool; returns whether there was any.
// A look costs one napi call per array handed out, so it is taken when a garbage
// collection has run since the last one (without it, a synchronous loop of reads mapped
// new memory for every read between two looks), else only after as many misses as a
// sixteenth of the arrays out: at most 16 calls per allocation on average.
bool reclaimCollected(napi_env env) {
  if (!collectedSinceLastScan(env) && ++missesSinceScan < handedOut.size() / 16) return false;
  missesSinceScan = 0;
  armSentinel(env);
  bool any = false;
  for (size_t i = 0; i < handedOut.size();) {
    PooledArray* a = handedOut[i];
    napi_value v = nullptr;
    if (napi_get_reference_value(env, a->ref, &v) == napi_ok && v == nullptr) {
      napi_delete_reference(env, a->ref);
      a->reclaimed = true;  // its release callback still comes, and only frees `a`
      handedOut[i] = handedOut.back();
      handedOut.pop_back();
      OutputPool::instance().give(a->data, a->capacity);
      any = true;
    } else {
      i++;
    }
  }
  return any;
}

Napi::Value AllocateOutput(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  try {
    const uint64_t bytes = sizeArg(info[0], "bytes");
    if (bytes > (uint64_t(1) << 46)) throwArgument("bytes must be at most 2^46");
    OutputPool& pool = OutputPool::instance();
    size_t capacity = 0;
    void* data = pool.take(size_t(bytes), capacity, false);
    if (!data && reclaimCollected(env)) data = pool.take(size_t(bytes), capacity, false);
    if (!data) data = pool.take(size_t(bytes), capacity, true);
    if (!data) return env.Null();  // pool limit reached: the caller allocates
    auto* a = new PooledArray{data, capacity, nullptr};
    napi_value result;
    if (napi_create_external_arraybuffer(env, data, size_t(bytes), releaseOutput, a, &result) !=
        napi_ok) {
      pool.give(data, capacity);
      delete a;
      throw WkwException("ERR_WKW_IO", "Cannot create an external ArrayBuffer");
    }
    // Untracked without a reference: then only the release callback returns the memory.
    if (napi_create_reference(env, result, 0, &a->ref) == napi_ok) handedOut.push_back(a);
    return Napi::Value(env, result);
  } catch (const WkwException& e) {
    throwJs(env, e);
  }
}

Napi::Value SetOutputPoolLimit(const Napi::CallbackInfo& info) {
  try {
    OutputPool::instance().setRetainLimit(size_t(sizeArg(info[0], "maxBytes")));
  } catch (const WkwException& e) {
    throwJs(info.Env(), e);
  }
  return info.Env().Undefined();
}

Napi::Value OutputPoolStats(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("bytes", double(OutputPool::instance().retainedBytes()));
  o.Set("outstandingBytes", double(OutputPool::instance().outstandingBytes()));
  o.Set("mappedBytes", double(OutputPool::instance().mappedBytes()));
  o.Set("maxBytes", double(OutputPool::instance().retainLimit()));
  return o;
}

}  // namespace

std::shared_ptr<BlockCache> blockCacheArg(const Napi::Value& v) {
  if (v.IsUndefined() || v.IsNull()) return nullptr;
  bool tagged = false;
  if (v.IsObject()) napi_check_object_type_tag(v.Env(), v, &kBlockCacheTag, &tagged);
  if (!tagged) throwArgument("cache must be a BlockCache");
  return NativeBlockCache::Unwrap(v.As<Napi::Object>())->cache;
}

void initCacheBindings(Napi::Env env, Napi::Object exports) {
  exports.Set("BlockCache", NativeBlockCache::Init(env));
  exports.Set("setFileCacheCapacity", Napi::Function::New(env, SetFileCacheCapacity));
  exports.Set("fileCacheStats", Napi::Function::New(env, FileCacheStats));
  exports.Set("allocateOutput", Napi::Function::New(env, AllocateOutput));
  exports.Set("setOutputPoolLimit", Napi::Function::New(env, SetOutputPoolLimit));
  exports.Set("outputPoolStats", Napi::Function::New(env, OutputPoolStats));
}

}  // namespace wkw
