#include "service/shared_tasks.h"

#include <mutex>

#include "engine/document_source.h"
#include "scale/queue.h"

namespace pageflow::service {

using nlohmann::json;

namespace {

std::string request_key(const std::string& id) { return "pageflow:request:" + id; }

long long to_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::chrono::system_clock::time_point from_ms(long long ms) {
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

}  // namespace

// HTTP handlers run on many threads; a connection (and the producer that reads files with it)
// serves one at a time, so they are lent from a pool.
struct SharedTasks::Impl {
  struct Connection {
    // An HTTP request waits for Redis a few seconds at most, then gets a 503.
    Connection(const std::string& url, const scale::ProducerOptions& o)
        : redis(url, {}, std::chrono::seconds(5)), producer(redis, o) {}
    scale::Redis redis;
    scale::Producer producer;
  };

  std::unique_ptr<Connection> borrow() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        auto c = std::move(idle.back());
        idle.pop_back();
        return c;
      }
    }
    return std::make_unique<Connection>(url, producer_options);
  }
  void give_back(std::unique_ptr<Connection> c) {
    std::lock_guard lock(mu);
    idle.push_back(std::move(c));
  }
  template <typename Use>
  auto with_connection(Use use) {
    auto c = borrow();
    try {
      auto result = use(*c);  // a connection that threw is dropped, not lent again
      give_back(std::move(c));
      return result;
    } catch (const scale::RedisUnavailable& e) {
      throw SharedTasksUnavailable(std::string("the task store is unavailable: ") + e.what());
    }
  }

  std::string url;
  scale::ProducerOptions producer_options;
  std::mutex mu;
  std::vector<std::unique_ptr<Connection>> idle;
};

SharedTasks::SharedTasks(std::string redis_url, std::chrono::seconds ttl, int slice_pages, double max_source_mb,
                         Options limits)
    : impl_(std::make_unique<Impl>()) {
  impl_->url = std::move(redis_url);
  impl_->producer_options.ttl = ttl;
  impl_->producer_options.slice_pages = slice_pages;
  impl_->producer_options.max_source_mb = max_source_mb;
  impl_->producer_options.limits = std::move(limits);
  scale::Redis probe(impl_->url);  // a malformed URL fails at start, not on the first request
}

SharedTasks::~SharedTasks() = default;

void SharedTasks::submit(const std::string& id, const json& options, bool zip, const std::vector<std::string>& warnings,
                                const std::vector<std::string>& filenames, const std::vector<Input>& inputs,
                                const std::vector<std::string>& errors, const JobOptions& job) {
  const std::string ttl = std::to_string(impl_->producer_options.ttl.count());
  impl_->with_connection([&](Impl::Connection& c) {
    // The record is stored before the id is given out, so any replica asked about it finds it.
    json tasks = json::array();
    const std::string notify = "pageflow:notify:request:" + id;
    for (size_t i = 0; i < inputs.size(); ++i) {
      tasks.push_back(errors[i].empty() ? c.producer.submit(inputs[i], job, notify) : "");
    }
    c.redis.pipeline({{"HSET", request_key(id), "options", options.dump(), "zip", zip ? "1" : "0", "warnings",
                       json(warnings).dump(), "filenames", json(filenames).dump(), "errors", json(errors).dump(),
                       "tasks", tasks.dump(), "created", std::to_string(to_ms(std::chrono::system_clock::now()))},
                      {"EXPIRE", request_key(id), ttl},
                      {"EXPIRE", notify, ttl}});
    return 0;
  });
}

std::optional<SharedRequest> SharedTasks::find(const std::string& id) {
  return impl_->with_connection([&](Impl::Connection& c) -> std::optional<SharedRequest> {
    const scale::RedisReply record =
        c.redis.command({"HMGET", request_key(id), "options", "zip", "warnings", "filenames", "errors", "tasks", "created"});
    if (record.elements.size() != 7 || record.elements[0].nil()) return std::nullopt;
    SharedRequest r;
    r.id = id;
    r.options = json::parse(record.elements[0].text);
    r.zip = record.elements[1].text == "1";
    r.warnings = json::parse(record.elements[2].text).get<std::vector<std::string>>();
    r.filenames = json::parse(record.elements[3].text).get<std::vector<std::string>>();
    const auto errors = json::parse(record.elements[4].text).get<std::vector<std::string>>();
    const auto tasks = json::parse(record.elements[5].text).get<std::vector<std::string>>();
    r.created = from_ms(std::stoll(record.elements[6].text));
    r.done = true;
    long long finished = 0;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].empty()) {
        Document failed;
        failed.source = r.filenames[i];
        failed.name = document_name(r.filenames[i]);
        failed.error = errors[i];
        r.documents.push_back(std::move(failed));
        continue;
      }
      const scale::TaskStatus status = scale::task_status(c.redis, tasks[i]);
      r.pages += status.pages;
      r.pages_done += status.pages_done;
      std::optional<Document> doc;
      if (status.done) doc = scale::task_result(c.redis, tasks[i]);
      if (!status.exists && !doc) {
        Document lost;
        lost.source = r.filenames[i];
        lost.name = document_name(r.filenames[i]);
        lost.error = "its task is no longer in Redis (expired or lost)";
        doc = std::move(lost);
      }
      r.done &= doc.has_value();
      if (doc) finished = std::max(finished, status.finished_ms);
      r.documents.push_back(std::move(doc));
    }
    r.finished = finished > 0 ? from_ms(finished) : r.created;
    return r;
  });
}

void SharedTasks::cancel(const std::string& id) {
  impl_->with_connection([&](Impl::Connection& c) {
    const scale::RedisReply tasks = c.redis.command({"HGET", request_key(id), "tasks"});
    if (!tasks.nil()) {
      for (const std::string& task : json::parse(tasks.text).get<std::vector<std::string>>()) {
        if (!task.empty()) scale::cancel_task(c.redis, task);
      }
    }
    c.redis.command({"DEL", request_key(id)});
    return 0;
  });
}

void SharedTasks::erase(const std::string& id) {
  impl_->with_connection([&](Impl::Connection& c) { return c.redis.command({"DEL", request_key(id)}).integer; });
}

}  // namespace pageflow::service
