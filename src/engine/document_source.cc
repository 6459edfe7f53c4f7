#include "engine/document_source.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace pageflow {

namespace {

std::atomic<uint64_t> g_next_input_id{1};

// Inputs that are not regular files (a FIFO, a process substitution `<(...)`, a device) are read
// once into memory: the reader opens a file twice (to recognise it, then to parse it), which a
// pipe cannot serve. The read waits in short polls so a stop request is seen while no writer
// has come yet; it stops at `limit` bytes.
Input read_special_file(const Input& input, size_t limit, const std::string& limit_name,
                        const std::stop_token& stop) {
  struct stat info {};
  if (input.bytes || ::stat(input.path.c_str(), &info) != 0 || S_ISREG(info.st_mode)) return input;
  if (S_ISDIR(info.st_mode)) throw pdf::PdfError("is a directory, not a file");
  const int fd = ::open(input.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw pdf::PdfError(std::string("cannot read file: ") + std::strerror(errno));
  auto bytes = std::make_shared<std::string>();
  std::string error;
  char chunk[65536];
  for (;;) {
    if (stop.stop_requested()) {
      error = "cancelled";
      break;
    }
    pollfd waiting{fd, POLLIN, 0};
    if (::poll(&waiting, 1, 100) == 0) continue;
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n == 0 && (waiting.revents & POLLHUP)) break;  // the writer is done
    if (n == 0) continue;  // no writer has opened the pipe yet
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      error = std::string("cannot read file: ") + std::strerror(errno);
      break;
    }
    bytes->append(chunk, static_cast<size_t>(n));
    if (bytes->size() > limit) {
      error = "input is over the " + std::to_string(limit >> 20) + " MB limit (" + limit_name + ")";
      break;
    }
  }
  ::close(fd);
  if (!error.empty()) throw pdf::PdfError(error);
  return {input.path, std::move(bytes)};
}

// Throws PdfError for a file over --max-file-size.
void check_size(const Input& input, const Options& options) {
  if (options.max_file_mb <= 0) return;
  std::error_code ec;
  const double bytes = input.bytes ? static_cast<double>(input.bytes->size())
                                   : static_cast<double>(std::filesystem::file_size(input.path, ec));
  if (!ec && bytes > options.max_file_mb * 1048576.0) {
    char reason[160];
    std::snprintf(reason, sizeof reason, "file is %.1f MB, over the %.1f MB limit (--max-file-size)",
                  bytes / 1048576.0, options.max_file_mb);
    throw pdf::PdfError(reason);
  }
}

}  // namespace

std::string document_name(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

void open_document(DocumentInput& doc, pdf::PdfReader& reader, const Options& options,
                   const PageSelection& selection, const std::string& password, std::stop_token stop) {
  const bool file_limit = options.max_file_mb > 0;
  const double limit_mb = file_limit ? options.max_file_mb : static_cast<double>(options.memory_limit_mb);
  doc.input = read_special_file(doc.input, static_cast<size_t>(limit_mb * 1048576.0),
                                 file_limit ? "--max-file-size" : "--memory-limit", stop);
  check_size(doc.input, options);
  doc.input = reader.readable(doc.input);
  reader.open(doc.input, password, doc.id);
  doc.page_count = reader.page_count(stop);
  if (reader.was_repaired()) doc.warnings.push_back("damaged cross-reference table, repaired");
  doc.outline = reader.outline();
  if (doc.page_count == 0) throw pdf::PdfError("the document has no pages");
  doc.selected = selection.resolve(doc.page_count);
  if (doc.selected.empty()) {
    throw pdf::PdfError("--pages " + options.pages + " selects none of its " +
                        std::to_string(doc.page_count) + " pages");
  }
  if (options.max_pages > 0) {
    const std::string reason = "over the " + std::to_string(options.max_pages) + "-page limit (--max-pages)";
    for (const PageRange& r : split_pages(doc.selected, options.max_pages)) doc.over_limit.push_back({r, reason});
  }
}

DocumentSource::DocumentSource(const std::vector<Input>& inputs, const Options& options,
                               PageSelection selection, std::shared_ptr<const DocumentSettings> settings,
                               uint64_t job, const pdf::MupdfEngine& engine)
    : inputs_(inputs), options_(options), selection_(std::move(selection)), settings_(std::move(settings)),
      job_(job), reader_(engine) {}

pipeline::ItemPtr DocumentSource::next(std::stop_token stop) {
  for (;;) {
    if (current_ && range_ < current_->selected.size()) {
      auto page = std::make_unique<Page>();
      page->doc = current_;
      page->number = next_page_;
      if (next_page_ == current_->selected[range_].last) {
        if (++range_ < current_->selected.size()) next_page_ = current_->selected[range_].first;
      } else {
        ++next_page_;
      }
      page->last_of_document = range_ == current_->selected.size();
      return page;
    }
    if (next_input_ == inputs_.size() || stop.stop_requested()) return nullptr;
    auto doc = std::make_shared<DocumentInput>();
    doc->id = g_next_input_id.fetch_add(1);
    doc->job = job_;
    doc->settings = settings_;
    doc->index = next_input_;
    doc->input = inputs_[next_input_++];
    doc->name = document_name(doc->input.path);
    try {
      open_document(*doc, reader_, options_, selection_, settings_->password, stop);
    } catch (const std::exception& e) {
      auto failed = std::make_unique<Page>();
      failed->doc = doc;
      failed->last_of_document = true;
      failed->fail("open", e.what());
      return failed;
    }
    known_pages_ += static_cast<int>(count_pages(doc->selected));
    current_ = std::move(doc);
    range_ = 0;
    next_page_ = current_->selected.front().first;
  }
}

}  // namespace pageflow
