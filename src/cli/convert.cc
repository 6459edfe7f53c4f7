#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "pipeline/trace.h"

namespace pageflow::cli {

namespace {

// A progress line on a terminal: pages done of pages known so far, and the rate.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  void update(int done, int known) {
    if (!enabled_) return;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const int width = 30;
    const int filled = known > 0 ? width * done / known : 0;
    std::fprintf(stderr, "\r[%s%s] %d/%d pages  %.1f pages/s ", std::string(static_cast<size_t>(filled), '=').c_str(),
                 std::string(static_cast<size_t>(width - filled), ' ').c_str(), done, known,
                 seconds > 0 ? done / seconds : 0.0);
    drawn_ = true;
  }
  void clear() {
    if (drawn_) std::fprintf(stderr, "\r%80s\r", "");
    drawn_ = false;
  }

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

// Page ranges gathered under each distinct text, in first-seen order; a range that continues the
// previous one under the same text extends it.
using Grouped = std::vector<std::pair<std::string, std::vector<PageRange>>>;
void add_to_group(Grouped& groups, const std::string& text, PageRange pages) {
  auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == text; });
  if (it == groups.end()) it = groups.insert(groups.end(), {text, {}});
  auto& ranges = it->second;
  if (!ranges.empty() && ranges.back().last + 1 == pages.first) {
    ranges.back().last = pages.last;
  } else {
    ranges.push_back(pages);
  }
}

// Reasons to the user, one line per distinct reason with the pages it concerns ("pages 3-5,9:
// layout: timed out after 1000 ms"), so that a cut-short 350-page document costs one line.
void report(const Document& doc) {
  Grouped warnings, failures, missing;
  for (const auto& page : doc.pages) {
    if (!page.warning.empty()) add_to_group(warnings, "warning: " + page.warning, {page.number, page.number});
    if (!page.ok) add_to_group(failures, page.error, {page.number, page.number});
  }
  for (const auto& m : doc.missing) add_to_group(missing, "not converted (" + m.reason + ")", m.pages);
  for (const auto& warning : doc.warnings) std::cerr << "pageflow: warning: " << doc.source << ": " << warning << "\n";
  for (const Grouped* groups : {&warnings, &failures, &missing}) {
    for (const auto& [text, pages] : *groups) {
      std::cerr << "pageflow: " << doc.source << ": " << (count_pages(pages) == 1 ? "page " : "pages ")
                << describe_pages(pages) << ": " << text << "\n";
    }
  }
}

// Output file stem for an input; a second input with the same stem gets "-2", and so on.
std::string unique_stem(const std::string& name, std::set<std::string>& used) {
  std::string stem = name.empty() ? "document" : name;
  for (int n = 2; used.count(stem); ++n) stem = name + "-" + std::to_string(n);
  used.insert(stem);
  return stem;
}

}  // namespace

int run_convert(const CliOptions& options, std::stop_token stop) {
  const bool to_stdout = options.out_dir == "-";
  std::error_code ec;
  if (!to_stdout) std::filesystem::create_directories(options.out_dir, ec);
  if (ec) throw std::runtime_error("cannot create output folder " + options.out_dir + ": " + ec.message());

  Converter converter(options.convert);
  std::vector<Input> inputs;
  for (const auto& path : options.inputs) inputs.push_back({path, nullptr});

  ProgressBar progress(!options.quiet && isatty(STDERR_FILENO));
  std::set<std::string> used_stems;
  bool write_failed = false;
  size_t delivered = 0;
  std::string page_lines;  // jsonl into a file: the current document's pages
  auto write = [&](const Document& doc, const std::string& path, const std::string& content) {
    try {
      write_file_atomically(path, content);
    } catch (const std::exception& e) {
      std::cerr << "pageflow: " << doc.source << ": " << e.what() << "\n";
      write_failed = true;
    }
  };
  auto on_document = [&](Document&& doc) {
    ++delivered;
    progress.clear();
    std::string lines = std::move(page_lines);
    page_lines.clear();
    if (!doc.error.empty()) {
      std::cerr << "pageflow: " << doc.source << ": " << doc.error << "\n";
      return;
    }
    report(doc);
    if (to_stdout) return;
    const std::string stem = unique_stem(doc.name, used_stems);
    const auto path = [&](std::string_view extension) {
      return (std::filesystem::path(options.out_dir) / (stem + "." + std::string(extension))).string();
    };
    for (Format format : options.formats) write(doc, path(format_extension(format)), render(doc, format));
    if (options.jsonl) write(doc, path("jsonl"), lines);
  };
  // Pages leave the pipeline in each document's order: on standard output each line goes out at
  // once, so a reader indexes page 1 while later pages are still converting.
  auto on_page = [&](const PageOutput& page) {
    std::string line = to_page_json(page) + "\n";
    if (!to_stdout) {
      page_lines += line;
      return;
    }
    if (std::fwrite(line.data(), 1, line.size(), stdout) != line.size() || std::fflush(stdout) != 0) write_failed = true;
  };

  pipeline::Trace trace;
  RunControl control;
  control.stop = stop;
  if (!options.trace_path.empty()) control.trace = &trace;
  if (options.jsonl) control.on_page = on_page;
  const RunResult result = converter.convert(inputs, on_document,
                                             [&](int done, int known) { progress.update(done, known); }, control);
  progress.clear();
  // Files the run never reached: a few named, the rest counted (a stopped batch of thousands
  // must not flood the terminal).
  constexpr size_t kNamed = 5;
  for (size_t i = delivered; i < inputs.size() && i < delivered + kNamed; ++i) {
    std::cerr << "pageflow: " << inputs[i].path << ": not converted (" << result.error << ")\n";
  }
  if (inputs.size() > delivered + kNamed) {
    std::cerr << "pageflow: " << inputs.size() - delivered - kNamed << " more files not converted (" << result.error
              << ")\n";
  }
  if (!options.trace_path.empty()) {
    std::ostringstream out;
    trace.write_chrome_json(out);
    try {
      const auto folder = std::filesystem::path(options.trace_path).parent_path();
      if (!folder.empty()) std::filesystem::create_directories(folder);
      write_file_atomically(options.trace_path, out.str());
    } catch (const std::exception& e) {
      std::cerr << "pageflow: trace: " << e.what() << "\n";
      write_failed = true;
    }
    pipeline::print_summary(std::cerr, trace.summary());
  }
  if (!options.quiet) {
    std::cerr << "pageflow: " << result.documents - result.failed_documents << "/" << inputs.size()
              << " files, " << result.pages - result.failed_pages << "/" << result.pages + result.missing_pages
              << " pages converted\n";
  }
  if (result.cancelled) return kExitStopped;
  const bool all_good = result.failed_documents == 0 && result.partial_documents == 0 && !write_failed &&
                        delivered == inputs.size();
  return all_good ? 0 : 1;
}

}  // namespace pageflow::cli
