#include "core/page.h"

#include <algorithm>

#include <opencv2/core/utility.hpp>

namespace pageflow {

namespace {
// OpenCV's own thread pool would run beside the pipeline's workers, past the limit of one stage
// call per core that the scheduler keeps (and ThreadSanitizer cannot see its hand-offs): every
// OpenCV call runs on the thread that makes it. Set during static initialisation, before any
// pipeline thread exists; this file is linked wherever pages are.
[[maybe_unused]] const bool kOpenCvSerial = (cv::setNumThreads(1), true);
}  // namespace

bool in_margin_band(const Box& box, double page_height) {
  const double band = 0.08 * page_height;
  return box.t <= band || box.b >= page_height - band;
}

bool is_plain_text_page(const Page& page) {
  if (page.needs_ocr || !page.ocr_regions.empty() || page.lines.empty()) return false;
  if (!page.image_boxes.empty() || !page.drawing_boxes.empty()) return false;
  std::vector<const TextLine*> by_top;
  for (const TextLine& line : page.lines) {
    if (line.from_ocr || line.slanted || line.sideways != 0) return false;
    if (in_margin_band(line.box, page.height)) continue;
    const double gutter = 1.2 * line.box.height();
    for (size_t k = 1; k < line.words.size(); ++k) {
      if (line.words[k].box.l - line.words[k - 1].box.r > gutter) return false;
    }
    by_top.push_back(&line);
  }
  std::sort(by_top.begin(), by_top.end(), [](const TextLine* a, const TextLine* b) { return a->box.t < b->box.t; });
  for (size_t i = 0; i < by_top.size(); ++i) {
    const Box& a = by_top[i]->box;
    for (size_t j = i + 1; j < by_top.size() && by_top[j]->box.t < a.b; ++j) {
      const Box& b = by_top[j]->box;
      // MuPDF also breaks a line where its spacing changes: only a gutter's width sets two apart.
      const bool apart = std::max(b.l - a.r, a.l - b.r) > 1.5 * std::min(a.height(), b.height());
      if (same_row(a, b) && apart) return false;
    }
  }
  return true;
}

std::string Page::label() const {
  return (doc ? doc->name : std::string("?")) + " p" + std::to_string(number);
}

void join_words(TextLine& line) {
  line.text.clear();
  for (const auto& w : line.words) line.text += (line.text.empty() ? "" : " ") + w.text;
}

}  // namespace pageflow
