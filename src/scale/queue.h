// The work queue's layout in Redis and the operations on it that producers (`pageflow submit`,
// `serve --redis`) and workers share. A document to convert is a task; its selected pages are cut
// into slices, each an entry of one stream read by the consumer group of all workers:
//
//   pageflow:slices                 stream, group "workers": {task, slice, pages}
//   pageflow:dead                   stream: slices given up after --max-deliveries
//   pageflow:task:ID                hash: name, source (shared path or ""), options, skeleton,
//                                   slices, pages, pages_done, state (queued/done/cancelled),
//                                   notify
//   pageflow:task:ID:bytes          the file, when it travels through Redis
//   pageflow:task:ID:slice:K        a slice's DocumentPages (overwritten by a redelivery)
//   pageflow:task:ID:done           set of the slices stored
//   pageflow:task:ID:result         the assembled Document
//   pageflow:workers                hash: consumer -> its counters (JSON)
//
// The worker that stores a task's last slice runs the document-level pass over all slices, stores
// the result and pushes the task's id onto its `notify` list. Every key of a task expires after
// the task's TTL.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/blocks.h"
#include "pageflow/engine.h"
#include "scale/redis.h"

namespace pageflow::scale {

inline const std::string kSlices = "pageflow:slices";
inline const std::string kGroup = "workers";
inline const std::string kDeadLetters = "pageflow:dead";
inline const std::string kWorkers = "pageflow:workers";

std::string random_id();  // 16 hex digits: task ids, notice lists
std::string task_key(const std::string& task);
std::string slice_key(const std::string& task, int slice);

struct ProducerOptions {
  int slice_pages = 24;
  std::chrono::seconds ttl{24 * 3600};
  double max_source_mb = 64;  // larger files must come through --shared-root
  std::string shared_root;    // a folder every worker mounts; empty: files travel through Redis
  Options limits;             // --max-pages, --max-file-size, --memory-limit when opening
};

// Cuts selected pages into page-range expressions of at most `slice_pages` pages each.
std::vector<std::string> plan_slices(std::vector<PageRange> selected, int slice_pages);

// A task as producers see it.
struct TaskStatus {
  bool exists = false;
  bool done = false;
  int slices = 0, pages = 0, pages_done = 0;
  long long finished_ms = 0;  // Unix time the result was stored
};

class Producer {
 public:
  Producer(Redis& redis, ProducerOptions options);
  ~Producer();

  // Opens the file here (page count, selection, password), stores it (or its path under the
  // shared root) and enqueues its slices; returns the task id. A file that cannot be opened
  // becomes a task already done with the failed document, as a local conversion would report it.
  // Throws std::invalid_argument for a file outside the shared root or over max_source_mb.
  std::string submit(const Input& input, const JobOptions& job, const std::string& notify);

  // Points an existing task's completion notice at `notify`; false if the task is gone.
  bool renotify(const std::string& task, const std::string& notify);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

TaskStatus task_status(Redis& redis, const std::string& task);
std::optional<Document> task_result(Redis& redis, const std::string& task);
// Workers skip a cancelled task's slices (acknowledging them unconverted); no result will come.
void cancel_task(Redis& redis, const std::string& task);

// Worker side: the slice's page-level result is stored (replacing an earlier delivery's); when
// it was the task's last one, the document is assembled and its notice sent.
void complete_slice(Redis& redis, const std::string& task, int slice, int pages, const DocumentPages& result);

// The whole document from its skeleton (name, page count, open warnings, pages over the limit)
// and its slices in page order: what one local run over the whole file produces.
Document join_slices(Document skeleton, std::vector<DocumentPages> slices);

// Creates the consumer group (and stream) unless it exists.
void ensure_group(Redis& redis);

}  // namespace pageflow::scale
