// Tables of contents: entries whose title runs into a dot leader and a page number. Docling
// writes them as tables (title, page); so do we, instead of a paragraph per entry.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "core/page.h"

namespace pageflow::tables {

// The contents tables among `lines` (lines inside `taken` left out): three or more entries one
// under the other, each "title . . . . 12" (the leader two dots at least, spaced or not, the
// page number arabic or roman); a line without a leader right above an entry is the start of
// its wrapped title. Each table has a row per entry and two columns, the title (with its leader,
// as printed) and the page number.
std::vector<std::pair<Box, TableData>> contents_tables(const std::vector<TextLine>& lines, std::span<const Box> taken);

}  // namespace pageflow::tables
