// Pipeline source over a list of inputs: opens each input on the feeding thread to learn its real
// page count (counted in the page tree, never taken from the file's word) and check the password,
// then yields one Page per selected page, walking the selection's ranges lazily. An input that
// cannot be opened yields a single already-failed Page (number 0) so the failure reaches the sink
// in order.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "core/page.h"
#include "pdf/mupdf.h"
#include "pipeline/stage.h"

namespace pageflow {

class DocumentSource : public pipeline::Source {
 public:
  // Every document gets `settings` and belongs to submission `job`.
  DocumentSource(const std::vector<Input>& inputs, const Options& options, PageSelection selection,
                 std::shared_ptr<const DocumentSettings> settings, uint64_t job, const pdf::MupdfEngine& engine);
  pipeline::ItemPtr next(std::stop_token stop) override;

  // Pages selected across the inputs opened so far (grows as the source advances).
  int known_pages() const { return known_pages_.load(); }

 private:
  const std::vector<Input>& inputs_;
  const Options& options_;
  PageSelection selection_;
  std::shared_ptr<const DocumentSettings> settings_;
  uint64_t job_;
  pdf::PdfReader reader_;
  std::shared_ptr<DocumentInput> current_;
  size_t next_input_ = 0;
  size_t range_ = 0;     // position in current_->selected
  int next_page_ = 0;    // next page number within that range
  std::atomic<int> known_pages_{0};
};

// Reads `doc.input` far enough to fill in its page count, warnings, selected pages and pages over
// --max-pages; throws (PdfError) with the reason the document fails. Used by the source and by
// producers that split a document into slices before any worker sees it.
void open_document(DocumentInput& doc, pdf::PdfReader& reader, const Options& options,
                   const PageSelection& selection, const std::string& password, std::stop_token stop);

// File name without directory and extension.
std::string document_name(const std::string& path);

}  // namespace pageflow
