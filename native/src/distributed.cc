// Process groups over libtorch's c10d: rendezvous through a TCPStore, collectives on
// Gloo (CPU tensors) or, when the linked libtorch was built with CUDA and NCCL, on NCCL.
//
// Every collective waits at most the group's timeout and throws (through guard())
// instead of blocking forever. A rank that dies is noticed in two ways: Gloo sees its
// sockets close and fails the collective at once, and a heartbeat that every rank
// writes to the store tells the survivors which rank stopped (lostRanks()).
// libtorch builds c10d with Gloo on every platform it ships for; its header hides the
// declarations unless told so.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef XLING_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "tensor.h"

namespace xling {
namespace {

using std::chrono::milliseconds;

std::string heartbeatKey(int rank) { return "xling/heartbeat/" + std::to_string(rank); }

bool isLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Writes an increasing counter under this rank's heartbeat key every `interval`, on its
// own store connection so that a long store operation elsewhere cannot delay it. Stops
// quietly when the store goes away (the rank hosting it has exited).
class Heartbeat {
 public:
  Heartbeat(const std::string& host, uint16_t port, int rank, milliseconds interval, milliseconds timeout)
      : rank_(rank), interval_(interval) {
    c10d::TCPStoreOptions o;
    o.port = port;
    o.isServer = false;
    o.waitWorkers = false;
    o.timeout = timeout;
    store_ = c10::make_intrusive<c10d::TCPStore>(host, o);
    beat();  // the key exists before the group is usable
    thread_ = std::thread([this] { run(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void beat() {
    ++count_;
    std::string v = std::to_string(count_);
    store_->set(heartbeatKey(rank_), std::vector<uint8_t>(v.begin(), v.end()));
  }
  void run() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      try {
        beat();
      } catch (...) {
        return;  // an exception escaping a std::thread would abort the process
      }
    }
  }

  int rank_;
  milliseconds interval_;
  int64_t count_ = 0;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

class ProcessGroupHandle : public Napi::ObjectWrap<ProcessGroupHandle> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "ProcessGroup", {
      InstanceMethod<&ProcessGroupHandle::AllReduce>("allreduce"),
      InstanceMethod<&ProcessGroupHandle::AverageGradients>("averageGradients"),
      InstanceMethod<&ProcessGroupHandle::Broadcast>("broadcast"),
      InstanceMethod<&ProcessGroupHandle::AllGather>("allGather"),
      InstanceMethod<&ProcessGroupHandle::Barrier>("barrier"),
      InstanceMethod<&ProcessGroupHandle::LostRanks>("lostRanks"),
      InstanceMethod<&ProcessGroupHandle::StoreSet>("storeSet"),
      InstanceMethod<&ProcessGroupHandle::StoreWait>("storeWait"),
      InstanceMethod<&ProcessGroupHandle::Close>("close"),
      InstanceMethod<&ProcessGroupHandle::Backend>("backend"),
    });
  }

