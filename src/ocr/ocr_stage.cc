#include "ocr/ocr_stage.h"

#include <utility>

namespace pageflow::ocr {

void OcrStage::process(std::span<pipeline::Item* const> batch, int worker) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    if (!page.needs_ocr || page.ocr_raster.empty()) continue;
    // Work on locals and commit at the end: a retried call must find the page as it was.
    const Orientation orientation = orientation_.orient(page.ocr_raster);
    const int rotation = orientation.rotation;
    const cv::Mat upright = rotate_clockwise(page.ocr_raster, rotation);
    std::vector<TextLine> lines = engine_.read(upright, page.ocr_scale, orientation.lines, worker);
    if (rotation != 0) {
      if (!page.raster.empty()) page.raster = rotate_clockwise(page.raster, rotation);
      if (rotation != 180) std::swap(page.width, page.height);
    }
    page.rotation = rotation;
    page.lines = std::move(lines);
    page.image_boxes.clear();
    page.ocr_raster.release();
  }
}

}  // namespace pageflow::ocr
