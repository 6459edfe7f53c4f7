// Idle cores lent to a running stage call. In concurrent mode the scheduler runs at most one
// stage call per core; when one page is alone in a slow stage (a dense scanned page in OCR) the
// other cores would idle. A call whose work splits into independent tasks (the page's text
// lines) runs them through run_on_idle_cores(), which borrows any core that no other stage call
// is waiting for. A borrowed core goes back at its next task boundary once another call waits
// at the gate, so lending delays the pipeline by at most one task, and it never adds a core: the
// limit of calls running at once still holds.
#pragma once

#include <cstddef>
#include <functional>

namespace pageflow::pipeline {

// What the scheduler lends from (its call gate, for one stage call).
class CoreLender {
 public:
  virtual ~CoreLender() = default;
  // Takes a core if one is free and no stage call is waiting for it.
  virtual bool try_borrow() = 0;
  // True when a stage call waits for a core: borrowed cores should go back.
  virtual bool wanted_back() = 0;
  // Returns a borrowed core after `busy_s` seconds of work done on it for the call.
  virtual void give_back(double busy_s) = 0;
};

// Makes `lender` the lender of the stage call running on this thread for the scope's lifetime.
class LendingScope {
 public:
  explicit LendingScope(CoreLender* lender);
  ~LendingScope();
  LendingScope(const LendingScope&) = delete;
  LendingScope& operator=(const LendingScope&) = delete;

 private:
  CoreLender* previous_;
};

// Runs task(0) ... task(count - 1), each once, on the calling thread and on cores borrowed from
// the current call's lender (helper threads started here and joined before returning). Without
// a lender (batched and sequential schedules, code outside a stage call) every task runs on the
// calling thread, in order. Tasks with distinct indices must be safe to run concurrently; they
// see the call's stop token. A task that throws stops the others from starting; its message is
// thrown again on the calling thread as std::runtime_error once every helper has stopped.
void run_on_idle_cores(size_t count, const std::function<void(size_t)>& task);

}  // namespace pageflow::pipeline
