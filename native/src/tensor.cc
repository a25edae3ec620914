#include "tensor.h"

#include <atomic>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace xling {

Napi::FunctionReference* TensorHandle::constructor_ = nullptr;
std::atomic<int64_t> TensorHandle::live_{0};

Napi::Function TensorHandle::Init(Napi::Env env) {
  Napi::Function cls = DefineClass(env, "TensorHandle",
                                   {InstanceMethod("dispose", &TensorHandle::Dispose),
                                    InstanceMethod("isDisposed", &TensorHandle::IsDisposed)});
  constructor_ = new Napi::FunctionReference(Napi::Persistent(cls));
  return cls;
}

Napi::Object TensorHandle::Wrap(Napi::Env env, at::Tensor t) {
  // The tensor travels through an External so that JS code cannot construct handles.
  auto* boxed = new at::Tensor(std::move(t));
  Napi::External<at::Tensor> ext = Napi::External<at::Tensor>::New(env, boxed);
  return constructor_->New({ext});
}

bool TensorHandle::IsHandle(Napi::Value v) {
  return v.IsObject() && v.As<Napi::Object>().InstanceOf(constructor_->Value());
}

TensorHandle* TensorHandle::From(Napi::Value v) { return Unwrap(v.As<Napi::Object>()); }

TensorHandle::TensorHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TensorHandle>(info) {
  if (info.Length() != 1 || !info[0].IsExternal())
    throw Napi::TypeError::New(info.Env(), "TensorHandle cannot be constructed from JS");
  live_++;
  at::Tensor* boxed = info[0].As<Napi::External<at::Tensor>>().Data();
  tensor_ = std::move(*boxed);
  delete boxed;
  if (tensor_.defined() && tensor_.device().is_cpu()) {
    reported_ = static_cast<int64_t>(tensor_.numel()) * static_cast<int64_t>(tensor_.element_size());
    if (reported_ > 0) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), reported_);
  }
}

TensorHandle::~TensorHandle() {
  live_--;
  // Finalizer path: V8 is collecting the handle; the accounting is returned here too.
  if (!disposed_ && reported_ > 0) {
    napi_adjust_external_memory(Env(), -reported_, nullptr);
  }
}

void TensorHandle::release(Napi::Env env) {
  if (disposed_) return;
  disposed_ = true;
  tensor_ = at::Tensor();
  if (reported_ > 0) Napi::MemoryManagement::AdjustExternalMemory(env, -reported_);
  reported_ = 0;
}

Napi::Value TensorHandle::Dispose(const Napi::CallbackInfo& info) {
  release(info.Env());
  return info.Env().Undefined();
}

Napi::Value TensorHandle::IsDisposed(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), disposed_);
}

const at::Tensor& TensorHandle::tensor(Napi::Env env, const char* what) const {
  if (disposed_) throw Napi::Error::New(env, std::string(what) + ": tensor was disposed");
  return tensor_;
}

at::Tensor& TensorHandle::mutableTensor(Napi::Env env, const char* what) {
  if (disposed_) throw Napi::Error::New(env, std::string(what) + ": tensor was disposed");
  return tensor_;
}

// ---- dtypes and devices ----------------------------------------------------------

at::ScalarType parseDtype(const std::string& s) {
  static const std::unordered_map<std::string, at::ScalarType> names = {
      {"float32", at::kFloat}, {"float64", at::kDouble}, {"float16", at::kHalf},
      {"bfloat16", at::kBFloat16}, {"int64", at::kLong}, {"int32", at::kInt},
      {"int16", at::kShort}, {"int8", at::kChar}, {"uint8", at::kByte}, {"bool", at::kBool}};
  auto it = names.find(s);
  if (it == names.end()) throw std::invalid_argument("unknown dtype '" + s + "'");
  return it->second;
}

std::string dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

at::Device parseDevice(const std::string& s) { return at::Device(s); }

// ---- guards against integer traps --------------------------------------------------

