// Registers the array statistics of the addon (addon_stats.cc).
#pragma once
#include <napi.h>

namespace wkw {
void initStats(Napi::Env env, Napi::Object exports);
}  // namespace wkw
