#include "assemble/assemble_stage.h"

#include "assemble/page_assembler.h"

namespace pageflow {

void AssembleStage::process(std::span<pipeline::Item* const> batch, int) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    page.blocks = assemble_page(page, page.doc->settings->picture_images);
  }
}

}  // namespace pageflow
