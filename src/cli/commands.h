// The pageflow tool's commands: thin clients of the library.
#pragma once

#include <stop_token>

#include "cli/options.h"

namespace pageflow::cli {

// Exit status of a run stopped before its end (Ctrl-C, SIGTERM, --timeout); see usage().
constexpr int kExitStopped = 3;

int run_convert(const CliOptions& options, std::stop_token stop);
int run_bench(const CliOptions& options, std::stop_token stop);
// Serves until stopped (SIGINT, SIGTERM), draining running tasks first; 0 when drained.
int run_serve(const CliOptions& options, std::stop_token stop);
// Scale-out (scale/): a worker works until stopped, finishing its slice in hand; submit queues
// its inputs and writes each document as it completes (kExitStopped if stopped before all did);
// queue prints the queue's state.
int run_worker(const CliOptions& options, std::stop_token stop);
int run_submit(const CliOptions& options, std::stop_token stop);
int run_queue(const CliOptions& options, std::stop_token stop);

}  // namespace pageflow::cli
