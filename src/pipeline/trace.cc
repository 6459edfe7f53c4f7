#include "pipeline/trace.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

namespace pageflow::pipeline {

Trace::Trace() : origin_(Clock::now()) {}

double Trace::now_s() const {
  return std::chrono::duration<double>(Clock::now() - origin_).count();
}

void Trace::set_stages(std::vector<std::string> names, std::vector<int> workers, int cores) {
  std::lock_guard lock(mu_);
  stage_names_ = std::move(names);
  stage_workers_ = std::move(workers);
  stage_lent_s_.assign(stage_names_.size(), 0.0);
  cores_ = std::max(1, cores);
}

void Trace::add_span(SpanEvent event) {
  std::lock_guard lock(mu_);
  spans_.push_back(std::move(event));
}

void Trace::add_lent(int stage, double seconds) {
  std::lock_guard lock(mu_);
  stage_lent_s_.at(static_cast<size_t>(stage)) += seconds;
}

void Trace::add_counter(std::string name, double value) {
  const double t = now_s();
  std::lock_guard lock(mu_);
  counters_.push_back({std::move(name), t, value});
}

void Trace::mark_emitted(bool failed) {
  const double t = now_s();
  std::lock_guard lock(mu_);
  if (first_emit_s_ < 0) first_emit_s_ = t;
  ++emitted_;
  if (failed) ++failed_;
}

void Trace::finish(std::string mode, uint64_t start_rss_bytes, uint64_t peak_rss_bytes) {
  const double t = now_s();
  std::lock_guard lock(mu_);
  end_s_ = t;
  mode_ = std::move(mode);
  start_rss_ = start_rss_bytes;
  peak_rss_ = peak_rss_bytes;
}

std::vector<SpanEvent> Trace::spans() const {
  std::lock_guard lock(mu_);
  return spans_;
}

std::vector<CounterEvent> Trace::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

RunSummary Trace::summary() const {
  std::lock_guard lock(mu_);
  RunSummary s;
  s.mode = mode_;
  s.wall_s = end_s_;
  s.first_item_s = first_emit_s_;
  s.items = emitted_;
  s.failed_items = failed_;
  s.start_rss_bytes = start_rss_;
  s.peak_rss_bytes = peak_rss_;
  s.cores = cores_;
  s.stages.resize(stage_names_.size());
  for (size_t i = 0; i < stage_names_.size(); ++i) {
    s.stages[i].name = stage_names_[i];
    s.stages[i].workers = stage_workers_[i];
    s.stages[i].first_start_s = -1;
    s.stages[i].lent_s = stage_lent_s_[i];
  }
  // A batch is recorded as one span per item with the same start/end: count the call once and
  // its busy time once.
  std::map<std::tuple<int, int, double>, bool> calls_seen;
  for (const auto& e : spans_) {
    auto& st = s.stages.at(e.stage);
    ++st.items;
    if (calls_seen.emplace(std::make_tuple(e.stage, e.worker, e.start_s), true).second) {
      ++st.calls;
      st.busy_s += e.end_s - e.start_s;
    }
    if (st.first_start_s < 0 || e.start_s < st.first_start_s) st.first_start_s = e.start_s;
    st.last_end_s = std::max(st.last_end_s, e.end_s);
  }
  for (const auto& c : counters_) {
    for (auto& st : s.stages) {
      if (c.name == "queue:" + st.name) st.peak_queue = std::max(st.peak_queue, c.value);
    }
  }
  for (auto& st : s.stages) {
    if (st.first_start_s < 0) st.first_start_s = 0;
    if (s.wall_s > 0 && st.workers > 0) st.utilisation = st.busy_s / (s.wall_s * st.workers);
    if (st.workers > 0) s.bottleneck_s = std::max(s.bottleneck_s, st.busy_s / st.workers);
    s.cores_bound_s += (st.busy_s + st.lent_s) / s.cores;
  }
  return s;
}

void Trace::write_chrome_json(std::ostream& out) const {
  const auto spans = this->spans();
  const auto counters = this->counters();
  // Written event by event, not as one document: a long run has many thousands of events.
  bool first = true;
  auto emit = [&](const nlohmann::json& event) {
    out << (first ? "\n" : ",\n") << event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    first = false;
  };
  out << "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[";
  // One lane (tid) per stage worker, numbered in stage order so lanes sort top to bottom.
  std::vector<int> lane_base;
  int lanes = 0;
  for (size_t i = 0; i < stage_names_.size(); ++i) {
    lane_base.push_back(lanes);
    for (int w = 0; w < stage_workers_[i]; ++w) {
      emit({{"ph", "M"}, {"name", "thread_name"}, {"pid", 1}, {"tid", lanes + w},
            {"args", {{"name", stage_names_[i] + " #" + std::to_string(w)}}}});
      emit({{"ph", "M"}, {"name", "thread_sort_index"}, {"pid", 1}, {"tid", lanes + w},
            {"args", {{"sort_index", lanes + w}}}});
    }
    lanes += stage_workers_[i];
  }
  for (const auto& e : spans) {
    emit({{"ph", "X"},
          {"name", e.label},
          {"cat", stage_names_.at(static_cast<size_t>(e.stage))},
          {"pid", 1},
          {"tid", lane_base.at(static_cast<size_t>(e.stage)) + e.worker},
          {"ts", e.start_s * 1e6},
          {"dur", (e.end_s - e.start_s) * 1e6},
          {"args", {{"seq", e.seq}, {"batch", e.batch_size}}}});
  }
  for (const auto& c : counters) {
    emit({{"ph", "C"}, {"name", c.name}, {"pid", 1}, {"ts", c.time_s * 1e6}, {"args", {{"value", c.value}}}});
  }
  out << "\n]}\n";
}

void print_summary(std::ostream& out, const RunSummary& s) {
  const std::string limit = s.bottleneck_s >= s.cores_bound_s
                                ? "busiest stage per worker"
                                : "all stages' busy time on " + std::to_string(s.cores) + " cores";
  char line[320];
  std::snprintf(line, sizeof line,
                "mode %s: %llu items (%llu failed) in %.3f s, first item at %.3f s, "
                "peak RSS %.1f MB (%.1f MB added by the run), pipeline efficiency %.2f (limit %.3f s: %s)\n",
                s.mode.c_str(), static_cast<unsigned long long>(s.items),
                static_cast<unsigned long long>(s.failed_items), s.wall_s, s.first_item_s,
                s.peak_rss_bytes / 1048576.0, s.added_rss_bytes() / 1048576.0, s.efficiency(), s.limit_s(), limit.c_str());
  out << line;
  std::snprintf(line, sizeof line, "  %-10s %7s %7s %7s %10s %10s %6s %6s %8s\n", "stage", "workers",
                "items", "calls", "busy s", "ms/item", "util", "queue", "lent s");
  out << line;
  for (const auto& st : s.stages) {
    std::snprintf(line, sizeof line, "  %-10s %7d %7llu %7llu %10.3f %10.2f %6.2f %6.0f %8.3f\n",
                  st.name.c_str(), st.workers, static_cast<unsigned long long>(st.items),
                  static_cast<unsigned long long>(st.calls), st.busy_s,
                  st.items ? 1000.0 * st.busy_s / st.items : 0.0, st.utilisation, st.peak_queue, st.lent_s);
    out << line;
  }
}

}  // namespace pageflow::pipeline
