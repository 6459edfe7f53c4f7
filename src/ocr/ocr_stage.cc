#include "ocr/ocr_stage.h"

#include <algorithm>
#include <utility>

#include "ocr/bullets.h"
#include "ocr/form_boxes.h"
#include "core/ink.h"
#include "core/ruled_frames.h"

namespace pageflow::ocr {

namespace {

// Pixels per point at which the OCR raster holds detail: a scan drawn larger holds only its own.
double detail_of(const Page& page) {
  return page.scan_dpi > 0 ? std::min(page.ocr_scale, page.scan_dpi / 72) : page.ocr_scale;
}

}  // namespace

Engine& OcrStage::engine_for(const Page& page) const {
  Engine* tesseract = tesseract_.load();
  return page.doc->settings->tesseract && tesseract ? *tesseract : paddle_;
}

// Reads each picture region of a digital page; its lines join the text layer's (assembly keeps
// text inside pictures with the picture).
void OcrStage::read_pictures(Page& page, int worker) {
  const double s = page.ocr_scale;
  std::vector<TextLine> found;
  for (const Box& region : page.ocr_regions) {
    const cv::Rect area = pixel_rect(region, s, page.ocr_raster);
    if (area.width < 16 || area.height < 16) continue;
    for (TextLine& line : engine_for(page).read(page.ocr_raster(area).clone(), s, detail_of(page), {}, worker)) {
      auto shift = [&](Box& b) {
        b = {b.l + area.x / s, b.t + area.y / s, b.r + area.x / s, b.b + area.y / s};
      };
      shift(line.box);
      for (auto& w : line.words) shift(w.box);
      found.push_back(std::move(line));
    }
  }
  page.lines.insert(page.lines.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  page.ocr_raster.release();
}

bool OcrStage::wants(const pipeline::Item& item) const {
  return !static_cast<const Page&>(item).ocr_raster.empty();
}

void OcrStage::process(std::span<pipeline::Item* const> batch, int worker) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    if (page.ocr_raster.empty()) continue;  // a retried call: this page is done
    if (!page.needs_ocr) {
      read_pictures(page, worker);
      continue;
    }
    // Work on locals and commit at the end: a retried call must find the page as it was.
    const Orientation orientation = paddle_.orient(page.ocr_raster);
    const int rotation = orientation.rotation;
    const cv::Mat upright = rotate_clockwise(page.ocr_raster, rotation);
    Engine& engine = engine_for(page);
    const cv::Mat ink = ink_of(upright);
    const std::vector<FormBox> boxes = find_form_boxes(ink, page.ocr_scale, orientation.lines);
    const double detail = detail_of(page);
    std::vector<TextLine> lines;
    if (boxes.empty()) {
      lines = engine.read(upright, page.ocr_scale, detail, orientation.lines, worker);
    } else {
      lines = engine.read(without_boxes(upright, boxes), page.ocr_scale, detail,
                          lines_past_boxes(orientation.lines, boxes),
                          worker);
      // In Chinese or Japanese text a square opening a line may be the character 口: read again
      // as printed.
      if (mostly_ideographs(lines)) {
        lines = engine.read(upright, page.ocr_scale, detail, orientation.lines, worker);
      } else {
        place_drawn_checkboxes(lines, as_shapes(boxes, page.ocr_scale));
      }
    }
    restore_bullets(lines);
    find_drawn_bullets(ink, page.ocr_scale, lines);
    if (rotation != 0) {
      if (!page.raster.empty()) page.raster = rotate_clockwise(page.raster, rotation);
      if (rotation != 180) std::swap(page.width, page.height);
    }
    page.rotation = rotation;
    RuledLayout ruled = find_ruled_layout(ink, page.ocr_scale);
    page.frames = std::move(ruled.frames);
    page.frames.insert(page.frames.end(), ruled.grid_rows.begin(), ruled.grid_rows.end());
    page.lines = std::move(lines);
    page.image_boxes.clear();
    page.ocr_raster.release();
  }
}

}  // namespace pageflow::ocr
