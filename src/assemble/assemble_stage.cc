#include "assemble/assemble_stage.h"

#include "assemble/page_assembler.h"
#include "core/text.h"

namespace pageflow {

namespace {

// Punctuation is folded once a page's structure is read, not in its text layer: the page's
// heuristics still see an en dash as a bullet and an em dash at a line's end as no hyphen.
void fold_element_punctuation(Element& e) {
  e.text = fold_punctuation(e.text);
  e.marker = fold_punctuation(e.marker);
  if (e.table) {
    for (TableCell& cell : e.table->cells) cell.text = fold_punctuation(cell.text);
  }
}

}  // namespace

void AssembleStage::process(std::span<pipeline::Item* const> batch, int) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    page.blocks = assemble_page(page, page.doc->settings->picture_images);
    for (Block& block : page.blocks) fold_element_punctuation(block.element);
  }
}

}  // namespace pageflow
