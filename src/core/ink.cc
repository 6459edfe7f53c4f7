#include "core/ink.h"

#include <opencv2/imgproc.hpp>

namespace pageflow {

cv::Mat ink_of(const cv::Mat& bgr) {
  if (bgr.empty()) return {};
  cv::Mat gray, ink;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  return ink;
}

}  // namespace pageflow