namespace {
// The dtypes whose division by -1 traps: narrower integers are promoted to int in C++
// before dividing, so only 32- and 64-bit ones overflow.
bool trapsOnMinByMinusOne(at::ScalarType t) { return t == at::kInt || t == at::kLong; }

at::Scalar smallestOf(at::ScalarType t) {
  return t == at::kInt ? at::Scalar(static_cast<int64_t>(std::numeric_limits<int32_t>::min()))
                       : at::Scalar(std::numeric_limits<int64_t>::min());
}

[[noreturn]] void overflow(at::ScalarType t) {
  throw std::invalid_argument("integer overflow: the smallest " + dtypeName(t) +
                              " divided by -1 has no " + dtypeName(t) + " result");
}
}  // namespace

void checkIntegerDivision(const at::Tensor& self, const at::Tensor& other) {
  at::ScalarType t = at::result_type(self, other);
  if (!trapsOnMinByMinusOne(t)) return;
  at::NoGradGuard no_grad;
  // Element-wise (with broadcasting): only a position holding both the minimum and -1
  // overflows. A broadcasting error is left for the op itself to report.
  at::Tensor hit;
  try {
    hit = at::logical_and(self.eq(smallestOf(t)), other.eq(-1)).any();
  } catch (const c10::Error&) {
    return;
  }
  if (hit.item<bool>()) overflow(t);
}

void checkIntegerDivision(const at::Tensor& self, const at::Scalar& other) {
  at::ScalarType t = at::result_type(self, other);
  if (!trapsOnMinByMinusOne(t) || !other.isIntegral(false) || other.toLong() != -1) return;
  at::NoGradGuard no_grad;
  if (self.eq(smallestOf(t)).any().item<bool>()) overflow(t);
}

void checkIntegerConversion(const at::Tensor& self, at::ScalarType to) {
  if (!at::isFloatingType(self.scalar_type()) || !at::isIntegralType(to, /*includeBool=*/false)) return;
  double lo, hiExclusive;
  switch (to) {
    case at::kByte: lo = 0; hiExclusive = 256; break;
    case at::kChar: lo = -128; hiExclusive = 128; break;
    case at::kShort: lo = -32768; hiExclusive = 32768; break;
    case at::kInt: lo = -2147483648.0; hiExclusive = 2147483648.0; break;
    default: lo = -9223372036854775808.0; hiExclusive = 9223372036854775808.0; break;
  }
  at::NoGradGuard no_grad;
  // NaN fails both comparisons, so it is caught with the infinities and the too-large.
  at::Tensor inRange = at::logical_and(self.ge(lo), self.lt(hiExclusive)).all();
  if (!inRange.item<bool>())
    throw std::invalid_argument(std::string("cannot convert NaN, +-Infinity or values outside [") +
                                std::to_string(static_cast<int64_t>(lo)) + ", " + (to == at::kLong ? "2^63" : std::to_string(static_cast<int64_t>(hiExclusive))) +
                                ") from " + dtypeName(self.scalar_type()) + " to " + dtypeName(to));
}

// ---- argument conversion ---------------------------------------------------------

namespace {
// Casting a non-finite or out-of-range double to int64 is undefined behaviour: check first.
bool isInt64(double d) { return std::isfinite(d) && std::abs(d) < 9.2e18 && d == std::trunc(d); }
}  // namespace

void Arg::typeError(size_t i, const char* name, const char* expected) const {
  throw Napi::TypeError::New(info.Env(), std::string(op) + ": argument " + std::to_string(i) + " ('" +
                                             name + "') must be " + expected);
}

at::Tensor Arg::tensor(size_t i, const char* name) const {
  if (i >= info.Length() || !TensorHandle::IsHandle(info[i])) typeError(i, name, "a Tensor");
  return TensorHandle::From(info[i])->tensor(info.Env(), op);
}

c10::optional<at::Tensor> Arg::optTensor(size_t i, const char* name) const {
  if (missing(i)) return c10::nullopt;
  return tensor(i, name);
}

