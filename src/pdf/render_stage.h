// Pipeline stage: loads each page with MuPDF on a pool of workers, one PdfReader (cloned context,
// own open document) per worker, and fills the page size, text layer and raster.
#pragma once

#include <memory>
#include <vector>

#include "pdf/mupdf.h"
#include "pipeline/stage.h"

namespace pageflow::pdf {

class RenderStage : public pipeline::Stage {
 public:
  RenderStage(const MupdfEngine& engine, std::string password, RenderRequest request);
  std::string name() const override { return "render"; }
  void open(int workers) override;
  void process(std::span<pipeline::Item* const> batch, int worker) override;

 private:
  const MupdfEngine& engine_;
  std::string password_;
  RenderRequest request_;
  std::vector<std::unique_ptr<PdfReader>> readers_;
};

}  // namespace pageflow::pdf
