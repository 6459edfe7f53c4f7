// Selective OCR: decides from a page's text layer and its low-resolution render whether the
// text layer accounts for what is printed on the page.
#pragma once

#include "core/page.h"

namespace pageflow::ocr {

// True when the page has ink but no text layer, or when a large image (a scan) carries most of
// the ink and the text layer explains little of it. Blank pages need no OCR.
bool needs_ocr(const Page& page);

// True when the page has no text layer and (almost) no ink: nothing for OCR or layout to find.
bool is_blank(const Page& page);

// Images inside a digital page worth reading (--ocr-pictures): large enough to hold text, and
// not already covered by the text layer.
std::vector<Box> picture_regions(const Page& page);

}  // namespace pageflow::ocr
