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

PageSelection PageSelection::parse(const std::string& spec) {
  PageSelection selection;
  if (spec.empty()) {
    selection.ranges_.push_back({1, kOpenEnd});
    return selection;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string part = spec.substr(start, comma - start);
    const size_t dash = part.find('-');
    PageRange range;
    if (dash == std::string::npos) {
      range.first = range.last = parse_number(part, part);
    } else {
      range.first = dash == 0 ? 1 : parse_number(part.substr(0, dash), part);
      range.last = dash + 1 == part.size() ? kOpenEnd : parse_number(part.substr(dash + 1), part);
      if (range.last < range.first) throw std::invalid_argument("bad page range '" + part + "'");
    }
    selection.ranges_.push_back(range);
    start = comma + 1;
  }
  // Sorted and merged, so every page is selected once and a walk over the ranges is in order.
  std::sort(selection.ranges_.begin(), selection.ranges_.end(),
            [](const PageRange& a, const PageRange& b) { return a.first < b.first; });
  std::vector<PageRange> merged;
  for (const PageRange& r : selection.ranges_) {
    const bool touches = !merged.empty() && (r.first <= merged.back().last || r.first == merged.back().last + 1);
    if (touches) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  selection.ranges_ = std::move(merged);
  return selection;
}

std::vector<PageRange> PageSelection::resolve(int page_count) const {
  std::vector<PageRange> pages;
  for (const PageRange& r : ranges_) {
    if (r.first > page_count) break;
    pages.push_back({r.first, std::min(r.last, page_count)});
  }
  return pages;
}

std::vector<PageRange> split_pages(std::vector<PageRange>& ranges, long long keep) {
  std::vector<PageRange> kept, rest;
  for (PageRange r : ranges) {
    if (keep >= r.count()) {
      kept.push_back(r);
      keep -= r.count();
      continue;
    }
    if (keep > 0) {
      kept.push_back({r.first, r.first + static_cast<int>(keep) - 1});
      r.first += static_cast<int>(keep);
      keep = 0;
    }
    rest.push_back(r);
  }
  ranges = std::move(kept);
  return rest;
}

long long count_pages(const std::vector<PageRange>& ranges) {
  long long n = 0;
  for (const PageRange& r : ranges) n += r.count();
  return n;
}

std::string describe_pages(const std::vector<PageRange>& ranges) {
  std::string text;
  for (const PageRange& r : ranges) {
    if (!text.empty()) text += ',';
    text += std::to_string(r.first);
    if (r.last != r.first) text += '-' + std::to_string(r.last);
  }
  return text;
}

}  // namespace pageflow
