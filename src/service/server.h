// `pageflow serve`: an HTTP service shaped like docling-serve's v1 API over one long-lived Engine.
// Every request becomes a task (a job of the engine) that shares the engine's pipeline with all
// others; results are kept until fetched or until the result TTL, whichever comes first.
//
//   POST /v1/convert/file, /v1/convert/source           synchronous (504 + cancel past max wait)
//   POST /v1/convert/file/async, /v1/convert/source/async  TaskStatusResponse
//   GET  /v1/status/poll/{id}?wait=S, /v1/result/{id}   poll; fetch (then deleted)
//   GET  /v1/result/{id}/pages                          NDJSON, one line per page as it is done
//   GET  /health, /ready, /version, /metrics
//
// Admission: at most `max_tasks` unfinished tasks (429 with Retry-After beyond); uploads over
// `max_file_mb` get 413; a client that disconnects from a synchronous request has its task
// cancelled. Stopping drains: new conversions get 503, running ones finish within the drain
// timeout (then are cancelled), and the server exits.
#pragma once

#include <chrono>
#include <memory>
#include <stop_token>
#include <string>

#include "pageflow/engine.h"

namespace pageflow::service {

struct ServiceOptions {
  std::string host = "127.0.0.1";
  int port = 5001;  // 0: any free port (see Server::port)
  std::string api_key;  // when set, every request but /health must carry it in X-Api-Key
  std::chrono::seconds result_ttl{3600};
  size_t max_tasks = 64;
  double max_file_mb = 100;
  std::chrono::seconds max_sync_wait{120};
  std::chrono::seconds drain_timeout{60};
  std::chrono::seconds fetch_timeout{30};
  int http_threads = 32;
  // Tasks kept in Redis and converted by `pageflow worker`s (scale/), so replicas behind one
  // Redis answer for each other; empty: tasks live in this process and its engine converts.
  std::string redis_url;
  int slice_pages = 24;
};

class Server {
 public:
  // Binds the port (throws std::runtime_error if it cannot).
  Server(Engine& engine, ServiceOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;
  // Serves until `stop`, then drains and returns.
  void run(std::stop_token stop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pageflow::service
