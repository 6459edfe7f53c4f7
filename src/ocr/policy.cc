#include "ocr/policy.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace pageflow::ocr {

namespace {

constexpr double kBlankInk = 0.0005;  // fraction of dark pixels below which a page is blank

cv::Mat ink_mask(const cv::Mat& bgr) {
  cv::Mat gray, ink;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, ink, 128, 255, cv::THRESH_BINARY_INV);
  return ink;
}

}  // namespace

bool is_blank(const Page& page) {
  if (!page.lines.empty()) return false;
  if (page.raster.empty()) return true;
  const cv::Mat ink = ink_mask(page.raster);
  return cv::countNonZero(ink) < kBlankInk * static_cast<double>(ink.total());
}

bool needs_ocr(const Page& page) {
  size_t chars = 0;
  for (const auto& line : page.lines) chars += line.text.size();
  if (page.raster.empty()) return chars == 0;

  const cv::Mat ink = ink_mask(page.raster);
  const double total_ink = cv::countNonZero(ink);
  if (total_ink < kBlankInk * static_cast<double>(ink.total())) return false;  // blank page
  if (chars == 0) return true;

  double image_area = 0;
  for (const auto& b : page.image_boxes) image_area += b.area();
  const double image_cover = std::min(1.0, image_area / std::max(1.0, page.width * page.height));
  if (image_cover < 0.5) return false;  // a digital page, perhaps with pictures

  // A scan with a thin or partial text layer: how much ink lies outside the text lines?
  cv::Mat text_mask(ink.size(), CV_8U, cv::Scalar(0));
  const double s = page.raster_scale;
  for (const auto& line : page.lines) {
    cv::rectangle(text_mask, cv::Point(static_cast<int>(line.box.l * s) - 1, static_cast<int>(line.box.t * s) - 1),
                  cv::Point(static_cast<int>(line.box.r * s) + 1, static_cast<int>(line.box.b * s) + 1),
                  cv::Scalar(255), cv::FILLED);
  }
  cv::Mat explained;
  cv::bitwise_and(ink, text_mask, explained);
  return 1.0 - cv::countNonZero(explained) / total_ink > 0.7;
}

std::vector<Box> picture_regions(const Page& page) {
  std::vector<Box> regions;
  const double page_area = std::max(1.0, page.width * page.height);
  for (const auto& b : page.image_boxes) {
    const Box clipped{std::max(0.0, b.l), std::max(0.0, b.t), std::min(page.width, b.r), std::min(page.height, b.b)};
    if (clipped.area() < 0.01 * page_area || clipped.width() < 20 || clipped.height() < 10) continue;
    const bool has_text_layer = std::any_of(page.lines.begin(), page.lines.end(), [&](const TextLine& l) {
      const double cx = (l.box.l + l.box.r) / 2, cy = (l.box.t + l.box.b) / 2;
      return cx > clipped.l && cx < clipped.r && cy > clipped.t && cy < clipped.b;
    });
    if (!has_text_layer) regions.push_back(clipped);
  }
  return regions;
}

}  // namespace pageflow::ocr
