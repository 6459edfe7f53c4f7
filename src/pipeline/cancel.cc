#include "pipeline/cancel.h"

#include <utility>

namespace pageflow::pipeline {

namespace {
thread_local std::stop_token t_call_stop;
}

std::stop_token current_call_stop() { return t_call_stop; }

CallStopScope::CallStopScope(std::stop_token token) : previous_(std::exchange(t_call_stop, std::move(token))) {}

CallStopScope::~CallStopScope() { t_call_stop = std::move(previous_); }

}  // namespace pageflow::pipeline
