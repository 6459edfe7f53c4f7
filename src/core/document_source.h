// Pipeline source over a list of inputs: opens each input on the feeding thread to learn its page
// count and check the password, then yields one Page per selected page. An input that cannot be
// opened yields a single already-failed Page (number 0) so the failure reaches the sink in order.
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
  DocumentSource(const std::vector<Input>& inputs, const Options& options,
                 const pdf::MupdfEngine& engine);
  pipeline::ItemPtr next() override;

  // Pages selected across the inputs opened so far (grows as the source advances).
  int known_pages() const { return known_pages_.load(); }

 private:
  void check_size(const Input& input) const;  // throws PdfError over --max-file-size

  const std::vector<Input>& inputs_;
  const Options& options_;
  pdf::PdfReader reader_;
  std::shared_ptr<DocumentInput> current_;
  size_t next_input_ = 0;
  size_t next_page_ = 0;
  std::atomic<int> known_pages_{0};
};

// File name without directory and extension.
std::string document_name(const std::string& path);

}  // namespace pageflow
