// Command-line parsing for the pageflow tool, kept apart from main() so it is unit-tested.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "export/export.h"
#include "pageflow/converter.h"
#include "service/server.h"

namespace pageflow::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CliOptions {
  std::string command;  // "convert", "bench", "serve", "worker", "submit", "queue", "help", "version"
  std::vector<std::string> inputs;
  std::string out_dir = ".";
  std::vector<Format> formats = {Format::markdown};
  Options convert;
  std::string trace_path;
  bool quiet = false;
  // bench
  std::vector<Schedule> modes = {Schedule::concurrent, Schedule::batched, Schedule::sequential};
  int repeat = 3;
  int warmup = 1;
  std::string json_path;
  std::string timeline_path;
  // serve
  service::ServiceOptions serve;
  bool jsonl = false;  // convert --to jsonl: one line per page as it is done
  // worker, submit, queue (and serve --redis)
  struct Scale {
    std::string redis_url;
    int slice_pages = 24;
    std::string shared_root;
    std::chrono::milliseconds lease{60000};
    int max_deliveries = 3;
    double max_source_mb = 64;
    std::chrono::seconds ttl{24 * 3600};
    std::string worker_name;
  } scale;
};

// Throws UsageError naming the offending option or value.
CliOptions parse_arguments(const std::vector<std::string>& args);

// The conversion options alone, given as command-line flags ("--cores", "2", "--no-layout"):
// how the Python package passes its keyword arguments, so they take the same values and get the
// same checks as the command line. Throws UsageError naming the offending flag.
Options parse_conversion_options(const std::vector<std::string>& flags);

std::string usage();

Schedule parse_schedule(const std::string& name);  // throws UsageError
std::string schedule_name(Schedule schedule);

}  // namespace pageflow::cli
