#include "service/server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <tuple>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "export/docling_json.h"
#include "export/export.h"
#include "ml/ort_model.h"
#include "pipeline/exceptions.h"
#include "pipeline/memory.h"
#include "service/fetch.h"
#include "service/request.h"
#include "service/shared_tasks.h"
#include "service/zip.h"

namespace pageflow::service {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string new_task_id() {
  static std::mutex mu;
  static std::mt19937_64 random{std::random_device{}()};
  std::lock_guard lock(mu);
  char id[37];
  const uint64_t a = random(), b = random();
  std::snprintf(id, sizeof id, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return id;
}

json error_item(const std::string& component, const std::string& message, int page = 0) {
  json item = {{"component_type", component}, {"module_name", "pageflow"}, {"error_message", message}};
  if (page > 0) item["page_no"] = page;
  return item;
}

// A synchronous request's client, found by its address among this process's sockets, so that a
// client that hangs up while its task runs is noticed and the task cancelled.
class PeerSocket {
 public:
  PeerSocket(const std::string& address, int port) {
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) return;
    while (const dirent* entry = ::readdir(dir)) {
      const int fd = std::atoi(entry->d_name);
      if (fd <= 2) continue;
      sockaddr_storage peer{};
      socklen_t size = sizeof peer;
      if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) continue;
      char host[INET6_ADDRSTRLEN] = "";
      int peer_port = -1;
      if (peer.ss_family == AF_INET) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(&peer);
        ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        peer_port = ntohs(in->sin_port);
      } else if (peer.ss_family == AF_INET6) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&peer);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        peer_port = ntohs(in6->sin6_port);
      }
      if (peer_port == port && address == host) {
        fd_ = fd;
        break;
      }
    }
    ::closedir(dir);
  }
  // True once the client closed its end (or the connection broke).
  bool hung_up() const {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
  }

 private:
  int fd_ = -1;
};

// Latency histogram of one endpoint, Prometheus-style cumulative buckets.
struct Histogram {
  static constexpr double kBounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
  std::array<uint64_t, std::size(kBounds)> buckets{};
  uint64_t count = 0;
  double sum = 0;
  void add(double seconds) {
    for (size_t i = 0; i < std::size(kBounds); ++i) buckets[i] += seconds <= kBounds[i];
    ++count;
    sum += seconds;
  }
};

// The field of docling's ExportDocumentResponse that holds a format.
const char* response_field(Format f) {
  switch (f) {
    case Format::markdown: return "md_content";
    case Format::json: return "json_content";
    case Format::html: return "html_content";
    case Format::text: return "text_content";
    case Format::doctags: return "doctags_content";
  }
  return "md_content";
}

}  // namespace

// One conversion request: its job, the documents as they complete, and the pages as NDJSON lines.
struct Task {
  std::string id;
  ConvertRequest request;
  std::vector<std::string> filenames;               // per source
  std::vector<std::optional<Document>> documents;   // per source, as they complete
  std::vector<size_t> job_sources;                  // the job's inputs, as source indices
  Clock::time_point created = Clock::now(), finished_at;

  mutable std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> page_lines;
  size_t delivered = 0;  // documents the job delivered so far
  bool done = false;
  RunResult result;
  std::shared_ptr<Job> job;  // set once submitted (callbacks may run before that)
  // serve --redis: a snapshot of a task kept in Redis, with its progress in pages.
  bool shared = false;
  int shared_pages = 0, shared_pages_done = 0;

  std::shared_ptr<Job> handle() const {
    std::lock_guard lock(mu);
    return job;
  }
  bool is_done() const {
    std::lock_guard lock(mu);
    return done;
  }
};

