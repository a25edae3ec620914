// Raw bytes <-> tensors. The TypeScript layer builds typed arrays and safetensors
// payloads on top of these two copies.
#include <cstring>

#include "tensor.h"

namespace xling {
namespace {

Napi::Value FromBytes(const Napi::CallbackInfo& info) {
  return guard(info, "from_bytes", [&]() -> Napi::Value {
    Arg a{info, "from_bytes"};
    if (info.Length() < 1 || !info[0].IsTypedArray()) a.typeError(0, "bytes", "a Uint8Array or other typed array");
    Napi::TypedArray arr = info[0].As<Napi::TypedArray>();
    at::ScalarType dtype = a.dtype(1, "dtype");
    std::vector<int64_t> shape = a.ints(2, "shape");
    for (int64_t s : shape)
      if (s < 0) throw std::invalid_argument("shape has a negative size");
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t want = static_cast<size_t>(t.numel()) * t.element_size();
    size_t have = arr.ByteLength();
    if (want != have)
      throw std::invalid_argument("byte length " + std::to_string(have) + " does not match shape and dtype (" +
                                  std::to_string(want) + " bytes)");
    auto* base = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    if (want > 0) std::memcpy(t.data_ptr(), base, want);
    return toJs(info.Env(), t);
  });
}

Napi::Value ToBytes(const Napi::CallbackInfo& info) {
  return guard(info, "to_bytes", [&]() -> Napi::Value {
    Arg a{info, "to_bytes"};
    at::Tensor t = a.tensor(0, "self").detach().to(at::kCPU).contiguous();
    size_t n = static_cast<size_t>(t.numel()) * t.element_size();
    if (n == 0) return Napi::Buffer<uint8_t>::New(info.Env(), 0);
    return Napi::Buffer<uint8_t>::Copy(info.Env(), static_cast<const uint8_t*>(t.data_ptr()), n);
  });
}

// Copies bytes into an existing tensor of the same size, in place (used to load a
// checkpoint into parameters without replacing the parameter objects).
Napi::Value CopyBytesInto(const Napi::CallbackInfo& info) {
  return guard(info, "copy_bytes_into", [&]() -> Napi::Value {
    Arg a{info, "copy_bytes_into"};
    at::Tensor dst = a.tensor(0, "self");
    if (info.Length() < 2 || !info[1].IsTypedArray()) a.typeError(1, "bytes", "a typed array");
    Napi::TypedArray arr = info[1].As<Napi::TypedArray>();
    size_t want = static_cast<size_t>(dst.numel()) * dst.element_size();
    if (arr.ByteLength() != want)
      throw std::invalid_argument("byte length " + std::to_string(arr.ByteLength()) + " does not match tensor (" +
                                  std::to_string(want) + " bytes)");
    auto* base = static_cast<uint8_t*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    at::Tensor src = at::from_blob(base, dst.sizes(), at::TensorOptions().dtype(dst.scalar_type()));
    at::NoGradGuard no_grad;
    dst.copy_(src);
    return info.Env().Undefined();
  });
}

}  // namespace

void RegisterConvert(Napi::Env env, Napi::Object exports) {
  exports.Set("from_bytes", Napi::Function::New(env, FromBytes, "from_bytes"));
  exports.Set("to_bytes", Napi::Function::New(env, ToBytes, "to_bytes"));
  exports.Set("copy_bytes_into", Napi::Function::New(env, CopyBytesInto, "copy_bytes_into"));
}

}  // namespace xling
