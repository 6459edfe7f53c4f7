// Pipeline stage: reads the pages the policy marked (scans, images, pages without a usable text
// layer). Each page is first turned upright (0/90/180/270 degrees, judged by PP-OCR's detector
// and line classifier whatever the engine), then read by the chosen engine; its lines replace
// the text layer. Runs before layout so that the detector sees the upright page too. With
// --ocr-pictures, bitmaps inside digital pages are read as well and their lines added.
#pragma once

#include "ocr/engine.h"
#include "ocr/paddle_ocr.h"
#include "pipeline/stage.h"

namespace pageflow::ocr {

class OcrStage : public pipeline::Stage {
 public:
  OcrStage(Engine& engine, const PaddleOcr& orientation) : engine_(engine), orientation_(orientation) {}
  std::string name() const override { return "ocr"; }
  void open(int workers) override { engine_.open(workers); }
  // Pages the render stage gave an OCR raster: scanned pages, and digital pages with pictures to read.
  bool wants(const pipeline::Item& item) const override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;

 private:
  void read_pictures(Page& page, int worker);
  Engine& engine_;
  const PaddleOcr& orientation_;
};

}  // namespace pageflow::ocr
