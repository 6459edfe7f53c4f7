// Pipeline stage: per-page assembly (see page_assembler.h).
#pragma once

#include "pipeline/stage.h"

namespace pageflow {

class AssembleStage : public pipeline::Stage {
 public:
  // With `crop_pictures` the stage needs the page raster, so it is the one that frees it.
  explicit AssembleStage(bool crop_pictures = false) : crop_pictures_(crop_pictures) {}
  std::string name() const override { return "assemble"; }
  void process(std::span<pipeline::Item* const> batch, int worker) override;
  bool releases_scratch() const override { return crop_pictures_; }

 private:
  bool crop_pictures_;
};

}  // namespace pageflow
