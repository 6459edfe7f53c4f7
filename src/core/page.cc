#include "core/page.h"

#include <opencv2/core/utility.hpp>

namespace pageflow {

namespace {
// OpenCV's own thread pool would run beside the pipeline's workers, past the limit of one stage
// call per core that the scheduler keeps (and ThreadSanitizer cannot see its hand-offs): every
// OpenCV call runs on the thread that makes it. Set during static initialisation, before any
// pipeline thread exists; this file is linked wherever pages are.
[[maybe_unused]] const bool kOpenCvSerial = (cv::setNumThreads(1), true);
}  // namespace

std::string Page::label() const {
  return (doc ? doc->name : std::string("?")) + " p" + std::to_string(number);
}

void join_words(TextLine& line) {
  line.text.clear();
  for (const auto& w : line.words) line.text += (line.text.empty() ? "" : " ") + w.text;
}

}  // namespace pageflow
