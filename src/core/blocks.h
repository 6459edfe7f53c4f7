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
  bool from_model_title = false;  // the layout model called it a title/heading
  int caption_target = -1;         // caption: index of the described block on the same page
};

}  // namespace pageflow
