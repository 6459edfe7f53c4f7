#include "engine/collector.h"

#include "assemble/document_assembler.h"

namespace pageflow {

DocumentCollector::DocumentCollector(std::function<void(Document&&)> on_document,
                                     std::function<void(DocumentPages&&)> on_document_pages,
                                     std::function<void(int)> on_page)
    : on_document_(std::move(on_document)),
      on_document_pages_(std::move(on_document_pages)),
      on_page_(std::move(on_page)) {}

void DocumentCollector::start(const DocumentInput& input) {
  document_ = Document{};
  document_.source = input.input.path;
  document_.name = input.name;
  document_.page_count = input.page_count;
  document_.warnings = input.warnings;
  document_.outline = input.outline;
  page_blocks_.clear();
  last_page_seen_ = 0;
}

void DocumentCollector::consume(pipeline::ItemPtr item) {
  auto& page = static_cast<Page&>(*item);
  if (input_ && input_ != page.doc) finish("not converted");
  if (!input_) {
    input_ = page.doc;
    start(*page.doc);
  }
  if (page.number == 0) {
    document_.error = page.error;
  } else {
    last_page_seen_ = page.number;
    if (page.cancelled) {
      add_missing(document_.missing, {page.number, page.number}, page.error);
    } else {
      add_result(page);
    }
    ++pages_done_;
    if (on_page_) on_page_(pages_done_);
  }
  if (page.last_of_document) deliver();
}

PageResult page_result(const Page& page) {
  PageResult result;
  result.number = page.number;
  result.width = page.width;
  result.height = page.height;
  result.ok = !page.failed();
  if (!result.ok) result.error = page.failed_stage + ": " + page.error;
  for (const auto& line : page.lines) result.ocr |= line.from_ocr;
  result.rotation = page.rotation;
  result.warning = page.warning;
  result.timings = page.timings;
  return result;
}

void DocumentCollector::add_result(Page& page) {
  document_.pages.push_back(page_result(page));
  page_blocks_.push_back(std::move(page.blocks));
}

void DocumentCollector::finish(const std::string& reason) {
  if (!input_) return;
  // Pages the run never reached are reported, not silently dropped.
  for (PageRange r : input_->selected) {
    if (r.last <= last_page_seen_) continue;
    r.first = std::max(r.first, last_page_seen_ + 1);
    add_missing(document_.missing, r, reason);
  }
  deliver();
}

void DocumentCollector::deliver() {
  if (input_) {
    for (const auto& m : input_->over_limit) add_missing(document_.missing, m.pages, m.reason);
  }
  const bool assemble = !on_document_pages_ && document_.error.empty();
  if (assemble) assemble_document(document_, page_blocks_);
  ++result_.documents;
  if (!document_.error.empty()) ++result_.failed_documents;
  for (const auto& p : document_.pages) {
    ++result_.pages;
    if (!p.ok) ++result_.failed_pages;
  }
  result_.missing_pages += document_.missing_pages();
  if (document_.status() == Status::partial_success) ++result_.partial_documents;
  input_.reset();
  if (on_document_pages_) {
    on_document_pages_(DocumentPages{std::move(document_), std::move(page_blocks_)});
  } else if (on_document_) {
    on_document_(std::move(document_));
  }
  page_blocks_.clear();
}

}  // namespace pageflow
