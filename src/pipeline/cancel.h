// Abandoning work in progress. The scheduler gives every stage call a stop token that is
// requested when any item of the call runs out of time or the run is stopped. Code deep inside a
// call (a MuPDF interpreter loop, a model run) reads it from here instead of having it passed
// through every signature, and stops spending the CPU on work whose result nobody will take.
// The scheduler then retries the call's other items alone, as it does after any failed call.
#pragma once

#include <stop_token>

namespace pageflow::pipeline {

// The stop token of the stage call running on this thread (a token that never stops outside one).
std::stop_token current_call_stop();

// Makes `token` the current call's stop token for the scope's lifetime (calls may nest).
class CallStopScope {
 public:
  explicit CallStopScope(std::stop_token token);
  ~CallStopScope();
  CallStopScope(const CallStopScope&) = delete;
  CallStopScope& operator=(const CallStopScope&) = delete;

 private:
  std::stop_token previous_;
};

}  // namespace pageflow::pipeline
