// Loads libsentencepiece at run time, in its own symbol scope.
//
// Why not link it: libsentencepiece carries a private copy of protobuf-lite (3.14) and
// exports those symbols. libtorch needs the system libprotobuf (3.21). In one link both
// copies share a single symbol namespace and one of them loses: with libprotobuf first
// (see native/config.mjs) SentencePiece's generated code calls into protobuf 3.21 and
// every model load fails its version check; the other way round libtorch crashes.
// dlopen with RTLD_LOCAL gives SentencePiece a lookup scope of its own: after the
// global scope (node and its libraries, where neither protobuf lives, since node loads
// the addon and so libtorch RTLD_LOCAL too) it sees itself before the libprotobuf it
// depends on, so it uses its own copy, while libtorch keeps using libprotobuf.
// RTLD_DEEPBIND is deliberately not used: it would also bind std::cerr to libstdc++'s
// own, never-constructed object instead of node's copy, and the first log line from
// the trainer would crash.
//
// Consequence for the code using this: it must not reference any non-virtual
// SentencePiece function directly (that would need the link). Virtual methods are fine
// (they are reached through the object's vtable); the few non-virtual entry points are
// looked up by their mangled names below. util::Status has an out-of-line destructor,
// so Status values are only ever created through callStatus(), which destroys them
// through the looked-up destructor.
#pragma once
#include <dlfcn.h>

#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

namespace xling {
namespace spm_runtime {

namespace spm = sentencepiece;
using Flags = std::unordered_map<std::string, std::string>;

// Entry points, as exported by Debian's libsentencepiece0 (0.1.97, C++11 string ABI).
struct Api {
  void (*construct_processor)(spm::SentencePieceProcessor*);
  void (*destroy_status)(spm::util::Status*);
  const char* (*status_message)(const spm::util::Status*);
  void (*set_random_seed)(unsigned int);
  spm::util::Status (*train)(const Flags&, spm::SentenceIterator*, std::string*);
};

inline void* openScoped(const char* soname) {
  void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) throw std::runtime_error(std::string("cannot load SentencePiece: ") + dlerror());
  return h;
}

template <typename Fn>
Fn lookup(void* lib, const char* mangled, const char* readable) {
  void* p = dlsym(lib, mangled);
  if (!p) throw std::runtime_error(std::string("SentencePiece library has no ") + readable + " (is it 0.1.97?)");
  return reinterpret_cast<Fn>(p);
}

// Loaded once, on first use; the libraries stay loaded for the life of the process.
inline const Api& api() {
  static const Api loaded = [] {
    void* core = openScoped("libsentencepiece.so.0");
    void* train = openScoped("libsentencepiece_train.so.0");
    Api a{};
    a.construct_processor = lookup<decltype(a.construct_processor)>(
        core, "_ZN13sentencepiece22SentencePieceProcessorC1Ev", "SentencePieceProcessor()");
    a.destroy_status =
        lookup<decltype(a.destroy_status)>(core, "_ZN13sentencepiece4util6StatusD1Ev", "util::Status::~Status()");
    a.status_message = lookup<decltype(a.status_message)>(
        core, "_ZNK13sentencepiece4util6Status13error_messageEv", "util::Status::error_message()");
    a.set_random_seed = lookup<decltype(a.set_random_seed)>(core, "_ZN13sentencepiece22SetRandomGeneratorSeedEj",
                                                            "SetRandomGeneratorSeed(unsigned int)");
    a.train = lookup<decltype(a.train)>(
        train,
        "_ZN13sentencepiece20SentencePieceTrainer5TrainERKSt13unordered_mapINSt7__cxx1112basic_stringIcSt11char_"
        "traitsIcESaIcEEES7_St4hashIS7_ESt8equal_toIS7_ESaISt4pairIKS7_S7_EEEPNS_16SentenceIteratorEPS7_",
        "SentencePieceTrainer::Train(map, SentenceIterator*, std::string*)");
    return a;
  }();
  return loaded;
}

// Runs `call` (which returns a util::Status) and throws its message if it is not ok.
// The Status is built in place in local storage (guaranteed copy elision), so no
// destructor call is compiled in; the library's destructor is called explicitly.
template <typename F>
void callStatus(F&& call) {
  alignas(spm::util::Status) unsigned char storage[sizeof(spm::util::Status)];
  auto* status = ::new (storage) spm::util::Status(call());
  const bool ok = status->ok();
  std::string message = ok ? std::string() : std::string(api().status_message(status));
  api().destroy_status(status);
  if (!ok) throw std::runtime_error(message);
}

// Owns a processor built by the library's constructor. Destruction goes through the
// virtual destructor, which lives in the library's vtable.
using Processor = std::unique_ptr<spm::SentencePieceProcessor>;

inline Processor newProcessor() {
  const Api& a = api();
  void* memory = ::operator new(sizeof(spm::SentencePieceProcessor));
  auto* sp = static_cast<spm::SentencePieceProcessor*>(memory);
  try {
    a.construct_processor(sp);
  } catch (...) {
    ::operator delete(memory);
    throw;
  }
  return Processor(sp);
}

}  // namespace spm_runtime
}  // namespace xling
