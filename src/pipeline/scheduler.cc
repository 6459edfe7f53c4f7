#include "pipeline/scheduler.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "pipeline/bounded_queue.h"
#include "pipeline/memory.h"

namespace pageflow::pipeline {

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::concurrent: return "concurrent";
    case Mode::batched: return "batched";
    case Mode::sequential: return "sequential";
  }
  return "?";
}

std::optional<Mode> parse_mode(std::string_view name) {
  for (Mode m : {Mode::concurrent, Mode::batched, Mode::sequential}) {
    if (mode_name(m) == name) return m;
  }
  return std::nullopt;
}

namespace {

using Clock = std::chrono::steady_clock;

std::string current_exception_message() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

// Lets at most `limit` stage calls run at once. A free slot goes to the waiting call for the
// oldest page (lowest sequence number; ties in the order asked): pages already started finish
// first, which keeps time to first page short and pages leave the window sooner, and a newer
// page's call still gets every slot that no older one is waiting for, so no core idles while
// any stage has work.
class CallGate {
 public:
  explicit CallGate(size_t limit) : limit_(limit) {}

  class Slot {
   public:
    explicit Slot(CallGate* gate) : gate_(gate) {}
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot() {
      if (gate_) gate_->release();
    }

   private:
    CallGate* gate_;
  };

  [[nodiscard]] Slot acquire(uint64_t oldest_seq) {
    if (limit_ == 0) return Slot(nullptr);
    std::unique_lock lock(mu_);
    const auto me = waiting_.emplace(oldest_seq, next_ticket_++).first;
    cv_.wait(lock, [&] { return running_ < limit_ && waiting_.begin() == me; });
    waiting_.erase(me);
    ++running_;
    lock.unlock();
    cv_.notify_all();  // the next in line may fit into another free slot
    return Slot(this);
  }

 private:
  void release() {
    {
      std::lock_guard lock(mu_);
      --running_;
    }
    cv_.notify_all();
  }

  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t running_ = 0;
  uint64_t next_ticket_ = 0;
  std::set<std::pair<uint64_t, uint64_t>> waiting_;  // (oldest page, ticket)
};

// One execution of a pipeline; owns all threads it starts and joins them before returning.
class Run {
 public:
  Run(Source& source, std::span<const StageSpec> stages, Sink& sink, const RunOptions& options)
      : source_(source), stages_(stages), sink_(sink), opt_(options), trace_(options.trace) {}

  RunStatus execute() {
    std::vector<std::string> names;
    std::vector<int> workers;
    for (const auto& spec : stages_) {
      names.push_back(spec.stage->name());
      workers.push_back(opt_.mode == Mode::sequential ? 1 : std::max(1, spec.workers));
      spec.stage->open(workers.back());
    }
    if (trace_) {
      const size_t cores = opt_.max_running > 0 ? opt_.max_running : std::thread::hardware_concurrency();
      trace_->set_stages(names, workers, static_cast<int>(cores));
      reset_peak_rss();
      start_rss_ = current_rss_bytes();
    }
    std::stop_callback on_cancel(opt_.stop, [this] { request_stop("cancelled"); });
    std::thread monitor;
    if (trace_ || opt_.run_timeout.count() > 0) monitor = std::thread([this] { monitor_loop(); });

    switch (opt_.mode) {
      case Mode::concurrent: run_concurrent(); break;
      case Mode::batched: run_batched(); break;
      case Mode::sequential: run_sequential(); break;
    }

    if (monitor.joinable()) {
      {
        std::lock_guard lock(monitor_mu_);
        finished_ = true;
      }
      monitor_cv_.notify_all();
      monitor.join();
    }
    if (trace_) trace_->finish(std::string(mode_name(opt_.mode)), start_rss_, peak_rss_bytes());
    std::lock_guard lock(status_mu_);
    return status_;
  }

 private:
  int workers_of(size_t k) const { return std::max(1, stages_[k].workers); }

  bool stopping() const { return stop_.stop_requested(); }

  void request_stop(const std::string& reason) {
    {
      std::lock_guard lock(status_mu_);
      if (status_.stopped || !status_.ok) return;
      status_.stopped = true;
      status_.error = reason;
      stop_reason_ = reason;
    }
    stop_.request_stop();
    std::lock_guard lock(window_mu_);
    window_cv_.notify_all();
  }

  void fail_run(const std::string& error) {
    {
      std::lock_guard lock(status_mu_);
      if (!status_.ok) return;
      status_.ok = false;
      status_.error = error;
      stop_reason_ = "run aborted: " + error;
    }
    stop_.request_stop();
    std::lock_guard lock(window_mu_);
    window_cv_.notify_all();
  }

  std::string stop_reason() {
    std::lock_guard lock(status_mu_);
    return stop_reason_;
  }

  // Next item from the source with its sequence number and admission time; nullptr at the end,
  // when stopping, or when the source throws (which aborts the run).
  ItemPtr admit() {
    if (stopping()) return nullptr;
    ItemPtr item;
    try {
      item = source_.next();
    } catch (...) {
      fail_run("source: " + current_exception_message());
      return nullptr;
    }
    if (!item) return nullptr;
    item->seq = next_seq_++;
    item->admitted = Clock::now();
    return item;
  }

