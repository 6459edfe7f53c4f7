// A connection to Redis (hiredis underneath) that outlives Redis restarts: a command that meets a
// broken connection, or a server still loading its data, reconnects with backoff (0.1 s doubling
// to 5 s) and is sent again, until the caller's stop token fires or its patience runs out. Commands are therefore
// at-least-once; everything scale/ writes is keyed so that a repeat overwrites, never adds.
// One connection per thread: a Redis object is not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

struct redisContext;

namespace pageflow::scale {

// An error reply from the server (a wrong type, an unknown group), not a connection problem.
class RedisError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// No connection could be made before the stop token fired or patience ran out.
class RedisUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RedisReply {
  enum class Type { nil, string, integer, array };
  Type type = Type::nil;
  std::string text;      // string, status
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool nil() const { return type == Type::nil; }
  // Field/value pairs of a HGETALL or stream entry reply, looked up by name ("" when absent).
  std::string field(const std::string& name) const;
};

// Counters of the traffic one connection made: what a page costs Redis.
struct RedisTraffic {
  uint64_t commands = 0;
  uint64_t bytes_sent = 0;      // arguments
  uint64_t bytes_received = 0;  // reply strings
};

class Redis {
 public:
  // redis://[:PASSWORD@]HOST[:PORT][/DB]; throws std::invalid_argument for another form. Connects
  // on first use. `patience`: how long one command keeps retrying before RedisUnavailable (a
  // batch waits out a Redis restart; an HTTP request should not).
  Redis(std::string url, std::stop_token stop = {},
        std::chrono::milliseconds patience = std::chrono::milliseconds::max());
  ~Redis();
  Redis(const Redis&) = delete;
  Redis& operator=(const Redis&) = delete;

  // Throws RedisError for an error reply, RedisUnavailable once stopped while reconnecting.
  RedisReply command(const std::vector<std::string>& args);
  // Sends all, then reads all replies (one round trip); error replies come back as RedisError
  // thrown after every reply was read.
  std::vector<RedisReply> pipeline(const std::vector<std::vector<std::string>>& commands);

  const RedisTraffic& traffic() const { return traffic_; }
  const std::string& url() const { return url_; }

 private:
  void connect();
  void drop();
  template <typename Exchange>
  auto with_retry(Exchange exchange);

  std::string url_, host_, password_;
  int port_ = 6379;
  int db_ = 0;
  std::stop_token stop_;
  std::chrono::milliseconds patience_;
  redisContext* context_ = nullptr;
  bool warned_ = false;
  RedisTraffic traffic_;
};

}  // namespace pageflow::scale
