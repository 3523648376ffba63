// Registers the downsampling functions of the addon (addon_downsample.cc).
#pragma once
#include <napi.h>

#include <memory>

#include "job.h"

namespace wkw {
void initDownsample(Napi::Env env, Napi::Object exports);
// The flag of a CancelToken argument, nullptr for undefined/null (defined in addon.cc).
std::shared_ptr<CancelFlag> cancelTokenArg(const Napi::Value& v);
}  // namespace wkw
