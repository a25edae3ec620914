// Optimizer updates over a whole parameter list in one call. The arithmetic follows
// PyTorch 1.13's single-tensor implementations op for op, so trajectories match bitwise.
#include <cmath>
#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "tensor.h"

namespace xling {
namespace {

// adamw_step(params, exp_avgs, exp_avg_sqs, step, lr, beta1, beta2, eps, weight_decay)
// `step` is the step number after this update (1 for the first). Parameters without a
// gradient are skipped, as in torch.optim.AdamW.
Napi::Value AdamWStep(const Napi::CallbackInfo& info) {
  return guard(info, "adamw_step", [&]() -> Napi::Value {
    Arg a{info, "adamw_step"};
    auto params = a.tensors(0, "params");
    auto exp_avgs = a.tensors(1, "exp_avgs");
    auto exp_avg_sqs = a.tensors(2, "exp_avg_sqs");
    int64_t step = a.integer(3, "step");
    double lr = a.number(4, "lr"), beta1 = a.number(5, "beta1"), beta2 = a.number(6, "beta2");
    double eps = a.number(7, "eps"), weight_decay = a.number(8, "weight_decay");
    if (exp_avgs.size() != params.size() || exp_avg_sqs.size() != params.size())
      throw std::invalid_argument("optimizer state does not match the parameter list");
    if (step < 1) throw std::invalid_argument("step must be at least 1");
    at::NoGradGuard no_grad;
    const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
    const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(step));
    const double step_size = lr / bias_correction1;
    const double bias_correction2_sqrt = std::sqrt(bias_correction2);
    for (size_t i = 0; i < params.size(); ++i) {
      at::Tensor& p = params[i];
      const at::Tensor& g = p.grad();
      if (!g.defined()) continue;
      p.mul_(1 - lr * weight_decay);
      exp_avgs[i].mul_(beta1).add_(g, 1 - beta1);
      exp_avg_sqs[i].mul_(beta2).addcmul_(g, g, 1 - beta2);
      at::Tensor denom = (exp_avg_sqs[i].sqrt() / bias_correction2_sqrt).add_(eps);
      p.addcdiv_(exp_avgs[i], denom, -step_size);
    }
    return info.Env().Undefined();
  });
}

// sgd_step(params, momentum_buffers, lr, momentum, weight_decay, dampening, nesterov)
// momentum_buffers may be empty when momentum is 0. Buffers start as zeros; on the
// first step PyTorch copies the gradient instead, signalled here by `first`.
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  return guard(info, "sgd_step", [&]() -> Napi::Value {
    Arg a{info, "sgd_step"};
    auto params = a.tensors(0, "params");
    auto bufs = a.tensors(1, "momentum_buffers");
    double lr = a.number(2, "lr"), momentum = a.number(3, "momentum"), wd = a.number(4, "weight_decay");
    double dampening = a.number(5, "dampening");
    bool nesterov = a.boolean(6, "nesterov");
    bool first = a.boolean(7, "first");
    if (momentum != 0 && bufs.size() != params.size())
      throw std::invalid_argument("momentum buffers do not match the parameter list");
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      at::Tensor& p = params[i];
      at::Tensor d_p = p.grad();
      if (!d_p.defined()) continue;
      if (wd != 0) d_p = d_p.add(p, wd);
      if (momentum != 0) {
        at::Tensor& buf = bufs[i];
        if (first) buf.copy_(d_p);
        else buf.mul_(momentum).add_(d_p, 1 - dampening);
        d_p = nesterov ? d_p.add(buf, momentum) : buf;
      }
      p.add_(d_p, -lr);
    }
    return info.Env().Undefined();
  });
}

// clip_grad_norm(params, max_norm, norm_type) -> total norm before clipping, as
// torch.nn.utils.clip_grad_norm_.
Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
  return guard(info, "clip_grad_norm", [&]() -> Napi::Value {
    Arg a{info, "clip_grad_norm"};
    auto params = a.tensors(0, "params");
    double max_norm = a.number(1, "max_norm");
    double norm_type = a.missing(2) ? 2.0 : a.number(2, "norm_type");
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads, norms;
    for (auto& p : params)
      if (p.grad().defined()) grads.push_back(p.grad());
    if (grads.empty()) return Napi::Number::New(info.Env(), 0.0);
    for (auto& g : grads) norms.push_back(at::linalg_vector_norm(g, norm_type));
    at::Tensor total = at::linalg_vector_norm(at::stack(norms), norm_type);
    at::Tensor coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& g : grads) g.mul_(coef);
    return Napi::Number::New(info.Env(), total.item<double>());
  });
}

}  // namespace

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  exports.Set("adamw_step", Napi::Function::New(env, AdamWStep, "adamw_step"));
  exports.Set("sgd_step", Napi::Function::New(env, SgdStep, "sgd_step"));
  exports.Set("clip_grad_norm", Napi::Function::New(env, ClipGradNorm, "clip_grad_norm"));
}

}  // namespace xling
