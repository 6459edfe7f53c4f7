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
#include "cli/output.h"
#include "pipeline/trace.h"

namespace pageflow::cli {

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
    for (Format format : options.formats) write(doc, output_path(options.out_dir, stem, format_extension(format)), render(doc, format));
    if (options.jsonl) write(doc, output_path(options.out_dir, stem, "jsonl"), lines);
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
