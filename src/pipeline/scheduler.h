// Runs a Source through a list of Stages into a Sink under one of three schedules. The operators
// are the same in every mode; only threads, queues and batching differ, so outputs are identical.
//
//   concurrent  every stage runs at once on its own workers, connected by bounded queues; an item
//               moves on the moment a stage finishes it; stages micro-batch what is already
//               queued (up to their preferred batch) and never wait for more. At most `window`
//               items are in flight, so memory stays flat whatever the input length. At most
//               `max_running` stage calls run at once (one per core): more would only make the
//               stages take cores from each other; a free slot goes to the oldest page's call.
//               A slot nobody waits for may be lent to a running call (idle_cores.h).
//   batched     stage k processes every item (in even batches of at most batch_size, on its
//               workers) before stage k+1 starts: the render-all-then-infer baseline.
//   sequential  one item at a time through all stages on the calling thread: the reference.
//
// The sink sees items in sequence order as soon as the next one is complete (reorder buffer), or,
// unordered, each the moment it is finished.
// Failures stay per item: a stage's exception fails the items of that call (isolated by retrying
// them one by one), never the run; exceptions never cross threads. Cancellation (stop token) and
// the run timeout fail the remaining items with the reason and drain all threads before returning.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>

#include "pipeline/stage.h"
#include "pipeline/trace.h"

namespace pageflow::pipeline {

enum class Mode { concurrent, batched, sequential };

std::string_view mode_name(Mode mode);
std::optional<Mode> parse_mode(std::string_view name);

struct RunOptions {
  Mode mode = Mode::concurrent;
  size_t window = 16;        // concurrent: most items admitted and not yet emitted
  size_t queue_capacity = 0; // concurrent: per-stage input queue; 0 = 2 x preferred batch, >= 2
  size_t max_running = 0;    // concurrent: stage calls running at once, all stages; 0 = no limit
  int batch_size = 8;        // batched: items per process() call
  std::chrono::milliseconds item_timeout{0};  // 0 = none; counted from admission
  std::chrono::milliseconds run_timeout{0};   // 0 = none
  std::chrono::milliseconds rss_sample_interval{20};  // for the trace's rss_mb counter
  // false: the sink gets each item as soon as it is finished, in no particular order (a sink
  // serving several submissions orders each one's items itself).
  bool ordered = true;
  std::stop_token stop;
  Trace* trace = nullptr;    // optional
};

struct RunStatus {
  bool ok = true;          // false if the source or the sink threw: the run stopped early
  bool stopped = false;    // cancelled or run timeout reached
  std::string error;       // why, when !ok or stopped
};

RunStatus run_pipeline(Source& source, std::span<const StageSpec> stages, Sink& sink,
                       const RunOptions& options);

}  // namespace pageflow::pipeline
