// Bullets on a scanned page that recognition misses or misreads, put back as list markers so that
// assembly reads list items as it does on a digital page.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "core/page.h"

namespace pageflow::ocr {

// A bullet the recogniser took for a dot ("." "·" "," "°": its dictionary lacks "•") opening a
// line, apart from the words after it (or boxed alone left of a line on its row), is a bullet: it
// becomes "•", so the line is a list item. A bullet glyph read as one word with the letters after
// it ("■bullet") is split from them.
void restore_bullets(std::vector<TextLine>& lines);

// A solid dot, square or triangle (about a third to two thirds of a line's height, half filled or
// more, on the middle of its row) standing alone within three line heights left of a line is its
// bullet: the recogniser's detector boxes words, not shapes. `ink` is the ink (core/ink.h) of the
// page read, at `scale` pixels per point.
void find_drawn_bullets(const cv::Mat& ink, double scale, std::vector<TextLine>& lines);

}  // namespace pageflow::ocr
