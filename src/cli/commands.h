// The pageflow tool's commands: thin clients of the library.
#pragma once

#include <stop_token>

#include "cli/options.h"

namespace pageflow::cli {

int run_convert(const CliOptions& options, std::stop_token stop);
int run_bench(const CliOptions& options, std::stop_token stop);

}  // namespace pageflow::cli
