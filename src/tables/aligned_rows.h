// Tables the layout model did not mark (it took them for text, or found nothing there): runs of
// text rows whose cells stand in the same columns.
#pragma once

#include <span>
#include <vector>

#include "core/page.h"

namespace pageflow::tables {

// Candidate table boxes among `lines`, leaving out monospaced lines (code) and lines inside
// `taken` (regions already tables). A row is the lines side by side at one height; a cell a run
// of its words parted by less than about three word spaces. A run of rows whose cells start, end
// or are centred at the x of the cell last seen in their column makes a table when it opens with
// three cells or more and three of its rows leave at most one cell empty (rows in between may
// fill only two columns: an invoice's totals); so do four or more rows of two cells whose second
// is a figure (a year and its count). Up to three rows right above it are its header when every
// piece stands over one of its columns, or (a spreadsheet's header set flush left over figures
// set flush right) when two pieces or more stand over distinct columns in order, a piece over
// none counting for the nearest, within half the table's width of it. Candidates only: the
// caller keeps those whose grid is earned and looks tabular.

// A line's type size: its font size, or its height where the font gave none.
inline double type_size(const TextLine& line) { return line.font_size > 0 ? line.font_size : line.box.height(); }

std::vector<Box> aligned_row_tables(const std::vector<TextLine>& lines, std::span<const Box> taken);

}  // namespace pageflow::tables
