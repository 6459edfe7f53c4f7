// `serve --redis`: a service's tasks kept in Redis (scale/queue.h) rather than in the process, so
// any number of replicas answer any task's polls and results, and `pageflow worker`s convert.
// A request is a record (pageflow:request:ID: its options, file names and the queue tasks of its
// sources); its state is read from those tasks each time it is asked for.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pageflow/engine.h"

namespace pageflow::service {

// Redis did not answer in time (it is down, or unreachable): the request can be retried.
class SharedTasksUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SharedRequest {
  std::string id;
  nlohmann::json options;  // docling-serve's options as the client gave them
  bool zip = false;
  std::vector<std::string> warnings;
  std::vector<std::string> filenames;
  std::vector<std::optional<Document>> documents;  // per source, once its document is done
  bool done = false;
  int pages = 0, pages_done = 0;
  std::chrono::system_clock::time_point created, finished;
};

class SharedTasks {
 public:
  SharedTasks(std::string redis_url, std::chrono::seconds ttl, int slice_pages, double max_source_mb, Options limits);
  ~SharedTasks();

  // Queues the sources (a source given as an error failed before it could be queued) as request
  // `id`. Throws std::invalid_argument for a source the queue refuses.
  void submit(const std::string& id, const nlohmann::json& options, bool zip, const std::vector<std::string>& warnings,
                     const std::vector<std::string>& filenames, const std::vector<Input>& inputs,
                     const std::vector<std::string>& errors, const JobOptions& job);
  std::optional<SharedRequest> find(const std::string& id);
  // Its queued slices are skipped by the workers; its record is deleted.
  void cancel(const std::string& id);
  void erase(const std::string& id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageflow::service
