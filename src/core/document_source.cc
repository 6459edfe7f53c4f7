#include "core/document_source.h"

#include <atomic>
#include <cstdio>
#include <filesystem>

namespace pageflow {

namespace {
std::atomic<uint64_t> g_next_input_id{1};
}

std::string document_name(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

DocumentSource::DocumentSource(const std::vector<Input>& inputs, const Options& options,
                               const pdf::MupdfEngine& engine)
    : inputs_(inputs), options_(options), reader_(engine) {}

void DocumentSource::check_size(const Input& input) const {
  if (options_.max_file_mb <= 0) return;
  std::error_code ec;
  const double bytes = input.bytes ? static_cast<double>(input.bytes->size())
                                   : static_cast<double>(std::filesystem::file_size(input.path, ec));
  if (!ec && bytes > options_.max_file_mb * 1048576.0) {
    char reason[160];
    std::snprintf(reason, sizeof reason, "file is %.1f MB, over the %.1f MB limit (--max-file-size)",
                  bytes / 1048576.0, options_.max_file_mb);
    throw pdf::PdfError(reason);
  }
}

pipeline::ItemPtr DocumentSource::next() {
  for (;;) {
    if (current_ && next_page_ < current_->selected.size()) {
      auto page = std::make_unique<Page>();
      page->doc = current_;
      page->number = current_->selected[next_page_];
      page->last_of_document = ++next_page_ == current_->selected.size();
      // Pages past the limit travel as failed items, so the document reports them.
      if (options_.max_pages > 0 && next_page_ > static_cast<size_t>(options_.max_pages)) {
        page->fail("limits", "beyond the " + std::to_string(options_.max_pages) + "-page limit (--max-pages)");
      }
      return page;
    }
    if (next_input_ == inputs_.size()) return nullptr;
    auto doc = std::make_shared<DocumentInput>();
    doc->id = g_next_input_id.fetch_add(1);
    doc->index = next_input_;
    doc->input = inputs_[next_input_++];
    doc->name = document_name(doc->input.path);
    try {
      check_size(doc->input);
      reader_.open(doc->input, options_.password, doc->id);
      doc->page_count = reader_.page_count();
      if (reader_.was_repaired()) doc->warnings.push_back("damaged cross-reference table, repaired");
      if (doc->page_count == 0) throw pdf::PdfError("the document has no pages");
      doc->selected = parse_page_selection(options_.pages, doc->page_count);
      if (doc->selected.empty()) {
        throw pdf::PdfError("--pages " + options_.pages + " selects none of its " +
                            std::to_string(doc->page_count) + " pages");
      }
    } catch (const std::exception& e) {
      auto failed = std::make_unique<Page>();
      failed->doc = doc;
      failed->last_of_document = true;
      failed->fail("open", e.what());
      return failed;
    }
    known_pages_ += static_cast<int>(doc->selected.size());
    current_ = std::move(doc);
    next_page_ = 0;
  }
}

}  // namespace pageflow