struct Server::Impl {
  Impl(Engine& e, ServiceOptions o) : engine(e), options(std::move(o)) {
    const int threads = std::max(4, options.http_threads);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    // Multipart and JSON bodies carry the files (base64 adds a third): larger bodies get 413.
    http.set_payload_max_length(static_cast<size_t>(options.max_file_mb * 1048576.0 * 1.4) + (1u << 20));
    http.set_read_timeout(std::chrono::seconds(60));
    routes();
    if (options.port == 0) {
      bound_port = http.bind_to_any_port(options.host);
    } else {
      bound_port = http.bind_to_port(options.host, options.port) ? options.port : -1;
    }
    if (bound_port <= 0) {
      throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port));
    }
    if (!options.redis_url.empty()) {
      shared = std::make_unique<SharedTasks>(options.redis_url, options.result_ttl, options.slice_pages,
                                             options.max_file_mb, engine.options());
    }
  }

  // ---- tasks ----------------------------------------------------------------------------------

  std::shared_ptr<Task> find(const std::string& id) {
    if (shared) return snapshot(shared->find(id));
    std::lock_guard lock(mu);
    const auto it = tasks.find(id);
    return it == tasks.end() ? nullptr : it->second;
  }

  // A task kept in Redis as this replica sees it now.
  std::shared_ptr<Task> snapshot(std::optional<SharedRequest> r) {
    if (!r) return nullptr;
    auto task = std::make_shared<Task>();
    task->id = r->id;
    task->request = parse_options(r->options);
    task->request.zip = r->zip;
    task->request.warnings = r->warnings;
    task->filenames = r->filenames;
    task->documents = std::move(r->documents);
    task->shared = true;
    task->shared_pages = r->pages;
    task->shared_pages_done = r->pages_done;
    task->done = r->done;
    const auto now = std::chrono::system_clock::now();
    task->created = Clock::now() - std::chrono::duration_cast<Clock::duration>(now - r->created);
    task->finished_at = Clock::now() - std::chrono::duration_cast<Clock::duration>(now - r->finished);
    return task;
  }

  // Waits like wait(), and returns the task as it is then (for a task in Redis, a new snapshot).
  std::shared_ptr<Task> await(std::shared_ptr<Task> task, std::chrono::milliseconds timeout,
                              const std::function<bool()>& abandon = {}) {
    if (!task->shared) {
      wait(*task, timeout, abandon);
      return task;
    }
    const auto deadline = Clock::now() + timeout;
    while (!task->is_done() && Clock::now() < deadline && !(abandon && abandon())) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      auto latest = find(task->id);
      if (!latest) break;
      task = std::move(latest);
    }
    return task;
  }

  void forget(const Task& task) {
    if (task.shared) {
      shared->erase(task.id);
      return;
    }
    std::lock_guard lock(mu);
    tasks.erase(task.id);
  }

  size_t unfinished_tasks() {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (const auto& [id, task] : tasks) n += !task->is_done();
    return n;
  }

  void purge_expired() {
    const auto now = Clock::now();
    std::lock_guard lock(mu);
    std::erase_if(tasks, [&](const auto& entry) {
      const Task& t = *entry.second;
      std::lock_guard task_lock(t.mu);
      return t.done && now - t.finished_at > options.result_ttl;
    });
  }

  // Submits the task's job. Sources that could not be read (a failed download) are documents that
  // failed before the job.
  void start(const std::shared_ptr<Task>& task, std::vector<Input> inputs) {
    JobCallbacks callbacks;
    std::weak_ptr<Task> weak = task;
    callbacks.on_document = [this, weak](Document&& doc) {
      auto t = weak.lock();
      if (!t) return;
      const bool failed = !doc.error.empty();
      {
        std::lock_guard lock(t->mu);
        t->documents[t->job_sources[t->delivered++]] = std::move(doc);
      }
      t->changed.notify_all();
      if (failed && t->request.abort_on_error) {
        if (auto job = t->handle()) job->cancel("aborted after a failed document (abort_on_error)");
      }
    };
    callbacks.on_page = [weak](const PageOutput& page) {
      auto t = weak.lock();
      if (!t) return;
      PageOutput named = page;
      named.input_index = t->job_sources[page.input_index];
      named.source = t->filenames[named.input_index];
      std::string line = to_page_json(named);
      {
        std::lock_guard lock(t->mu);
        t->page_lines.push_back(std::move(line));
      }
      t->changed.notify_all();
    };
    {
      std::lock_guard lock(mu);
      tasks[task->id] = task;
    }
    if (inputs.empty()) {
      finish(*task, RunResult{});
      return;
    }
    try {
      auto job = engine.submit(std::move(inputs), std::move(callbacks), task->request.job);
      std::lock_guard lock(task->mu);
      task->job = std::move(job);
    } catch (...) {
      std::lock_guard lock(mu);
      tasks.erase(task->id);
      throw;
    }
  }

  static void finish(Task& task, const RunResult& result) {
    {
      std::lock_guard lock(task.mu);
      if (task.done) return;
      task.done = true;
      task.result = result;
      task.finished_at = Clock::now();
    }
    task.changed.notify_all();
  }

  // Brings the task's state up to date with its job; true once done. (No thread watches a job:
  // whoever asks about the task observes its completion.)
  bool refresh(Task& task) {
    if (task.is_done() || task.shared) return task.is_done();
    const auto job = task.handle();
    if (job && job->wait_for(std::chrono::milliseconds(0))) {
      finish(task, job->wait());
      return true;
    }
    return false;
  }

  // Waits until the task is done or `timeout` passes; `abandon` is polled every 200 ms.
  bool wait(Task& task, std::chrono::milliseconds timeout, const std::function<bool()>& abandon = {}) {
    const auto deadline = Clock::now() + timeout;
    while (!refresh(task)) {
      const auto now = Clock::now();
      if (now >= deadline) return false;
      if (abandon && abandon()) return false;
      if (const auto job = task.handle()) {
        job->wait_for(std::min(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now),
                               std::chrono::milliseconds(200)));
      }
    }
    return true;
  }

  std::string task_status(const Task& task) {
    std::lock_guard lock(task.mu);
    if (!task.done && task.shared) return task.shared_pages_done > 0 ? "started" : "pending";
    if (!task.done) {
      const JobProgress p = task.job ? task.job->progress() : JobProgress{};  // progress() takes the job's own lock
      return p.pages_done > 0 || p.documents_done > 0 ? "started" : "pending";
    }
    bool any_ok = task.documents.empty();
    for (const auto& d : task.documents) any_ok |= d && d->error.empty();
    return any_ok ? "success" : "failure";
  }

  json status_json(const std::shared_ptr<Task>& task) {
    refresh(*task);
    json meta;
    {
      std::lock_guard lock(task->mu);
      int ok = 0, partial = 0, failed = 0, processed = 0;
      for (const auto& d : task->documents) {
        if (!d) continue;
        ++processed;
        const Status s = d->status();
        (s == Status::success ? ok : s == Status::partial_success ? partial : failed) += 1;
      }
      meta = {{"num_docs", task->documents.size()},
              {"num_processed", processed},
              {"num_succeeded", ok},
              {"num_partially_succeeded", partial},
              {"num_failed", failed}};
      if (task->job) {
        const JobProgress p = task->job->progress();
        meta["num_pages_done"] = p.pages_done;
        meta["num_pages_known"] = p.pages_known;
      } else if (task->shared) {
        meta["num_pages_done"] = task->shared_pages_done;
        meta["num_pages_known"] = task->shared_pages;
      }
    }
    const std::string status = task_status(*task);
    json out = {{"task_id", task->id}, {"task_type", "convert"}, {"task_status", status}, {"task_meta", meta}};
    out["task_position"] = status == "pending" ? json(pending_position(*task)) : json(nullptr);
    {
      std::lock_guard lock(task->mu);
      if (task->done && task->result.cancelled) out["error_message"] = task->result.error;
    }
    return out;
  }

  size_t pending_position(const Task& task) {
    if (task.shared) return 0;  // the workers' queue is shared by all replicas: no local order
    std::lock_guard lock(mu);
    size_t before = 0;
    for (const auto& [id, t] : tasks) before += t.get() != &task && t->created < task.created && !t->is_done();
    return before;
  }

  // ---- results --------------------------------------------------------------------------------

  static std::string status_text(const std::optional<Document>& d) {
    return d ? std::string(status_name(d->status())) : "skipped";
  }

  json errors_of(const Task& task, const std::optional<Document>& d) {
    json errors = json::array();
    for (const auto& w : task.request.warnings) errors.push_back(error_item("user_input", w));
    if (!d) {
      errors.push_back(error_item("pipeline", task.result.error.empty() ? "not converted" : "not converted (" + task.result.error + ")"));
      return errors;
    }
    for (const Problem& p : d->problems()) errors.push_back(error_item(p.component, p.message, p.page));
    return errors;
  }

  // A document's Markdown options for this request, and its referenced pictures as files
  // (path → PNG) when the request asks for them.
  static MarkdownOptions markdown_options(const Task& task, const Document& doc, const std::string& stem,
                                          std::vector<std::pair<std::string, std::string>>* files) {
    MarkdownOptions md;
    md.page_break = task.request.page_break;
    if (task.request.images != ImageMode::referenced) return md;
    for (size_t i = 0; i < doc.elements.size(); ++i) {
      if (doc.elements[i].image_png.empty()) continue;
      const std::string path = "artifacts/" + stem + "_image_" + std::to_string(files->size()) + ".png";
      md.image_paths[i] = path;
      files->emplace_back(path, doc.elements[i].image_png);
    }
    return md;
  }

  static std::string render_format(const Document& doc, Format f, const MarkdownOptions& md) {
    return f == Format::markdown ? to_markdown(doc, md) : render(doc, f);
  }

  static std::string stem_of(const std::string& filename) {
    const std::string stem = std::filesystem::path(filename).stem().string();
    return stem.empty() ? "document" : stem;
  }

  double processing_time(const Task& task) {
    std::lock_guard lock(task.mu);
    return std::chrono::duration<double>((task.done ? task.finished_at : Clock::now()) - task.created).count();
  }

  void respond_result(const Task& task, httplib::Response& res) {
    std::unique_lock lock(task.mu);
    const bool zip = task.request.zip || task.documents.size() != 1;
    if (zip) {
      ZipWriter writer;
      std::map<std::string, int> used;
      for (size_t i = 0; i < task.documents.size(); ++i) {
        const auto& d = task.documents[i];
        std::string stem = stem_of(task.filenames[i]);
        if (int n = used[stem]++; n > 0) stem += "-" + std::to_string(n + 1);
        if (!d || !d->error.empty()) continue;
        std::vector<std::pair<std::string, std::string>> files;
        const MarkdownOptions md = markdown_options(task, *d, stem, &files);
        for (Format f : task.request.formats) {
          writer.add(stem + "." + std::string(format_extension(f)), render_format(*d, f, md));
        }
        for (const auto& [path, png] : files) writer.add(path, png);
      }
      res.set_header("Content-Disposition", "attachment; filename=\"converted_docs.zip\"");
      res.set_content(writer.finish(), "application/zip");
      return;
    }
    const auto& d = task.documents[0];
    json document = {{"filename", task.filenames[0]}};
    for (Format f : {Format::markdown, Format::json, Format::html, Format::text, Format::doctags}) {
      document[response_field(f)] = nullptr;
    }
    json errors = errors_of(task, d);
    if (d && d->error.empty()) {
      std::vector<std::pair<std::string, std::string>> files;
      const MarkdownOptions md = markdown_options(task, *d, stem_of(task.filenames[0]), &files);
      for (Format f : task.request.formats) {
        // The DoclingDocument goes in as an object, built once (not written out and parsed back).
        document[response_field(f)] = f == Format::json ? docling_json(*d) : json(render_format(*d, f, md));
      }
      if (!files.empty()) {
        errors.push_back(error_item("user_input", "image_export_mode=referenced: the pictures are files of the "
                                                  "zip target; this response links them by name only"));
      }
    }
    lock.unlock();
    const json body = {{"document", document},
                       {"status", status_text(d)},
                       {"errors", errors},
                       {"processing_time", processing_time(task)},
                       {"timings", json::object()}};
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }

  // ---- requests -------------------------------------------------------------------------------

  static void send_error(httplib::Response& res, int status, const std::string& detail) {
    res.status = status;
    res.set_content(json{{"detail", detail}}.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }

  // Turns a request into a task (not yet started), or answers it with an error and returns null.
  std::shared_ptr<Task> admit(ConvertRequest request, std::vector<SourceSpec> sources, httplib::Response& res) {
    if (draining) {
      res.set_header("Retry-After", "30");
      send_error(res, 503, "the server is shutting down");
      return nullptr;
    }
    if (unfinished_tasks() >= options.max_tasks) {
      res.set_header("Retry-After", "5");
      send_error(res, 429, "too many tasks in progress (" + std::to_string(options.max_tasks) + "); retry later");
      return nullptr;
    }
    if (!request.ocr_languages.empty()) check_languages(request);
    if (engine.options().ocr == "off" && request.job.ocr && *request.job.ocr != "off") {
      request.warnings.push_back("OCR is off in this server (started with --ocr off): pages were read from their text layer only");
      request.job.ocr = "off";
    }
    auto task = std::make_shared<Task>();
    task->id = new_task_id();
    task->request = std::move(request);
    std::vector<Input> inputs;
    std::vector<std::string> errors;  // per source: why it failed before conversion
    FetchLimits limits;
    limits.max_bytes = max_bytes();
    limits.timeout = options.fetch_timeout;
    for (auto& s : sources) {
      task->filenames.push_back(s.filename);
      task->documents.emplace_back();
      errors.emplace_back();
      if (s.kind == "http") {
        try {
          s.bytes = fetch_url(s.url, s.headers, limits);
        } catch (const std::exception& e) {
          errors.back() = std::string("cannot fetch ") + e.what();
        }
      }
      inputs.push_back({s.filename, std::make_shared<const std::string>(std::move(s.bytes))});
    }
    try {
      if (shared) {
        shared->submit(task->id, task->request.given, task->request.zip, task->request.warnings, task->filenames,
                       inputs, errors, task->request.job);
        return find(task->id);
      }
      std::vector<Input> job_inputs;
      for (size_t i = 0; i < inputs.size(); ++i) {
        if (errors[i].empty()) {
          task->job_sources.push_back(i);
          job_inputs.push_back(std::move(inputs[i]));
          continue;
        }
        Document failed;
        failed.source = task->filenames[i];
        failed.name = stem_of(task->filenames[i]);
        failed.error = errors[i];
        task->documents[i] = std::move(failed);
      }
      start(task, std::move(job_inputs));
    } catch (const std::invalid_argument& e) {
      send_error(res, 422, e.what());
      return nullptr;
    }
    return task;
  }

  void check_languages(ConvertRequest& request) {
    const bool tesseract = request.job.ocr_engine.value_or(engine.options().ocr_engine) == "tesseract";
    if (tesseract && request.ocr_languages != engine.options().ocr_languages) {
      request.warnings.push_back("ocr_lang=" + request.ocr_languages + ": this server reads " +
                                 engine.options().ocr_languages + " with Tesseract (start it with --ocr-lang)");
    } else if (!tesseract) {
      for (const std::string lang : {"en", "eng", "english", "ch", "zh", "chi_sim", "chinese"}) {
        if (request.ocr_languages == lang) return;
      }
      request.warnings.push_back("ocr_lang=" + request.ocr_languages +
                                 ": PP-OCR reads Latin script and Chinese; use ocr_engine=tesseract for other scripts");
    }
  }

  size_t max_bytes() const { return static_cast<size_t>(options.max_file_mb * 1048576.0); }

  // Parses a multipart /v1/convert/file request.
  std::pair<ConvertRequest, std::vector<SourceSpec>> parse_file_request(const httplib::Request& req) {
    if (!req.is_multipart_form_data()) throw RequestError(415, "expected multipart/form-data with one or more 'files'");
    std::multimap<std::string, std::string> fields;
    std::vector<SourceSpec> sources;
    bool zip = false;
    for (const auto& [name, part] : req.files) {
      if (name == "files") {
        if (part.content.size() > max_bytes()) {
          throw RequestError(413, part.filename + ": file over the " + std::to_string(max_bytes() >> 20) + " MB limit");
        }
        SourceSpec s;
        s.kind = "file";
        s.filename = part.filename.empty() ? "document" : part.filename;
        s.bytes = part.content;
        sources.push_back(std::move(s));
      } else if (name == "target_type") {
        zip = part.content == "zip";
        if (part.content != "zip" && part.content != "inbody") {
          throw RequestError(422, "target_type: unknown target '" + part.content + "' (inbody, zip)");
        }
      } else {
        fields.emplace(name, part.content);
      }
    }
    if (sources.empty()) throw RequestError(422, "files: at least one file is required");
    ConvertRequest request = parse_options(form_to_options(fields));
    request.zip = zip;
    return {std::move(request), std::move(sources)};
  }

  // Parses a JSON /v1/convert/source request.
  std::pair<ConvertRequest, std::vector<SourceSpec>> parse_source_request(const httplib::Request& req) {
    const std::string type = req.get_header_value("Content-Type");
    if (type.find("application/json") == std::string::npos) throw RequestError(415, "expected application/json");
    json body;
    try {
      body = json::parse(req.body);
    } catch (const json::parse_error& e) {
      throw RequestError(422, std::string("body: not valid JSON (") + e.what() + ")");
    }
    if (!body.is_object()) throw RequestError(422, "body: expected an object");
    ConvertRequest request = parse_options(body.value("options", json()));
    std::vector<SourceSpec> sources =
        parse_sources(body.contains("sources") ? body["sources"] : body.value("http_sources", json()), max_bytes());
    if (body.contains("target") && body["target"].is_object()) {
      const std::string kind = body["target"].value("kind", std::string("inbody"));
      if (kind != "inbody" && kind != "zip") throw RequestError(422, "target.kind: unknown target '" + kind + "' (inbody, zip)");
      request.zip = kind == "zip";
    }
    return {std::move(request), std::move(sources)};
  }

  using Parser = std::pair<ConvertRequest, std::vector<SourceSpec>> (Impl::*)(const httplib::Request&);

  void convert(const httplib::Request& req, httplib::Response& res, Parser parse, bool async) {
    std::shared_ptr<Task> task;
    try {
      auto [request, sources] = (this->*parse)(req);
      task = admit(std::move(request), std::move(sources), res);
    } catch (const RequestError& e) {
      send_error(res, e.status, e.what());
      return;
    }
    if (!task) return;
    if (async) {
      res.set_content(status_json(task).dump(), "application/json");
      return;
    }
    const PeerSocket client(req.remote_addr, req.remote_port);
    task = await(task, std::chrono::duration_cast<std::chrono::milliseconds>(options.max_sync_wait),
                 [&] { return client.hung_up(); });
    if (!refresh(*task)) {
      const bool gone = client.hung_up();
      if (task->shared) {
        shared->cancel(task->id);
      } else {
        if (const auto job = task->handle()) job->cancel(gone ? "the client disconnected" : "max sync wait exceeded");
        forget(*task);
      }
      if (gone) ++disconnects;
      send_error(res, 504, "conversion is taking longer than the maximum wait (" +
                               std::to_string(options.max_sync_wait.count()) + " s, --max-sync-wait); its task was cancelled");
      return;
    }
    respond_result(*task, res);
    forget(*task);
  }

  // Times a handler into the endpoint's latency histogram.
  httplib::Server::Handler timed(const std::string& endpoint, httplib::Server::Handler handler) {
    return [this, endpoint, handler](const httplib::Request& req, httplib::Response& res) {
      const auto start = Clock::now();
      handler(req, res);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      std::lock_guard lock(metrics_mu);
      latency[endpoint].add(seconds);
    };
  }

  void routes() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (options.api_key.empty() || req.path == "/health") return httplib::Server::HandlerResponse::Unhandled;
      if (req.get_header_value("X-Api-Key") == options.api_key) return httplib::Server::HandlerResponse::Unhandled;
      send_error(res, 401, "missing or wrong X-Api-Key");
      return httplib::Server::HandlerResponse::Handled;
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) { record(req, res); });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr e) {
      try {
        std::rethrow_exception(e);
      } catch (const SharedTasksUnavailable& unavailable) {
        res.set_header("Retry-After", "5");
        send_error(res, 503, unavailable.what());
      } catch (...) {
        send_error(res, 500, pipeline::current_exception_message());
      }
    });
    http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      const std::string detail = res.status == 404   ? "no such endpoint: " + req.path
                                 : res.status == 413 ? "request body over the size limit (--max-file-size)"
                                 : res.status == 400 ? "malformed request"
                                                     : "request failed";
      send_error(res, res.status, detail);
    });
    for (const auto& [path, parse, async] : {std::tuple{"/v1/convert/file", &Impl::parse_file_request, false},
                                              std::tuple{"/v1/convert/file/async", &Impl::parse_file_request, true},
                                              std::tuple{"/v1/convert/source", &Impl::parse_source_request, false},
                                              std::tuple{"/v1/convert/source/async", &Impl::parse_source_request, true}}) {
      http.Post(path, timed(path, [this, parse = parse, async = async](const auto& req, auto& res) {
                  convert(req, res, parse, async);
                }));
    }
    http.Get(R"(/v1/status/poll/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      auto task = find(req.matches[1]);
      if (!task) return send_error(res, 404, "Task not found.");
      double seconds = 0;
      if (req.has_param("wait")) {
        try {
          seconds = std::clamp(std::stod(req.get_param_value("wait")), 0.0, 3600.0);
        } catch (const std::exception&) {
          return send_error(res, 422, "wait: expected a number of seconds");
        }
      }
      task = await(task, std::chrono::milliseconds(static_cast<long long>(seconds * 1000)));
      res.set_content(status_json(task).dump(), "application/json");
    });
    http.Get(R"(/v1/result/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      auto task = find(req.matches[1]);
      if (!task) return send_error(res, 404, "Task not found.");
      if (!refresh(*task)) return send_error(res, 404, "Task result not found. Please wait for a completion status.");
      respond_result(*task, res);
      forget(*task);  // a result is fetched once, as docling-serve does
    });
    http.Get(R"(/v1/result/([^/]+)/pages)", [this](const httplib::Request& req, httplib::Response& res) {
      auto task = find(req.matches[1]);
      if (!task) return send_error(res, 404, "Task not found.");
      if (task->shared) {
        return send_error(res, 501, "page streaming is not available with --redis (pages are converted on the "
                                    "workers): poll the task and fetch its result");
      }
      auto next = std::make_shared<size_t>(0);
      res.set_chunked_content_provider("application/x-ndjson", [this, task, next](size_t, httplib::DataSink& sink) {
        for (;;) {
          std::vector<std::string> lines;
          bool done;
          {
            std::unique_lock lock(task->mu);
            task->changed.wait_for(lock, std::chrono::milliseconds(200),
                                   [&] { return task->page_lines.size() > *next || task->done; });
            lines.assign(task->page_lines.begin() + static_cast<long>(*next), task->page_lines.end());
            *next = task->page_lines.size();
            done = task->done;
          }
          for (const auto& line : lines) {
            if (!sink.write(line.data(), line.size()) || !sink.write("\n", 1)) return false;
          }
          if (done) {
            const std::string last = json{{"event", "done"}, {"task_status", task_status(*task)}}.dump() + "\n";
            sink.write(last.data(), last.size());
            sink.done();
            return true;
          }
          if (!sink.is_writable()) return false;
          if (!refresh(*task) && lines.empty()) continue;
        }
      });
    });
    http.Get("/health", [](const auto&, auto& res) { res.set_content(R"({"status":"ok"})", "application/json"); });
    http.Get("/ready", [this](const auto&, auto& res) {
      if (draining) return send_error(res, 503, "shutting down");
      res.set_content(R"({"status":"ok"})", "application/json");
    });
    http.Get("/version", [](const auto&, auto& res) {
      res.set_content(json{{"pageflow", PAGEFLOW_VERSION}, {"onnxruntime", ml::runtime_version()}, {"api", "docling-serve v1"}}.dump(),
                      "application/json");
    });
    http.Get("/metrics", [this](const auto&, auto& res) { res.set_content(metrics(), "text/plain; version=0.0.4"); });
  }

  // ---- metrics --------------------------------------------------------------------------------

  // Counts responses by endpoint (task ids folded) and status.
  void record(const httplib::Request& req, const httplib::Response& res) {
    std::string endpoint = req.path;
    if (endpoint.rfind("/v1/status/poll/", 0) == 0) {
      endpoint = "/v1/status/poll";
    } else if (endpoint.rfind("/v1/result/", 0) == 0) {
      endpoint = endpoint.ends_with("/pages") ? "/v1/result/pages" : "/v1/result";
    } else if (endpoint.rfind("/v1/", 0) != 0) {
      endpoint = "other";
    }
    std::lock_guard lock(metrics_mu);
    ++responses[{endpoint, res.status}];
  }

  std::string metrics() {
    const EngineStats s = engine.stats();
    std::ostringstream out;
    out << "# TYPE pageflow_pages_total counter\n"
        << "pageflow_pages_total{status=\"converted\"} " << s.pages_done - s.pages_failed << "\n"
        << "pageflow_pages_total{status=\"failed\"} " << s.pages_failed << "\n"
        << "# TYPE pageflow_documents_total counter\n"
        << "pageflow_documents_total{status=\"converted\"} " << s.documents_done - s.documents_failed << "\n"
        << "pageflow_documents_total{status=\"failed\"} " << s.documents_failed << "\n"
        << "# TYPE pageflow_tasks gauge\n"
        << "pageflow_tasks{state=\"unfinished\"} " << unfinished_tasks() << "\n"
        << "pageflow_tasks{state=\"running_jobs\"} " << s.jobs_active << "\n"
        << "# TYPE pageflow_pages_in_flight gauge\npageflow_pages_in_flight " << s.pages_in_flight << "\n"
        << "# TYPE pageflow_stage_busy_seconds_total counter\n";
    for (const auto& [stage, seconds] : s.stage_busy_seconds) {
      out << "pageflow_stage_busy_seconds_total{stage=\"" << stage << "\"} " << seconds << "\n";
    }
    out << "# TYPE pageflow_client_disconnects_total counter\npageflow_client_disconnects_total " << disconnects.load()
        << "\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "
        << pipeline::current_rss_bytes() << "\n";
    std::error_code ec;
    size_t fds = 0, threads = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) ++fds;
    for (auto it = std::filesystem::directory_iterator("/proc/self/task", ec); !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) ++threads;
    out << "# TYPE process_open_fds gauge\nprocess_open_fds " << fds << "\n"
        << "# TYPE process_threads gauge\nprocess_threads " << threads << "\n";
    std::lock_guard lock(metrics_mu);
    out << "# TYPE pageflow_http_responses_total counter\n";
    for (const auto& [key, n] : responses) {
      out << "pageflow_http_responses_total{endpoint=\"" << key.first << "\",code=\"" << key.second << "\"} " << n << "\n";
    }
    out << "# TYPE pageflow_request_duration_seconds histogram\n";
    for (const auto& [endpoint, h] : latency) {
      for (size_t i = 0; i < std::size(Histogram::kBounds); ++i) {
        out << "pageflow_request_duration_seconds_bucket{endpoint=\"" << endpoint << "\",le=\"" << Histogram::kBounds[i]
            << "\"} " << h.buckets[i] << "\n";
      }
      out << "pageflow_request_duration_seconds_bucket{endpoint=\"" << endpoint << "\",le=\"+Inf\"} " << h.count << "\n"
          << "pageflow_request_duration_seconds_sum{endpoint=\"" << endpoint << "\"} " << h.sum << "\n"
          << "pageflow_request_duration_seconds_count{endpoint=\"" << endpoint << "\"} " << h.count << "\n";
    }
    return out.str();
  }

  Engine& engine;
  const ServiceOptions options;
  httplib::Server http;
  int bound_port = -1;
  std::atomic<bool> draining{false};
  std::atomic<long long> disconnects{0};

  std::mutex mu;
  std::map<std::string, std::shared_ptr<Task>> tasks;
  std::unique_ptr<SharedTasks> shared;  // serve --redis: tasks live there, not in `tasks`

  std::mutex metrics_mu;
  std::map<std::pair<std::string, int>, uint64_t> responses;
  std::map<std::string, Histogram> latency;
};

Server::Server(Engine& engine, ServiceOptions options) : impl_(std::make_unique<Impl>(engine, std::move(options))) {}
Server::~Server() = default;

int Server::port() const { return impl_->bound_port; }

void Server::run(std::stop_token stop) {
  Impl& impl = *impl_;
  std::thread listener([&] { impl.http.listen_after_bind(); });
  {
    std::mutex mu;
    std::condition_variable cv;
    std::stop_callback wake(stop, [&] {
      std::lock_guard lock(mu);
      cv.notify_all();
    });
    std::unique_lock lock(mu);
    while (!stop.stop_requested()) {
      cv.wait_for(lock, std::chrono::seconds(1), [&] { return stop.stop_requested(); });
      impl.purge_expired();
    }
  }
  impl.draining = true;
  impl.engine.drain(std::chrono::duration_cast<std::chrono::milliseconds>(impl.options.drain_timeout));
  // Waiting requests see their tasks finish (or cancelled) and answer; then the listener stops,
  // and httplib joins its workers after the requests in hand.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  impl.http.stop();
  listener.join();
}

}  // namespace pageflow::service
