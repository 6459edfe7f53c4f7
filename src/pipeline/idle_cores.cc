#include "pipeline/idle_cores.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "pipeline/cancel.h"
#include "pipeline/exceptions.h"

namespace pageflow::pipeline {

namespace {
thread_local CoreLender* t_lender = nullptr;
}

LendingScope::LendingScope(CoreLender* lender) : previous_(std::exchange(t_lender, lender)) {}

LendingScope::~LendingScope() { t_lender = previous_; }

void run_on_idle_cores(size_t count, const std::function<void(size_t)>& task) {
  CoreLender* const lender = t_lender;
  if (!lender || count < 2) {
    for (size_t i = 0; i < count; ++i) task(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::atomic<size_t> helping{0};
  std::mutex failure_mu;
  std::string failure;
  // Claims and runs the next task; false when none is left or a task failed (this thread stops).
  auto run_next = [&]() -> bool {
    const size_t i = next.fetch_add(1);
    if (i >= count || failed) return false;
    try {
      task(i);
    } catch (...) {
      std::lock_guard lock(failure_mu);
      if (!failed.exchange(true)) failure = current_exception_message();
      return false;
    }
    return true;
  };
  const std::stop_token stop = current_call_stop();
  auto help = [&] {
    const CallStopScope scope(stop);
    const auto start = std::chrono::steady_clock::now();
    while (!lender->wanted_back() && run_next()) {
    }
    --helping;
    lender->give_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  {
    std::vector<std::jthread> helpers;
    // A core freed later (another page finished) is borrowed at the caller's next task boundary;
    // never more helpers than tasks left to share.
    auto borrow = [&] {
      while (!failed && helping + 1 < count - std::min(count, next.load()) && lender->try_borrow()) {
        ++helping;
        try {
          helpers.emplace_back(help);
        } catch (const std::system_error&) {  // no thread to be had: carry on with the ones running
          --helping;
          lender->give_back(0);
          return;
        }
      }
    };
    do {
      borrow();
    } while (run_next());
  }  // joins the helpers
  if (failed) throw std::runtime_error(failure);
}

}  // namespace pageflow::pipeline
