#include "pdf/render_stage.h"

#include "ocr/policy.h"

namespace pageflow::pdf {

RenderStage::RenderStage(const MupdfEngine& engine, RenderRequest request) : engine_(engine), request_(request) {}

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
      const DocumentSettings& settings = *page.doc->settings;
      reader.open(page.doc->input, settings.password, page.doc->id);
      RenderRequest request = request_;
      request.render |= settings.ocr == OcrMode::automatic;
      if (settings.picture_images && settings.picture_dpi > 0) request.dpi = settings.picture_dpi;
      if (settings.ocr != OcrMode::off) request.scan_dpi = settings.ocr_dpi;
      reader.load(page.number, request, page);
      page.blank = ocr::is_blank(page);
      page.needs_ocr = settings.ocr == OcrMode::force || (settings.ocr == OcrMode::automatic && ocr::needs_ocr(page));
      page.ocr_regions.clear();
      if (!page.needs_ocr && settings.ocr == OcrMode::automatic && settings.ocr_pictures) {
        page.ocr_regions = ocr::picture_regions(page);
      }
      if (!page.needs_ocr && page.ocr_regions.empty()) {
        page.ocr_raster.release();  // drawn for a page that looked scanned but is blank
      } else if (page.ocr_raster.empty()) {
        page.ocr_raster = reader.render(page.number, settings.ocr_dpi, request_.max_pixels, &page.ocr_scale);
      }
    } catch (const PdfError& e) {
      page.fail(name(), e.what());
    }
  }
}

}  // namespace pageflow::pdf
