// Page-level assembly: turns a page's text lines and layout regions into blocks in reading order.
//   1. regions: the detector's, de-duplicated; lines no region claims are grouped by the text
//      layer's own blocks, so nothing on the page is lost when the model misses a region;
//   2. lines are assigned to the region covering most of them; text inside pictures belongs to
//      the picture and is not body text;
//   3. reading order of regions by recursive XY-cut (columns before rows where a gutter exists);
//   4. each region becomes one or more elements: paragraphs re-flowed (de-hyphenated), list items
//      split at their markers with nesting from indentation, code from monospace fonts, captions
//      tied to the nearest picture or table, footnotes from small type at the page bottom.
// Heading levels, titles and repeated headers/footers are decided per document afterwards
// (document_assembler.h), because they need every page's typography.
#pragma once

#include <vector>

#include "core/page.h"

namespace pageflow {

// With `crop_pictures`, picture elements carry their pixels from the page raster as PNG.
std::vector<Block> assemble_page(const Page& page, bool crop_pictures = false);

// How a page's boxes are read where their places leave a choice.
struct ReadingStyle {
  bool scanned = false;        // boxes no gutter or row cuts apart: column by column in their flow, not top down
  bool right_to_left = false;  // side-by-side columns from the right (an Arabic, Hebrew or Persian page)
};

// Reading order of boxes by recursive XY-cut; returns indices into `boxes`.
std::vector<size_t> reading_order(const std::vector<Box>& boxes, ReadingStyle style = {});

// List marker at the start of a line: returns its length in bytes (0 if none) and whether it is
// an enumeration ("1.", "a)", "(iv)") rather than a bullet.
size_t list_marker_length(const std::string& text, bool* ordered);

// Joins lines into one paragraph: a hyphen ending a line before a lower-case letter is removed
// with the break; CJK lines join without a space.
std::string reflow(const std::vector<std::string>& lines);

}  // namespace pageflow
