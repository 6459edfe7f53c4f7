#include "scale/redis.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <regex>

namespace pageflow::scale {

namespace {

// A reply that is a server error; LOADING (a restarted server still reading its AOF) is a
// connection problem in disguise and is retried like one.
struct ErrorReply {
  std::string message;
  bool transient = false;
};

RedisReply convert(const redisReply* r, RedisTraffic& traffic, std::vector<ErrorReply>& errors) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::string;
      out.text.assign(r->str, r->len);
      traffic.bytes_received += r->len;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i], traffic, errors));
      break;
    case REDIS_REPLY_ERROR: {
      const std::string message(r->str, r->len);
      errors.push_back({message, message.rfind("LOADING", 0) == 0 || message.rfind("MASTERDOWN", 0) == 0});
      break;
    }
    default:
      break;
  }
  return out;
}

// Sleeps `delay` unless `stop` fires first; false if it fired.
bool sleep_unless_stopped(std::chrono::milliseconds delay, const std::stop_token& stop) {
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  return !cv.wait_for(lock, stop, delay, [] { return false; }) && !stop.stop_requested();
}

}  // namespace

std::string RedisReply::field(const std::string& name) const {
  for (size_t i = 0; i + 1 < elements.size(); i += 2) {
    if (elements[i].text == name) return elements[i + 1].text;
  }
  return {};
}

Redis::Redis(std::string url, std::stop_token stop, std::chrono::milliseconds patience)
    : url_(std::move(url)), stop_(std::move(stop)), patience_(patience) {
  static const std::regex form(R"(redis://(?::([^@]*)@)?([^:/@]+)(?::(\d+))?(?:/(\d+))?/?)");
  std::smatch m;
  if (!std::regex_match(url_, m, form)) {
    throw std::invalid_argument("--redis " + url_ + ": expected redis://HOST[:PORT][/DB]");
  }
  password_ = m[1];
  host_ = m[2];
  if (m[3].matched) port_ = std::stoi(m[3]);
  if (m[4].matched) db_ = std::stoi(m[4]);
}

Redis::~Redis() { drop(); }

void Redis::drop() {
  if (context_) redisFree(context_);
  context_ = nullptr;
}

void Redis::connect() {
  const timeval connect_timeout{2, 0};
  context_ = redisConnectWithTimeout(host_.c_str(), port_, connect_timeout);
  if (!context_ || context_->err) {
    const std::string why = context_ ? context_->errstr : "out of memory";
    drop();
    throw RedisUnavailable("cannot connect to Redis at " + host_ + ":" + std::to_string(port_) + ": " + why);
  }
  // Longer than any blocking read scale/ issues (XREADGROUP BLOCK, BLPOP), so a timeout means a
  // dead peer.
  const timeval io_timeout{30, 0};
  redisSetTimeout(context_, io_timeout);
  auto setup = [&](std::vector<std::string> args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    const bool ok = reply && reply->type != REDIS_REPLY_ERROR;
    const std::string why = reply && reply->type == REDIS_REPLY_ERROR ? reply->str : "connection lost";
    if (reply) freeReplyObject(reply);
    if (!ok) {
      drop();
      throw RedisUnavailable("Redis at " + host_ + ":" + std::to_string(port_) + " refused " + args[0] + ": " + why);
    }
  };
  if (!password_.empty()) setup({"AUTH", password_});
  if (db_ != 0) setup({"SELECT", std::to_string(db_)});
}

template <typename Exchange>
auto Redis::with_retry(Exchange exchange) {
  auto delay = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    std::string problem;
    try {
      if (!context_) connect();
      std::vector<ErrorReply> errors;
      auto replies = exchange(errors);
      if (replies) {
        const bool transient = std::any_of(errors.begin(), errors.end(), [](const auto& e) { return e.transient; });
        if (!transient) {
          if (warned_) std::cerr << "pageflow: Redis at " << host_ << ":" << port_ << " is back" << std::endl;
          warned_ = false;
          if (!errors.empty()) throw RedisError(errors.front().message);
          return std::move(*replies);
        }
        problem = errors.front().message;
      } else {
        problem = context_->errstr;
        drop();
      }
    } catch (const RedisUnavailable& e) {
      problem = e.what();
    }
    if (!warned_) std::cerr << "pageflow: " << problem << "; retrying" << std::endl;
    warned_ = true;
    // (The default patience, milliseconds::max(), overflows any conversion: it is compared as is.)
    const bool patient = patience_ == std::chrono::milliseconds::max();
    if (!patient && std::chrono::steady_clock::now() - start > patience_) throw RedisUnavailable(problem);
    if (!sleep_unless_stopped(delay, stop_)) throw RedisUnavailable("stopped while Redis was unavailable: " + problem);
    delay = std::min(delay * 2, std::chrono::milliseconds(5000));
  }
}

std::vector<RedisReply> Redis::pipeline(const std::vector<std::vector<std::string>>& commands) {
  return with_retry([&](std::vector<ErrorReply>& errors) -> std::optional<std::vector<RedisReply>> {
    for (const auto& args : commands) {
      std::vector<const char*> argv;
      std::vector<size_t> lengths;
      for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
        traffic_.bytes_sent += a.size();
      }
      redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data());
      ++traffic_.commands;
    }
    std::vector<RedisReply> replies;
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(context_, &raw) != REDIS_OK || !raw) return std::nullopt;
      replies.push_back(convert(static_cast<redisReply*>(raw), traffic_, errors));
      freeReplyObject(raw);
    }
    return replies;
  });
}

RedisReply Redis::command(const std::vector<std::string>& args) { return std::move(pipeline({args}).front()); }

}  // namespace pageflow::scale
