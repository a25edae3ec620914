// SentencePiece tokenizers: a handle around a loaded SentencePieceProcessor, loading
// from a .model file or from serialized bytes, and training through
// SentencePieceTrainer. Batch calls encode or decode a whole list in one native call so
// the per-call cost of crossing into C++ is paid once per batch, not once per string.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sentencepiece_runtime.h"
#include "tensor.h"

namespace xling {
namespace {

namespace spm = sentencepiece;
using spm_runtime::api;
using spm_runtime::callStatus;

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read " + path);
  return bytes;
}

// Copies a JS string into `out` as UTF-8, reusing out's storage across calls. Asking
// for the UTF-8 length first would transcode the string twice; instead the buffer is
// sized from the UTF-16 length (cheap to get), as one UTF-16 unit is at most 3 UTF-8 bytes.
void readUtf8(Napi::Env env, Napi::Value v, std::string& out) {
  size_t units = 0;
  if (napi_get_value_string_utf16(env, v, nullptr, 0, &units) != napi_ok)
    throw Napi::TypeError::New(env, "expected a string");
  out.resize(3 * units + 1);
  size_t len = 0;
  napi_get_value_string_utf8(env, v, out.data(), out.size(), &len);
  out.resize(len);
}

std::vector<int> idsFrom(const Arg& a, size_t i, const char* name) {
  Napi::Value v = a.at(i);
  std::vector<int> ids;
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    Napi::Int32Array arr = v.As<Napi::Int32Array>();
    ids.assign(arr.Data(), arr.Data() + arr.ElementLength());
  } else if (v.IsArray()) {
    Napi::Array arr = v.As<Napi::Array>();
    ids.reserve(arr.Length());
    for (uint32_t k = 0; k < arr.Length(); ++k) {
      Napi::Value e = arr.Get(k);
      if (!e.IsNumber()) a.typeError(i, name, "an Int32Array or an array of integers");
      ids.push_back(e.As<Napi::Number>().Int32Value());
    }
  } else {
    a.typeError(i, name, "an Int32Array or an array of integers");
  }
  return ids;
}

Napi::Array stringArray(const Arg& a, size_t i, const char* name) {
  if (i >= a.info.Length() || !a.at(i).IsArray()) a.typeError(i, name, "an array of strings");
  return a.at(i).As<Napi::Array>();
}

Napi::Int32Array toInt32Array(Napi::Env env, const int* data, size_t n) {
  Napi::Int32Array out = Napi::Int32Array::New(env, n);
  if (n > 0) std::memcpy(out.Data(), data, n * sizeof(int32_t));
  return out;
}

