#include "scale/worker.h"

#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/blocks.h"
#include "scale/queue.h"
#include "scale/wire.h"

namespace pageflow::scale {

namespace {

struct Entry {
  std::string id, task, pages;
  int slice = 0;
  long long deliveries = 1;
};

Entry entry_of(const RedisReply& r) {
  Entry e;
  e.id = r.elements.at(0).text;
  const RedisReply& fields = r.elements.at(1);
  e.task = fields.field("task");
  e.pages = fields.field("pages");
  e.slice = std::atoi(fields.field("slice").c_str());
  return e;
}

std::string default_name() {
  char host[256] = "worker";
  gethostname(host, sizeof host - 1);
  return std::string(host) + "-" + std::to_string(getpid());
}

// Keeps one pending entry's idle time fresh while its slice converts, on a connection of its own,
// as long as this consumer still owns the entry (XCLAIM JUSTID does not count a delivery).
class Heartbeat {
 public:
  Heartbeat(const WorkerOptions& options, const std::string& consumer, const std::string& entry)
      : thread_([=, this](std::stop_token stop) {
          Redis redis(options.redis_url, stop);
          const auto period = std::max(options.lease / 3, std::chrono::milliseconds(100));
          std::unique_lock lock(mu_);
          for (;;) {
            cv_.wait_for(lock, stop, period, [] { return false; });
            if (stop.stop_requested()) return;
            lock.unlock();
            try {
              const RedisReply mine = redis.command({"XPENDING", kSlices, kGroup, entry, entry, "1", consumer});
              if (!mine.elements.empty()) redis.command({"XCLAIM", kSlices, kGroup, consumer, "0", entry, "JUSTID"});
            } catch (const std::exception&) {
              // Redis away or stopping: the lease may lapse, and a redelivery is harmless.
            }
            lock.lock();
          }
        }) {}

 private:
  std::mutex mu_;
  std::condition_variable_any cv_;
  std::jthread thread_;  // declared last: started once the members it uses exist
};

class Worker {
 public:
  Worker(Engine& engine, const WorkerOptions& options, std::stop_token stop)
      : engine_(engine), options_(options), stop_(stop), redis_(options.redis_url, stop),
        name_(options.name.empty() ? default_name() : options.name) {}

