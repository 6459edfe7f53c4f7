// The ink of a scanned page, as the shape finders read it (ruled frames, form boxes, drawn
// bullets). The OCR stage binarises a page once and hands the mask to each of them.
#pragma once

#include <opencv2/core.hpp>

namespace pageflow {

// 255 where `bgr` is darker than the threshold Otsu's method sets for the whole image, else 0.
cv::Mat ink_of(const cv::Mat& bgr);

}  // namespace pageflow
