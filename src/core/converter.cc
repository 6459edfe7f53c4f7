#include "pageflow/converter.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "assemble/assemble_stage.h"
#include "core/collector.h"
#include "core/document_source.h"
#include "layout/detector.h"
#include "ocr/ocr_stage.h"
#include "ocr/paddle_ocr.h"
#include "ocr/tesseract_ocr.h"
#include "pdf/render_stage.h"
#include "pipeline/cpu.h"
#include "pipeline/scheduler.h"
#include "tables/slanet.h"
#include "tables/tables_stage.h"

#ifndef PAGEFLOW_DEFAULT_MODELS_DIR
#define PAGEFLOW_DEFAULT_MODELS_DIR ".deps/models"
#endif

namespace pageflow {

namespace {

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

tables::Engine parse_table_engine(const std::string& name) {
  if (name == "auto") return tables::Engine::automatic;
  if (name == "rules") return tables::Engine::rules;
  if (name == "model") return tables::Engine::model;
  throw std::runtime_error("unknown table engine '" + name + "' (auto, rules, model)");
}

pdf::OcrMode parse_ocr_mode(const std::string& name) {
  if (name == "auto") return pdf::OcrMode::automatic;
  if (name == "off") return pdf::OcrMode::off;
  if (name == "force") return pdf::OcrMode::force;
  throw std::runtime_error("unknown OCR mode '" + name + "' (auto, off, force)");
}

PageSelection parse_selection(const std::string& pages) {
  try {
    return PageSelection::parse(pages);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("pages: ") + e.what());
  }
}

}  // namespace

struct Converter::Impl {
  explicit Impl(Options opts)
      : options(std::move(opts)), selection(parse_selection(options.pages)), engine(options.memory_limit_mb << 20) {
    if (options.cores <= 0) options.cores = pipeline::usable_cores();
    const int cores = options.cores;
    if (options.render_workers <= 0) options.render_workers = cores;
    if (options.batch_size <= 0) options.batch_size = 1;
    if (options.layout_workers <= 0) options.layout_workers = cores;
    if (options.layout) {
      const std::string path = options.layout_model.empty()
                                   ? models_dir(options) + "/layout/layout_cdla_fused.onnx"
                                   : options.layout_model;
      // Page-level parallelism beats intra-op threads for a small model: several workers share
      // one session (Run is thread-safe), each run on its own core.
      const int threads = options.threads > 0 ? options.threads : std::max(1, cores / options.layout_workers);
      detector = std::make_unique<layout::Detector>(layout::load_manifest(path), threads);
    }
    table_engine = parse_table_engine(options.table_engine);
    if (options.layout && table_engine != tables::Engine::rules) {
      table_model = std::make_unique<tables::TableModel>(models_dir(options) + "/tables/slanet-plus.onnx",
                                                         std::max(1, options.threads));
    }
    ocr_mode = parse_ocr_mode(options.ocr);
    if (ocr_mode != pdf::OcrMode::off) {
      if (options.ocr_workers <= 0) options.ocr_workers = cores;
      const int threads = options.threads > 0 ? options.threads : std::max(1, cores / options.ocr_workers);
      // PP-OCR's detector and classifier also judge page orientation for either engine.
      paddle = std::make_unique<ocr::PaddleOcr>(models_dir(options) + "/ppocr", threads);
      if (options.ocr_engine == "tesseract") {
        tesseract = std::make_unique<ocr::TesseractOcr>(options.ocr_languages);
      } else if (options.ocr_engine != "paddle") {
        throw std::runtime_error("unknown OCR engine '" + options.ocr_engine + "' (paddle, tesseract)");
      }
    }
  }

  ocr::Engine& ocr_engine() { return tesseract ? static_cast<ocr::Engine&>(*tesseract) : *paddle; }

  Options options;
  PageSelection selection;                                   // options.pages, parsed
  tables::Engine table_engine = tables::Engine::automatic;  // options.table_engine, parsed
  pdf::OcrMode ocr_mode = pdf::OcrMode::automatic;           // options.ocr, parsed
  pdf::MupdfEngine engine;
  std::unique_ptr<layout::Detector> detector;
  std::unique_ptr<ocr::PaddleOcr> paddle;
  std::unique_ptr<ocr::TesseractOcr> tesseract;
  std::unique_ptr<tables::TableModel> table_model;
};

Converter::Converter(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Converter::~Converter() = default;

const Options& Converter::options() const { return impl_->options; }

RunResult Converter::convert(const std::vector<Input>& inputs, const DocumentCallback& on_document,
                             const ProgressCallback& on_progress, const RunControl& control) {
  const Options& o = impl_->options;
  pdf::RenderRequest request;
  request.dpi = o.dpi;
  request.max_pixels = static_cast<long long>(o.max_megapixels * 1e6);
  pdf::OcrRequest ocr_request;
  ocr_request.mode = impl_->ocr_mode;
  ocr_request.dpi = o.ocr_dpi;
  ocr_request.pictures = o.ocr_pictures;
  // The OCR policy reads the low-resolution render too.
  request.render = o.layout || ocr_request.mode == pdf::OcrMode::automatic;
  pdf::RenderStage render(impl_->engine, o.password, request, ocr_request);
  std::unique_ptr<ocr::OcrStage> ocr;
  if (impl_->paddle) ocr = std::make_unique<ocr::OcrStage>(impl_->ocr_engine(), *impl_->paddle);
  std::unique_ptr<layout::LayoutStage> layout;
  // Table regions come from the layout model; the tables stage then frees the raster.
  std::unique_ptr<tables::TablesStage> table_stage;
  if (impl_->detector) {
    layout = std::make_unique<layout::LayoutStage>(*impl_->detector, false);
    table_stage = std::make_unique<tables::TablesStage>(!o.picture_images, impl_->table_model.get(),
                                                        impl_->table_engine);
  }
  AssembleStage assemble(o.picture_images);

  std::vector<pipeline::StageSpec> stages{{&render, o.render_workers}};
  if (ocr) stages.push_back({ocr.get(), o.ocr_workers});
  if (layout) stages.push_back({layout.get(), o.layout_workers});
  if (table_stage) stages.push_back({table_stage.get(), 1});
  stages.push_back({&assemble, 1});

  DocumentSource source(inputs, o, impl_->selection, impl_->engine);
  DocumentCollector collector(on_document, [&](int done) {
    if (on_progress) on_progress(done, source.known_pages());
  });

  pipeline::RunOptions run;
  run.mode = to_mode(control.schedule.value_or(o.schedule));
  run.batch_size = o.batch_size;
  int workers = 0;
  for (const auto& s : stages) workers += s.workers;
  run.window = o.window > 0 ? o.window : static_cast<size_t>(2 * workers + o.batch_size);
  run.max_running = static_cast<size_t>(o.cores);
  run.item_timeout = o.page_timeout;
  run.run_timeout = o.document_timeout;
  run.stop = control.stop;
  run.trace = control.trace;
  const pipeline::RunStatus status = pipeline::run_pipeline(source, stages, collector, run);
  collector.finish(status.ok ? status.error : "run aborted: " + status.error);

#ifdef __GLIBC__
  // The run's pages and buffers are freed by now; hand the heap they used back to the system, so
  // a long-lived process (a service converting one file after another) does not keep the peak.
  malloc_trim(0);
#endif
  RunResult result = collector.result();
  result.cancelled = status.stopped;
  if (!status.ok || status.stopped) result.error = status.error;
  return result;
}

}  // namespace pageflow
