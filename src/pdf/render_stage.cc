#include "pdf/render_stage.h"

namespace pageflow::pdf {

RenderStage::RenderStage(const MupdfEngine& engine, std::string password, RenderRequest request)
    : engine_(engine), password_(std::move(password)), request_(request) {}

void RenderStage::open(int workers) {
  while (static_cast<int>(readers_.size()) < workers) {
    readers_.push_back(std::make_unique<PdfReader>(engine_));
  }
}

void RenderStage::process(std::span<pipeline::Item* const> batch, int worker) {
  PdfReader& reader = *readers_.at(static_cast<size_t>(worker));
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    // Per-page failures stay with the page, so the rest of a batch is not rendered twice.
    try {
      reader.open(page.doc->input, password_, page.doc->id);
      reader.load(page.number, request_, page);
    } catch (const PdfError& e) {
      page.fail(name(), e.what());
    }
  }
}

}  // namespace pageflow::pdf