std::vector<at::Tensor> Arg::tensors(size_t i, const char* name) const {
  if (i >= info.Length() || !info[i].IsArray()) typeError(i, name, "an array of Tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!TensorHandle::IsHandle(v)) typeError(i, name, "an array of Tensors");
    out.push_back(TensorHandle::From(v)->tensor(info.Env(), op));
  }
  return out;
}

int64_t Arg::integer(size_t i, const char* name) const {
  if (i >= info.Length() || !info[i].IsNumber()) typeError(i, name, "an integer");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (!isInt64(d)) typeError(i, name, "an integer");
  return static_cast<int64_t>(d);
}

c10::optional<int64_t> Arg::optInteger(size_t i, const char* name) const {
  if (missing(i)) return c10::nullopt;
  return integer(i, name);
}

double Arg::number(size_t i, const char* name) const {
  if (i >= info.Length() || !info[i].IsNumber()) typeError(i, name, "a number");
  return info[i].As<Napi::Number>().DoubleValue();
}

c10::optional<double> Arg::optNumber(size_t i, const char* name) const {
  if (missing(i)) return c10::nullopt;
  return number(i, name);
}

bool Arg::boolean(size_t i, const char* name) const {
  if (i >= info.Length() || !info[i].IsBoolean()) typeError(i, name, "a boolean");
  return info[i].As<Napi::Boolean>().Value();
}

std::vector<int64_t> Arg::ints(size_t i, const char* name) const {
  if (i < info.Length() && info[i].IsNumber()) return {integer(i, name)};
  if (i >= info.Length() || !info[i].IsArray()) typeError(i, name, "an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t k = 0; k < a.Length(); ++k) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) typeError(i, name, "an array of integers");
    double d = v.As<Napi::Number>().DoubleValue();
    if (!isInt64(d)) typeError(i, name, "an array of integers");
    out[k] = static_cast<int64_t>(d);
  }
  return out;
}

c10::optional<std::vector<int64_t>> Arg::optInts(size_t i, const char* name) const {
  if (missing(i)) return c10::nullopt;
  return ints(i, name);
}

std::string Arg::string(size_t i, const char* name) const {
  if (i >= info.Length() || !info[i].IsString()) typeError(i, name, "a string");
  return info[i].As<Napi::String>().Utf8Value();
}

at::Scalar Arg::scalar(size_t i, const char* name) const {
  if (i < info.Length() && info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  double d = number(i, name);
  // Whole numbers become integral scalars so integer tensors keep their dtype.
  if (std::isfinite(d) && std::abs(d) < 9.007199254740992e15 && d == std::trunc(d))
    return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}

at::ScalarType Arg::dtype(size_t i, const char* name) const { return parseDtype(string(i, name)); }

c10::optional<at::ScalarType> Arg::optDtype(size_t i, const char* name) const {
  if (missing(i)) return c10::nullopt;
  return dtype(i, name);
}

at::Device Arg::device(size_t i, const char* name) const {
  if (missing(i)) return at::Device(at::kCPU);
  return parseDevice(string(i, name));
}

// ---- results ---------------------------------------------------------------------

Napi::Value toJs(Napi::Env env, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(env, ts.size());
  for (size_t k = 0; k < ts.size(); ++k) a.Set(static_cast<uint32_t>(k), TensorHandle::Wrap(env, ts[k]));
  return a;
}

Napi::Value toJs(Napi::Env env, const std::tuple<at::Tensor, at::Tensor>& ts) {
  return toJs(env, std::vector<at::Tensor>{std::get<0>(ts), std::get<1>(ts)});
}

Napi::Value toJs(Napi::Env env, const std::vector<int64_t>& v) {
  Napi::Array a = Napi::Array::New(env, v.size());
  for (size_t k = 0; k < v.size(); ++k) a.Set(static_cast<uint32_t>(k), Napi::Number::New(env, static_cast<double>(v[k])));
  return a;
}

}  // namespace xling
