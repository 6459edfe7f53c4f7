// Measurements of one pipeline run: a span per (stage, item) with its worker, queue depths and
// resident memory over time, and the moment the first item reached the sink. Thread-safe; the
// schedulers record into it, callers read it afterwards (summary, Chrome trace JSON).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

namespace pageflow::pipeline {

struct SpanEvent {
  int stage;       // index into Trace::stage_names()
  int worker;      // worker id within the stage
  uint64_t seq;    // item sequence number
  std::string label;
  double start_s;  // seconds since the trace origin
  double end_s;
  int batch_size;  // items processed by the same process() call
};

struct CounterEvent {
  std::string name;  // "queue:<stage>" or "rss_mb"
  double time_s;
  double value;
};

struct StageSummary {
  std::string name;
  int workers = 0;
  uint64_t items = 0;
  uint64_t calls = 0;
  double busy_s = 0;       // summed over workers
  double lent_s = 0;       // work its calls did on idle cores lent to them (idle_cores.h)
  double first_start_s = 0;
  double last_end_s = 0;
  double utilisation = 0;  // busy_s / (wall_s * workers)
  double peak_queue = 0;
};

struct RunSummary {
  std::string mode;
  double wall_s = 0;
  double first_item_s = -1;  // time to the first item emitted by the sink, -1 if none
  uint64_t items = 0;
  uint64_t failed_items = 0;
  uint64_t start_rss_bytes = 0;  // resident when the run began (models, heap kept from earlier runs)
  uint64_t peak_rss_bytes = 0;
  // What the run itself added on top of what the process already held: the part a schedule
  // decides (pages in flight, buffers of the model runs going on at once).
  uint64_t added_rss_bytes() const { return peak_rss_bytes > start_rss_bytes ? peak_rss_bytes - start_rss_bytes : 0; }
  std::vector<StageSummary> stages;
  // No schedule of these stages can finish before either bound: the busiest stage's busy time
  // over its workers, and (stages share the cores) all busy time over the cores the run may use.
  // Pipeline efficiency is the larger bound over the wall time.
  int cores = 1;
  double bottleneck_s = 0;
  double cores_bound_s = 0;
  double limit_s() const { return std::max(bottleneck_s, cores_bound_s); }
  double efficiency() const { return wall_s > 0 ? limit_s() / wall_s : 0; }
};

class Trace {
 public:
  Trace();

  double now_s() const;

  // `cores`: how many stage calls can run at once on the machine (for the cores bound).
  void set_stages(std::vector<std::string> names, std::vector<int> workers, int cores);
  void add_span(SpanEvent event);
  // `seconds` of a call of `stage` done on a lent core.
  void add_lent(int stage, double seconds);
  void add_counter(std::string name, double value);
  void mark_emitted(bool failed);
  void finish(std::string mode, uint64_t start_rss_bytes, uint64_t peak_rss_bytes);

  std::vector<SpanEvent> spans() const;
  std::vector<CounterEvent> counters() const;
  const std::vector<std::string>& stage_names() const { return stage_names_; }
  const std::vector<int>& stage_workers() const { return stage_workers_; }

  RunSummary summary() const;

  // Chrome trace event format (chrome://tracing, Perfetto): one thread lane per stage worker.
  void write_chrome_json(std::ostream& out) const;

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point origin_;
  mutable std::mutex mu_;
  std::vector<std::string> stage_names_;
  std::vector<int> stage_workers_;
  std::vector<double> stage_lent_s_;
  int cores_ = 1;
  std::vector<SpanEvent> spans_;
  std::vector<CounterEvent> counters_;
  double first_emit_s_ = -1;
  double end_s_ = 0;
  uint64_t emitted_ = 0, failed_ = 0, start_rss_ = 0, peak_rss_ = 0;
  std::string mode_;
};

// Prints a RunSummary as an aligned text table.
void print_summary(std::ostream& out, const RunSummary& summary);

}  // namespace pageflow::pipeline
