// Order statistics shared by the stages that measure a page (line heights, gaps, type sizes).
#pragma once

#include <algorithm>
#include <vector>

namespace pageflow {

// The middle value of `values`: for an even count the upper of the two middles, so that the result
// is always one of the values measured. T{} when there are none. Takes its own copy: callers that
// are done with their vector move it in.
template <typename T>
T median(std::vector<T> values) {
  if (values.empty()) return T{};
  const auto middle = values.begin() + static_cast<long>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace pageflow
