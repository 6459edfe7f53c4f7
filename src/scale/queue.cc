#include "scale/queue.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "assemble/document_assembler.h"
#include "engine/document_source.h"
#include "scale/wire.h"

namespace pageflow::scale {

namespace {

long long now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string bytes_key(const std::string& task) { return task_key(task) + ":bytes"; }
std::string done_key(const std::string& task) { return task_key(task) + ":done"; }
std::string result_key(const std::string& task) { return task_key(task) + ":result"; }

// `path` relative to `root`, refusing paths that leave it (also through symbolic links).
std::string path_under_root(const std::string& path, const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path file = fs::canonical(path, ec);
  if (ec) throw std::invalid_argument(path + ": " + ec.message());
  const fs::path base = fs::canonical(root, ec);
  if (ec) throw std::invalid_argument("--shared-root " + root + ": " + ec.message());
  const fs::path relative = file.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..") {
    throw std::invalid_argument(path + ": outside the shared root " + root + " (--shared-root): workers could not read it");
  }
  return relative.string();
}

std::shared_ptr<const std::string> read_whole_file(const std::string& path, double max_mb) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw std::invalid_argument(path + ": " + ec.message());
  if (static_cast<double>(size) > max_mb * 1048576.0) {
    char reason[200];
    std::snprintf(reason, sizeof reason,
                  ": %.1f MB, over the %.0f MB that may travel through Redis (--max-source-size); "
                  "put it on storage every worker mounts and pass --shared-root",
                  static_cast<double>(size) / 1048576.0, max_mb);
    throw std::invalid_argument(path + reason);
  }
  std::ifstream in(path, std::ios::binary);
  auto bytes = std::make_shared<std::string>(size, '\0');
  if (!in.read(bytes->data(), static_cast<std::streamsize>(size))) throw std::invalid_argument(path + ": cannot read");
  return bytes;
}

// Runs the document-level pass once every slice is stored. Two workers finishing the last two
// slices at once may both get here; the result they store is the same.
void assemble_task(Redis& redis, const std::string& task) {
  const RedisReply fields = redis.command({"HMGET", task_key(task), "state", "slices", "skeleton", "notify", "ttl"});
  if (fields.elements.size() != 5 || fields.elements[0].text != "queued") return;
  const int slices = std::stoi(fields.elements[1].text);
  std::vector<std::string> get = {"MGET"};
  for (int k = 0; k < slices; ++k) get.push_back(slice_key(task, k));
  const RedisReply stored = redis.command(get);
  std::vector<DocumentPages> parts;
  for (const auto& s : stored.elements) {
    if (s.nil()) return;  // expired meanwhile: nothing sensible to assemble
    parts.push_back(decode_document_pages(s.text));
  }
  const Document document = join_slices(decode_document(fields.elements[2].text), std::move(parts));
  const std::string& notify = fields.elements[3].text;
  const std::string ttl = fields.elements[4].text;
  std::vector<std::vector<std::string>> commands = {
      {"SET", result_key(task), encode(document), "EX", ttl},
      {"HSET", task_key(task), "state", "done", "finished", std::to_string(now_ms())},
      {"RPUSH", notify, task},
      {"EXPIRE", notify, ttl},
      {"DEL", bytes_key(task)}};
  for (int k = 0; k < slices; ++k) commands.push_back({"DEL", slice_key(task, k)});
  redis.pipeline(commands);
}

}  // namespace

std::string random_id() {
  static thread_local std::mt19937_64 random(std::random_device{}());
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(random()));
  return id;
}

std::string task_key(const std::string& task) { return "pageflow:task:" + task; }
std::string slice_key(const std::string& task, int slice) { return task_key(task) + ":slice:" + std::to_string(slice); }

void ensure_group(Redis& redis) {
  try {
    // From the stream's start: entries a producer added before any worker came are delivered.
    redis.command({"XGROUP", "CREATE", kSlices, kGroup, "0", "MKSTREAM"});
  } catch (const RedisError& e) {
    if (std::string(e.what()).rfind("BUSYGROUP", 0) != 0) throw;
  }
}

std::vector<std::string> plan_slices(std::vector<PageRange> selected, int slice_pages) {
  std::vector<std::string> slices;
  while (!selected.empty()) {
    std::vector<PageRange> rest = split_pages(selected, slice_pages);
    slices.push_back(describe_pages(selected));
    selected = std::move(rest);
  }
  return slices;
}

Document join_slices(Document skeleton, std::vector<DocumentPages> slices) {
  DocumentPages whole;
  whole.document = std::move(skeleton);
  std::vector<MissingPages> over_limit = std::move(whole.document.missing);
  whole.document.missing.clear();
  Document& doc = whole.document;
  for (auto& slice : slices) {
    if (!slice.document.error.empty()) {
      doc.error = slice.document.error;
      break;
    }
    for (auto& page : slice.document.pages) doc.pages.push_back(std::move(page));
    for (auto& blocks : slice.blocks) whole.blocks.push_back(std::move(blocks));
    for (const auto& m : slice.document.missing) add_missing(doc.missing, m.pages, m.reason);
    for (const auto& w : slice.document.warnings) {
      if (std::find(doc.warnings.begin(), doc.warnings.end(), w) == doc.warnings.end()) doc.warnings.push_back(w);
    }
  }
  if (!doc.error.empty()) {
    doc.pages.clear();
    doc.missing.clear();
    return doc;
  }
  for (const auto& m : over_limit) add_missing(doc.missing, m.pages, m.reason);
  assemble_document(doc, whole.blocks);
  return doc;
}

