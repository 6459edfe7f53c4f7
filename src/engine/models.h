// What an engine loads once and every pipeline it runs shares: the options resolved against this
// machine, MuPDF's base context and the neural models. Stages (stage_set.h) hold per-worker
// state of their own, so two pipelines never share a stage object, only these.
#pragma once

#include <memory>
#include <mutex>

#include "core/settings.h"
#include "layout/detector.h"
#include "ocr/paddle_ocr.h"
#include "ocr/tesseract_ocr.h"
#include "pageflow/converter.h"
#include "pageflow/engine.h"
#include "pdf/mupdf.h"
#include "tables/slanet.h"

namespace pageflow {

struct Models {
  explicit Models(Options options);

  // The settings a job's documents get: the engine's options with the job's overrides. Throws
  // std::invalid_argument naming a bad value.
  Options job_options(const JobOptions& job) const;
  std::shared_ptr<const DocumentSettings> settings(const Options& job_options, const JobOptions& job) const;

  // Tesseract, loaded on first use (when neither the options nor any job asked for it before).
  ocr::TesseractOcr& tesseract();

  Options options;  // with cores, workers and threads resolved
  pdf::MupdfEngine mupdf;
  std::unique_ptr<layout::Detector> detector;
  std::unique_ptr<ocr::PaddleOcr> paddle;
  std::unique_ptr<tables::TableModel> table_model;

 private:
  std::mutex tesseract_mu_;
  std::unique_ptr<ocr::TesseractOcr> tesseract_;
};

}  // namespace pageflow
