// Pipeline sink: gathers pages (which arrive in order) into Documents and hands each Document to
// the caller as soon as its last page is through. Runs the document-level assembly pass, unless
// the caller takes documents before that pass (on_document_pages).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/blocks.h"
#include "core/page.h"
#include "pipeline/stage.h"

namespace pageflow {

// A converted or failed page's summary.
PageResult page_result(const Page& page);

class DocumentCollector : public pipeline::Sink {
 public:
  DocumentCollector(std::function<void(Document&&)> on_document,
                    std::function<void(DocumentPages&&)> on_document_pages, std::function<void(int done)> on_page);
  void consume(pipeline::ItemPtr item) override;

  // Delivers a document left incomplete by a stopped run; its missing pages get `reason`.
  void finish(const std::string& reason);

  const RunResult& result() const { return result_; }

 private:
  void start(const DocumentInput& input);
  void add_result(Page& page);  // a converted or failed page
  void deliver();

  std::function<void(Document&&)> on_document_;
  std::function<void(DocumentPages&&)> on_document_pages_;
  std::function<void(int)> on_page_;
  std::shared_ptr<const DocumentInput> input_;  // document being collected, null if none
  Document document_;
  std::vector<std::vector<Block>> page_blocks_;
  RunResult result_;
  int pages_done_ = 0;
  int last_page_seen_ = 0;  // of the document being collected (pages arrive in order)
};

}  // namespace pageflow
