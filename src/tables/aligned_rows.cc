#include "tables/aligned_rows.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <string>

namespace pageflow::tables {

namespace {

// The least gap between two cells of a row, in font sizes (a word space is about a quarter).
constexpr double kCellGap = 0.9;

struct Row {
  std::vector<Box> cells;  // left to right
  std::vector<std::string> texts;  // each cell's words
  Box box;
  double font_size = 0;
};

// A figure: digits, with the signs, separators and brackets numbers are written with.
bool is_figure(const std::string& text) {
  bool digit = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (!std::strchr(" .,%()+-$", c)) {
      return false;
    }
  }
  return digit;
}

// The page's lanes: side-by-side stretches (the pages of a two-page spread, columns of text)
// parted by a gutter no line crosses with running text on both sides. A table's own gutters
// have short cells on at least one side, so a table stays in one lane.
std::vector<std::vector<const TextLine*>> lanes_of(const std::vector<const TextLine*>& lines) {
  std::vector<const TextLine*> by_left = lines;
  std::sort(by_left.begin(), by_left.end(), [](const TextLine* a, const TextLine* b) { return a->box.l < b->box.l; });
  auto prose = [](const TextLine* line) { return line->words.size() >= 5; };
  std::vector<bool> prose_from(by_left.size() + 1, false);  // running text at this index or after
  for (size_t i = by_left.size(); i-- > 0;) prose_from[i] = prose_from[i + 1] || prose(by_left[i]);
  std::vector<std::vector<const TextLine*>> lanes(1);
  bool lane_has_prose = false;
  double reach = -1e9;  // right edge of the lines so far
  for (size_t i = 0; i < by_left.size(); ++i) {
    const TextLine* line = by_left[i];
    const double size = type_size(*line);
    if (line->box.l - reach > 2 * size && lane_has_prose && prose_from[i]) {
      lanes.emplace_back();
      lane_has_prose = false;
    }
    lanes.back().push_back(line);
    lane_has_prose = lane_has_prose || prose(line);
    reach = std::max(reach, line->box.r);
  }
  return lanes;
}

// A lane's lines grouped into rows by vertical overlap, top to bottom.
std::vector<Row> rows_of(std::vector<const TextLine*> free) {
  std::sort(free.begin(), free.end(), [](const TextLine* a, const TextLine* b) {
    return a->box.t + a->box.b < b->box.t + b->box.b;
  });
  std::vector<Row> rows;
  std::vector<std::vector<const TextLine*>> members;  // by row
  for (const TextLine* line : free) {
    if (!rows.empty()) {
      const Box& band = rows.back().box;
      const double overlap = std::min(band.b, line->box.b) - std::max(band.t, line->box.t);
      if (overlap >= 0.5 * std::min(band.height(), line->box.height())) {
        members.back().push_back(line);
        rows.back().box = unite(rows.back().box, line->box);
        continue;
      }
    }
    rows.push_back({{}, {}, line->box, 0});
    members.push_back({line});
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<const Word*> words;
    double size = 0;
    for (const TextLine* line : members[i]) {
      size = std::max(size, type_size(*line));
      for (const auto& word : line->words) words.push_back(&word);
    }
    std::sort(words.begin(), words.end(), [](const Word* a, const Word* b) { return a->box.l < b->box.l; });
    rows[i].font_size = size;
    for (const Word* word : words) {
      // Nearer than about three spaces: the same cell.
      if (!rows[i].cells.empty() && word->box.l - rows[i].cells.back().r < kCellGap * size) {
        rows[i].cells.back() = unite(rows[i].cells.back(), word->box);
        rows[i].texts.back() += " " + word->text;
      } else {
        rows[i].cells.push_back(word->box);
        rows[i].texts.push_back(word->text);
      }
    }
  }
  return rows;
}

// Whether two cells of one column line up: they start, end or are centred at the same x.
bool aligned(const Box& x, const Box& y, double tolerance) {
  return std::abs(x.l - y.l) <= tolerance || std::abs(x.r - y.r) <= tolerance ||
         std::abs((x.l + x.r) - (y.l + y.r)) <= 2 * tolerance;
}

// The column of each of `row`'s cells, left to right, each lined up with the cell last seen in
// that column (`last`); empty when a cell lines up with none. Columns a row leaves out are its
// empty cells.
std::vector<size_t> columns_of(const Row& row, const std::vector<Box>& last, double font_size) {
  const double tolerance = 0.6 * std::max(row.font_size, font_size);
  std::vector<size_t> found;
  size_t next = 0;
  for (const Box& cell : row.cells) {
    while (next < last.size() && !aligned(cell, last[next], tolerance)) ++next;
    if (next == last.size()) return {};
    found.push_back(next++);
  }
  return found;
}

bool close_below(const Row& upper, const Row& lower) {
  return lower.box.t - upper.box.b <= 2.5 * std::max(upper.font_size, lower.font_size);
}

// A row of a label (or figure) and a figure: two columns make a table only in a run of such rows
// (a year and its count, an item and its amount); two columns of words are a form or a list.
bool label_and_figure(const Row& row) { return row.cells.size() == 2 && is_figure(row.texts.back()); }

// Runs of rows in the same columns, each with the header rows right above it. A row of the run
// may leave cells empty: one of them in three rows at least, more in the others (an invoice's
// totals under its items), as long as two of its cells stand in the run's columns.
void add_runs(const std::vector<Row>& rows, std::vector<Box>& tables) {
  for (size_t start = 0; start < rows.size();) {
    size_t end = start + 1;
    const bool figures = label_and_figure(rows[start]);
    std::vector<Box> columns = rows[start].cells, last = columns;
    Box box = rows[start].box;
    size_t full_rows = 1;
    if (rows[start].cells.size() >= 3 || figures) {
      for (; end < rows.size() && close_below(rows[end - 1], rows[end]); ++end) {
        const Row& row = rows[end];
        const std::vector<size_t> found = columns_of(row, last, rows[end - 1].font_size);
        if (found.size() < 2 || (figures && (found.size() != 2 || !label_and_figure(row)))) break;
        for (size_t c = 0; c < found.size(); ++c) {
          last[found[c]] = row.cells[c];
          columns[found[c]] = unite(columns[found[c]], row.cells[c]);
        }
        box = unite(box, row.box);
        full_rows += found.size() + 1 >= columns.size();
      }
    }
    if (full_rows < (figures ? 4u : 3u)) {
      start = end;
      continue;
    }
    // Header rows: every piece over exactly one column, or (a spreadsheet's header, set flush
    // left over figures set flush right) two pieces or more over distinct columns, a piece over
    // none standing for the column nearest it, within half the table's width of it.
    for (size_t above = start; above > 0 && start - above < 3; --above) {
      const Row& header = rows[above - 1];
      if (!close_below(header, rows[above])) break;
      std::vector<size_t> over;  // each piece's column
      bool each_over_one = true;
      for (const Box& cell : header.cells) {
        std::vector<size_t> under;
        for (size_t c = 0; c < columns.size(); ++c) {
          if (std::min(cell.r, columns[c].r) > std::max(cell.l, columns[c].l)) under.push_back(c);
        }
        each_over_one = each_over_one && under.size() == 1;
        if (under.size() > 1) {
          over.clear();
          break;
        }
        const auto distance = [&](size_t c) { return std::abs((cell.l + cell.r) - (columns[c].l + columns[c].r)); };
        size_t nearest = 0;
        for (size_t c = 1; c < columns.size(); ++c) nearest = distance(c) < distance(nearest) ? c : nearest;
        over.push_back(under.empty() ? nearest : under[0]);
      }
      const bool in_order = over.size() == header.cells.size() && std::adjacent_find(over.begin(), over.end(), std::greater_equal<>()) == over.end();
      const double reach = each_over_one ? header.font_size : 0.5 * box.width();
      if (!in_order || (!each_over_one && over.size() < 2) || header.box.l < box.l - reach || header.box.r > box.r + reach) break;
      box = unite(box, header.box);
    }
    tables.push_back(box);
    start = end;
  }
}

}  // namespace

std::vector<Box> aligned_row_tables(const std::vector<TextLine>& lines, std::span<const Box> taken) {
  std::vector<const TextLine*> free;
  for (const auto& line : lines) {
    // Monospaced lines are code or program output, aligned by its spaces: read as code.
    if (line.words.empty() || line.box.height() <= 0 || line.monospace) continue;
    if (std::none_of(taken.begin(), taken.end(), [&](const Box& b) { return centre_inside(line.box, b); })) {
      free.push_back(&line);
    }
  }
  std::vector<Box> tables;
  for (const auto& lane : lanes_of(free)) add_runs(rows_of(lane), tables);
  return tables;
}

}  // namespace pageflow::tables
