// Autograd entry points, grad mode, random-number state and threading.
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <ATen/Parallel.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <torch/version.h>

#include "tensor.h"

namespace xling {
namespace {

Napi::Value Backward(const Napi::CallbackInfo& info) {
  return guard(info, "backward", [&]() -> Napi::Value {
    Arg a{info, "backward"};
    at::Tensor self = a.tensor(0, "self");
    auto gradient = a.optTensor(1, "gradient");
    bool retain = a.missing(2) ? false : a.boolean(2, "retain_graph");
    bool create = a.missing(3) ? false : a.boolean(3, "create_graph");
    self.backward(gradient ? *gradient : at::Tensor(), retain, create);
    return info.Env().Undefined();
  });
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  return guard(info, "grad", [&]() -> Napi::Value {
    Arg a{info, "grad"};
    const at::Tensor& g = a.tensor(0, "self").grad();
    if (!g.defined()) return info.Env().Null();
    return toJs(info.Env(), g);
  });
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guard(info, "set_grad", [&]() -> Napi::Value {
    Arg a{info, "set_grad"};
    at::Tensor self = a.tensor(0, "self");
    auto g = a.optTensor(1, "grad");
    self.mutable_grad() = g ? *g : at::Tensor();
    return info.Env().Undefined();
  });
}

// Drops the .grad of every tensor in the list (PyTorch's zero_grad(set_to_none=True)).
Napi::Value ClearGrads(const Napi::CallbackInfo& info) {
  return guard(info, "clear_grads", [&]() -> Napi::Value {
    Arg a{info, "clear_grads"};
    for (auto& t : a.tensors(0, "tensors")) t.mutable_grad() = at::Tensor();
    return info.Env().Undefined();
  });
}

// torch.autograd.grad: gradients of outputs with respect to inputs. Inputs that the
// outputs do not depend on give null when allow_unused is set.
Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  return guard(info, "autograd_grad", [&]() -> Napi::Value {
    Arg a{info, "autograd_grad"};
    auto outputs = a.tensors(0, "outputs");
    auto inputs = a.tensors(1, "inputs");
    std::vector<at::Tensor> grad_outputs;
    if (!a.missing(2)) grad_outputs = a.tensors(2, "grad_outputs");
    bool create = a.missing(4) ? false : a.boolean(4, "create_graph");
    c10::optional<bool> retain = a.missing(3) ? c10::optional<bool>() : c10::optional<bool>(a.boolean(3, "retain_graph"));
    bool allow_unused = a.missing(5) ? false : a.boolean(5, "allow_unused");
    auto grads = torch::autograd::grad(outputs, inputs, grad_outputs, retain, create, allow_unused);
    Napi::Array out = Napi::Array::New(info.Env(), grads.size());
    for (size_t k = 0; k < grads.size(); ++k)
      out.Set(static_cast<uint32_t>(k), grads[k].defined() ? toJs(info.Env(), grads[k]) : info.Env().Null());
    return out;
  });
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  return guard(info, "set_grad_enabled", [&]() -> Napi::Value {
    Arg a{info, "set_grad_enabled"};
    bool prev = at::GradMode::is_enabled();
    at::GradMode::set_enabled(a.boolean(0, "enabled"));
    return Napi::Boolean::New(info.Env(), prev);
  });
}

Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return guard(info, "manual_seed", [&]() -> Napi::Value {
    Arg a{info, "manual_seed"};
    int64_t seed = a.integer(0, "seed");
    at::manual_seed(static_cast<uint64_t>(seed));
    return info.Env().Undefined();
  });
}

// The CPU generator's full state (a uint8 tensor), for bit-exact resume.
Napi::Value RngGetState(const Napi::CallbackInfo& info) {
  return guard(info, "rng_get_state", [&]() -> Napi::Value {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    return toJs(info.Env(), gen.get_state());
  });
}

Napi::Value RngSetState(const Napi::CallbackInfo& info) {
  return guard(info, "rng_set_state", [&]() -> Napi::Value {
    Arg a{info, "rng_set_state"};
    at::Tensor state = a.tensor(0, "state");
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(state);
    return info.Env().Undefined();
  });
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guard(info, "set_num_threads", [&]() -> Napi::Value {
    Arg a{info, "set_num_threads"};
    int64_t n = a.integer(0, "n");
    if (n < 1) throw std::invalid_argument("thread count must be at least 1");
    at::set_num_threads(static_cast<int>(n));
    return info.Env().Undefined();
  });
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("torchVersion", TORCH_VERSION);
  o.Set("cuda", at::hasCUDA());
  o.Set("parallel", at::get_parallel_info());
  o.Set("config", at::show_config());
  return o;
}

Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return guard(info, "cuda_device_count", [&]() -> Napi::Value {
    int64_t n = at::hasCUDA() ? static_cast<int64_t>(at::getNumGPUs()) : 0;
    return Napi::Number::New(info.Env(), static_cast<double>(n));
  });
}

}  // namespace

void RegisterAutograd(Napi::Env env, Napi::Object exports) {
  exports.Set("backward", Napi::Function::New(env, Backward, "backward"));
  exports.Set("grad", Napi::Function::New(env, Grad, "grad"));
  exports.Set("set_grad", Napi::Function::New(env, SetGrad, "set_grad"));
  exports.Set("clear_grads", Napi::Function::New(env, ClearGrads, "clear_grads"));
  exports.Set("autograd_grad", Napi::Function::New(env, AutogradGrad, "autograd_grad"));
  exports.Set("set_grad_enabled", Napi::Function::New(env, SetGradEnabled, "set_grad_enabled"));
  exports.Set("is_grad_enabled", Napi::Function::New(env, IsGradEnabled, "is_grad_enabled"));
  exports.Set("manual_seed", Napi::Function::New(env, ManualSeed, "manual_seed"));
  exports.Set("rng_get_state", Napi::Function::New(env, RngGetState, "rng_get_state"));
  exports.Set("rng_set_state", Napi::Function::New(env, RngSetState, "rng_set_state"));
  exports.Set("set_num_threads", Napi::Function::New(env, SetNumThreads, "set_num_threads"));
  exports.Set("get_num_threads", Napi::Function::New(env, GetNumThreads, "get_num_threads"));
  exports.Set("build_info", Napi::Function::New(env, BuildInfo, "build_info"));
  exports.Set("live_handles", Napi::Function::New(env, [](const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(TensorHandle::live_.load()));
  }, "live_handles"));
  exports.Set("cuda_device_count", Napi::Function::New(env, CudaDeviceCount, "cuda_device_count"));
}

}  // namespace xling
