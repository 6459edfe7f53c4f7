#include "pageflow/converter.h"

#include "pageflow/engine.h"

namespace pageflow {

// The converter is a client of an engine of its own: concurrent runs are jobs of its long-lived
// pipeline; batched, sequential and traced runs get a dedicated run over the same models.
struct Converter::Impl {
  explicit Impl(Options options) : engine(std::move(options)) {}
  Engine engine;
};

Converter::Converter(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Converter::~Converter() = default;

const Options& Converter::options() const { return impl_->engine.options(); }

Engine& Converter::engine() { return impl_->engine; }

RunResult Converter::convert(const std::vector<Input>& inputs, const DocumentCallback& on_document,
                             const ProgressCallback& on_progress, const RunControl& control) {
  JobCallbacks callbacks{on_document, control.on_page, on_progress};
  const Schedule schedule = control.schedule.value_or(options().schedule);
  if (schedule != Schedule::concurrent || control.trace) {
    return impl_->engine.run_dedicated(inputs, std::move(callbacks), schedule, control.trace, control.stop);
  }
  auto job = impl_->engine.submit(inputs, std::move(callbacks));
  std::stop_callback on_stop(control.stop, [&job] { job->cancel("cancelled"); });
  return job->wait();
}

}  // namespace pageflow
