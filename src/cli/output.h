// What the commands that write documents share: the progress line, the per-document report of
// problems on standard error, and output file names.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <string_view>

#include "pageflow/document.h"

namespace pageflow::cli {

// A progress line on a terminal: pages done of pages known so far, and the rate.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled), start_(std::chrono::steady_clock::now()) {}
  // `prefix`: what else is counted ("3/40 documents  ").
  void update(int done, int known, const std::string& prefix = "");
  void clear();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

// Reasons to the user, one line per distinct reason with the pages it concerns ("pages 3-5,9:
// layout: timed out after 1000 ms"), so that a cut-short 350-page document costs one line.
void report(const Document& doc);

// Output file stem for an input; a second input with the same stem gets "-2", and so on.
std::string unique_stem(const std::string& name, std::set<std::string>& used);

std::string output_path(const std::string& out_dir, const std::string& stem, std::string_view extension);

}  // namespace pageflow::cli
