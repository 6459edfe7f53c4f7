// Downloads an `http` source for the service (libcurl): http and https only, redirects followed a
// few times, the body cut off at a size limit and the whole transfer at a time limit, so a slow
// or endless server cannot hold a worker or fill memory.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace pageflow::service {

struct FetchLimits {
  size_t max_bytes = 100u << 20;
  std::chrono::milliseconds timeout{30000};
};

// Throws std::runtime_error with the reason (HTTP status, size limit, timeout, curl's message).
std::string fetch_url(const std::string& url, const std::map<std::string, std::string>& headers,
                      const FetchLimits& limits);

}  // namespace pageflow::service
