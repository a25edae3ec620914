// Entry point of the xling native addon: tensors, autograd and optimizers from libtorch
// (and SentencePiece tokenizers). Everything JS sees is registered here.
#include "tensor.h"

namespace xling {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterAllocator(env, exports);  // first: every tensor should come from it
  exports.Set("TensorHandle", TensorHandle::Init(env));
  RegisterOps(env, exports);
  RegisterConvert(env, exports);
  RegisterAutograd(env, exports);
  RegisterOptim(env, exports);
  RegisterSentencePiece(env, exports);
  RegisterDistributed(env, exports);
  RegisterAutocast(env, exports);
  return exports;
}

}  // namespace xling

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return xling::Init(env, exports); }

NODE_API_MODULE(xling, InitAddon)