  bool timed_out(const Item& item) const {
    return opt_.item_timeout.count() > 0 && Clock::now() - item.admitted > opt_.item_timeout;
  }

  // Runs one stage call on the items of `batch` that are still alive, records the spans, and
  // frees scratch if this stage is the last to need it.
  void process_batch(size_t k, int worker, std::span<Item* const> batch) {
    Stage& stage = *stages_[k].stage;
    std::vector<Item*> live;
    live.reserve(batch.size());
    for (Item* item : batch) {
      if (item->failed() || !stage.wants(*item)) continue;
      if (stopping()) {
        item->fail(stage.name(), stop_reason());
      } else if (timed_out(*item)) {
        item->fail(stage.name(),
                   "timed out after " + std::to_string(opt_.item_timeout.count()) + " ms");
      } else {
        live.push_back(item);
      }
    }
    if (!live.empty()) {
      const double start = trace_ ? trace_->now_s() : 0;
      call_isolated(stage, live, worker);
      if (trace_) {
        const double end = trace_->now_s();
        for (Item* item : live) {
          trace_->add_span({static_cast<int>(k), worker, item->seq, item->label(), start, end,
                            static_cast<int>(live.size())});
        }
      }
    }
    if (stage.releases_scratch()) {
      for (Item* item : batch) item->release_scratch();
    }
  }

  static void call_isolated(Stage& stage, std::span<Item* const> live, int worker) {
    std::string message;
    try {
      stage.process(live, worker);
      return;
    } catch (...) {
      message = current_exception_message();
    }
    if (live.size() == 1) {
      live[0]->fail(stage.name(), message);
      return;
    }
    // Some item of the batch made the call throw: retry alone to fail only the culprit(s).
    for (Item* item : live) {
      try {
        stage.process(std::span<Item* const>(&item, 1), worker);
      } catch (...) {
        item->fail(stage.name(), current_exception_message());
      }
    }
  }

  // Reorder buffer: hands items to the sink in sequence order as soon as the next one is there.
  void emit(ItemPtr item) {
    size_t released = 0;
    {
      std::lock_guard lock(emit_mu_);
      const uint64_t seq = item->seq;
      pending_.emplace(seq, std::move(item));
      while (!pending_.empty() && pending_.begin()->first == next_emit_) {
        ItemPtr ready = std::move(pending_.begin()->second);
        pending_.erase(pending_.begin());
        ++next_emit_;
        ++released;
        if (trace_) trace_->mark_emitted(ready->failed());
        if (sink_failed_) continue;
        try {
          sink_.consume(std::move(ready));
        } catch (...) {
          sink_failed_ = true;
          fail_run("sink: " + current_exception_message());
        }
      }
    }
    if (released > 0) {
      std::lock_guard lock(window_mu_);
      in_flight_ -= released;
      window_cv_.notify_all();
    }
  }

  void record_depth(size_t k, size_t depth) {
    if (trace_) trace_->add_counter("queue:" + stages_[k].stage->name(), static_cast<double>(depth));
  }

  void run_sequential() {
    while (ItemPtr item = admit()) {
      Item* raw = item.get();
      for (size_t k = 0; k < stages_.size(); ++k) process_batch(k, 0, std::span(&raw, 1));
      emit(std::move(item));
    }
  }

  void run_batched() {
    std::vector<ItemPtr> items;
    while (ItemPtr item = admit()) items.push_back(std::move(item));
    const size_t batch_size = static_cast<size_t>(std::max(1, opt_.batch_size));
    for (size_t k = 0; k < stages_.size(); ++k) {
      std::vector<Item*> live;
      for (auto& item : items) {
        if (!item->failed() && stages_[k].stage->wants(*item)) live.push_back(item.get());
      }
      // As many batches as batch_size requires, and at least one per worker, of even sizes (25
      // items in batches of at most 8 are 7+6+6+6, not 8+8+8+1), so no worker idles or is left
      // with a long tail. Only items the stage has work for count: 7 scanned pages among 26
      // are split 4+3 between two OCR workers, not left to whichever batch they fall into.
      std::vector<std::span<Item* const>> batches;
      const size_t count = std::min(live.size(), std::max((live.size() + batch_size - 1) / batch_size,
                                                          static_cast<size_t>(workers_of(k))));
      for (size_t b = 0, start = 0; b < count; ++b) {
        const size_t size = live.size() / count + (b < live.size() % count ? 1 : 0);
        batches.emplace_back(live.data() + start, size);
        start += size;
      }
      std::atomic<size_t> next{0};
      auto worker = [&](int w) {
        for (size_t b; (b = next.fetch_add(1)) < batches.size();) process_batch(k, w, batches[b]);
      };
      std::vector<std::thread> threads;
      for (int w = 0; w < workers_of(k); ++w) threads.emplace_back(worker, w);
      for (auto& t : threads) t.join();
      // Items that failed before this stage still pass through its scratch release.
      if (stages_[k].stage->releases_scratch()) {
        for (auto& item : items) item->release_scratch();
      }
    }
    for (auto& item : items) emit(std::move(item));
  }

