// A fixed-capacity multi-producer multi-consumer queue. push() blocks while the queue is full
// (backpressure), pop() blocks while it is empty; close() wakes everyone: pushes are refused and
// pops drain what is left, then report the end. Pops take the oldest value, or with a `Before`
// ordering the first by it (a linear scan: these queues hold a few items).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <type_traits>

namespace pageflow::pipeline {

template <typename T, typename Before = void>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Returns false (and leaves value untouched) if the queue was closed.
  bool push(T& value) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(value));
    not_empty_.notify_one();
    return true;
  }

  // Blocks for the first item; nullopt once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    return take_locked();
  }

  // Never blocks: nullopt when nothing is queued right now.
  std::optional<T> try_pop() {
    std::lock_guard lock(mu_);
    return take_locked();
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  std::optional<T> take_locked() {
    if (items_.empty()) return std::nullopt;
    auto first = items_.begin();
    if constexpr (!std::is_void_v<Before>) {
      for (auto it = items_.begin(); it != items_.end(); ++it) {
        if (Before{}(*it, *first)) first = it;
      }
    }
    T value = std::move(*first);
    items_.erase(first);
    not_full_.notify_one();
    return value;
  }

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_, not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace pageflow::pipeline
