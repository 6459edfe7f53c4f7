// Engine tests with synthetic stages doing CPU work of known size. Properties are read from what
// the pipeline recorded (order, spans, counters), never from wall-clock thresholds.
#include <gtest/gtest.h>

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <set>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "pipeline/cpu.h"
#include "pipeline/idle_cores.h"
#include "pipeline/scheduler.h"

namespace pageflow::pipeline {
namespace {

std::atomic<int> g_live_items{0};

struct Number : Item {
  Number() { ++g_live_items; }
  ~Number() override { --g_live_items; }
  uint64_t value = 0;
  std::string history;
  std::vector<int> scratch = std::vector<int>(1024);
  void release_scratch() override { scratch.clear(); scratch.shrink_to_fit(); }
};

uint64_t burn(uint64_t x, int rounds) {
  for (int i = 0; i < rounds; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

class CountingSource : public Source {
 public:
  explicit CountingSource(uint64_t count) : count_(count) {}
  ItemPtr next(std::stop_token) override {
    if (made_ == count_) return nullptr;
    auto item = std::make_unique<Number>();
    item->value = made_++;
    return item;
  }
  uint64_t made() const { return made_; }

 private:
  uint64_t count_, made_ = 0;
};

// Adds a tag to each item's history and mixes its value; the amount of work varies per item so
// that workers finish out of order.
class MixStage : public Stage {
 public:
  MixStage(std::string name, int batch = 1, int fail_on = -1)
      : name_(std::move(name)), batch_(batch), fail_on_(fail_on) {}
  std::string name() const override { return name_; }
  int preferred_batch() const override { return batch_; }
  bool releases_scratch(const Item&) const override { return release_; }
  void process(std::span<Item* const> batch, int) override {
    {
      std::lock_guard lock(mu_);
      largest_batch_ = std::max<size_t>(largest_batch_, batch.size());
    }
    // Validate the whole batch before touching any item, as the stage contract asks (a retried
    // item must not be processed twice).
    for (Item* item : batch) {
      if (static_cast<int>(item->seq) == fail_on_) {
        throw std::runtime_error("bad item " + std::to_string(item->seq));
      }
    }
    for (Item* item : batch) {
      auto* n = static_cast<Number*>(item);
      if (!n->scratch.empty()) n->scratch[0] = 1;
      n->value = burn(n->value, 20000 + 15000 * static_cast<int>(n->value % 4));
      n->history = n->history + name_ + ";";
    }
  }
  size_t largest_batch() const { return largest_batch_; }
  bool release_ = false;

 private:
  std::string name_;
  int batch_, fail_on_;
  std::mutex mu_;
  size_t largest_batch_ = 0;
};

class CollectingSink : public Sink {
 public:
  void consume(ItemPtr item) override {
    auto* n = static_cast<Number*>(item.get());
    seqs.push_back(n->seq);
    results.push_back(n->failed() ? "FAILED " + n->failed_stage + ": " + n->error
                                  : std::to_string(n->value) + " " + n->history);
    scratch_released.push_back(n->scratch.empty());
    max_live = std::max(max_live, g_live_items.load());
    if (on_consume) on_consume(seqs.size());
  }
  std::vector<uint64_t> seqs;
  std::vector<std::string> results;
  std::vector<bool> scratch_released;
  int max_live = 0;
  std::function<void(size_t)> on_consume;
};

struct Outcome {
  RunStatus status;
  CollectingSink sink;
  Trace trace;
};

void run_three_stages(Outcome& out, Mode mode, uint64_t count, RunOptions options = {},
                      int fail_on = -1, int batch = 3) {
  CountingSource source(count);
  MixStage a("a"), b("b", batch, fail_on), c("c");
  c.release_ = true;
  StageSpec specs[] = {{&a, 2}, {&b, 1}, {&c, 2}};
  options.mode = mode;
  options.trace = &out.trace;
  out.status = run_pipeline(source, specs, out.sink, options);
}

const Mode kModes[] = {Mode::concurrent, Mode::batched, Mode::sequential};

TEST(Pipeline, EmitsEveryItemInOrderInEveryMode) {
  for (Mode mode : kModes) {
    Outcome out;
    run_three_stages(out, mode, 40);
    ASSERT_TRUE(out.status.ok) << mode_name(mode);
    ASSERT_EQ(out.sink.seqs.size(), 40u) << mode_name(mode);
    for (uint64_t i = 0; i < 40; ++i) EXPECT_EQ(out.sink.seqs[i], i) << mode_name(mode);
    for (const auto& r : out.sink.results) EXPECT_NE(r.find("a;b;c;"), std::string::npos);
    for (bool released : out.sink.scratch_released) EXPECT_TRUE(released);
    EXPECT_EQ(g_live_items.load(), 0);
  }
}

TEST(Pipeline, ResultsAreIdenticalAcrossModes) {
  Outcome concurrent, batched, sequential;
  RunOptions batched_opts;
  batched_opts.batch_size = 5;
  run_three_stages(concurrent, Mode::concurrent, 33);
  run_three_stages(batched, Mode::batched, 33, batched_opts);
  run_three_stages(sequential, Mode::sequential, 33);
  EXPECT_EQ(concurrent.sink.results, sequential.sink.results);
  EXPECT_EQ(batched.sink.results, sequential.sink.results);
}

TEST(Pipeline, ConcurrentModeOverlapsStages) {
  Outcome out;
  run_three_stages(out, Mode::concurrent, 30);
  const auto spans = out.trace.spans();
  double last_end_of_first_stage = 0, first_start_of_last_stage = 1e9;
  for (const auto& s : spans) {
    if (s.stage == 0) last_end_of_first_stage = std::max(last_end_of_first_stage, s.end_s);
    if (s.stage == 2) first_start_of_last_stage = std::min(first_start_of_last_stage, s.start_s);
  }
  // The last stage began on an early item while the first stage still had items to do.
  EXPECT_LT(first_start_of_last_stage, last_end_of_first_stage);
  const RunSummary summary = out.trace.summary();
  EXPECT_GE(summary.first_item_s, 0);
  EXPECT_EQ(summary.items, 30u);
}

TEST(Pipeline, BatchedModeFinishesEachStageBeforeTheNext) {
  Outcome out;
  RunOptions options;
  options.batch_size = 4;
  run_three_stages(out, Mode::batched, 30, options);
  const auto spans = out.trace.spans();
  for (int k = 0; k + 1 < 3; ++k) {
    double end_k = 0, start_next = 1e9;
    for (const auto& s : spans) {
      if (s.stage == k) {
        end_k = std::max(end_k, s.end_s);
        EXPECT_LE(s.batch_size, 4);
      }
      if (s.stage == k + 1) start_next = std::min(start_next, s.start_s);
    }
    EXPECT_LE(end_k, start_next);
  }
}

TEST(Pipeline, BatchedModeSplitsItemsIntoEvenBatches) {
  Outcome out;
  RunOptions options;
  options.batch_size = 8;
  run_three_stages(out, Mode::batched, 25, options);
  std::map<std::pair<int, double>, int> calls;  // (stage, start) -> items in that call
  for (const auto& s : out.trace.spans()) calls[{s.stage, s.start_s}] = s.batch_size;
  std::multiset<int> first_stage;
  for (const auto& [key, size] : calls) {
    if (key.first == 0) first_stage.insert(size);
  }
  EXPECT_EQ(first_stage, (std::multiset<int>{6, 6, 6, 7}));
}

TEST(Pipeline, BatchedModeMakesABatchForEveryWorker) {
  Outcome out;
  RunOptions options;
  options.batch_size = 8;
  run_three_stages(out, Mode::batched, 7, options);  // stage "a" has two workers, "b" one
  std::map<std::pair<int, double>, int> calls;
  for (const auto& s : out.trace.spans()) calls[{s.stage, s.start_s}] = s.batch_size;
  std::multiset<int> first, second;
  for (const auto& [key, size] : calls) (key.first == 0 ? first : second).insert(size);
  EXPECT_EQ(first, (std::multiset<int>{3, 4}));  // 7 items fit one batch, but two workers wait
  EXPECT_TRUE(second.count(7));
}

TEST(Pipeline, InFlightItemsStayWithinTheWindow) {
  Outcome out;
  RunOptions options;
  options.window = 5;
  run_three_stages(out, Mode::concurrent, 60, options);
  ASSERT_EQ(out.sink.seqs.size(), 60u);
  // Items alive at any time: at most the window (the sink sees them while one is being consumed).
  EXPECT_LE(out.sink.max_live, 5);
  EXPECT_GT(out.sink.max_live, 0);
  for (const auto& c : out.trace.counters()) {
    if (c.name.rfind("queue:", 0) == 0) {
      EXPECT_LE(c.value, 6);  // 2 x preferred batch of "b"
    }
  }
}

// Most stage calls running at the same moment, read from the trace's spans (one per call).
int most_calls_at_once(const Trace& trace) {
  std::map<std::tuple<int, int, double>, double> calls;  // (stage, worker, start) -> end
  for (const auto& s : trace.spans()) calls[{s.stage, s.worker, s.start_s}] = s.end_s;
  std::vector<std::pair<double, int>> edges;
  for (const auto& [key, end] : calls) {
    edges.emplace_back(std::get<2>(key), 1);
    edges.emplace_back(end, -1);
  }
  std::sort(edges.begin(), edges.end());  // at equal times an end (-1) sorts before a start
  int running = 0, most = 0;
  for (const auto& [time, delta] : edges) most = std::max(most, running += delta);
  return most;
}

TEST(Pipeline, ConcurrentModeRunsAtMostMaxRunningCallsAtOnce) {
  Outcome sequential;
  run_three_stages(sequential, Mode::sequential, 40);
  for (size_t limit : {1, 2}) {
    Outcome out;
    RunOptions options;
    options.max_running = limit;
    run_three_stages(out, Mode::concurrent, 40, options);  // five workers in all
    ASSERT_TRUE(out.status.ok);
    EXPECT_LE(most_calls_at_once(out.trace), static_cast<int>(limit));
    EXPECT_EQ(out.sink.results, sequential.sink.results);
  }
}

TEST(Pipeline, SummaryBoundsTheRunByTheBusiestStageAndByTheCores) {
  Trace trace;
  trace.set_stages({"light", "heavy"}, {2, 1}, 2);
  trace.add_span({0, 0, 0, "p1", 0.0, 1.0, 1});
  trace.add_span({0, 1, 1, "p2", 0.0, 1.0, 1});
  trace.add_span({1, 0, 0, "p1", 1.0, 2.5, 1});
  RunSummary s = trace.summary();
  EXPECT_DOUBLE_EQ(s.bottleneck_s, 1.5);    // heavy: 1.5 s on one worker
  EXPECT_DOUBLE_EQ(s.cores_bound_s, 1.75);  // 3.5 s of work on two cores
  EXPECT_DOUBLE_EQ(s.limit_s(), 1.75);
}

// Works only on items with an even value (set by the source: 0, 1, 2, ...), like OCR on the
// scanned pages of a document.
class EvenOnlyStage : public MixStage {
 public:
  EvenOnlyStage() : MixStage("even", 8) {}
  bool wants(const Item& item) const override { return static_cast<const Number&>(item).value % 2 == 0; }
};

TEST(Pipeline, ItemsPassByAStageWithNothingToDoForThem) {
  for (Mode mode : kModes) {
    CountingSource source(25);
    MixStage first("first");
    EvenOnlyStage even;
    MixStage last("last");
    StageSpec specs[] = {{&first, 2}, {&even, 2}, {&last, 1}};
    CollectingSink sink;
    Trace trace;
    RunOptions options;
    options.mode = mode;
    options.trace = &trace;
    ASSERT_TRUE(run_pipeline(source, specs, sink, options).ok);
    ASSERT_EQ(sink.seqs.size(), 25u);
    for (uint64_t i = 0; i < 25; ++i) {
      EXPECT_EQ(sink.seqs[i], i);
      const bool passed_even = sink.results[i].find("even;") != std::string::npos;
      EXPECT_EQ(passed_even, i % 2 == 0) << mode_name(mode) << " item " << i;
    }
    std::map<std::pair<int, double>, int> calls;  // (worker, start) -> items in that call
    for (const auto& s : trace.spans()) {
      if (s.stage == 1) calls[{s.worker, s.start_s}] = s.batch_size;
    }
    int items = 0;
    for (const auto& [key, size] : calls) items += size;
    EXPECT_EQ(items, 13) << mode_name(mode);  // the 13 even items, nothing else
    if (mode == Mode::batched) {
      std::multiset<int> sizes;
      for (const auto& [key, size] : calls) sizes.insert(size);
      EXPECT_EQ(sizes, (std::multiset<int>{6, 7}));  // even over the items it works on
    }
  }
}

TEST(Pipeline, MicroBatchesNeverExceedPreferredSize) {
  CountingSource source(50);
  MixStage slow_first("first"), batching("batching", 4);
  StageSpec specs[] = {{&slow_first, 2}, {&batching, 1}};
  CollectingSink sink;
  RunOptions options;
  ASSERT_TRUE(run_pipeline(source, specs, sink, options).ok);
  EXPECT_LE(batching.largest_batch(), 4u);
  EXPECT_GE(batching.largest_batch(), 1u);
  EXPECT_EQ(sink.seqs.size(), 50u);
}

TEST(Pipeline, AFailingItemDoesNotStopTheOthers) {
  for (Mode mode : kModes) {
    Outcome out;
    RunOptions options;
    options.batch_size = 4;  // the failure happens inside a batch: only the culprit fails
    run_three_stages(out, mode, 20, options, /*fail_on=*/7);
    ASSERT_TRUE(out.status.ok);
    ASSERT_EQ(out.sink.results.size(), 20u) << mode_name(mode);
    for (size_t i = 0; i < 20; ++i) {
      if (i == 7) {
        EXPECT_EQ(out.sink.results[i], "FAILED b: bad item 7") << mode_name(mode);
      } else {
        EXPECT_NE(out.sink.results[i].find("a;b;c;"), std::string::npos) << mode_name(mode);
      }
    }
    EXPECT_EQ(out.trace.summary().failed_items, 1u);
  }
}

// Requests a stop when it meets a given item, like a user pressing Ctrl-C mid-run.
class CancellingStage : public Stage {
 public:
  CancellingStage(std::stop_source& stop, uint64_t at) : stop_(stop), at_(at) {}
  std::string name() const override { return "cancel"; }
  void process(std::span<Item* const> batch, int) override {
    for (Item* item : batch) {
      if (item->seq == at_) stop_.request_stop();
    }
  }

 private:
  std::stop_source& stop_;
  uint64_t at_;
};

TEST(Pipeline, CancellationDrainsAndJoins) {
  for (Mode mode : kModes) {
    std::stop_source stop;
    CountingSource source(1000);
    CancellingStage canceller(stop, 3);
    MixStage work("work");
    StageSpec specs[] = {{&canceller, 1}, {&work, 2}};
    CollectingSink sink;
    RunOptions options;
    options.mode = mode;
    options.stop = stop.get_token();
    const RunStatus status = run_pipeline(source, specs, sink, options);
    EXPECT_TRUE(status.stopped) << mode_name(mode);
    EXPECT_EQ(status.error, "cancelled");
    size_t completed = 0, cancelled = 0;
    for (size_t i = 0; i < sink.seqs.size(); ++i) {
      EXPECT_EQ(sink.seqs[i], i);
      if (sink.results[i].find("work;") != std::string::npos) ++completed;
      if (sink.results[i].find("FAILED") == 0) {
        EXPECT_NE(sink.results[i].find(": cancelled"), std::string::npos) << sink.results[i];
        ++cancelled;
      }
    }
    EXPECT_LT(completed, 1000u) << mode_name(mode);
    EXPECT_EQ(completed + cancelled, sink.seqs.size());
    EXPECT_EQ(g_live_items.load(), 0) << mode_name(mode);
  }
}

TEST(Pipeline, CancelledItemsReachTheSinkMarkedWithTheReason) {
  std::stop_source stop;
  CountingSource source(500);
  MixStage a("a"), b("b", 3);
  StageSpec specs[] = {{&a, 2}, {&b, 1}};
  CollectingSink sink;
  sink.on_consume = [&](size_t consumed) {
    if (consumed == 1) stop.request_stop();
  };
  RunOptions options;
  options.stop = stop.get_token();
  options.window = 8;
  run_pipeline(source, specs, sink, options);
  // Every admitted item comes back, in order: finished, or marked with the reason; none is lost.
  EXPECT_LT(source.made(), 500u);
  ASSERT_EQ(sink.results.size(), source.made());
  for (size_t i = 0; i < sink.results.size(); ++i) {
    EXPECT_EQ(sink.seqs[i], i);
    const std::string& r = sink.results[i];
    EXPECT_TRUE(r.find("a;b;") != std::string::npos || r.find(": cancelled") != std::string::npos) << r;
  }
}

class GateStage : public Stage {
 public:
  std::string name() const override { return "gate"; }
  void process(std::span<Item* const> batch, int) override {
    for (Item* item : batch) {
      if (item->seq == 2) std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  }
};

TEST(Pipeline, ItemTimeoutFailsOnlyTheSlowItem) {
  for (Mode mode : {Mode::concurrent, Mode::sequential}) {
    CountingSource source(6);
    GateStage gate;
    MixStage after("after");
    StageSpec specs[] = {{&gate, 1}, {&after, 1}};
    CollectingSink sink;
    RunOptions options;
    options.mode = mode;
    options.item_timeout = std::chrono::milliseconds(40);
    // Each item is admitted just before its turn: a window of one keeps waiting time out of it.
    options.window = 1;
    ASSERT_TRUE(run_pipeline(source, specs, sink, options).ok);
    ASSERT_EQ(sink.results.size(), 6u);
    EXPECT_EQ(sink.results[2], "FAILED gate: timed out after 40 ms") << mode_name(mode);
    EXPECT_NE(sink.results[3].find("after;"), std::string::npos);
  }
}

class EndlessSource : public Source {
 public:
  ItemPtr next(std::stop_token) override { return std::make_unique<Number>(); }
};

TEST(Pipeline, RunTimeoutStopsAnEndlessSource) {
  for (Mode mode : {Mode::concurrent, Mode::sequential}) {
    EndlessSource source;
    MixStage a("a");
    StageSpec specs[] = {{&a, 2}};
    CollectingSink sink;
    RunOptions options;
    options.mode = mode;
    options.run_timeout = std::chrono::milliseconds(50);
    const RunStatus status = run_pipeline(source, specs, sink, options);
    EXPECT_TRUE(status.stopped);
    EXPECT_EQ(status.error, "run timed out after 50 ms");
    EXPECT_GT(sink.seqs.size(), 0u);
    EXPECT_EQ(g_live_items.load(), 0);
  }
}

class ThrowingSink : public Sink {
 public:
  void consume(ItemPtr item) override {
    if (item->seq == 4) throw std::runtime_error("disk full");
    ++consumed;
  }
  int consumed = 0;
};

TEST(Pipeline, SinkFailureAbortsTheRunCleanly) {
  for (Mode mode : kModes) {
    CountingSource source(200);
    MixStage a("a");
    StageSpec specs[] = {{&a, 2}};
    ThrowingSink sink;
    RunOptions options;
    options.mode = mode;
    const RunStatus status = run_pipeline(source, specs, sink, options);
    EXPECT_FALSE(status.ok);
    EXPECT_EQ(status.error, "sink: disk full");
    EXPECT_EQ(sink.consumed, 4);
    EXPECT_EQ(g_live_items.load(), 0);
  }
}

TEST(Pipeline, ChromeTraceHasALanePerWorkerAndASpanPerItemAndStage) {
  Outcome out;
  run_three_stages(out, Mode::concurrent, 10);
  std::ostringstream json;
  out.trace.write_chrome_json(json);
  const std::string text = json.str();
  EXPECT_NE(text.find("\"thread_name\""), std::string::npos);
  EXPECT_NE(text.find("\"a #1\""), std::string::npos);
  size_t spans = 0;
  for (size_t p = 0; (p = text.find("\"ph\":\"X\"", p)) != std::string::npos; ++p) ++spans;
  EXPECT_EQ(spans, 30u);
}

// A stage whose calls split their work into tasks run through run_on_idle_cores(); records
// which threads ran them and how far the first item's tasks were when each call started.
class SplittingStage : public Stage {
 public:
  SplittingStage(size_t tasks, std::function<void(size_t)> task) : tasks_(tasks), task_(std::move(task)) {}
  std::string name() const override { return "split"; }
  void process(std::span<Item* const> batch, int) override {
    {
      std::lock_guard lock(mu);
      tasks_run_before[batch[0]->seq] = runs.size();
    }
    if (batch[0]->seq == 0) {
      run_on_idle_cores(tasks_, [&](size_t i) {
        {
          std::lock_guard lock(mu);
          threads.insert(std::this_thread::get_id());
          ++runs[i];
        }
        task_(i);
      });
    }
  }
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::map<size_t, int> runs;
  std::map<uint64_t, size_t> tasks_run_before;  // by item: tasks run when its call started

 private:
  size_t tasks_;
  std::function<void(size_t)> task_;
};

// Runs `stage` alone (`workers` workers) over `source` with at most `max_running` calls at once;
// what reached the sink.
CollectingSink run_alone(SplittingStage& stage, Source& source, int workers, size_t max_running,
                         Mode mode = Mode::concurrent, Trace* trace = nullptr) {
  CollectingSink sink;
  StageSpec specs[] = {{&stage, workers}};
  RunOptions options;
  options.mode = mode;
  options.max_running = max_running;
  options.trace = trace;
  EXPECT_TRUE(run_pipeline(source, specs, sink, options).ok);
  return sink;
}

TEST(IdleCores, ACallAloneBorrowsTheIdleCore) {
  // Each task waits (bounded) until a second thread has joined in, so the test does not depend
  // on how fast the helper starts.
  std::mutex mu;
  std::condition_variable joined;
  std::set<std::thread::id> seen;
  SplittingStage stage(16, [&](size_t) {
    std::unique_lock lock(mu);
    seen.insert(std::this_thread::get_id());
    joined.notify_all();
    joined.wait_for(lock, std::chrono::seconds(10), [&] { return seen.size() >= 2; });
  });
  CountingSource source(1);
  Trace trace;
  run_alone(stage, source, 1, 2, Mode::concurrent, &trace);
  EXPECT_EQ(stage.threads.size(), 2u);  // the caller and one lent core: the limit holds
  EXPECT_EQ(stage.runs.size(), 16u);
  for (const auto& [task, times] : stage.runs) EXPECT_EQ(times, 1) << "task " << task;
  EXPECT_GT(trace.summary().stages[0].lent_s, 0.0);
}

TEST(IdleCores, NoCoreIsLentOutsideTheConcurrentScheduleOrWithoutALimit) {
  for (const auto& [mode, limit] : {std::pair{Mode::batched, size_t{2}}, std::pair{Mode::sequential, size_t{2}},
                                    std::pair{Mode::concurrent, size_t{0}}}) {
    SplittingStage stage(8, [](size_t) {});
    CountingSource source(1);
    run_alone(stage, source, 2, limit, mode);
    EXPECT_EQ(stage.threads.size(), 1u) << mode_name(mode);
    EXPECT_EQ(stage.runs.size(), 8u);
  }
}

// A source whose second item comes a while after the first: the first call has borrowed the
// idle core by then.
class LateSecondSource : public Source {
 public:
  ItemPtr next(std::stop_token) override {
    if (made_ == 2) return nullptr;
    if (made_ == 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto item = std::make_unique<Number>();
    item->value = made_++;
    return item;
  }

 private:
  int made_ = 0;
};

TEST(IdleCores, ALentCoreGoesBackWhenAnotherCallWaits) {
  SplittingStage stage(60, [](size_t) { std::this_thread::sleep_for(std::chrono::milliseconds(10)); });
  LateSecondSource source;
  run_alone(stage, source, 2, 2);
  ASSERT_EQ(stage.tasks_run_before.size(), 2u);
  // Without giving the core back, the second call would wait until the helper ran out of tasks.
  EXPECT_LT(stage.tasks_run_before[1], 45u);
  EXPECT_EQ(stage.runs.size(), 60u);
}

TEST(IdleCores, ATaskThatThrowsFailsTheCallWithItsMessage) {
  SplittingStage stage(20, [](size_t i) {
    if (i == 3) throw std::runtime_error("task 3 failed");
  });
  CountingSource source(1);
  const CollectingSink sink = run_alone(stage, source, 1, 2);
  ASSERT_EQ(sink.results.size(), 1u);
  EXPECT_EQ(sink.results[0], "FAILED split: task 3 failed");
}

}  // namespace
}  // namespace pageflow::pipeline

namespace pageflow::pipeline {
namespace {

TEST(Cpu, UsableCoresFollowTheAffinityMask) {
  int seen = 0;
  std::thread pinned([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
    seen = usable_cores();
  });
  pinned.join();
  EXPECT_EQ(seen, 1);
  EXPECT_GE(usable_cores(), 1);
  EXPECT_LE(usable_cores(), static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_NE(cpu_description().find("avx2"), std::string::npos);  // present or "no avx2"
}

}  // namespace
}  // namespace pageflow::pipeline