struct Producer::Impl {
  Impl(Redis& r, ProducerOptions o)
      : redis(r), options(std::move(o)), mupdf(options.limits.memory_limit_mb << 20), reader(mupdf) {}
  Redis& redis;
  ProducerOptions options;
  pdf::MupdfEngine mupdf;
  pdf::PdfReader reader;
  bool group_ready = false;
  uint64_t next_identity = 1;  // tells the reader each file is a new one (0 is never valid)
};

Producer::Producer(Redis& redis, ProducerOptions options) : impl_(std::make_unique<Impl>(redis, std::move(options))) {}
Producer::~Producer() = default;

std::string Producer::submit(const Input& input, const JobOptions& job, const std::string& notify) {
  const ProducerOptions& o = impl_->options;
  Redis& redis = impl_->redis;
  if (!impl_->group_ready) ensure_group(redis);
  impl_->group_ready = true;

  DocumentInput doc;
  doc.id = impl_->next_identity++;
  doc.input = input;
  doc.name = document_name(input.path);
  std::string shared_path;
  if (!o.shared_root.empty() && !input.bytes) {
    shared_path = path_under_root(input.path, o.shared_root);
  } else if (!input.bytes) {
    doc.input.bytes = read_whole_file(input.path, o.max_source_mb);
  } else if (static_cast<double>(input.bytes->size()) > o.max_source_mb * 1048576.0) {
    throw std::invalid_argument(input.path + ": over the " + std::to_string(static_cast<int>(o.max_source_mb)) +
                                " MB that may travel through Redis (--max-source-size)");
  }
  Options limits = o.limits;
  limits.pages = job.pages.value_or("");
  Document skeleton;
  skeleton.source = input.path;
  skeleton.name = doc.name;
  try {
    open_document(doc, impl_->reader, limits, PageSelection::parse(limits.pages), job.password.value_or(""), {});
  } catch (const std::exception& e) {
    skeleton.error = e.what();
  }
  skeleton.page_count = doc.page_count;
  skeleton.warnings = doc.warnings;
  skeleton.outline = doc.outline;
  for (const auto& m : doc.over_limit) add_missing(skeleton.missing, m.pages, m.reason);

  const std::string task = random_id();
  const std::string ttl = std::to_string(o.ttl.count());
  if (!skeleton.error.empty()) {
    const std::string now = std::to_string(now_ms());
    redis.pipeline({{"HSET", task_key(task), "name", input.path, "state", "done", "slices", "0", "pages", "0",
                     "pages_done", "0", "notify", notify, "ttl", ttl, "created", now, "finished", now},
                    {"EXPIRE", task_key(task), ttl},
                    {"SET", result_key(task), encode(skeleton), "EX", ttl},
                    {"RPUSH", notify, task},
                    {"EXPIRE", notify, ttl}});
    return task;
  }
  const std::vector<std::string> slices = plan_slices(doc.selected, o.slice_pages);
  std::vector<std::vector<std::string>> commands = {
      {"HSET", task_key(task), "name", input.path, "source", shared_path, "options", encode(job), "skeleton",
       encode(skeleton), "slices", std::to_string(slices.size()), "pages", std::to_string(count_pages(doc.selected)),
       "pages_done", "0", "state", "queued", "notify", notify, "ttl", ttl, "created", std::to_string(now_ms())},
      {"EXPIRE", task_key(task), ttl}};
  if (shared_path.empty()) commands.push_back({"SET", bytes_key(task), *doc.input.bytes, "EX", ttl});
  for (size_t k = 0; k < slices.size(); ++k) {
    commands.push_back({"XADD", kSlices, "*", "task", task, "slice", std::to_string(k), "pages", slices[k]});
  }
  redis.pipeline(commands);
  return task;
}

bool Producer::renotify(const std::string& task, const std::string& notify) {
  if (!task_status(impl_->redis, task).exists) return false;
  impl_->redis.command({"HSET", task_key(task), "notify", notify});
  return true;
}

TaskStatus task_status(Redis& redis, const std::string& task) {
  const RedisReply r = redis.command({"HMGET", task_key(task), "state", "slices", "pages", "pages_done", "finished"});
  TaskStatus status;
  if (r.elements.size() != 5 || r.elements[0].nil()) return status;
  status.exists = true;
  status.done = r.elements[0].text == "done";
  status.slices = std::stoi(r.elements[1].text);
  status.pages = std::stoi(r.elements[2].text);
  status.pages_done = std::stoi(r.elements[3].text);
  if (!r.elements[4].nil()) status.finished_ms = std::stoll(r.elements[4].text);
  return status;
}

std::optional<Document> task_result(Redis& redis, const std::string& task) {
  const RedisReply r = redis.command({"GET", result_key(task)});
  if (r.nil()) return std::nullopt;
  return decode_document(r.text);
}

void cancel_task(Redis& redis, const std::string& task) {
  if (redis.command({"HGET", task_key(task), "state"}).text == "queued") {
    redis.pipeline({{"HSET", task_key(task), "state", "cancelled"}, {"DEL", bytes_key(task)}});
  }
}

void complete_slice(Redis& redis, const std::string& task, int slice, int pages, const DocumentPages& result) {
  const RedisReply ttl = redis.command({"HGET", task_key(task), "ttl"});
  if (ttl.nil()) return;  // the task expired or was deleted
  const auto stored = redis.pipeline({{"SET", slice_key(task, slice), encode(result), "EX", ttl.text},
                                      {"SADD", done_key(task), std::to_string(slice)},
                                      {"EXPIRE", done_key(task), ttl.text}});
  if (stored[1].integer == 1) redis.command({"HINCRBY", task_key(task), "pages_done", std::to_string(pages)});
  const auto counts = redis.pipeline({{"SCARD", done_key(task)}, {"HGET", task_key(task), "slices"}});
  if (!counts[1].nil() && counts[0].integer >= std::stoll(counts[1].text)) assemble_task(redis, task);
}

}  // namespace pageflow::scale
