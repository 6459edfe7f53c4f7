// The message of the exception being handled, for turning exceptions into error values at a
// boundary (a stage call, a callback) so that none crosses a thread.
#pragma once

#include <exception>
#include <string>

namespace pageflow::pipeline {

// Call only inside a catch block.
inline std::string current_exception_message() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace pageflow::pipeline
