#include "service/fetch.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace pageflow::service {

namespace {

struct Body {
  std::string bytes;
  size_t limit = 0;
  bool over = false;
};

size_t append(char* data, size_t size, size_t count, void* user) {
  auto& body = *static_cast<Body*>(user);
  const size_t n = size * count;
  if (body.bytes.size() + n > body.limit) {
    body.over = true;
    return 0;  // makes curl stop with CURLE_WRITE_ERROR
  }
  body.bytes.append(data, n);
  return n;
}

}  // namespace

std::string fetch_url(const std::string& url, const std::map<std::string, std::string>& headers,
                      const FetchLimits& limits) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("cannot start an HTTP client");
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, curl_slist_free_all);
  Body body;
  body.limit = limits.max_bytes;
  char error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(limits.timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from a worker thread
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_bytes));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  const std::string limit_mb = std::to_string(limits.max_bytes >> 20) + " MB";
  if (body.over || rc == CURLE_FILESIZE_EXCEEDED) throw std::runtime_error(url + ": larger than " + limit_mb);
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    throw std::runtime_error(url + ": no complete answer within " + std::to_string(limits.timeout.count()) + " ms");
  }
  if (rc != CURLE_OK) throw std::runtime_error(url + ": " + (error[0] ? error : curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400) throw std::runtime_error(url + ": HTTP status " + std::to_string(status));
  return std::move(body.bytes);
}

}  // namespace pageflow::service
