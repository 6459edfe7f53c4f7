// Frames ruled around a block of a page: a boxed advertisement, a sidebar, a notice, a table's row.
// What a frame holds is read as one unit, in the page's reading order where the frame stands;
// without them a newspaper page's ads and columns interleave line by line, and a form's questions
// part from their options.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "pageflow/document.h"

namespace pageflow {

// Points: a rule shorter than half an inch is no frame's side.
constexpr double kShortestRule = 36;

struct RuledLayout {
  // Rectangles ruled on all four sides with no rule crossing their inside and not a column or cell
  // of a table's grid, at least half an inch a side and holding no more than half the page (a
  // rule around the whole page sets nothing apart). Frames may nest (a boxed photo inside an ad).
  std::vector<Box> frames;
  // The rows of ruled tables (two rows or more, ruled across from side to side and cut into
  // cells): a row is read as a unit, cell after cell, before the next one (a form's question with
  // its options, a key with its value).
  std::vector<Box> grid_rows;
};

// The rules printed on a scan whose ink (core/ink.h) is `ink`, at `scale` pixels per point, in
// page points.
RuledLayout find_ruled_layout(const cv::Mat& ink, double scale);

// The same of a digital page's rules (the boxes of its strokes along x or y and of its thin filled
// bars) on a page of `width` x `height` points: exact where a raster would blur a hairline or hide
// it under text.
RuledLayout find_ruled_layout(const std::vector<Box>& rules, double width, double height);

}  // namespace pageflow
