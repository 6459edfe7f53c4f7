// The scale-out commands: `worker`, `submit` and `queue`, thin clients of scale/.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "cli/output.h"
#include "engine/document_source.h"
#include "pageflow/engine.h"
#include "scale/queue.h"
#include "scale/wire.h"
#include "scale/worker.h"

namespace pageflow::cli {

namespace {

using scale::Redis;

// The per-document settings a batch asks for; everything else is each worker's own.
JobOptions job_options(const Options& o) {
  JobOptions job;
  if (!o.pages.empty()) job.pages = o.pages;
  if (!o.password.empty()) job.password = o.password;
  job.ocr = o.ocr;
  job.ocr_engine = o.ocr_engine;
  job.table_engine = o.table_engine;
  job.picture_images = o.picture_images;
  if (o.dpi != Options{}.dpi) job.picture_dpi = o.dpi;
  if (o.document_timeout.count() > 0) job.timeout = o.document_timeout;
  return job;
}

// Names this input's task in Redis, so a second run of the same batch (after Ctrl-C) finds the
// tasks the first one queued instead of converting the files again.
std::string submission_key(const std::string& path, const std::string& job, const CliOptions& options) {
  struct stat info {};
  ::stat(path.c_str(), &info);
  std::error_code ec;
  const std::string identity = std::filesystem::absolute(path, ec).string() + "|" + std::to_string(info.st_size) + "|" +
                               std::to_string(info.st_mtime) + "|" + job + "|" +
                               std::to_string(options.scale.slice_pages) + "|" + options.scale.shared_root;
  char digest[17];
  std::snprintf(digest, sizeof digest, "%016zx", std::hash<std::string>{}(identity));
  return std::string("pageflow:submitted:") + digest;
}

// A task an earlier run of the batch queued: still converting, or done while nobody collected
// it. A failed one is converted again (its failure may have been the worker's, not the file's).
bool worth_resuming(Redis& redis, const std::string& task) {
  const scale::TaskStatus status = scale::task_status(redis, task);
  if (!status.exists) return false;
  if (!status.done) return true;
  const std::optional<Document> doc = scale::task_result(redis, task);
  return doc && doc->error.empty();
}

}  // namespace

int run_worker(const CliOptions& options, std::stop_token stop) {
  Engine engine(options.convert);
  scale::WorkerOptions worker;
  worker.redis_url = options.scale.redis_url;
  worker.name = options.scale.worker_name;
  worker.shared_root = options.scale.shared_root;
  worker.lease = options.scale.lease;
  worker.max_deliveries = options.scale.max_deliveries;
  scale::run_worker(engine, worker, stop);
  return 0;
}

int run_submit(const CliOptions& options, std::stop_token stop) {
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec) throw std::runtime_error("cannot create output folder " + options.out_dir + ": " + ec.message());
  Redis redis(options.scale.redis_url, stop);
  scale::ProducerOptions producer_options;
  producer_options.slice_pages = options.scale.slice_pages;
  producer_options.ttl = options.scale.ttl;
  producer_options.max_source_mb = options.scale.max_source_mb;
  producer_options.shared_root = options.scale.shared_root;
  producer_options.limits = options.convert;
  scale::Producer producer(redis, producer_options);
  const JobOptions job = job_options(options.convert);
  const std::string job_text = scale::encode(job);
  const std::string notify = "pageflow:notify:" + scale::random_id();

  struct Pending {
    size_t input;
    std::string stem;
    int pages = 0, pages_done = 0;
  };
  std::map<std::string, Pending> pending;  // by task id
  std::set<std::string> used_stems;
  int skipped = 0, failed = 0, partial = 0, written = 0, pages_written = 0, pages_total = 0;
  ProgressBar progress(!options.quiet && isatty(STDERR_FILENO));

  auto all_written = [&](const std::string& stem) {
    for (Format f : options.formats) {
      if (!std::filesystem::exists(output_path(options.out_dir, stem, format_extension(f)), ec)) return false;
    }
    return true;
  };
  for (size_t i = 0; i < options.inputs.size() && !stop.stop_requested(); ++i) {
    const std::string& path = options.inputs[i];
    const std::string stem = unique_stem(document_name(path), used_stems);
    if (all_written(stem)) {
      ++skipped;
      continue;
    }
    const std::string key = submission_key(path, job_text, options);
    std::string task;
    if (const auto earlier = redis.command({"GET", key}); !earlier.nil() && worth_resuming(redis, earlier.text) &&
                                                          producer.renotify(earlier.text, notify)) {
      task = earlier.text;
    } else {
      try {
        task = producer.submit({path, nullptr}, job, notify);
      } catch (const std::invalid_argument& e) {
        std::cerr << "pageflow: " << e.what() << "\n";
        ++failed;
        continue;
      }
      redis.command({"SET", key, task, "EX", std::to_string(options.scale.ttl.count())});
    }
    const scale::TaskStatus status = scale::task_status(redis, task);
    pending[task] = {i, stem, status.pages, status.pages_done};
    pages_total += status.pages;
    // Finished before this run asked to be told: no notice will come.
    if (status.done) redis.command({"RPUSH", notify, task});
  }

