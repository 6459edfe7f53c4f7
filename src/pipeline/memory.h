// Resident-memory readings for the current process (Linux /proc), used by traces and benchmarks.
#pragma once

#include <cstdint>

namespace pageflow::pipeline {

// Current resident set size in bytes (0 if unavailable).
uint64_t current_rss_bytes();

// Peak resident set size since process start or the last reset_peak_rss() (VmHWM).
uint64_t peak_rss_bytes();

// Restarts peak tracking so that one run's peak can be read after another run in the same process.
// Returns false where the kernel does not support it (the peak then covers the whole process).
bool reset_peak_rss();

}  // namespace pageflow::pipeline