  // new ProcessGroup(backend, host, port, rank, worldSize, timeoutMs, heartbeatMs, rendezvousMs)
  explicit ProcessGroupHandle(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProcessGroupHandle>(info) {
    guard(info, "process_group", [&]() -> Napi::Value {
      Arg a{info, "process_group"};
      backend_ = a.string(0, "backend");
      host_ = a.string(1, "host");
      int64_t port = a.integer(2, "port");
      rank_ = static_cast<int>(a.integer(3, "rank"));
      size_ = static_cast<int>(a.integer(4, "world_size"));
      timeout_ = milliseconds(a.integer(5, "timeout_ms"));
      milliseconds heartbeat(a.integer(6, "heartbeat_ms"));
      milliseconds rendezvous(a.integer(7, "rendezvous_ms"));
      if (port <= 0 || port > 65535) throw std::invalid_argument("port must be in 1..65535");
      if (size_ < 1 || rank_ < 0 || rank_ >= size_) throw std::invalid_argument("rank must be in 0..world_size-1");
      if (timeout_.count() <= 0 || rendezvous.count() <= 0) throw std::invalid_argument("timeouts must be positive");
      port_ = static_cast<uint16_t>(port);

      // Rank 0 hosts the store; the constructor returns once all world_size ranks have
      // connected, or throws after the rendezvous timeout (ranks start at different
      // times, so it is separate from, and usually longer than, the collective timeout).
      c10d::TCPStoreOptions o;
      o.port = port_;
      o.isServer = rank_ == 0;
      o.waitWorkers = false;  // its wait ends at the timeout without an error; counted below
      o.timeout = rendezvous;
      store_ = c10::make_intrusive<c10d::TCPStore>(host_, o);
      waitForRanks(rendezvous);
      heartbeat_ = std::make_unique<Heartbeat>(host_, port_, rank_, heartbeat, timeout_);
      heartbeatInterval_ = heartbeat;
      auto prefixed = c10::make_intrusive<c10d::PrefixStore>("xling/" + backend_, store_);

      if (backend_ == "gloo") {
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout_);
        // GLOO_SOCKET_IFNAME picks the interface as in PyTorch; on a loopback rendezvous
        // every rank is on this host, so Gloo binds to loopback too.
        const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
        if (ifname && *ifname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
        else if (isLoopback(host_)) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        opts->threads = 2;
        pg_ = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank_, size_, opts);
#ifdef XLING_WITH_NCCL
      } else if (backend_ == "nccl") {
        // NCCL applies the timeout only in blocking-wait mode (read when the group is
        // created; the variable's name changed after 1.13). An explicit setting wins.
        setenv("NCCL_BLOCKING_WAIT", "1", 0);
        setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = timeout_;
        pg_ = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank_, size_, opts);
#endif
      } else {
        throw std::invalid_argument("backend '" + backend_ + "' is not available in this build (gloo" +
#ifdef XLING_WITH_NCCL
                                    ", nccl" +
#endif
                                    std::string(")"));
      }
      return info.Env().Undefined();
    });
  }

 private:
  // Every rank adds itself to a counter in the store and waits until all have.
  void waitForRanks(milliseconds timeout) {
    const std::string key = "xling/joined";
    store_->add(key, 1);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int64_t joined = store_->add(key, 0);
      if (joined >= size_) return;
      if (std::chrono::steady_clock::now() > deadline)
        throw std::runtime_error(std::to_string(joined) + " of " + std::to_string(size_) + " ranks joined");
      std::this_thread::sleep_for(milliseconds(10));
    }
  }

  c10d::ProcessGroup& group(const char* op) {
    if (!pg_) throw std::runtime_error(std::string(op) + ": the process group is closed");
    return *pg_;
  }

