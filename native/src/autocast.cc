// libtorch's automatic mixed precision (ATen/autocast_mode.h) for JS. Autocast is
// thread-local state the dispatcher consults: while it is on, ops on the policy's
// lower-precision list (matmul, linear, bmm, ...) cast their inputs to the autocast dtype,
// ops on its fp32 list (losses such as cross_entropy, ...) cast to float32, and the
// rest run in their inputs' types. The TS scope (src/torch/autocast.ts) pairs every
// push with a pop, so the previous state comes back even when the body throws.
#include "tensor.h"
#include <ATen/autocast_mode.h>

namespace xling {
namespace {

bool isCuda(const std::string& device) {
  if (device == "cpu") return false;
  if (device == "cuda") return true;
  throw std::invalid_argument("autocast device must be 'cpu' or 'cuda', got '" + device + "'");
}

Napi::Object stateOf(Napi::Env env, bool cuda) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("enabled", cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled());
  o.Set("dtype", dtypeName(cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype()));
  return o;
}

void apply(bool cuda, bool enabled, at::ScalarType dtype) {
  if (cuda) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
}

// autocast_state(device) -> {enabled, dtype}
Napi::Value State(const Napi::CallbackInfo& info) {
  return guard(info, "autocast_state", [&]() -> Napi::Value {
    Arg a{info, "autocast_state"};
    return stateOf(info.Env(), isCuda(a.string(0, "device")));
  });
}

// autocast_push(device, enabled, dtype) -> the state before. Enters one nesting level.
Napi::Value Push(const Napi::CallbackInfo& info) {
  return guard(info, "autocast_push", [&]() -> Napi::Value {
    Arg a{info, "autocast_push"};
    bool cuda = isCuda(a.string(0, "device"));
    bool enabled = a.boolean(1, "enabled");
    at::ScalarType dtype = a.dtype(2, "dtype");
    if (cuda && enabled && !at::hasCUDA())
      throw std::invalid_argument("CUDA autocast needs a libtorch built with CUDA (this one is CPU only)");
    if (!cuda && dtype != at::kBFloat16)
      throw std::invalid_argument("CPU autocast supports bfloat16 only in this libtorch, got " + dtypeName(dtype));
    if (cuda && dtype != at::kBFloat16 && dtype != at::kHalf)
      throw std::invalid_argument("CUDA autocast supports float16 and bfloat16, got " + dtypeName(dtype));
    Napi::Object before = stateOf(info.Env(), cuda);
    apply(cuda, enabled, dtype);
    at::autocast::increment_nesting();
    return before;
  });
}

// autocast_pop(device, enabled, dtype): restores a state autocast_push returned. Leaving
// the outermost level drops autocast's cache of lower-precision weight copies, which
// would otherwise go stale once the optimizer updates the weights in place.
Napi::Value Pop(const Napi::CallbackInfo& info) {
  return guard(info, "autocast_pop", [&]() -> Napi::Value {
    Arg a{info, "autocast_pop"};
    bool cuda = isCuda(a.string(0, "device"));
    apply(cuda, a.boolean(1, "enabled"), a.dtype(2, "dtype"));
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    return info.Env().Undefined();
  });
}

Napi::Value ClearCache(const Napi::CallbackInfo& info) {
  at::autocast::clear_cache();
  return info.Env().Undefined();
}

}  // namespace

void RegisterAutocast(Napi::Env env, Napi::Object exports) {
  exports.Set("autocast_state", Napi::Function::New(env, State, "autocast_state"));
  exports.Set("autocast_push", Napi::Function::New(env, Push, "autocast_push"));
  exports.Set("autocast_pop", Napi::Function::New(env, Pop, "autocast_pop"));
  exports.Set("autocast_clear_cache", Napi::Function::New(env, ClearCache, "autocast_clear_cache"));
}

}  // namespace xling
