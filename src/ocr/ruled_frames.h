// Frames ruled around a block of a scanned page: a boxed advertisement, a sidebar, a notice. What a
// frame holds is read as one unit, in the page's reading order where the frame stands; without
// them a newspaper page's ads and columns interleave line by line.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "pageflow/document.h"

namespace pageflow::ocr {

// Rectangles, in page points (`scale` pixels per point), ruled on all four sides with no rule
// crossing their inside and not a column or cell of a table's grid, at least half an inch a side
// and holding no more than half the page (a rule around the whole page sets nothing apart).
// Frames may nest (a boxed photo inside an ad).
std::vector<Box> find_ruled_frames(const cv::Mat& bgr, double scale);

}  // namespace pageflow::ocr
