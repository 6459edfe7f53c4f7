// Pipeline stage: per-page assembly (see page_assembler.h).
#pragma once

#include "pipeline/stage.h"

namespace pageflow {

class AssembleStage : public pipeline::Stage {
 public:
  std::string name() const override { return "assemble"; }
  void process(std::span<pipeline::Item* const> batch, int worker) override;
  // Documents that keep their pictures' pixels bring the raster this far.
  bool releases_scratch(const pipeline::Item&) const override { return true; }
};

}  // namespace pageflow
