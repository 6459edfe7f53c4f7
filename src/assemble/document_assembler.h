// Document-level assembly over all pages' blocks: heading levels from the document's font sizes,
// the title, page headers/footers (model labels, repetition across pages, page numbers), and
// the final element list in reading order. Only runs once a document's pages are all through.
#pragma once

#include <vector>

#include "core/blocks.h"
#include "pageflow/document.h"

namespace pageflow {

// `page_blocks[i]` belongs to `document.pages[i]`. Fills document.elements.
void assemble_document(Document& document, std::vector<std::vector<Block>>& page_blocks);

}  // namespace pageflow
