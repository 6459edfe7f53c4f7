// The page-level result of assembly: elements in reading order plus the typography that the
// document-level pass needs (heading levels, repeated headers and footers).
#pragma once

#include <vector>

#include "pageflow/document.h"

namespace pageflow {

struct Block {
  Element element;
  double font_size = 0;  // dominant size of the block's lines
  bool bold = false;
  bool italic = false;
  bool from_model_title = false;  // the layout model called it a title/heading
  // A line of it has two words four type sizes apart or more: a form's label and its value (or a
  // row's cells) that the text layer strung into one line.
  bool spans_gutter = false;
  int caption_target = -1;         // caption: index of the described block on the same page
};

// A document (or a slice of its pages) after page-level assembly, before the document-level pass:
// what a worker that converted a slice hands back, and what the pass over all slices takes.
struct DocumentPages {
  Document document;  // pages, missing pages, warnings, error; no elements yet
  std::vector<std::vector<Block>> blocks;  // blocks[i] belongs to document.pages[i]
};

}  // namespace pageflow
