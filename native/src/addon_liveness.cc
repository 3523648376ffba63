// JS access to the liveness policy (liveness.h), so the TypeScript cleanups apply the
// same rule as the native writers.
#include <napi.h>

#include "liveness.h"

namespace wkw {

// writerIsDead(host: string, pid: number, ageMs: number, staleMs: number): boolean
static Napi::Value WriterIsDead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 4 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber()) {
    Napi::Error e = Napi::TypeError::New(env, "writerIsDead(host: string, pid: number, ageMs: number, staleMs: number)");
    e.Set("code", Napi::String::New(env, "ERR_WKW_ARGUMENT"));
    e.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const double pid = info[1].As<Napi::Number>().DoubleValue();
  const double age = info[2].As<Napi::Number>().DoubleValue();
  const double stale = info[3].As<Napi::Number>().DoubleValue();
  const int64_t p = (pid >= 1 && pid <= 2147483647.0 && pid == double(int64_t(pid))) ? int64_t(pid) : 0;
  return Napi::Boolean::New(env, writerDead(info[0].As<Napi::String>().Utf8Value(), p, age, stale));
}

static Napi::Value HostTag(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), hostTag()); }

void InitLiveness(Napi::Env env, Napi::Object exports) {
  exports.Set("writerIsDead", Napi::Function::New(env, WriterIsDead));
  exports.Set("hostTag", Napi::Function::New(env, HostTag));
}

}  // namespace wkw
