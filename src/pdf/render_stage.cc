#include "pdf/render_stage.h"

#include <algorithm>

#include <opencv2/core.hpp>

#include "ocr/policy.h"

namespace pageflow::pdf {

namespace {

// A page whose text runs up or down it (a wide table set sideways on an upright page) is turned so
// that its text reads across: boxes, lines, words and raster, and its width and height swapped.
// Only when three in four of its characters run the same way; a spine or a margin stamp does not
// turn a page.
void turn_sideways_text_upright(Page& page) {
  size_t all = 0, down = 0, up = 0;
  for (const auto& line : page.lines) {
    all += line.text.size();
    if (line.sideways > 0) down += line.text.size();
    if (line.sideways < 0) up += line.text.size();
  }
  if (all == 0 || std::max(down, up) * 4 < all * 3) return;
  // Text reading up turns a quarter clockwise, text reading down a quarter counterclockwise.
  const bool clockwise = up > down;
  const double w = page.width, h = page.height;
  auto turn = [&](Box& b) {
    b = clockwise ? Box{h - b.b, b.l, h - b.t, b.r} : Box{b.t, w - b.r, b.b, w - b.l};
  };
  for (auto& line : page.lines) {
    turn(line.box);
    for (auto& word : line.words) turn(word.box);
    line.sideways = 0;
  }
  for (auto& b : page.image_boxes) turn(b);
  for (auto& b : page.drawing_boxes) turn(b);
  if (!page.raster.empty()) {
    cv::rotate(page.raster, page.raster, clockwise ? cv::ROTATE_90_CLOCKWISE : cv::ROTATE_90_COUNTERCLOCKWISE);
  }
  std::swap(page.width, page.height);
  page.rotation = clockwise ? 90 : 270;
}

}  // namespace

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
        turn_sideways_text_upright(page);
      } else if (page.ocr_raster.empty()) {
        page.ocr_raster = reader.render(page.number, settings.ocr_dpi, request_.max_pixels, &page.ocr_scale);
      }
    } catch (const PdfError& e) {
      page.fail(name(), e.what());
    }
  }
}

}  // namespace pageflow::pdf
