// Native helpers of `wkw serve` (lib/serve/), registered on the addon's exports by one call.
#pragma once
#include <napi.h>

namespace wkw {

/** Adds channelsToPlanar to `exports`. */
void initServe(Napi::Env env, Napi::Object exports);

}  // namespace wkw