  auto collect = [&](const std::string& task) {
    const auto it = pending.find(task);
    if (it == pending.end()) return;
    const Pending p = it->second;
    pending.erase(it);
    progress.clear();
    const std::optional<Document> doc = scale::task_result(redis, task);
    const std::string& path = options.inputs[p.input];
    if (!doc) {
      std::cerr << "pageflow: " << path << ": its result is no longer in Redis (expired or lost)\n";
      ++failed;
      return;
    }
    if (!doc->error.empty()) {
      std::cerr << "pageflow: " << path << ": " << doc->error << "\n";
      ++failed;
      return;
    }
    report(*doc);
    partial += doc->status() != Status::success;
    for (Format f : options.formats) {
      try {
        write_file_atomically(output_path(options.out_dir, p.stem, format_extension(f)), render(*doc, f));
      } catch (const std::exception& e) {
        std::cerr << "pageflow: " << path << ": " << e.what() << "\n";
        ++failed;
        return;
      }
    }
    ++written;
    pages_written += p.pages;
  };
  auto poll = [&] {
    // Progress of the tasks in hand, and a safety net: a task done or gone without its notice
    // (Redis restarted without its data) is found here.
    std::vector<std::string> tasks;
    for (const auto& [task, p] : pending) {
      if (tasks.size() == 256) break;
      tasks.push_back(task);
    }
    for (const auto& task : tasks) {
      const scale::TaskStatus status = scale::task_status(redis, task);
      if (!status.exists) {
        std::cerr << "pageflow: " << options.inputs[pending[task].input] << ": its task is no longer in Redis\n";
        pending.erase(task);
        ++failed;
      } else if (status.done) {
        collect(task);
      } else {
        pending[task].pages_done = status.pages_done;
      }
    }
  };
  const size_t documents = pending.size();
  auto last_poll = std::chrono::steady_clock::now();
  while (!pending.empty() && !stop.stop_requested()) {
    const scale::RedisReply notice = redis.command({"BLPOP", notify, "1"});
    if (!notice.nil() && notice.elements.size() == 2) collect(notice.elements[1].text);
    if (std::chrono::steady_clock::now() - last_poll > std::chrono::seconds(5)) {
      poll();
      last_poll = std::chrono::steady_clock::now();
    }
    int in_hand = 0;
    for (const auto& [task, p] : pending) in_hand += p.pages_done;
    progress.update(pages_written + in_hand, pages_total,
                    std::to_string(documents - pending.size()) + "/" + std::to_string(documents) + " documents  ");
  }
  progress.clear();
  // What is left on the workers is said even with --quiet: it is how a stopped batch is resumed.
  if (!options.quiet || !pending.empty()) {
    std::cerr << "pageflow: " << written << " written, " << skipped << " already there, " << failed << " failed";
    if (!pending.empty()) std::cerr << ", " << pending.size() << " still on the workers (run the same command again to collect them)";
    std::cerr << "\n";
  }
  if (!pending.empty()) return kExitStopped;
  return failed == 0 && partial == 0 ? 0 : 1;
}

int run_queue(const CliOptions& options, std::stop_token stop) {
  Redis redis(options.scale.redis_url, stop, std::chrono::seconds(5));
  scale::ensure_group(redis);
  const auto replies = redis.pipeline({{"XLEN", scale::kSlices},
                                       {"XINFO", "GROUPS", scale::kSlices},
                                       {"XPENDING", scale::kSlices, scale::kGroup},
                                       {"XLEN", scale::kDeadLetters},
                                       {"HGETALL", scale::kWorkers}});
  long long lag = 0;
  for (const auto& group : replies[1].elements) {
    if (group.field("name") != scale::kGroup) continue;
    for (size_t k = 0; k + 1 < group.elements.size(); k += 2) {
      if (group.elements[k].text == "lag") lag = group.elements[k + 1].integer;
    }
  }
  std::map<std::string, long long> in_flight;
  if (replies[2].elements.size() == 4) {
    for (const auto& c : replies[2].elements[3].elements) in_flight[c.elements.at(0).text] = std::stoll(c.elements.at(1).text);
  }
  const long long pending = replies[2].elements.empty() ? 0 : replies[2].elements[0].integer;
  std::cout << "slices waiting:      " << lag << "\n"
            << "slices in flight:    " << pending << "\n"
            << "dead-lettered:       " << replies[3].integer << "  (" << scale::kDeadLetters << ")\n"
            << "stream length:       " << replies[0].integer << "\n\n";
  const long long now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::cout << std::left << std::setw(28) << "worker" << std::right << std::setw(8) << "slices" << std::setw(8) << "pages"
            << std::setw(10) << "pages/s" << std::setw(10) << "in hand" << std::setw(12) << "seen (s)" << "\n";
  const auto& workers = replies[4].elements;
  for (size_t k = 0; k + 1 < workers.size(); k += 2) {
    const auto counters = nlohmann::json::parse(workers[k + 1].text, nullptr, false);
    if (!counters.is_object()) continue;
    const double busy = counters.value("busy_seconds", 0.0);
    const long long pages = counters.value("pages", 0LL);
    std::cout << std::left << std::setw(28) << workers[k].text << std::right << std::setw(8)
              << counters.value("slices", 0LL) << std::setw(8) << pages << std::setw(10) << std::fixed
              << std::setprecision(2) << (busy > 0 ? pages / busy : 0.0) << std::setw(10) << in_flight[workers[k].text]
              << std::setw(12) << std::setprecision(0) << (now_ms - counters.value("seen_ms", now_ms)) / 1000.0 << "\n";
  }
  return 0;
}

}  // namespace pageflow::cli
