// pageflow command-line tool. Ctrl-C (SIGINT) or SIGTERM stops the run: work on the pages in
// flight is abandoned, every thread is joined, documents already written stay whole, a document
// cut short is written marked partial, and the exit status is 3. A second signal exits at once.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stop_token>
#include <thread>

#include "cli/commands.h"

namespace {

// Turns SIGINT/SIGTERM into a stop request, handled by a thread of its own with sigwait, so no
// work happens in a signal handler. SIGUSR1 tells the thread to end.
class SignalWatcher {
 public:
  SignalWatcher() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);
    // Blocked here, before any other thread exists, so every thread inherits the mask.
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    thread_ = std::thread([this] {
      for (;;) {
        int signal = 0;
        if (sigwait(&set_, &signal) != 0 || signal == SIGUSR1) return;
        if (stop_.stop_requested()) {
          // The user asked twice: outputs already written are whole (written atomically).
          static const char kMessage[] = "\npageflow: interrupted again, exiting now\n";
          (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
          std::_Exit(130);
        }
        std::cerr << "\npageflow: interrupted, stopping (press Ctrl-C again to exit at once)\n";
        stop_.request_stop();
      }
    });
  }
  ~SignalWatcher() {
    pthread_kill(thread_.native_handle(), SIGUSR1);
    thread_.join();
  }
  std::stop_token token() const { return stop_.get_token(); }

 private:
  sigset_t set_;
  std::stop_source stop_;
  std::thread thread_;
};

}  // namespace

int main(int argc, char** argv) {
  using namespace pageflow::cli;
  CliOptions options;
  try {
    options = parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::cerr << "pageflow: " << e.what() << "\nTry 'pageflow --help'.\n";
    return 2;
  }
  if (options.command == "help") {
    std::cout << usage();
    return 0;
  }
  if (options.command == "version") {
    std::cout << "pageflow " PAGEFLOW_VERSION "\n";
    return 0;
  }
  SignalWatcher signals;
  try {
    if (options.command == "bench") return run_bench(options, signals.token());
    if (options.command == "serve") return run_serve(options, signals.token());
    if (options.command == "worker") return run_worker(options, signals.token());
    if (options.command == "submit") return run_submit(options, signals.token());
    if (options.command == "queue") return run_queue(options, signals.token());
    return run_convert(options, signals.token());
  } catch (const std::exception& e) {
    std::cerr << "pageflow: " << e.what() << "\n";
    return 1;
  }
}
