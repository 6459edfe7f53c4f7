#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "pageflow/converter.h"

namespace pageflow {

namespace {
int parse_number(const std::string& text, const std::string& part) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9) {
    throw std::invalid_argument("bad page selection '" + part + "'");
  }
  const int n = std::stoi(text);
  if (n < 1) throw std::invalid_argument("page numbers start at 1: '" + part + "'");
  return n;
}
}  // namespace

std::vector<int> parse_page_selection(const std::string& spec, int page_count) {
  std::vector<int> pages;
  if (spec.empty()) {
    for (int p = 1; p <= page_count; ++p) pages.push_back(p);
    return pages;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string part = spec.substr(start, comma - start);
    const size_t dash = part.find('-');
    int first, last;
    if (dash == std::string::npos) {
      first = last = parse_number(part, part);
    } else {
      first = dash == 0 ? 1 : parse_number(part.substr(0, dash), part);
      last = dash + 1 == part.size() ? page_count : parse_number(part.substr(dash + 1), part);
      if (last < first && dash + 1 != part.size()) {
        throw std::invalid_argument("bad page range '" + part + "'");
      }
    }
    for (int p = first; p <= std::min(last, page_count); ++p) pages.push_back(p);
    start = comma + 1;
  }
  std::sort(pages.begin(), pages.end());
  pages.erase(std::unique(pages.begin(), pages.end()), pages.end());
  return pages;
}

}  // namespace pageflow
