#include "engine/models.h"

#include <algorithm>
#include <stdexcept>

#include "pipeline/cpu.h"

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

TableEngine parse_table_engine(const std::string& name) {
  if (name == "auto") return TableEngine::automatic;
  if (name == "rules") return TableEngine::rules;
  if (name == "model") return TableEngine::model;
  throw std::invalid_argument("unknown table engine '" + name + "' (auto, rules, model)");
}

OcrMode parse_ocr_mode(const std::string& name) {
  if (name == "auto") return OcrMode::automatic;
  if (name == "off") return OcrMode::off;
  if (name == "force") return OcrMode::force;
  throw std::invalid_argument("unknown OCR mode '" + name + "' (auto, off, force)");
}

bool parse_ocr_engine(const std::string& name) {  // true: Tesseract
  if (name == "paddle") return false;
  if (name == "tesseract") return true;
  throw std::invalid_argument("unknown OCR engine '" + name + "' (paddle, tesseract)");
}

// A configuration error of the engine itself is a runtime_error (as it always was); the same
// value in a job's overrides is the caller's invalid_argument.
template <typename Parse>
auto parse_engine_option(Parse parse, const std::string& value) {
  try {
    return parse(value);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());
  }
}

}  // namespace

Models::Models(Options opts) : options(std::move(opts)), mupdf(options.memory_limit_mb << 20) {
  if (options.cores <= 0) options.cores = pipeline::usable_cores();
  const int cores = options.cores;
  if (options.render_workers <= 0) options.render_workers = cores;
  if (options.batch_size <= 0) options.batch_size = 1;
  if (options.layout_workers <= 0) options.layout_workers = cores;
  if (options.ocr_workers <= 0) options.ocr_workers = cores;
  try {
    PageSelection::parse(options.pages);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("pages: ") + e.what());
  }
  const TableEngine table_engine = parse_engine_option(parse_table_engine, options.table_engine);
  const OcrMode ocr_mode = parse_engine_option(parse_ocr_mode, options.ocr);
  const bool use_tesseract = parse_engine_option(parse_ocr_engine, options.ocr_engine);
  if (options.layout) {
    const std::string path = options.layout_model.empty()
                                 ? models_dir(options) + "/layout/layout_cdla_fused.onnx"
                                 : options.layout_model;
    // Page-level parallelism beats intra-op threads for a small model: several workers share
    // one session (Run is thread-safe), each run on its own core.
    const int threads = options.threads > 0 ? options.threads : std::max(1, cores / options.layout_workers);
    layout::Manifest manifest = layout::load_manifest(path);
    if (options.layout_width > 0 && options.layout_height > 0) {
      manifest.input_width = options.layout_width;
      manifest.input_height = options.layout_height;
      manifest.input_size_given = true;
    }
    detector = std::make_unique<layout::Detector>(std::move(manifest), threads);
    options.layout_width = detector->manifest().input_width;
    options.layout_height = detector->manifest().input_height;
    if (table_engine != TableEngine::rules) {
      table_model = std::make_unique<tables::TableModel>(models_dir(options) + "/tables/slanet-plus.onnx",
                                                         std::max(1, options.threads));
    }
  }
  // PP-OCR's detector and classifier also judge page orientation for either engine. An engine
  // started with OCR off loads neither (start-up time), and refuses jobs that ask for OCR.
  if (ocr_mode != OcrMode::off) {
    const int threads = options.threads > 0 ? options.threads : std::max(1, cores / options.ocr_workers);
    paddle = std::make_unique<ocr::PaddleOcr>(models_dir(options) + "/ppocr", threads);
  }
  if (use_tesseract && ocr_mode != OcrMode::off) tesseract();
}

ocr::TesseractOcr& Models::tesseract() {
  std::lock_guard lock(tesseract_mu_);
  if (!tesseract_) tesseract_ = std::make_unique<ocr::TesseractOcr>(options.ocr_languages);
  return *tesseract_;
}

Options Models::job_options(const JobOptions& job) const {
  Options o = options;
  if (job.pages) {
    try {
      PageSelection::parse(*job.pages);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("pages: ") + e.what());
    }
    o.pages = *job.pages;
  }
  if (job.password) o.password = *job.password;
  if (job.ocr) o.ocr = *job.ocr;
  if (job.ocr_engine) o.ocr_engine = *job.ocr_engine;
  if (job.table_engine) o.table_engine = *job.table_engine;
  if (job.picture_images) o.picture_images = *job.picture_images;
  if (job.timeout) o.document_timeout = *job.timeout;
  return o;
}

std::shared_ptr<const DocumentSettings> Models::settings(const Options& o, const JobOptions& job) const {
  const bool tables = job.tables.value_or(true);
  const double picture_dpi = job.picture_dpi.value_or(0);
  if (picture_dpi < 0 || picture_dpi > 1200) throw std::invalid_argument("picture dpi: expected 0 to 1200");
  auto s = std::make_shared<DocumentSettings>();
  s->password = o.password;
  s->ocr = parse_ocr_mode(o.ocr);
  if (s->ocr != OcrMode::off && !paddle) {
    throw std::invalid_argument("ocr: this engine was started with OCR off");
  }
  s->ocr_dpi = o.ocr_dpi;
  s->ocr_pictures = o.ocr_pictures;
  s->tesseract = parse_ocr_engine(o.ocr_engine);
  s->tables = tables && detector;
  s->table_engine = parse_table_engine(o.table_engine);
  s->picture_images = o.picture_images;
  s->picture_dpi = picture_dpi;
  return s;
}

}  // namespace pageflow