  void run_concurrent() {
    const size_t n = stages_.size();
    if (n == 0) return run_sequential();
    const size_t window = std::max<size_t>(1, opt_.window);
    std::vector<std::unique_ptr<BoundedQueue<ItemPtr>>> queues;
    for (const auto& spec : stages_) {
      const size_t wanted = 2 * static_cast<size_t>(std::max(1, spec.stage->preferred_batch()));
      queues.push_back(std::make_unique<BoundedQueue<ItemPtr>>(
          opt_.queue_capacity ? opt_.queue_capacity : std::max<size_t>(2, wanted)));
    }
    CallGate gate(opt_.max_running);
    auto remaining = std::make_unique<std::atomic<int>[]>(n);
    for (size_t k = 0; k < n; ++k) remaining[k] = workers_of(k);

    // Hands an item to the first stage from `from` on that has work for it, past those that
    // have none (so it never queues behind their work), or to the sink. Pushing past stage j is
    // safe: queue j+1 closes only after stage j's workers finish, which waits for stage j-1's.
    auto route = [&](size_t from, ItemPtr item) {
      size_t k = from;
      for (; k < n && (item->failed() || !stages_[k].stage->wants(*item)); ++k) {
        if (stages_[k].stage->releases_scratch()) item->release_scratch();
      }
      if (k == n) return emit(std::move(item));
      queues[k]->push(item);
      record_depth(k, queues[k]->size());
    };

    auto feed = [&] {
      for (;;) {
        {
          std::unique_lock lock(window_mu_);
          window_cv_.wait(lock, [&] { return in_flight_ < window || stopping(); });
          if (stopping()) break;
          ++in_flight_;
        }
        ItemPtr item = admit();
        if (!item) {
          std::lock_guard lock(window_mu_);
          --in_flight_;
          break;
        }
        route(0, std::move(item));
      }
      queues[0]->close();
    };

    auto work = [&](size_t k, int worker) {
      const size_t want = static_cast<size_t>(std::max(1, stages_[k].stage->preferred_batch()));
      std::vector<ItemPtr> batch;
      std::vector<Item*> raw;
      while (auto first = queues[k]->pop()) {
        batch.clear();
        batch.push_back(std::move(*first));
        while (batch.size() < want) {
          auto more = queues[k]->try_pop();
          if (!more) break;
          batch.push_back(std::move(*more));
        }
        record_depth(k, queues[k]->size());
        raw.clear();
        for (auto& item : batch) raw.push_back(item.get());
        {
          const auto by_seq = [](const Item* a, const Item* b) { return a->seq < b->seq; };
          const CallGate::Slot slot = gate.acquire((*std::min_element(raw.begin(), raw.end(), by_seq))->seq);
          process_batch(k, worker, raw);
        }
        for (auto& item : batch) route(k + 1, std::move(item));
      }
      if (remaining[k].fetch_sub(1) == 1 && k + 1 < n) queues[k + 1]->close();
    };

    std::vector<std::thread> threads;
    threads.emplace_back(feed);
    for (size_t k = 0; k < n; ++k) {
      for (int w = 0; w < workers_of(k); ++w) threads.emplace_back(work, k, w);
    }
    for (auto& t : threads) t.join();
  }

  void monitor_loop() {
    const auto far = Clock::now() + std::chrono::hours(24 * 365);
    auto deadline = opt_.run_timeout.count() > 0 ? Clock::now() + opt_.run_timeout : far;
    std::unique_lock lock(monitor_mu_);
    while (!finished_) {
      auto wake = trace_ ? Clock::now() + opt_.rss_sample_interval : far;
      monitor_cv_.wait_until(lock, std::min(wake, deadline), [&] { return finished_; });
      if (finished_) break;
      if (trace_) trace_->add_counter("rss_mb", current_rss_bytes() / 1048576.0);
      if (Clock::now() >= deadline) {
        deadline = far;
        lock.unlock();
        request_stop("run timed out after " + std::to_string(opt_.run_timeout.count()) + " ms");
        lock.lock();
      }
    }
  }

  Source& source_;
  std::span<const StageSpec> stages_;
  Sink& sink_;
  const RunOptions& opt_;
  Trace* trace_;

  uint64_t start_rss_ = 0;
  std::stop_source stop_;
  std::mutex status_mu_;
  RunStatus status_;
  std::string stop_reason_;

  uint64_t next_seq_ = 0;  // only the admitting thread touches it

  std::mutex emit_mu_;
  std::map<uint64_t, ItemPtr> pending_;
  uint64_t next_emit_ = 0;
  bool sink_failed_ = false;

  std::mutex window_mu_;
  std::condition_variable window_cv_;
  size_t in_flight_ = 0;

  std::mutex monitor_mu_;
  std::condition_variable monitor_cv_;
  bool finished_ = false;
};

}  // namespace

RunStatus run_pipeline(Source& source, std::span<const StageSpec> stages, Sink& sink,
                       const RunOptions& options) {
  return Run(source, stages, sink, options).execute();
}

}  // namespace pageflow::pipeline
