// Pipeline stage: reads the pages the policy marked (scans, images, pages without a usable text
// layer). Each page is first turned upright (0/90/180/270 degrees, judged by PP-OCR's detector
// and line classifier whatever the engine), then read by the chosen engine; its lines replace
// the text layer. Runs before layout so that the detector sees the upright page too. With
// --ocr-pictures, bitmaps inside digital pages are read as well and their lines added.
#pragma once

#include <atomic>

#include "ocr/engine.h"
#include "ocr/paddle_ocr.h"
#include "pipeline/stage.h"

namespace pageflow::ocr {

class OcrStage : public pipeline::Stage {
 public:
  // `paddle` reads pages and judges orientation; pages whose document asks for Tesseract are read
  // by the one set with use_tesseract() (opened for the stage's workers before it is set).
  explicit OcrStage(PaddleOcr& paddle) : paddle_(paddle) {}
  std::string name() const override { return "ocr"; }
  void open(int workers) override { paddle_.open(workers); }
  void use_tesseract(Engine* tesseract) { tesseract_.store(tesseract); }
  // Pages the render stage gave an OCR raster: scanned pages, and digital pages with pictures to read.
  bool wants(const pipeline::Item& item) const override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;

 private:
  Engine& engine_for(const Page& page) const;
  void read_pictures(Page& page, int worker);
  PaddleOcr& paddle_;
  std::atomic<Engine*> tesseract_{nullptr};
};

}  // namespace pageflow::ocr
