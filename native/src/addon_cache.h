// N-API surface of the caches and pools (addon_cache.cc): the BlockCache class, the
// handle cache's capacity and the pool of recycled output arrays.
#pragma once
#include <napi.h>

#include <memory>

#include "block_cache.h"

namespace wkw {

// Adds the cache functions and classes to the addon's exports.
void initCacheBindings(Napi::Env env, Napi::Object exports);
// The BlockCache behind a JS BlockCache object; nullptr for undefined or null. Throws
// WkwException (ERR_WKW_ARGUMENT) for anything else.
std::shared_ptr<BlockCache> blockCacheArg(const Napi::Value& v);

}  // namespace wkw