  // Waits for a collective at most the group's timeout. Gloo also times its own
  // transfers out; this bound covers the rest (a queue that never drains).
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* op) {
    if (!work->wait(timeout_)) throw std::runtime_error(std::string(op) + " did not complete within the timeout");
  }

  static c10d::ReduceOp reduceOp(const std::string& name) {
    if (name == "sum") return c10d::ReduceOp::SUM;
    if (name == "max") return c10d::ReduceOp::MAX;
    if (name == "min") return c10d::ReduceOp::MIN;
    if (name == "product") return c10d::ReduceOp::PRODUCT;
    throw std::invalid_argument("unknown reduce op '" + name + "' (sum, max, min, product)");
  }

  // allreduce(tensors, op): in place on every tensor.
  Napi::Value AllReduce(const Napi::CallbackInfo& info) {
    return guard(info, "allreduce", [&]() -> Napi::Value {
      Arg a{info, "allreduce"};
      auto tensors = a.tensors(0, "tensors");
      c10d::AllreduceOptions opts;
      opts.reduceOp = reduceOp(a.missing(1) ? "sum" : a.string(1, "op"));
      opts.timeout = timeout_;
      for (auto& t : tensors) {
        std::vector<at::Tensor> one{t};
        wait(group("allreduce").allreduce(one, opts), "allreduce");
      }
      return info.Env().Undefined();
    });
  }

  // averageGradients(params, bucketBytes): replaces each parameter's .grad by its mean
  // over the ranks. Gradients are packed into flat buckets of about bucketBytes (one
  // dtype per bucket), all buckets are sent before the first is waited for, and the
  // sums are scaled by 1/world_size and copied back. A parameter without a gradient
  // contributes zeros, so every rank sends the same layout. Returns the bucket count.
  Napi::Value AverageGradients(const Napi::CallbackInfo& info) {
    return guard(info, "average_gradients", [&]() -> Napi::Value {
      Arg a{info, "average_gradients"};
      auto params = a.tensors(0, "params");
      int64_t bucketBytes = a.integer(1, "bucket_bytes");
      if (bucketBytes <= 0) throw std::invalid_argument("bucket_bytes must be positive");
      at::NoGradGuard noGrad;
      std::vector<at::Tensor> grads;
      grads.reserve(params.size());
      for (auto& p : params) {
        if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
        grads.push_back(p.grad());
      }
      std::vector<std::vector<at::Tensor>> buckets;
      int64_t filled = 0;
      for (auto& g : grads) {
        int64_t bytes = g.numel() * static_cast<int64_t>(g.element_size());
        bool fresh = buckets.empty() || filled + bytes > bucketBytes || buckets.back().front().scalar_type() != g.scalar_type();
        if (fresh) {
          buckets.emplace_back();
          filled = 0;
        }
        buckets.back().push_back(g);
        filled += bytes;
      }
      c10d::AllreduceOptions opts;
      opts.reduceOp = c10d::ReduceOp::SUM;
      opts.timeout = timeout_;
      std::vector<at::Tensor> flats;
      std::vector<c10::intrusive_ptr<c10d::Work>> works;
      for (auto& bucket : buckets) {
        std::vector<at::Tensor> pieces;
        for (auto& g : bucket) pieces.push_back(g.reshape({-1}));
        std::vector<at::Tensor> flat{at::cat(pieces)};
        works.push_back(group("average_gradients").allreduce(flat, opts));
        flats.push_back(flat[0]);
      }
      for (size_t b = 0; b < buckets.size(); ++b) {
        wait(works[b], "allreduce of gradients");
        flats[b].div_(static_cast<double>(size_));
        int64_t offset = 0;
        for (auto& g : buckets[b]) {
          g.copy_(flats[b].narrow(0, offset, g.numel()).view_as(g));
          offset += g.numel();
        }
      }
      return Napi::Number::New(info.Env(), static_cast<double>(buckets.size()));
    });
  }

  // broadcast(tensors, root): in place; every rank ends with root's values.
  Napi::Value Broadcast(const Napi::CallbackInfo& info) {
    return guard(info, "broadcast", [&]() -> Napi::Value {
      Arg a{info, "broadcast"};
      auto tensors = a.tensors(0, "tensors");
      c10d::BroadcastOptions opts;
      opts.rootRank = a.missing(1) ? 0 : a.integer(1, "root");
      opts.timeout = timeout_;
      if (opts.rootRank < 0 || opts.rootRank >= size_) throw std::invalid_argument("root must be a rank");
      at::NoGradGuard noGrad;
      for (auto& t : tensors) {
        // Gloo needs dense contiguous buffers; a parameter may be a view.
        at::Tensor buf = t.is_contiguous() ? t : t.contiguous();
        std::vector<at::Tensor> one{buf};
        wait(group("broadcast").broadcast(one, opts), "broadcast");
        if (!buf.is_same(t)) t.copy_(buf);
      }
      return info.Env().Undefined();
    });
  }

  // allGather(tensor): the tensor of every rank, in rank order (same shape on all).
  Napi::Value AllGather(const Napi::CallbackInfo& info) {
    return guard(info, "all_gather", [&]() -> Napi::Value {
      Arg a{info, "all_gather"};
      at::Tensor t = a.tensor(0, "tensor").contiguous();
      std::vector<std::vector<at::Tensor>> outputs(1);
      for (int r = 0; r < size_; ++r) outputs[0].push_back(at::empty_like(t));
      std::vector<at::Tensor> inputs{t};
      c10d::AllgatherOptions opts;
      opts.timeout = timeout_;
      wait(group("all_gather").allgather(outputs, inputs, opts), "all_gather");
      return toJs(info.Env(), outputs[0]);
    });
  }

  Napi::Value Barrier(const Napi::CallbackInfo& info) {
    return guard(info, "barrier", [&]() -> Napi::Value {
      c10d::BarrierOptions opts;
      opts.timeout = timeout_;
      wait(group("barrier").barrier(opts), "barrier");
      return info.Env().Undefined();
    });
  }

  // lostRanks(): after a failed collective, which ranks have stopped. Reads every
  // heartbeat, waits three intervals, reads again: a rank whose counter did not move is
  // lost. Returns null when the store itself cannot be reached, which means rank 0
  // (its host) is gone.
  Napi::Value LostRanks(const Napi::CallbackInfo& info) {
    return guard(info, "lost_ranks", [&]() -> Napi::Value {
      if (!store_) throw std::runtime_error("the process group is closed");
      auto read = [&]() {
        std::vector<std::string> beats(size_);
        for (int r = 0; r < size_; ++r) {
          if (!store_->check({heartbeatKey(r)})) continue;
          auto v = store_->get(heartbeatKey(r));
          beats[r] = std::string(v.begin(), v.end());
        }
        return beats;
      };
      std::vector<std::string> before, after;
      try {
        before = read();
        std::this_thread::sleep_for(heartbeatInterval_ * 3);
        after = read();
      } catch (const std::exception&) {
        return info.Env().Null();
      }
      std::vector<int64_t> lost;
      for (int r = 0; r < size_; ++r)
        if (r != rank_ && (after[r].empty() || after[r] == before[r])) lost.push_back(r);
      // The other survivors are probing too; rank 0 keeps the store up a little longer
      // so that its own exit does not make them blame it.
      if (rank_ == 0) std::this_thread::sleep_for(heartbeatInterval_ * 4);
      return toJs(info.Env(), lost);
    });
  }

  // storeSet(key, value): a string in the rendezvous store, for coordination outside
  // collectives (e.g. "rank 0 has built the corpus cache").
  Napi::Value StoreSet(const Napi::CallbackInfo& info) {
    return guard(info, "store_set", [&]() -> Napi::Value {
      Arg a{info, "store_set"};
      if (!store_) throw std::runtime_error("the process group is closed");
      std::string key = "xling/user/" + a.string(0, "key");
      std::string value = a.string(1, "value");
      store_->set(key, std::vector<uint8_t>(value.begin(), value.end()));
      return info.Env().Undefined();
    });
  }

  // storeWait(key, timeoutMs): blocks until the key exists and returns its value; unlike
  // a collective it may wait longer than the group's timeout (work that only rank 0 does).
  Napi::Value StoreWait(const Napi::CallbackInfo& info) {
    return guard(info, "store_wait", [&]() -> Napi::Value {
      Arg a{info, "store_wait"};
      if (!store_) throw std::runtime_error("the process group is closed");
      std::string key = "xling/user/" + a.string(0, "key");
      store_->wait({key}, milliseconds(a.integer(1, "timeout_ms")));
      auto v = store_->get(key);
      return Napi::String::New(info.Env(), std::string(v.begin(), v.end()));
    });
  }

  // close(): stops the heartbeat and drops the group and the store connection.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    return guard(info, "close", [&]() -> Napi::Value {
      heartbeat_.reset();
      pg_.reset();
      store_.reset();
      return info.Env().Undefined();
    });
  }

  Napi::Value Backend(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), backend_); }

  std::string backend_;
  std::string host_;
  uint16_t port_ = 0;
  int rank_ = 0;
  int size_ = 1;
  milliseconds timeout_{0};
  milliseconds heartbeatInterval_{0};
  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::unique_ptr<Heartbeat> heartbeat_;
  c10::intrusive_ptr<c10d::ProcessGroup> pg_;
};

}  // namespace

void RegisterDistributed(Napi::Env env, Napi::Object exports) {
  exports.Set("ProcessGroup", ProcessGroupHandle::Init(env));
  Napi::Array backends = Napi::Array::New(env);
  backends.Set(0u, Napi::String::New(env, "gloo"));
#ifdef XLING_WITH_NCCL
  backends.Set(1u, Napi::String::New(env, "nccl"));
#endif
  exports.Set("distributed_backends", backends);
}

}  // namespace xling
