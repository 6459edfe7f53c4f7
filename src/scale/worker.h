// `pageflow worker`: one member of the consumer group. It takes one slice at a time (a stale one
// claimed from a dead worker first, else a new one), converts it on its long-lived engine, stores
// the page-level result and only then acknowledges the entry, so a worker killed at any moment
// loses nothing: its entry stays pending and another worker claims it after the lease. While a
// slice converts, a heartbeat keeps the entry's idle time below the lease.
#pragma once

#include <chrono>
#include <stop_token>
#include <string>

#include "pageflow/engine.h"

namespace pageflow::scale {

struct WorkerOptions {
  std::string redis_url;
  std::string name;          // consumer name; empty: HOST-PID
  std::string shared_root;   // where this machine mounts the producers' --shared-root
  std::chrono::milliseconds lease{60000};
  int max_deliveries = 3;    // a slice delivered more often than this is dead-lettered
};

// Works until `stop`, finishing the slice in hand. Throws RedisUnavailable only when stopped
// while Redis was away.
void run_worker(Engine& engine, const WorkerOptions& options, std::stop_token stop);

}  // namespace pageflow::scale
