// The JS-visible handle around an at::Tensor, and the helpers every binding uses to
// convert arguments and to turn libtorch exceptions into JS errors.
#pragma once
#include <napi.h>
#include <atomic>
#include <ATen/ATen.h>
#include <string>
#include <vector>

namespace xling {

// A tensor handle. JS owns one reference to the at::Tensor; dispose() drops it early,
// the GC finalizer drops it otherwise. Native memory is reported to V8 so the GC knows
// what a handle really costs.
class TensorHandle : public Napi::ObjectWrap<TensorHandle> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Object Wrap(Napi::Env env, at::Tensor t);
  static bool IsHandle(Napi::Value v);
  static TensorHandle* From(Napi::Value v);

  explicit TensorHandle(const Napi::CallbackInfo& info);
  ~TensorHandle() override;

  const at::Tensor& tensor(Napi::Env env, const char* what) const;
  at::Tensor& mutableTensor(Napi::Env env, const char* what);

 private:
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  Napi::Value IsDisposed(const Napi::CallbackInfo& info);
  void release(Napi::Env env);

  at::Tensor tensor_;
  int64_t reported_ = 0;
  bool disposed_ = false;
  static Napi::FunctionReference* constructor_;

 public:
  /** Handles not yet finalized by the GC (disposed ones included): a leak detector. */
  static std::atomic<int64_t> live_;
};

// Runs fn and rethrows any C++ exception as a JS Error carrying its message.
template <typename F>
Napi::Value guard(const Napi::CallbackInfo& info, const char* op, F&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Napi::Error::New(info.Env(), std::string(op) + ": " + e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(op) + ": " + e.what());
  }
}

// Argument conversion. Each throws a TypeError naming the op and the argument.
struct Arg {
  const Napi::CallbackInfo& info;
  const char* op;
  Napi::Value at(size_t i) const { return info[i]; }
  bool missing(size_t i) const { return i >= info.Length() || info[i].IsUndefined() || info[i].IsNull(); }
  [[noreturn]] void typeError(size_t i, const char* name, const char* expected) const;

  at::Tensor tensor(size_t i, const char* name) const;
  c10::optional<at::Tensor> optTensor(size_t i, const char* name) const;
  std::vector<at::Tensor> tensors(size_t i, const char* name) const;
  int64_t integer(size_t i, const char* name) const;
  c10::optional<int64_t> optInteger(size_t i, const char* name) const;
  double number(size_t i, const char* name) const;
  c10::optional<double> optNumber(size_t i, const char* name) const;
  bool boolean(size_t i, const char* name) const;
  std::vector<int64_t> ints(size_t i, const char* name) const;
  c10::optional<std::vector<int64_t>> optInts(size_t i, const char* name) const;
  std::string string(size_t i, const char* name) const;
  at::Scalar scalar(size_t i, const char* name) const;
  at::ScalarType dtype(size_t i, const char* name) const;
  c10::optional<at::ScalarType> optDtype(size_t i, const char* name) const;
  at::Device device(size_t i, const char* name) const;
};

// Guards run before libtorch is called, for inputs on which its integer arithmetic traps
// (SIGFPE kills the process: the smallest int32/int64 divided or remaindered by -1) or is
// undefined behaviour (NaN, +-Infinity or out-of-range floats converted to an integer
// dtype). Each throws std::invalid_argument; guard() prefixes the op's name.
void checkIntegerDivision(const at::Tensor& self, const at::Tensor& other);
void checkIntegerDivision(const at::Tensor& self, const at::Scalar& other);
void checkIntegerConversion(const at::Tensor& self, at::ScalarType to);

at::ScalarType parseDtype(const std::string& s);
std::string dtypeName(at::ScalarType t);
at::Device parseDevice(const std::string& s);

// Result conversion.
inline Napi::Value toJs(Napi::Env env, const at::Tensor& t) { return TensorHandle::Wrap(env, t); }
Napi::Value toJs(Napi::Env env, const std::vector<at::Tensor>& ts);
Napi::Value toJs(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& ts);
Napi::Value toJs(Napi::Env env, const std::vector<int64_t>& v);
inline Napi::Value toJs(Napi::Env env, double v) { return Napi::Number::New(env, v); }
inline Napi::Value toJs(Napi::Env env, int64_t v) { return Napi::Number::New(env, static_cast<double>(v)); }
inline Napi::Value toJs(Napi::Env env, bool v) { return Napi::Boolean::New(env, v); }
inline Napi::Value toJs(Napi::Env env, const std::string& v) { return Napi::String::New(env, v); }

// Registration of binding groups; each .cc file adds its functions to exports.
void RegisterOps(Napi::Env env, Napi::Object exports);       // generated
void RegisterConvert(Napi::Env env, Napi::Object exports);   // typed arrays <-> tensors
void RegisterAutograd(Napi::Env env, Napi::Object exports);  // backward, grad, no-grad, RNG
void RegisterOptim(Napi::Env env, Napi::Object exports);     // fused optimizer steps
void RegisterAllocator(Napi::Env env, Napi::Object exports); // caching CPU allocator
void RegisterSentencePiece(Napi::Env env, Napi::Object exports);  // tokenizers
void RegisterDistributed(Napi::Env env, Napi::Object exports);    // c10d process groups
void RegisterAutocast(Napi::Env env, Napi::Object exports);       // mixed precision

}  // namespace xling
