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
#include "pipeline/cancel.h"
#include "pipeline/cpu.h"
#include "pipeline/exceptions.h"
#include "pipeline/idle_cores.h"
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

// Lets at most `limit` stage calls run at once. A free slot goes to the waiting call for the
// oldest page (first by served_before; ties in the order asked): pages already started finish
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

  [[nodiscard]] Slot acquire(const Item& first_served) {
    if (limit_ == 0) return Slot(nullptr);
    std::unique_lock lock(mu_);
    const auto me = waiting_.emplace(Key{first_served.priority, first_served.seq, next_ticket_++}).first;
    cv_.wait(lock, [&] { return running_ < limit_ && waiting_.begin() == me; });
    waiting_.erase(me);
    ++running_;
    lock.unlock();
    cv_.notify_all();  // the next in line may fit into another free slot
    return Slot(this);
  }

  // A slot for a running call's helper (idle_cores.h): only one nobody waits for.
  bool try_borrow() {
    if (limit_ == 0) return false;
    std::lock_guard lock(mu_);
    if (running_ >= limit_ || !waiting_.empty()) return false;
    ++running_;
    return true;
  }

  bool anyone_waiting() {
    std::lock_guard lock(mu_);
    return !waiting_.empty();
  }

  void release() {
    {
      std::lock_guard lock(mu_);
      --running_;
    }
    cv_.notify_all();
  }

 private:
  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t running_ = 0;
  uint64_t next_ticket_ = 0;
  struct Key {
    uint64_t priority, seq, ticket;
    auto operator<=>(const Key&) const = default;
  };
  std::set<Key> waiting_;
};

// Lends the gate's idle slots to one stage call and books the work done on them to its stage.
class GateLender : public CoreLender {
 public:
  GateLender(CallGate& gate, Trace* trace, int stage) : gate_(gate), trace_(trace), stage_(stage) {}
  bool try_borrow() override { return gate_.try_borrow(); }
  bool wanted_back() override { return gate_.anyone_waiting(); }
  void give_back(double busy_s) override {
    gate_.release();
    if (trace_) trace_->add_lent(stage_, busy_s);
  }

