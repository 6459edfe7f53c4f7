#include "pdf/render_stage.h"

#include "ocr/policy.h"

namespace pageflow::pdf {

RenderStage::RenderStage(const MupdfEngine& engine, std::string password, RenderRequest request,
                         OcrRequest ocr)
    : engine_(engine), password_(std::move(password)), request_(request), ocr_(ocr) {}

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
      page.blank = ocr::is_blank(page);
      page.needs_ocr = ocr_.mode == OcrMode::force || (ocr_.mode == OcrMode::automatic && ocr::needs_ocr(page));
      page.ocr_regions.clear();
      if (!page.needs_ocr && ocr_.mode == OcrMode::automatic && ocr_.pictures) page.ocr_regions = ocr::picture_regions(page);
      if (page.needs_ocr || !page.ocr_regions.empty()) {
        page.ocr_raster = reader.render(page.number, ocr_.dpi, request_.max_pixels, &page.ocr_scale);
      }
    } catch (const PdfError& e) {
      page.fail(name(), e.what());
    }
  }
}

}  // namespace pageflow::pdf
