#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

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

// Output file stem for an input; a second input with the same stem gets "-2", and so on.
std::string unique_stem(const std::string& name, std::set<std::string>& used) {
  std::string stem = name.empty() ? "document" : name;
  for (int n = 2; used.count(stem); ++n) stem = name + "-" + std::to_string(n);
  used.insert(stem);
  return stem;
}

}  // namespace

int run_convert(const CliOptions& options, std::stop_token stop) {
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) throw std::runtime_error("cannot create output folder " + options.out_dir + ": " + ec.message());

  Converter converter(options.convert);
  std::vector<Input> inputs;
  for (const auto& path : options.inputs) inputs.push_back({path, nullptr});

  ProgressBar progress(!options.quiet && isatty(STDERR_FILENO));
  std::set<std::string> used_stems;
  bool write_failed = false;
  size_t delivered = 0;
  auto on_document = [&](Document&& doc) {
    ++delivered;
    progress.clear();
    if (!doc.error.empty()) {
      std::cerr << "pageflow: " << doc.source << ": " << doc.error << "\n";
      return;
    }
    for (const auto& warning : doc.warnings) std::cerr << "pageflow: warning: " << doc.source << ": " << warning << "\n";
    for (const auto& page : doc.pages) {
      if (!page.warning.empty()) {
        std::cerr << "pageflow: warning: " << doc.source << ": page " << page.number << ": " << page.warning << "\n";
      }
      if (!page.ok) std::cerr << "pageflow: " << doc.source << ": page " << page.number << ": " << page.error << "\n";
    }
    const std::string stem = unique_stem(doc.name, used_stems);
    for (Format format : options.formats) {
      const std::string path = (std::filesystem::path(options.out_dir) /
                                (stem + "." + std::string(format_extension(format)))).string();
      try {
        write_file_atomically(path, render(doc, format));
      } catch (const std::exception& e) {
        std::cerr << "pageflow: " << e.what() << "\n";
        write_failed = true;
      }
    }
  };

  pipeline::Trace trace;
  RunControl control;
  control.stop = stop;
  if (!options.trace_path.empty()) control.trace = &trace;
  const RunResult result = converter.convert(inputs, on_document,
                                             [&](int done, int known) { progress.update(done, known); }, control);
  progress.clear();
  for (size_t i = delivered; i < inputs.size(); ++i) {
    std::cerr << "pageflow: " << inputs[i].path << ": not converted (" << result.error << ")\n";
  }
  if (!options.trace_path.empty()) {
    std::ofstream out(options.trace_path);
    trace.write_chrome_json(out);
    if (!out) std::cerr << "pageflow: cannot write trace " << options.trace_path << "\n";
    pipeline::print_summary(std::cerr, trace.summary());
  }
  if (!options.quiet) {
    std::cerr << "pageflow: " << result.documents - result.failed_documents << "/" << inputs.size()
              << " files, " << result.pages - result.failed_pages << "/" << result.pages << " pages converted\n";
  }
  const bool all_good = result.failed_documents == 0 && result.failed_pages == 0 && !result.cancelled &&
                        !write_failed && delivered == inputs.size();
  return all_good ? 0 : 1;
}

}  // namespace pageflow::cli