  void run() {
    ensure_group(redis_);
    std::cerr << "pageflow: worker " << name_ << " reading " << kSlices << " at " << options_.redis_url << std::endl;
    auto last_report = std::chrono::steady_clock::now();
    while (!stop_.stop_requested()) {
      try {
        std::optional<Entry> entry = claim_stale();
        if (!entry) entry = read_new();
        if (entry) process(*entry);
        if (entry || std::chrono::steady_clock::now() - last_report > std::chrono::seconds(5)) {
          report();
          last_report = std::chrono::steady_clock::now();
        }
      } catch (const RedisUnavailable&) {
        break;  // stopped while Redis was away
      } catch (const RedisError& e) {
        // The stream or its group is gone (a flushed or new Redis): make them again.
        if (std::string(e.what()).rfind("NOGROUP", 0) == 0) {
          ensure_group(redis_);
        } else {
          std::cerr << "pageflow: worker " << name_ << ": Redis: " << e.what() << std::endl;
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      } catch (const std::exception& e) {
        // The entry in hand stays pending: it is redelivered, and dead-lettered if it keeps
        // failing. The worker goes on.
        std::cerr << "pageflow: worker " << name_ << ": " << e.what() << std::endl;
      }
    }
    std::cerr << "pageflow: worker " << name_ << " stopped after " << slices_ << " slices, " << pages_ << " pages"
              << std::endl;
  }

 private:
  // An entry another consumer left idle past the lease (it died, or lost Redis for that long).
  std::optional<Entry> claim_stale() {
    const RedisReply r = redis_.command({"XAUTOCLAIM", kSlices, kGroup, name_,
                                         std::to_string(options_.lease.count()), "0-0", "COUNT", "1"});
    if (r.elements.size() < 2 || r.elements[1].elements.empty()) return std::nullopt;
    const RedisReply& claimed = r.elements[1].elements.front();
    if (claimed.nil() || claimed.elements.size() < 2 || claimed.elements[1].nil()) return std::nullopt;
    Entry e = entry_of(claimed);
    const RedisReply pending = redis_.command({"XPENDING", kSlices, kGroup, e.id, e.id, "1"});
    if (!pending.elements.empty()) e.deliveries = pending.elements[0].elements.at(3).integer;
    std::cerr << "pageflow: worker " << name_ << " claimed slice " << e.slice << " (pages " << e.pages
              << ") of task " << e.task << ", delivery " << e.deliveries << std::endl;
    return e;
  }

  std::optional<Entry> read_new() {
    const RedisReply r = redis_.command({"XREADGROUP", "GROUP", kGroup, name_, "COUNT", "1", "BLOCK", "1000",
                                         "STREAMS", kSlices, ">"});
    if (r.nil() || r.elements.empty() || r.elements[0].elements.size() < 2) return std::nullopt;
    const RedisReply& entries = r.elements[0].elements[1];
    if (entries.elements.empty()) return std::nullopt;
    return entry_of(entries.elements.front());
  }

  void acknowledge(const Entry& e) { redis_.command({"XACK", kSlices, kGroup, e.id}); }

  void process(const Entry& e) {
    const RedisReply task = redis_.command({"HMGET", task_key(e.task), "state", "source", "options", "name"});
    if (task.elements.size() != 4 || task.elements[0].text != "queued") {
      acknowledge(e);  // expired, cancelled, or finished by another delivery of this slice
      return;
    }
    if (e.deliveries > options_.max_deliveries) {
      dead_letter(e);
      return;
    }
    const int pages = static_cast<int>(count_pages(PageSelection::parse(e.pages).ranges()));
    if (redis_.command({"SISMEMBER", task_key(e.task) + ":done", std::to_string(e.slice)}).integer == 1) {
      // Stored by a worker that died before acknowledging: only the completion is left to do.
      const RedisReply stored = redis_.command({"GET", slice_key(e.task, e.slice)});
      if (!stored.nil()) {
        complete_slice(redis_, e.task, e.slice, pages, decode_document_pages(stored.text));
        acknowledge(e);
        return;
      }
    }
    const auto start = std::chrono::steady_clock::now();
    DocumentPages result = convert(e, task.elements[1].text, task.elements[2].text, task.elements[3].text);
    complete_slice(redis_, e.task, e.slice, pages, result);
    acknowledge(e);
    busy_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++slices_;
    pages_ += pages;
  }

  DocumentPages failed_slice(const std::string& name, const std::string& error) {
    DocumentPages failed;
    failed.document.source = name;
    failed.document.error = error;
    return failed;
  }

  DocumentPages convert(const Entry& e, const std::string& shared_path, const std::string& options,
                        const std::string& name) {
    Input input{name, nullptr};
    if (!shared_path.empty()) {
      if (options_.shared_root.empty()) {
        return failed_slice(name, "the file is on shared storage, and this worker has no --shared-root");
      }
      const std::filesystem::path relative(shared_path);
      if (relative.is_absolute() || (!relative.empty() && *relative.begin() == "..")) {
        return failed_slice(name, shared_path + ": outside the shared root");
      }
      input.path = (std::filesystem::path(options_.shared_root) / relative).string();
    } else {
      if (cached_task_ != e.task) {
        const RedisReply bytes = redis_.command({"GET", task_key(e.task) + ":bytes"});
        if (bytes.nil()) return failed_slice(name, "the file is no longer in Redis (expired)");
        cached_bytes_ = std::make_shared<const std::string>(bytes.text);
        cached_task_ = e.task;
      }
      input.bytes = cached_bytes_;
    }
    JobOptions job;
    try {
      job = decode_job_options(options);
    } catch (const std::exception& ex) {
      return failed_slice(name, ex.what());
    }
    job.pages = e.pages;
    DocumentPages result;
    JobCallbacks callbacks;
    callbacks.on_document_pages = [&result](DocumentPages&& pages) { result = std::move(pages); };
    const Heartbeat heartbeat(options_, name_, e.id);
    // The slice in hand is finished even after a stop request: its entry is acknowledged, and a
    // stopped worker leaves nothing half done.
    engine_.submit({input}, std::move(callbacks), job)->wait();
    return result;
  }

  void dead_letter(const Entry& e) {
    const std::string reason = "pages " + e.pages + " given up after " + std::to_string(e.deliveries - 1) +
                               " deliveries: every worker that took them stopped before finishing (--max-deliveries " +
                               std::to_string(options_.max_deliveries) + ")";
    std::cerr << "pageflow: worker " << name_ << ": task " << e.task << ": " << reason << std::endl;
    redis_.command({"XADD", kDeadLetters, "*", "task", e.task, "slice", std::to_string(e.slice), "pages", e.pages,
                    "deliveries", std::to_string(e.deliveries - 1), "entry", e.id, "reason", reason});
    complete_slice(redis_, e.task, e.slice, 0, failed_slice(e.task, reason));
    acknowledge(e);
  }

  void report() {
    const RedisTraffic& t = redis_.traffic();
    const nlohmann::json counters = {
        {"slices", slices_}, {"pages", pages_}, {"busy_seconds", busy_seconds_},
        {"seen_ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count()},
        {"redis_commands", t.commands}, {"redis_bytes", t.bytes_sent + t.bytes_received}};
    redis_.command({"HSET", kWorkers, name_, counters.dump()});
  }

  Engine& engine_;
  const WorkerOptions& options_;
  std::stop_token stop_;
  Redis redis_;
  const std::string name_;
  std::string cached_task_;  // consecutive slices of one file fetch its bytes once
  std::shared_ptr<const std::string> cached_bytes_;
  long long slices_ = 0, pages_ = 0;
  double busy_seconds_ = 0;
};

}  // namespace

void run_worker(Engine& engine, const WorkerOptions& options, std::stop_token stop) {
  Worker(engine, options, stop).run();
}

}  // namespace pageflow::scale
