// `pageflow bench`: runs the chosen schedules on the same inputs in one process, interleaved
// (A B C A B C ...) after warm-up runs, and reports wall time, pages/s, time to first page, peak
// RSS, per-stage busy time and the ratios between modes; optionally JSON and a timeline picture.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "ml/ort_model.h"
#include "pipeline/cpu.h"
#include "pipeline/trace.h"

namespace pageflow::cli {

namespace {

struct ModeRuns {
  Schedule mode;
  std::vector<pipeline::RunSummary> runs;
  std::unique_ptr<pipeline::Trace> last_trace;  // for the timeline
  pipeline::RunSummary median;
  // Memory over all measured runs: the highest peak, and the most a run added to what the
  // process held when it began.
  uint64_t peak_rss = 0;
  uint64_t added_rss = 0;
};

double ratio(double value, double base) { return base > 0 ? value / base : 0; }

pipeline::RunSummary median_run(std::vector<pipeline::RunSummary> runs) {
  std::sort(runs.begin(), runs.end(), [](auto& a, auto& b) { return a.wall_s < b.wall_s; });
  return runs[runs.size() / 2];
}

const char* kStageColours[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948"};

// One panel per mode on a shared time axis: a lane per stage worker, a bar per page per stage.
std::string timeline_svg(const std::vector<ModeRuns>& modes) {
  double longest = 0;
  int lanes_total = 0;
  for (const auto& m : modes) {
    longest = std::max(longest, m.last_trace->summary().wall_s);
    for (int w : m.last_trace->stage_workers()) lanes_total += w;
  }
  const double width = 1000, left = 140, lane_h = 16, panel_gap = 40;
  const double height = lanes_total * lane_h + panel_gap * static_cast<double>(modes.size()) + 40;
  const double px_per_s = longest > 0 ? (width - left - 20) / longest : 0;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(int(width)) +
                    "\" height=\"" + std::to_string(int(height)) +
                    "\" font-family=\"sans-serif\" font-size=\"11\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  double y = 10;
  char buf[512];
  for (const auto& m : modes) {
    const auto summary = m.last_trace->summary();
    std::snprintf(buf, sizeof buf, "<text x=\"4\" y=\"%.0f\" font-weight=\"bold\">%s: %.2f s, first page %.2f s</text>\n",
                  y + 14, schedule_name(m.mode).c_str(), summary.wall_s, summary.first_item_s);
    svg += buf;
    y += 22;
    const auto& names = m.last_trace->stage_names();
    const auto& workers = m.last_trace->stage_workers();
    std::vector<double> lane_y;
    for (size_t s = 0; s < names.size(); ++s) {
      lane_y.push_back(y);
      for (int w = 0; w < workers[s]; ++w) {
        std::snprintf(buf, sizeof buf, "<text x=\"4\" y=\"%.0f\">%s #%d</text>\n", y + lane_h - 4, names[s].c_str(), w);
        svg += buf;
        y += lane_h;
      }
    }
    for (const auto& span : m.last_trace->spans()) {
      const double x = left + span.start_s * px_per_s;
      const double w = std::max(0.5, (span.end_s - span.start_s) * px_per_s);
      std::snprintf(buf, sizeof buf,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\" stroke=\"white\" "
                    "stroke-width=\"0.3\"><title>%s %s</title></rect>\n",
                    x, lane_y[static_cast<size_t>(span.stage)] + span.worker * lane_h + 1, w, lane_h - 2,
                    kStageColours[span.stage % 6], names[static_cast<size_t>(span.stage)].c_str(), span.label.c_str());
      svg += buf;
    }
    if (summary.first_item_s >= 0) {
      const double x = left + summary.first_item_s * px_per_s;
      std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"black\" stroke-dasharray=\"3,2\"/>\n",
                    x, x, lane_y.empty() ? y : lane_y[0], y);
      svg += buf;
    }
    y += panel_gap - 22;
  }
  svg += "</svg>\n";
  return svg;
}

nlohmann::json summary_json(const pipeline::RunSummary& s) {
  nlohmann::json stages = nlohmann::json::array();
  for (const auto& st : s.stages) {
    stages.push_back({{"name", st.name}, {"workers", st.workers}, {"items", st.items}, {"calls", st.calls},
                      {"busy_s", st.busy_s}, {"lent_s", st.lent_s}, {"utilisation", st.utilisation},
                      {"peak_queue", st.peak_queue}});
  }
  return {{"wall_s", s.wall_s}, {"first_page_s", s.first_item_s}, {"pages", s.items},
          {"failed_pages", s.failed_items}, {"start_rss_bytes", s.start_rss_bytes}, {"peak_rss_bytes", s.peak_rss_bytes},
          {"bottleneck_s", s.bottleneck_s}, {"cores", s.cores}, {"cores_bound_s", s.cores_bound_s},
          {"limit_s", s.limit_s()}, {"efficiency", s.efficiency()}, {"stages", stages}};
}

// The project's targets for concurrent against batched, and the best total-time ratio any
// schedule could reach here (the concurrent run's limit over the batched wall time): where that
// bound itself is above the target, no scheduling can meet it on this machine and input.
void print_bars(const ModeRuns& concurrent, const ModeRuns& batched) {
  auto verdict = [](bool met) { return met ? "met" : "NOT met"; };
  const pipeline::RunSummary& c = concurrent.median;
  const double total = ratio(c.wall_s, batched.median.wall_s);
  const double first = ratio(c.first_item_s, batched.median.first_item_s);
  const double rss = ratio(double(concurrent.peak_rss), double(batched.peak_rss));
  std::printf("\ntargets, concurrent vs batched:\n");
  std::printf("  total time ratio       %5.2f  (<= 0.80: %s; best any schedule can reach here: %.2f)\n", total,
              verdict(total <= 0.8), ratio(c.limit_s(), batched.median.wall_s));
  std::printf("  time to first page     %5.2f  (<= 0.20: %s)\n", first, verdict(first <= 0.2));
  std::printf("  peak RSS ratio         %5.2f  (< 1: %s; memory added by the run: %.2f)\n", rss, verdict(rss < 1),
              ratio(double(concurrent.added_rss), double(batched.added_rss)));
  std::printf("  pipeline efficiency    %5.2f  (>= 0.85: %s; against the busiest stage alone: %.2f)\n", c.efficiency(),
              verdict(c.efficiency() >= 0.85), ratio(c.bottleneck_s, c.wall_s));
}

}  // namespace

int run_bench(const CliOptions& options, std::stop_token stop) {
  Converter converter(options.convert);
  std::vector<Input> inputs;
  for (const auto& path : options.inputs) inputs.push_back({path, nullptr});

  std::vector<ModeRuns> modes;
  for (Schedule s : options.modes) modes.push_back({s, {}, nullptr, {}});
  int failures = 0;
  auto run_once = [&](ModeRuns& m, bool measured) {
    auto trace = std::make_unique<pipeline::Trace>();
    RunControl control;
    control.stop = stop;
    control.trace = trace.get();
    control.schedule = m.mode;
    const RunResult r = converter.convert(inputs, [](Document&&) {}, {}, control);
    failures += r.failed_documents + r.failed_pages;
    if (!measured) return;
    m.runs.push_back(trace->summary());
    m.last_trace = std::move(trace);
  };
  for (int w = 0; w < options.warmup && !stop.stop_requested(); ++w) {
    for (auto& m : modes) run_once(m, false);
  }
  for (int r = 0; r < options.repeat && !stop.stop_requested(); ++r) {
    for (auto& m : modes) run_once(m, true);
  }
  if (modes.front().runs.empty()) throw std::runtime_error("bench interrupted before a measured run");

  // Figures mean little without the machine: the layout model runs 3-4x faster with AVX-512.
  const Options& used = converter.options();
  const std::string layout_input =
      used.layout ? std::to_string(used.layout_width) + "x" + std::to_string(used.layout_height) : "off";
  std::printf("machine: %s, %d usable cores, ONNX Runtime %s, layout input %s\n\n",
              pipeline::cpu_description().c_str(), pipeline::usable_cores(), ml::runtime_version().c_str(),
              layout_input.c_str());
  std::printf("%-11s %9s %9s %9s %9s %10s %11s %8s %10s\n", "mode", "median s", "min s", "max s", "pages/s",
              "first pg s", "peak RSS MB", "added MB", "efficiency");
  for (auto& m : modes) {
    m.median = median_run(m.runs);
    double lo = 1e18, hi = 0;
    for (const auto& r : m.runs) {
      lo = std::min(lo, r.wall_s);
      hi = std::max(hi, r.wall_s);
    }
    for (const auto& r : m.runs) {
      m.peak_rss = std::max(m.peak_rss, r.peak_rss_bytes);
      m.added_rss = std::max(m.added_rss, r.added_rss_bytes());
    }
    std::printf("%-11s %9.3f %9.3f %9.3f %9.1f %10.3f %11.1f %8.1f %10.2f\n", schedule_name(m.mode).c_str(),
                m.median.wall_s, lo, hi, ratio(double(m.median.items), m.median.wall_s), m.median.first_item_s,
                m.peak_rss / 1048576.0, m.added_rss / 1048576.0, m.median.efficiency());
  }
  const ModeRuns* batched = nullptr;
  for (const auto& m : modes) {
    if (m.mode == Schedule::batched) batched = &m;
  }
  if (batched) {
    std::printf("\nratios to batched (lower is better):\n");
    for (const auto& m : modes) {
      if (&m == batched) continue;
      std::printf("  %-11s total time %.2f   time to first page %.2f   peak RSS %.2f   added memory %.2f\n",
                  schedule_name(m.mode).c_str(), ratio(m.median.wall_s, batched->median.wall_s),
                  ratio(m.median.first_item_s, batched->median.first_item_s),
                  ratio(double(m.peak_rss), double(batched->peak_rss)),
                  ratio(double(m.added_rss), double(batched->added_rss)));
    }
    for (const auto& m : modes) {
      if (m.mode == Schedule::concurrent) print_bars(m, *batched);
    }
  }
  for (const auto& m : modes) {
    std::printf("\n");
    pipeline::print_summary(std::cout, m.median);
  }
  if (!options.json_path.empty()) {
    nlohmann::json j;
    j["inputs"] = options.inputs;
    j["repeat"] = options.repeat;
    j["warmup"] = options.warmup;
    j["machine"] = {{"cpu", pipeline::cpu_description()}, {"usable_cores", pipeline::usable_cores()},
                    {"onnxruntime", ml::runtime_version()},
                    {"layout_input", layout_input}};
    for (const auto& m : modes) {
      nlohmann::json runs = nlohmann::json::array();
      for (const auto& r : m.runs) runs.push_back(summary_json(r));
      j["modes"][schedule_name(m.mode)] = {{"median", summary_json(m.median)}, {"runs", runs}};
    }
    std::ofstream(options.json_path) << j.dump(2) << "\n";
  }
  if (!options.timeline_path.empty()) {
    std::string svg = timeline_svg(modes);
    if (options.timeline_path.size() > 5 && options.timeline_path.substr(options.timeline_path.size() - 5) == ".html") {
      svg = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>pageflow timeline</title></head><body>\n" + svg +
            "</body></html>\n";
    }
    std::ofstream(options.timeline_path) << svg;
  }
  if (!options.trace_path.empty()) {
    std::ofstream out(options.trace_path);
    modes.front().last_trace->write_chrome_json(out);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace pageflow::cli