// Trains on a background thread so the event loop keeps running; training a model
// takes seconds to minutes.
class TrainWorker : public Napi::AsyncWorker {
 public:
  TrainWorker(Napi::Env env, spm_runtime::Flags flags)
      : Napi::AsyncWorker(env), flags_(std::move(flags)), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      callStatus([&] { return api().train(flags_, nullptr, nullptr); });
    } catch (const std::exception& e) {
      SetError(std::string("spm_train: ") + e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  spm_runtime::Flags flags_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

// A loaded model. Methods mirror SentencePieceProcessor; encode/decode come in batch form.
class SentencePieceHandle : public Napi::ObjectWrap<SentencePieceHandle> {
 public:
  static Napi::Function Init(Napi::Env env) {
    Napi::Function ctor = DefineClass(
        env, "SentencePieceHandle",
        {
            InstanceMethod<&SentencePieceHandle::EncodeIds>("encodeIds"),
            InstanceMethod<&SentencePieceHandle::EncodeIdsBatch>("encodeIdsBatch"),
            InstanceMethod<&SentencePieceHandle::EncodePiecesBatch>("encodePiecesBatch"),
            InstanceMethod<&SentencePieceHandle::DecodeIds>("decodeIds"),
            InstanceMethod<&SentencePieceHandle::DecodeIdsBatch>("decodeIdsBatch"),
            InstanceMethod<&SentencePieceHandle::DecodePieces>("decodePieces"),
            InstanceMethod<&SentencePieceHandle::VocabSize>("vocabSize"),
            InstanceMethod<&SentencePieceHandle::IdToPiece>("idToPiece"),
            InstanceMethod<&SentencePieceHandle::PieceToId>("pieceToId"),
            InstanceMethod<&SentencePieceHandle::Score>("score"),
            InstanceMethod<&SentencePieceHandle::IdKind>("idKind"),
            InstanceMethod<&SentencePieceHandle::SpecialIds>("specialIds"),
            InstanceMethod<&SentencePieceHandle::Serialize>("serialize"),
        });
    constructor_ = new Napi::FunctionReference(Napi::Persistent(ctor));
    return ctor;
  }

  // Loads a model from its serialized bytes into a new JS handle.
  static Napi::Object FromBytes(Napi::Env env, std::string bytes) {
    spm_runtime::Processor sp = spm_runtime::newProcessor();
    callStatus([&] { return sp->LoadFromSerializedProto(bytes); });
    Napi::Object obj = constructor_->New({});
    SentencePieceHandle* self = Unwrap(obj);
    self->sp_ = std::move(sp);
    self->bytes_ = std::move(bytes);
    return obj;
  }

  explicit SentencePieceHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<SentencePieceHandle>(info) {}

 private:
  const spm::SentencePieceProcessor& sp(const char* op) const {
    if (!sp_) throw std::runtime_error(std::string(op) + ": no model loaded (use load or loadBytes)");
    return *sp_;
  }

  int checkedId(const Arg& a, size_t i) const {
    int64_t id = a.integer(i, "id");
    if (id < 0 || id >= sp(a.op).GetPieceSize())
      throw std::out_of_range("id " + std::to_string(id) + " is outside the vocabulary of " +
                              std::to_string(sp(a.op).GetPieceSize()));
    return static_cast<int>(id);
  }

  // encodeIds(text) -> Int32Array
  Napi::Value EncodeIds(const Napi::CallbackInfo& info) {
    return guard(info, "spm_encode", [&]() -> Napi::Value {
      Arg a{info, "spm_encode"};
      std::string text = a.string(0, "text");
      std::vector<int> ids;
      callStatus([&] { return sp(a.op).Encode(text, &ids); });
      return toInt32Array(info.Env(), ids.data(), ids.size());
    });
  }

  // encodeIdsBatch(texts) -> [ids: Int32Array, offsets: Int32Array]; the ids of
  // texts[k] are ids[offsets[k] .. offsets[k + 1]). One flat buffer keeps the result to
  // two allocations however many texts there are.
  Napi::Value EncodeIdsBatch(const Napi::CallbackInfo& info) {
    return guard(info, "spm_encode_batch", [&]() -> Napi::Value {
      Arg a{info, "spm_encode_batch"};
      Napi::Array texts = stringArray(a, 0, "texts");
      const uint32_t n = texts.Length();
      const auto& model = sp(a.op);
      std::vector<int32_t> offsets(n + 1, 0);
      std::vector<int> flat, ids;
      std::string text;
      for (uint32_t k = 0; k < n; ++k) {
        Napi::Value v = texts.Get(k);
        if (!v.IsString()) a.typeError(0, "texts", "an array of strings");
        readUtf8(info.Env(), v, text);
        callStatus([&] { return model.Encode(text, &ids); });
        flat.insert(flat.end(), ids.begin(), ids.end());
        offsets[k + 1] = static_cast<int32_t>(flat.size());
      }
      Napi::Array out = Napi::Array::New(info.Env(), 2);
      out.Set(0u, toInt32Array(info.Env(), flat.data(), flat.size()));
      out.Set(1u, toInt32Array(info.Env(), offsets.data(), offsets.size()));
      return out;
    });
  }

  // encodePiecesBatch(texts) -> string[][]
  Napi::Value EncodePiecesBatch(const Napi::CallbackInfo& info) {
    return guard(info, "spm_encode_pieces", [&]() -> Napi::Value {
      Arg a{info, "spm_encode_pieces"};
      Napi::Array texts = stringArray(a, 0, "texts");
      const auto& model = sp(a.op);
      Napi::Array out = Napi::Array::New(info.Env(), texts.Length());
      std::vector<std::string> pieces;
      std::string text;
      for (uint32_t k = 0; k < texts.Length(); ++k) {
        Napi::Value v = texts.Get(k);
        if (!v.IsString()) a.typeError(0, "texts", "an array of strings");
        readUtf8(info.Env(), v, text);
        callStatus([&] { return model.Encode(text, &pieces); });
        Napi::Array row = Napi::Array::New(info.Env(), pieces.size());
        for (size_t p = 0; p < pieces.size(); ++p) row.Set(static_cast<uint32_t>(p), pieces[p]);
        out.Set(k, row);
      }
      return out;
    });
  }

  // decodeIds(ids) -> string
  Napi::Value DecodeIds(const Napi::CallbackInfo& info) {
    return guard(info, "spm_decode", [&]() -> Napi::Value {
      Arg a{info, "spm_decode"};
      std::vector<int> ids = idsFrom(a, 0, "ids");
      const auto& model = sp(a.op);
      // SentencePiece checks ids with a fatal CHECK, which would abort the process.
      for (int id : ids)
        if (id < 0 || id >= model.GetPieceSize())
          throw std::out_of_range("id " + std::to_string(id) + " is outside the vocabulary of " +
                                  std::to_string(model.GetPieceSize()));
      std::string text;
      callStatus([&] { return model.Decode(ids, &text); });
      return Napi::String::New(info.Env(), text);
    });
  }

  // decodeIdsBatch(ids: Int32Array, offsets: Int32Array) -> string[], the inverse of
  // encodeIdsBatch.
  Napi::Value DecodeIdsBatch(const Napi::CallbackInfo& info) {
    return guard(info, "spm_decode_batch", [&]() -> Napi::Value {
      Arg a{info, "spm_decode_batch"};
      std::vector<int> flat = idsFrom(a, 0, "ids");
      std::vector<int> offsets = idsFrom(a, 1, "offsets");
      const auto& model = sp(a.op);
      for (int id : flat)
        if (id < 0 || id >= model.GetPieceSize())
          throw std::out_of_range("id " + std::to_string(id) + " is outside the vocabulary of " +
                                  std::to_string(model.GetPieceSize()));
      if (offsets.empty() || offsets.front() != 0 || offsets.back() != static_cast<int>(flat.size()))
        throw std::invalid_argument("offsets must start at 0 and end at the number of ids");
      const size_t n = offsets.size() - 1;
      Napi::Array out = Napi::Array::New(info.Env(), n);
      std::vector<int> ids;
      std::string text;
      for (size_t k = 0; k < n; ++k) {
        if (offsets[k + 1] < offsets[k]) throw std::invalid_argument("offsets must not decrease");
        ids.assign(flat.begin() + offsets[k], flat.begin() + offsets[k + 1]);
        callStatus([&] { return model.Decode(ids, &text); });
        out.Set(static_cast<uint32_t>(k), text);
      }
      return out;
    });
  }

  // decodePieces(pieces) -> string
  Napi::Value DecodePieces(const Napi::CallbackInfo& info) {
    return guard(info, "spm_decode_pieces", [&]() -> Napi::Value {
      Arg a{info, "spm_decode_pieces"};
      Napi::Array arr = stringArray(a, 0, "pieces");
      std::vector<std::string> pieces(arr.Length());
      for (uint32_t k = 0; k < arr.Length(); ++k) {
        Napi::Value v = arr.Get(k);
        if (!v.IsString()) a.typeError(0, "pieces", "an array of strings");
        pieces[k] = v.As<Napi::String>().Utf8Value();
      }
      std::string text;
      callStatus([&] { return sp(a.op).Decode(pieces, &text); });
      return Napi::String::New(info.Env(), text);
    });
  }

  Napi::Value VocabSize(const Napi::CallbackInfo& info) {
    return guard(info, "spm_vocab_size", [&]() -> Napi::Value {
      return Napi::Number::New(info.Env(), sp("spm_vocab_size").GetPieceSize());
    });
  }

  Napi::Value IdToPiece(const Napi::CallbackInfo& info) {
    return guard(info, "spm_id_to_piece", [&]() -> Napi::Value {
      Arg a{info, "spm_id_to_piece"};
      return Napi::String::New(info.Env(), sp(a.op).IdToPiece(checkedId(a, 0)));
    });
  }

  // pieceToId(piece) -> id; a piece outside the vocabulary gives the unknown id.
  Napi::Value PieceToId(const Napi::CallbackInfo& info) {
    return guard(info, "spm_piece_to_id", [&]() -> Napi::Value {
      Arg a{info, "spm_piece_to_id"};
      return Napi::Number::New(info.Env(), sp(a.op).PieceToId(a.string(0, "piece")));
    });
  }

  Napi::Value Score(const Napi::CallbackInfo& info) {
    return guard(info, "spm_score", [&]() -> Napi::Value {
      Arg a{info, "spm_score"};
      return Napi::Number::New(info.Env(), sp(a.op).GetScore(checkedId(a, 0)));
    });
  }

  // idKind(id) -> "normal" | "unknown" | "control" | "unused" | "byte". (User-defined
  // symbols count as "normal": telling them apart needs the model proto's generated
  // header, which the Debian package does not ship.)
  Napi::Value IdKind(const Napi::CallbackInfo& info) {
    return guard(info, "spm_id_kind", [&]() -> Napi::Value {
      Arg a{info, "spm_id_kind"};
      const auto& model = sp(a.op);
      int id = checkedId(a, 0);
      const char* kind = model.IsUnknown(id)   ? "unknown"
                         : model.IsControl(id) ? "control"
                         : model.IsUnused(id)  ? "unused"
                         : model.IsByte(id)    ? "byte"
                                               : "normal";
      return Napi::String::New(info.Env(), kind);
    });
  }

  // specialIds() -> { unk, bos, eos, pad }, -1 where the model has none.
  Napi::Value SpecialIds(const Napi::CallbackInfo& info) {
    return guard(info, "spm_special_ids", [&]() -> Napi::Value {
      const auto& model = sp("spm_special_ids");
      Napi::Object out = Napi::Object::New(info.Env());
      out.Set("unk", model.unk_id());
      out.Set("bos", model.bos_id());
      out.Set("eos", model.eos_id());
      out.Set("pad", model.pad_id());
      return out;
    });
  }

  // serialize() -> Buffer with the model bytes it was loaded from (a .model file's content).
  Napi::Value Serialize(const Napi::CallbackInfo& info) {
    return guard(info, "spm_serialize", [&]() -> Napi::Value {
      sp("spm_serialize");
      return Napi::Buffer<char>::Copy(info.Env(), bytes_.data(), bytes_.size());
    });
  }

  spm_runtime::Processor sp_;
  std::string bytes_;  // kept for serialize(): the library's own serializer is not virtual
  static Napi::FunctionReference* constructor_;
};

Napi::FunctionReference* SentencePieceHandle::constructor_ = nullptr;

namespace {

// spm_load(path) -> SentencePieceHandle
Napi::Value Load(const Napi::CallbackInfo& info) {
  return guard(info, "spm_load", [&]() -> Napi::Value {
    Arg a{info, "spm_load"};
    return SentencePieceHandle::FromBytes(info.Env(), readFile(a.string(0, "path")));
  });
}

// spm_load_bytes(bytes: Uint8Array) -> SentencePieceHandle
Napi::Value LoadBytes(const Napi::CallbackInfo& info) {
  return guard(info, "spm_load_bytes", [&]() -> Napi::Value {
    Arg a{info, "spm_load_bytes"};
    if (info.Length() < 1 || !info[0].IsTypedArray()) a.typeError(0, "bytes", "a Uint8Array");
    Napi::TypedArray arr = info[0].As<Napi::TypedArray>();
    const char* base = static_cast<const char*>(arr.ArrayBuffer().Data()) + arr.ByteOffset();
    return SentencePieceHandle::FromBytes(info.Env(), std::string(base, arr.ByteLength()));
  });
}

// spm_train(flags: Record<string, string>) -> Promise<void>. Keys are trainer flag
// names without dashes. `random_seed` is not a trainer field in this SentencePiece
// version (spm_train sets it globally before training), so it is applied the same way
// here; it stays in effect for later trainings in this process.
Napi::Value Train(const Napi::CallbackInfo& info) {
  return guard(info, "spm_train", [&]() -> Napi::Value {
    Arg a{info, "spm_train"};
    if (info.Length() < 1 || !info[0].IsObject()) a.typeError(0, "flags", "an object of flag strings");
    Napi::Object obj = info[0].As<Napi::Object>();
    Napi::Array keys = obj.GetPropertyNames();
    spm_runtime::Flags flags;
    for (uint32_t k = 0; k < keys.Length(); ++k) {
      std::string key = keys.Get(k).ToString().Utf8Value();
      Napi::Value v = obj.Get(key);
      if (!v.IsString()) a.typeError(0, "flags", "an object whose values are strings");
      flags[key] = v.As<Napi::String>().Utf8Value();
    }
    auto seed = flags.find("random_seed");
    if (seed != flags.end()) {
      size_t used = 0;
      unsigned long value = std::stoul(seed->second, &used);
      if (used != seed->second.size()) throw std::invalid_argument("random_seed must be an unsigned integer");
      api().set_random_seed(static_cast<unsigned int>(value));
      flags.erase(seed);
    }
    api();  // load the libraries here, so a missing one is reported before queueing
    auto* worker = new TrainWorker(info.Env(), std::move(flags));
    Napi::Promise promise = worker->promise();
    worker->Queue();
    return promise;
  });
}

}  // namespace

void RegisterSentencePiece(Napi::Env env, Napi::Object exports) {
  exports.Set("SentencePieceHandle", SentencePieceHandle::Init(env));
  exports.Set("spm_load", Napi::Function::New(env, Load, "spm_load"));
  exports.Set("spm_load_bytes", Napi::Function::New(env, LoadBytes, "spm_load_bytes"));
  exports.Set("spm_train", Napi::Function::New(env, Train, "spm_train"));
}

}  // namespace xling
