// Pipeline stage: loads each page with MuPDF on a pool of workers, one PdfReader (cloned context,
// own open document) per worker, and fills the page size, text layer and raster. It also applies
// the OCR policy, since it holds the page: pages to be read by OCR get a second, sharper raster.
#pragma once

#include <memory>
#include <vector>

#include "pdf/mupdf.h"
#include "pipeline/stage.h"

namespace pageflow::pdf {

enum class OcrMode { off, automatic, force };

// When pages are read by OCR: the mode, and the resolution of the OCR raster.
struct OcrRequest {
  OcrMode mode = OcrMode::off;
  double dpi = 200;
  bool pictures = false;  // automatic mode: read images inside digital pages too
};

class RenderStage : public pipeline::Stage {
 public:
  RenderStage(const MupdfEngine& engine, std::string password, RenderRequest request, OcrRequest ocr);
  std::string name() const override { return "render"; }
  void open(int workers) override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;

 private:
  const MupdfEngine& engine_;
  std::string password_;
  RenderRequest request_;
  OcrRequest ocr_;
  std::vector<std::unique_ptr<PdfReader>> readers_;
};

}  // namespace pageflow::pdf
