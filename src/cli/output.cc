#include "cli/output.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <vector>

#include "pageflow/converter.h"

namespace pageflow::cli {

namespace {

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

}  // namespace

void ProgressBar::update(int done, int known, const std::string& prefix) {
  if (!enabled_) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const int width = 30;
  const int filled = known > 0 ? width * done / known : 0;
  std::fprintf(stderr, "\r%s[%s%s] %d/%d pages  %.1f pages/s ", prefix.c_str(), std::string(static_cast<size_t>(filled), '=').c_str(),
               std::string(static_cast<size_t>(width - filled), ' ').c_str(), done, known,
               seconds > 0 ? done / seconds : 0.0);
  drawn_ = true;
}

void ProgressBar::clear() {
  if (drawn_) std::fprintf(stderr, "\r%80s\r", "");
  drawn_ = false;
}

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

std::string unique_stem(const std::string& name, std::set<std::string>& used) {
  std::string stem = name.empty() ? "document" : name;
  for (int n = 2; used.count(stem); ++n) stem = name + "-" + std::to_string(n);
  used.insert(stem);
  return stem;
}

std::string output_path(const std::string& out_dir, const std::string& stem, std::string_view extension) {
  return (std::filesystem::path(out_dir) / (stem + "." + std::string(extension))).string();
}

}  // namespace pageflow::cli
