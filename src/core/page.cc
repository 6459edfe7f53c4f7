#include "core/page.h"

namespace pageflow {

std::string Page::label() const {
  return (doc ? doc->name : std::string("?")) + " p" + std::to_string(number);
}

}  // namespace pageflow
