#include "core/page.h"

namespace pageflow {

std::string Page::label() const {
  return (doc ? doc->name : std::string("?")) + " p" + std::to_string(number);
}

void join_words(TextLine& line) {
  line.text.clear();
  for (const auto& w : line.words) line.text += (line.text.empty() ? "" : " ") + w.text;
}

}  // namespace pageflow
