// Operators of a pipeline. A Stage transforms items in place; a Source produces them; a Sink
// consumes them in sequence order. Scheduling (threads, queues, batching) lives elsewhere
// (scheduler.h), so the same operators run under every schedule.
#pragma once

#include <span>
#include <stop_token>
#include <string>

#include "pipeline/item.h"

namespace pageflow::pipeline {

class Stage {
 public:
  virtual ~Stage() = default;

  virtual std::string name() const = 0;

  // Called once before any process() call with the number of workers that will call process()
  // concurrently; worker ids passed to process() are in [0, workers).
  virtual void open(int /*workers*/) {}

  // Processes 1..N items that have not failed. Calls with distinct worker ids may run
  // concurrently; calls with the same worker id never do, so per-worker scratch is safe.
  // A stage reports a per-item problem with item->fail(); an exception fails the whole call, after
  // which the scheduler retries the batch's items one by one to isolate the culprit, so
  // process() must be safe to repeat on an item (overwrite, never append, its outputs).
  // Must not keep pointers to items after returning, and must not depend on batch composition
  // or arrival order: results are identical under every schedule.
  virtual void process(std::span<Item* const> batch, int worker) = 0;

  // False if the stage has nothing to do for this item (decided from the item's state when it
  // gets here): the item then passes by without a call, in no batch and no busy time, and in
  // concurrent mode without waiting behind the items the stage does work on.
  virtual bool wants(const Item& /*item*/) const { return true; }

  // How many items the stage would like per call (model stages batch inputs). In concurrent mode
  // it is an upper bound on what is already queued, never a reason to wait.
  virtual int preferred_batch() const { return 1; }

  // True if the stage is the last one that needs this item's scratch (see Item::release_scratch).
  virtual bool releases_scratch(const Item& /*item*/) const { return false; }
};

class Source {
 public:
  virtual ~Source() = default;
  // Next item, or nullptr when exhausted. Called from one thread at a time. `stop` is requested
  // when the run stops: a next() that takes long (opening a large file) should watch it and
  // return soon after (anything it returns then is not admitted).
  virtual ItemPtr next(std::stop_token stop) = 0;
};

class Sink {
 public:
  virtual ~Sink() = default;
  // Receives every item exactly once, in seq order, from one thread at a time.
  virtual void consume(ItemPtr item) = 0;
};

struct StageSpec {
  Stage* stage;
  int workers = 1;
};

}  // namespace pageflow::pipeline
