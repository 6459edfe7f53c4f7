// Table structure recognition for a table region found by the layout stage:
//   lattice  ruling lines found in the page raster by morphology (works for digital and scanned
//            tables alike): grid from the lines, spanned cells where a line is missing between
//            two grid cells;
//   stream   no rules: rows from text lines, columns from gutters that no word crosses,
//            continuation lines (empty first column) merged into the row above.
//   model    SLANet-plus (slanet.h) where no rules are found, when its model is installed.
// Words (text layer or OCR) go to the cell holding their centre, else the nearest cell. The first row is a header row
// when it is bold, or textual above numeric rows.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/page.h"
#include "core/settings.h"

namespace pageflow::tables {

class TableModel;

struct Recognised {
  TableData table;
  std::string method;  // "lattice", "model" or "stream"
  // False when the grid cuts running text between words of a line at ordinary word spaces (and
  // no rule runs between them: a ruled grid's cells may be strung into one line of the text
  // layer): the region is prose (or a code listing) the detector took for a table.
  bool earned = true;
  // Set when the region ran past its table: the table's own part, without the lines of running
  // text at its top or bottom edge (they are read as paragraphs).
  std::optional<Box> region;
};

// Which methods may run: kAuto tries lattice (ruled tables), then the model, then stream;
// kRules never uses the model; kModel tries the model first.
using Engine = TableEngine;

// `raster` may be empty (then only the stream method applies); `model` may be null.
// `drawn_rules` are a digital page's ruling strokes (page points): where the raster shows no grid
// (hairlines fade at 72 dpi; a page the detector skipped has no raster) the grid is read from them.
Recognised recognise(const Box& region, const std::vector<TextLine>& lines, const cv::Mat& raster,
                     double scale, const TableModel* model = nullptr, Engine engine = Engine::automatic,
                     std::span<const Box> drawn_rules = {});

// Whether `table` (cells with boxes) parts the words of `lines` inside `region` only at gutters
// (see Recognised::earned).
bool earns_grid(const TableData& table, const Box& region, const std::vector<TextLine>& lines);

// Ruling lines inside `region`, in page points: y of horizontal rules, x of vertical rules, and
// the masks' coverage test used for spans. Exposed for tests.
struct Rules {
  std::vector<double> rows;     // y positions
  std::vector<double> columns;  // x positions
};
Rules find_rules(const Box& region, const cv::Mat& raster, double scale);

}  // namespace pageflow::tables
