// A unit of work flowing through a pipeline. The pipeline core knows nothing about what an item
// carries: document code derives its own type (a page) from Item.
//
// Ownership: the scheduler owns every item from the moment the Source yields it until the Sink
// takes it. Stages only ever see raw pointers for the duration of one process() call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>

namespace pageflow::pipeline {

struct Item {
  virtual ~Item() = default;

  // Position in the output order, assigned by the scheduler (0, 1, 2, ... as the source yields).
  uint64_t seq = 0;

  // Set by the source to share the stages between several submissions: queues and the call gate
  // serve the lowest (priority, seq) first. Items of one submission keep priority 0, so seq
  // alone decides.
  uint64_t priority = 0;

  // Set when a stage failed this item (or it timed out or was cancelled). A failed item skips the
  // remaining stages but still reaches the sink, in order, so callers learn what went missing.
  std::string error;
  std::string failed_stage;

  // Set when the run stopped (cancelled, run timeout) before the item was finished: it was not
  // converted rather than failed, and callers report it with the rest of what is missing.
  bool cancelled = false;

  // When the scheduler admitted the item; per-item timeouts count from here.
  std::chrono::steady_clock::time_point admitted;

  // Requested by the scheduler when the item's time is up or the run stops: work on it is
  // abandoned (see cancel.h).
  std::stop_source abandon;

  // Abandons the item because the work it belongs to was cancelled (or its time ran out) for
  // `reason`: it is then reported as not converted, like the items of a stopped run. Thread-safe;
  // the first reason stays.
  void cancel(const std::string& reason) {
    {
      std::lock_guard lock(cancel_.mu);
      if (cancel_.reason.empty()) cancel_.reason = reason;
    }
    abandon.request_stop();
  }
  std::string cancel_reason() const {
    std::lock_guard lock(cancel_.mu);
    return cancel_.reason;
  }

  bool failed() const { return !error.empty(); }
  void fail(std::string stage, std::string message) {
    if (failed()) return;  // the first failure is the one worth reporting
    failed_stage = std::move(stage);
    error = std::move(message);
  }
  // Overrides an earlier failure: an aborted call's own error ("aborted") is only the echo of
  // the reason given here.
  void abandon_with(std::string stage, std::string message, bool run_stopped) {
    failed_stage = std::move(stage);
    error = std::move(message);
    cancelled = run_stopped;
  }

  // Short human-readable name for traces ("doc.pdf p3"); defaults to the sequence number.
  virtual std::string label() const { return "#" + std::to_string(seq); }

  // Called by the scheduler after the last stage that needs the item's bulky intermediates (e.g.
  // a raster), so memory is returned as early as the schedule allows.
  virtual void release_scratch() {}

 private:
  // Copying an item (only ever done before it is admitted) starts with no reason.
  struct CancelNote {
    CancelNote() = default;
    CancelNote(const CancelNote&) {}
    CancelNote& operator=(const CancelNote&) { return *this; }
    mutable std::mutex mu;
    std::string reason;
  } cancel_;
};

// The order in which queues and the call gate serve items.
inline bool served_before(const Item& a, const Item& b) {
  return a.priority != b.priority ? a.priority < b.priority : a.seq < b.seq;
}

using ItemPtr = std::unique_ptr<Item>;

}  // namespace pageflow::pipeline