 private:
  CallGate& gate_;
  Trace* trace_;
  int stage_;
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
      const size_t cores = opt_.max_running > 0 ? opt_.max_running : static_cast<size_t>(usable_cores());
      trace_->set_stages(names, workers, static_cast<int>(cores));
      reset_peak_rss();
      start_rss_ = current_rss_bytes();
    }
    std::stop_callback on_cancel(opt_.stop, [this] { request_stop("cancelled"); });
    std::thread monitor;
    if (trace_ || opt_.run_timeout.count() > 0 || opt_.item_timeout.count() > 0) {
      monitor = std::thread([this] { monitor_loop(); });
    }

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
    abandon_all();
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
    abandon_all();
    std::lock_guard lock(window_mu_);
    window_cv_.notify_all();
  }

  // Stops the work in progress on every item in flight (their calls watch it, see cancel.h).
  void abandon_all() {
    std::lock_guard lock(live_mu_);
    for (auto& [seq, item] : live_) item->abandon.request_stop();
  }

  // Abandons the items whose time is up; returns when the next one's is.
  Clock::time_point expire_items(Clock::time_point now) {
    std::lock_guard lock(live_mu_);
    // Deadlines grow with the sequence number (admission order), so the walk stops at the
    // first item still in time.
    for (auto it = live_.lower_bound(next_expiry_); it != live_.end(); ++it) {
      const Clock::time_point deadline = it->second->admitted + opt_.item_timeout;
      if (deadline > now) return deadline;
      it->second->abandon.request_stop();
      next_expiry_ = it->first + 1;
    }
    return Clock::time_point::max();
  }

  // The reason an abandoned item carries: the run's stop, or its own time limit.
  void judge_abandoned(Item& item, const std::string& stage) {
    if (stopping()) {
      item.abandon_with(stage, stop_reason(), true);
    } else if (std::string reason = item.cancel_reason(); !reason.empty()) {
      item.abandon_with(stage, reason, true);
    } else {
      item.abandon_with(stage, "timed out after " + std::to_string(opt_.item_timeout.count()) + " ms", false);
    }
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
      item = source_.next(stop_.get_token());
    } catch (...) {
      fail_run("source: " + current_exception_message());
      return nullptr;
    }
    if (!item) return nullptr;
    item->seq = next_seq_++;
    item->admitted = Clock::now();
    {
      std::lock_guard lock(live_mu_);
      live_.emplace(item->seq, item.get());
    }
    if (opt_.item_timeout.count() > 0) {
      {
        std::lock_guard lock(monitor_mu_);
        ++admissions_;
      }
      monitor_cv_.notify_all();
    }
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
        item->abandon_with(stage.name(), stop_reason(), true);
      } else if (timed_out(*item) || item->abandon.stop_requested()) {
        judge_abandoned(*item, stage.name());
      } else {
        live.push_back(item);
      }
    }
    if (!live.empty()) {
      const double start = trace_ ? trace_->now_s() : 0;
      call_isolated(stage, live, worker);
      for (Item* item : live) {
        if (item->abandon.stop_requested()) judge_abandoned(*item, stage.name());
      }
      if (trace_) {
        const double end = trace_->now_s();
        for (Item* item : live) {
          trace_->add_span({static_cast<int>(k), worker, item->seq, item->label(), start, end,
                            static_cast<int>(live.size())});
        }
      }
    }
    for (Item* item : batch) {
      if (stage.releases_scratch(*item)) item->release_scratch();
    }
  }

  struct CallOutcome {
    bool threw = false;
    bool aborted = false;  // an item of the call was abandoned while it ran
    std::string message;
  };

  // One stage call whose stop token (cancel.h) is requested as soon as any of its items is
  // abandoned.
  static CallOutcome attempt(Stage& stage, std::span<Item* const> items, int worker) {
    struct RequestStop {
      std::stop_source* source;
      void operator()() const { source->request_stop(); }
    };
    std::stop_source call_stop;
    std::vector<std::unique_ptr<std::stop_callback<RequestStop>>> watches;
    for (Item* item : items) {
      watches.push_back(std::make_unique<std::stop_callback<RequestStop>>(item->abandon.get_token(),
                                                                           RequestStop{&call_stop}));
    }
    CallOutcome outcome;
    {
      const CallStopScope scope(call_stop.get_token());
      try {
        stage.process(items, worker);
      } catch (...) {
        outcome.threw = true;
        outcome.message = current_exception_message();
      }
    }
    watches.clear();
    outcome.aborted = call_stop.stop_requested();
    return outcome;
  }

  // Runs the call; if it throws, or is aborted because one of its items was abandoned, the
  // other items are run again one by one, so only the culprit (or the abandoned item) fails.
  static void call_isolated(Stage& stage, std::span<Item* const> live, int worker) {
    const CallOutcome outcome = attempt(stage, live, worker);
    if (!outcome.threw && !outcome.aborted) return;
    if (live.size() == 1) {
      if (!outcome.aborted) live[0]->fail(stage.name(), outcome.message);
      return;
    }
    for (Item* item : live) {
      if (item->abandon.stop_requested()) continue;
      // After an abort, a failure the call gave an innocent item is only the abort's echo.
      if (outcome.aborted && item->failed()) {
        item->error.clear();
        item->failed_stage.clear();
      } else if (!outcome.threw) {
        continue;
      }
      const CallOutcome alone = attempt(stage, std::span<Item* const>(&item, 1), worker);
      if (alone.threw && !alone.aborted) item->fail(stage.name(), alone.message);
    }
  }

  // Reorder buffer: hands items to the sink in sequence order as soon as the next one is there.
  void emit(ItemPtr item) {
    {
      std::lock_guard lock(live_mu_);
      live_.erase(item->seq);
    }
    size_t released = 0;
    {
      std::lock_guard lock(emit_mu_);
      const uint64_t seq = item->seq;
      if (!opt_.ordered) next_emit_ = seq;  // every finished item is next
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
      for (auto& item : items) {
        if (stages_[k].stage->releases_scratch(*item)) item->release_scratch();
      }
    }
    for (auto& item : items) emit(std::move(item));
  }

  void run_concurrent() {
    const size_t n = stages_.size();
    if (n == 0) return run_sequential();
    const size_t window = std::max<size_t>(1, opt_.window);
    struct ServedBefore {
      bool operator()(const ItemPtr& a, const ItemPtr& b) const { return served_before(*a, *b); }
    };
    using Queue = BoundedQueue<ItemPtr, ServedBefore>;
    std::vector<std::unique_ptr<Queue>> queues;
    for (const auto& spec : stages_) {
      const size_t wanted = 2 * static_cast<size_t>(std::max(1, spec.stage->preferred_batch()));
      queues.push_back(std::make_unique<Queue>(
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
        if (stages_[k].stage->releases_scratch(*item)) item->release_scratch();
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
          const auto before = [](const Item* a, const Item* b) { return served_before(*a, *b); };
          const CallGate::Slot slot = gate.acquire(**std::min_element(raw.begin(), raw.end(), before));
          GateLender lender(gate, trace_, static_cast<int>(k));
          const LendingScope lending(&lender);
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

  // Samples memory for the trace, stops the run at its timeout and abandons items past theirs.
  void monitor_loop() {
    const auto far = Clock::time_point::max();
    auto deadline = opt_.run_timeout.count() > 0 ? Clock::now() + opt_.run_timeout : far;
    auto sample = Clock::now();
    std::unique_lock lock(monitor_mu_);
    while (!finished_) {
      const auto now = Clock::now();
      auto item_deadline = far;
      if (opt_.item_timeout.count() > 0) {
        lock.unlock();
        item_deadline = expire_items(now);
        lock.lock();
      }
      if (trace_ && now >= sample) {
        trace_->add_counter("rss_mb", current_rss_bytes() / 1048576.0);
        sample = now + opt_.rss_sample_interval;
      }
      if (now >= deadline) {
        deadline = far;
        lock.unlock();
        request_stop("run timed out after " + std::to_string(opt_.run_timeout.count()) + " ms");
        lock.lock();
        continue;
      }
      const auto wake = std::min({trace_ ? sample : far, deadline, item_deadline});
      const uint64_t seen = admissions_;
      // A new admission may bring the earliest deadline when none was pending.
      const auto woken = [&] { return finished_ || (item_deadline == far && admissions_ != seen); };
      if (wake == far) {
        monitor_cv_.wait(lock, woken);
      } else {
        monitor_cv_.wait_until(lock, wake, woken);
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
  uint64_t admissions_ = 0;

  std::mutex live_mu_;
  std::map<uint64_t, Item*> live_;  // admitted, not yet emitted
  uint64_t next_expiry_ = 0;        // items before it were abandoned for their time
};

}  // namespace

RunStatus run_pipeline(Source& source, std::span<const StageSpec> stages, Sink& sink,
                       const RunOptions& options) {
  return Run(source, stages, sink, options).execute();
}

}  // namespace pageflow::pipeline
