// Printed form boxes on a scanned page: found in the image before it is read, blanked so that the
// recogniser does not misread them as letters ("凶", "O"), and written back into the lines as ☐/☒
// (core/checkboxes.h).
#pragma once

#include <span>
#include <vector>

#include <opencv2/core.hpp>

#include "core/checkboxes.h"
#include "ocr/engine.h"

namespace pageflow::ocr {

struct FormBox {
  cv::Rect rect;         // image pixels
  bool ticked = false;   // something drawn inside: a tick, a cross, a fill
};

// Hollow squares 4-24 pt a side (`scale` pixels per point) whose outline fills its bounding box
// and whose four corners are inked (letters such as O, D, 0 fail one of the two), that open a
// detected line or stand just left of one. A CJK "口" can look the same: see the caller. `ink` is
// the page's ink (core/ink.h).
std::vector<FormBox> find_form_boxes(const cv::Mat& ink, double scale, std::span<const Quad> lines);

// The image with the boxes painted white (a copy; `bgr` is left as it is).
cv::Mat without_boxes(const cv::Mat& bgr, const std::vector<FormBox>& boxes);

// The lines with their start moved past a box they began at: a crop that opens with a blank
// square's worth of paper makes the recogniser see a character there.
std::vector<Quad> lines_past_boxes(std::span<const Quad> lines, const std::vector<FormBox>& boxes);

// The boxes in page points, as core/checkboxes.h takes them (a ticked box with a mark inside).
DrawnShapes as_shapes(const std::vector<FormBox>& boxes, double scale);

}  // namespace pageflow::ocr
