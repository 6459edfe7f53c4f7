#include "pageflow/converter.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "assemble/assemble_stage.h"
#include "core/collector.h"
#include "core/document_source.h"
#include "layout/detector.h"
#include "pdf/render_stage.h"
#include "pipeline/scheduler.h"

#ifndef PAGEFLOW_DEFAULT_MODELS_DIR
#define PAGEFLOW_DEFAULT_MODELS_DIR ".deps/models"
#endif

namespace pageflow {

namespace {

int cores() { return std::max(1u, std::thread::hardware_concurrency()); }

std::string models_dir(const Options& options) {
  if (!options.models_dir.empty()) return options.models_dir;
  if (const char* env = std::getenv("PAGEFLOW_MODELS")) return env;
  return PAGEFLOW_DEFAULT_MODELS_DIR;
}

pipeline::Mode to_mode(Schedule schedule) {
  switch (schedule) {
    case Schedule::concurrent: return pipeline::Mode::concurrent;
    case Schedule::batched: return pipeline::Mode::batched;
    case Schedule::sequential: return pipeline::Mode::sequential;
  }
  return pipeline::Mode::concurrent;
}

}  // namespace

struct Converter::Impl {
  explicit Impl(Options opts) : options(std::move(opts)) {
    if (options.render_workers <= 0) options.render_workers = cores();
    if (options.batch_size <= 0) options.batch_size = 1;
    if (options.layout) {
      const std::string path = options.layout_model.empty()
                                   ? models_dir(options) + "/layout/layout_cdla.onnx"
                                   : options.layout_model;
      // On a small machine the model shares cores with rendering: one intra-op thread per core
      // that rendering leaves idle once the pipeline is full is about right; 0 lets ORT decide.
      const int threads = options.threads > 0 ? options.threads : std::max(1, cores() / 2);
      detector = std::make_unique<layout::Detector>(layout::load_manifest(path), threads);
    }
  }

  Options options;
  pdf::MupdfEngine engine;
  std::unique_ptr<layout::Detector> detector;
};

Converter::Converter(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Converter::~Converter() = default;

const Options& Converter::options() const { return impl_->options; }

RunResult Converter::convert(const std::vector<Input>& inputs, const DocumentCallback& on_document,
                             const ProgressCallback& on_progress, const RunControl& control) {
  const Options& o = impl_->options;
  pdf::RenderRequest request;
  request.dpi = o.dpi;
  request.render = o.layout;
  pdf::RenderStage render(impl_->engine, o.password, request);
  std::unique_ptr<layout::LayoutStage> layout;
  if (impl_->detector) layout = std::make_unique<layout::LayoutStage>(*impl_->detector, true);
  AssembleStage assemble;

  std::vector<pipeline::StageSpec> stages{{&render, o.render_workers}};
  if (layout) stages.push_back({layout.get(), 1});
  stages.push_back({&assemble, 1});

  DocumentSource source(inputs, o, impl_->engine);
  DocumentCollector collector(on_document, [&](int done) {
    if (on_progress) on_progress(done, source.known_pages());
  });

  pipeline::RunOptions run;
  run.mode = to_mode(control.schedule.value_or(o.schedule));
  run.batch_size = o.batch_size;
  int workers = 0;
  for (const auto& s : stages) workers += s.workers;
  run.window = o.window > 0 ? o.window : static_cast<size_t>(2 * workers + o.batch_size);
  run.item_timeout = o.page_timeout;
  run.run_timeout = o.document_timeout;
  run.stop = control.stop;
  run.trace = control.trace;
  const pipeline::RunStatus status = pipeline::run_pipeline(source, stages, collector, run);
  collector.finish(status.ok ? "not converted: " + status.error : "not converted: run aborted");

  RunResult result = collector.result();
  result.cancelled = status.stopped;
  if (!status.ok || status.stopped) result.error = status.error;
  return result;
}

}  // namespace pageflow
