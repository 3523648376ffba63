// Registers the downsampling functions of the addon (addon_downsample.cc).
#pragma once
#include <napi.h>

namespace wkw {
void initDownsample(Napi::Env env, Napi::Object exports);
}  // namespace wkw
