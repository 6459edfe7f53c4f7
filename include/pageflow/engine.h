// A long-lived conversion engine: models loaded once, one concurrent page pipeline running for
// the engine's life, and documents submitted to it at any time from any thread. Every submission
// (a Job) gets its own handle with per-page and per-document results, progress, cancellation and
// a timeout that abandons its remaining pages, not only the caller's wait.
//
// Fairness: the pages in flight are shared by all jobs and admitted round-robin between them, and
// the stages serve a new job's pages ahead of the backlog already admitted for older ones, so a
// 1-page job submitted behind a 1,000-page one has its page out within a few pages' time.
//
//   pageflow::Engine engine(options);
//   auto job = engine.submit({{"a.pdf"}}, {.on_document = [](pageflow::Document&& d) { ... }});
//   pageflow::RunResult result = job->wait();
//
// Callbacks run on pipeline threads, one at a time per job, and should be quick: a slow one holds
// a stage worker. They must not call wait() on their own job.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pageflow/converter.h"

namespace pageflow {

// A page as it leaves the pipeline, before the document-level pass (heading levels, furniture
// across pages): what a streaming client indexes while later pages are still being converted.
struct PageOutput {
  std::string source;           // the input it belongs to
  size_t input_index = 0;       // position among the job's inputs
  PageResult page;
  std::vector<Element> elements;  // this page's elements in reading order
};

struct DocumentPages;  // core/blocks.h

struct JobCallbacks {
  std::function<void(Document&&)> on_document;   // each document as soon as it is complete
  std::function<void(const PageOutput&)> on_page;  // each page as it leaves the pipeline
  std::function<void(int done, int known)> on_progress;
  // Instead of on_document: each document before the document-level pass (heading levels,
  // furniture across pages), for a worker converting a slice of pages whose pass runs once over
  // all slices elsewhere (scale/).
  std::function<void(DocumentPages&&)> on_document_pages;
};

// Per-job overrides of the engine's Options (unset: the engine's value).
struct JobOptions {
  std::optional<std::string> pages;       // "1-3,7"
  std::optional<std::string> password;
  std::optional<std::string> ocr;         // auto, off, force
  std::optional<std::string> ocr_engine;  // paddle, tesseract
  std::optional<std::string> table_engine;  // auto, rules, model
  std::optional<bool> tables;             // recognise table structure
  std::optional<bool> picture_images;
  std::optional<double> picture_dpi;      // resolution of kept pictures (and of the layout raster)
  std::optional<std::chrono::milliseconds> timeout;  // whole job; 0 = none
};

struct JobProgress {
  int documents_done = 0;
  int documents = 0;  // inputs submitted
  int pages_done = 0;
  int pages_known = 0;  // pages selected in the inputs opened so far
  bool finished = false;
};

class Job {
 public:
  virtual ~Job() = default;
  // Abandons the job's remaining pages (also those in the middle of a stage call); they are
  // reported missing with `reason`. Idempotent; no effect once finished.
  virtual void cancel(const std::string& reason = "cancelled") = 0;
  // Blocks until every document was delivered.
  virtual RunResult wait() = 0;
  // True once finished (then wait() returns at once).
  virtual bool wait_for(std::chrono::milliseconds timeout) = 0;
  virtual JobProgress progress() const = 0;
  virtual uint64_t id() const = 0;
};

struct EngineStats {
  int jobs_active = 0;        // submitted and not finished
  long long pages_in_flight = 0;
  long long pages_done = 0;   // since start, converted or failed
  long long pages_failed = 0;
  long long documents_done = 0;
  long long documents_failed = 0;
  std::vector<std::pair<std::string, double>> stage_busy_seconds;  // per stage, since start
};

class Engine {
 public:
  // Loads the models; throws std::runtime_error for a configuration that cannot work.
  explicit Engine(Options options);
  // Cancels the jobs still running and joins every thread.
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Queues a job; its pages start flowing as soon as the window has room. Throws
  // std::invalid_argument for a bad override (naming it) and std::runtime_error once the engine
  // is shutting down.
  std::shared_ptr<Job> submit(std::vector<Input> inputs, JobCallbacks callbacks, JobOptions options = {});

  // Stops taking jobs and lets the running ones finish until `timeout`, then cancels the rest.
  // Returns true if all finished in time.
  bool drain(std::chrono::milliseconds timeout);

  EngineStats stats() const;
  const Options& options() const;

  // A job with its own pipeline run under `schedule` and `trace`, on the calling thread, sharing
  // the engine's models: the batched and sequential baselines, and traced runs (a trace records
  // one run's timeline). Same outputs as submit().
  RunResult run_dedicated(std::vector<Input> inputs, JobCallbacks callbacks, Schedule schedule,
                          pipeline::Trace* trace, std::stop_token stop, JobOptions options = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageflow
