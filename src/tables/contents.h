// Tables of contents, and lists of the same make: entries whose title runs into a dot leader and
// a page number (or a figure: a fleet's tonnage, a price). Docling writes contents as tables
// (title, page); so do we, instead of a paragraph per entry.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "core/page.h"

namespace pageflow::tables {

// The contents tables among `lines` (lines inside `taken` left out): three or more entries one
// under the other, each "title . . . . 12" (the leader two dots at least, spaced or not, or what
// OCR reads of them: middle dots, bullets, ellipses; the number arabic or roman, or a figure
// with thousands separators or cents); a line of running words without a leader right above an
// entry is the start of its wrapped title (a column header, its pieces far apart, is not). Each
// table has a row per entry and two columns, the title (with its leader, as printed) and the
// number.
std::vector<std::pair<Box, TableData>> contents_tables(const std::vector<TextLine>& lines, std::span<const Box> taken);

}  // namespace pageflow::tables
