// Pipeline stage: loads each page with MuPDF on a pool of workers, one PdfReader (cloned context,
// own open document) per worker, and fills the page size, text layer and raster. It also applies
// the OCR policy, since it holds the page: pages to be read by OCR get a second, sharper raster.
#pragma once

#include <memory>
#include <vector>

#include "pdf/mupdf.h"
#include "pipeline/stage.h"

namespace pageflow::pdf {

class RenderStage : public pipeline::Stage {
 public:
  // `request.render`: draw the layout raster of every page (pages in automatic OCR mode get one
  // in any case: the OCR policy reads it).
  RenderStage(const MupdfEngine& engine, RenderRequest request);
  std::string name() const override { return "render"; }
  void open(int workers) override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;

 private:
  const MupdfEngine& engine_;
  RenderRequest request_;
  std::vector<std::unique_ptr<PdfReader>> readers_;
};

}  // namespace pageflow::pdf
