#include "tables/table_structure.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include <opencv2/imgproc.hpp>

#include "core/statistics.h"
#include "core/text.h"
#include "tables/slanet.h"

namespace pageflow::tables {

namespace {

struct Masks {
  cv::Mat horizontal, vertical;  // rule pixels in the region crop
  cv::Rect crop;                 // crop in raster pixels
  double scale = 1;
};

// The pixels of `region` at `scale`, with a margin for a frame drawn on its edge; null when too
// small to hold a grid.
std::optional<cv::Rect> region_crop(const Box& region, double scale) {
  const cv::Rect crop(cv::Point(static_cast<int>(region.l * scale) - 2, static_cast<int>(region.t * scale) - 2),
                      cv::Point(static_cast<int>(region.r * scale) + 3, static_cast<int>(region.b * scale) + 3));
  if (crop.width < 8 || crop.height < 8) return std::nullopt;
  return crop;
}

// A rule is a run of ink far longer than any glyph: an eighth of the table, at least 10 px.
cv::Size shortest_rules(const cv::Rect& crop) {
  return {std::max(10, crop.width / 8), std::max(10, crop.height / 8)};
}

std::optional<Masks> rule_masks(const Box& region, const cv::Mat& raster, double scale) {
  if (raster.empty() || scale <= 0) return std::nullopt;
  const std::optional<cv::Rect> padded = region_crop(region, scale);
  if (!padded) return std::nullopt;
  const cv::Rect crop = *padded & cv::Rect(0, 0, raster.cols, raster.rows);
  if (crop.width < 8 || crop.height < 8) return std::nullopt;
  cv::Mat gray, ink;
  cv::cvtColor(raster(crop), gray, cv::COLOR_BGR2GRAY);
  // Thin or grey rules render light at 72 dpi: anything visibly darker than paper counts.
  cv::threshold(gray, ink, 235, 255, cv::THRESH_BINARY_INV);
  Masks m;
  m.crop = crop;
  m.scale = scale;
  const cv::Size shortest = shortest_rules(crop);
  cv::morphologyEx(ink, m.horizontal, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(shortest.width, 1)));
  cv::morphologyEx(ink, m.vertical, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(1, shortest.height)));
  return m;
}

// The same masks drawn from a digital page's ruling strokes, at two pixels per point: exact where
// a raster blurs a hairline away. Strokes shorter than the raster masks' least rule are left out
// (an underline, a struck-through word).
std::optional<Masks> drawn_rule_masks(const Box& region, std::span<const Box> rules) {
  constexpr double kScale = 2;
  const std::optional<cv::Rect> crop = region_crop(region, kScale);
  if (rules.empty() || !crop) return std::nullopt;
  Masks m;
  m.scale = kScale;
  m.crop = *crop;
  m.horizontal = cv::Mat::zeros(m.crop.size(), CV_8U);
  m.vertical = cv::Mat::zeros(m.crop.size(), CV_8U);
  const cv::Size shortest = shortest_rules(m.crop);
  bool across = false, down = false;
  for (const Box& rule : rules) {
    const cv::Rect drawn = cv::Rect(cv::Point(static_cast<int>(rule.l * kScale), static_cast<int>(rule.t * kScale)),
                                    cv::Point(static_cast<int>(rule.r * kScale) + 1, static_cast<int>(rule.b * kScale) + 1)) &
                           m.crop;
    const bool horizontal = rule.width() >= rule.height();
    if (drawn.empty() || (horizontal ? drawn.width < shortest.width : drawn.height < shortest.height)) continue;
    cv::rectangle(horizontal ? m.horizontal : m.vertical, drawn - m.crop.tl(), cv::Scalar(255), cv::FILLED);
    (horizontal ? across : down) = true;
  }
  if (!across || !down) return std::nullopt;
  return m;
}

// Positions (in crop pixels) where a mask's projection is at least `share` of `length`,
// adjacent positions merged into one line at their middle. A thick run is a shaded band (a
// header background), not a rule: both of its edges are cell boundaries.
std::vector<int> lines_in(const cv::Mat& mask, int axis, double share) {
  cv::Mat projection;
  cv::reduce(mask, projection, axis == 0 ? 1 : 0, cv::REDUCE_SUM, CV_32S);  // axis 0: rows
  const int n = axis == 0 ? mask.rows : mask.cols;
  const double length = 255.0 * (axis == 0 ? mask.cols : mask.rows);
  std::vector<int> out;
  int start = -1;
  for (int i = 0; i <= n; ++i) {
    const bool on = i < n && projection.at<int>(axis == 0 ? i : 0, axis == 0 ? 0 : i) >= share * length;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      if (i - start <= 4) {
        out.push_back((start + i - 1) / 2);
      } else {
        out.push_back(start);
        out.push_back(i - 1);
      }
      start = -1;
    }
  }
  return out;
}

// Share of the segment from (x0,y0) to (x1,y1) (axis-aligned, crop pixels) covered by the mask.
double coverage(const cv::Mat& mask, int x0, int y0, int x1, int y1) {
  int on = 0, total = 0;
  for (int y = std::max(0, y0); y <= std::min(mask.rows - 1, y1); ++y) {
    for (int x = std::max(0, x0); x <= std::min(mask.cols - 1, x1); ++x) {
      ++total;
      // A rule may be a pixel off: look at the neighbours across it too.
      bool hit = false;
      for (int d = -1; d <= 1 && !hit; ++d) {
        const int yy = y0 == y1 ? std::clamp(y + d, 0, mask.rows - 1) : y;
        const int xx = x0 == x1 ? std::clamp(x + d, 0, mask.cols - 1) : x;
        hit = mask.at<uchar>(yy, xx) != 0;
      }
      on += hit;
    }
  }
  return total ? static_cast<double>(on) / total : 0;
}

struct WordRef {
  const Word* word;
  size_t line;
  bool bold;
};

std::vector<WordRef> words_in(const Box& region, const std::vector<TextLine>& lines) {
  std::vector<WordRef> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    for (const auto& w : lines[i].words) {
      const double cx = (w.box.l + w.box.r) / 2, cy = (w.box.t + w.box.b) / 2;
      if (cx >= region.l && cx <= region.r && cy >= region.t && cy <= region.b) out.push_back({&w, i, lines[i].bold});
    }
  }
  return out;
}

bool has_digit(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The cell holding the word's centre, or (model cells do not tile the table) the nearest one.
size_t cell_of(const TableData& table, const Word& word) {
  const double cx = (word.box.l + word.box.r) / 2, cy = (word.box.t + word.box.b) / 2;
  size_t best = 0;
  double best_distance = 1e18;
  for (size_t c = 0; c < table.cells.size(); ++c) {
    const Box& b = table.cells[c].box;
    const double dx = std::max({b.l - cx, 0.0, cx - b.r}), dy = std::max({b.t - cy, 0.0, cy - b.b});
    const double distance = dx * dx + dy * dy;
    if (distance < best_distance) {
      best_distance = distance;
      best = c;
    }
  }
  return best;
}

// The cell of each word (cell_of), in the words' order; empty for a table without cells.
std::vector<size_t> cells_of(const TableData& table, const std::vector<WordRef>& words) {
  std::vector<size_t> cells;
  if (table.cells.empty()) return cells;
  for (const auto& w : words) cells.push_back(cell_of(table, *w.word));
  return cells;
}

// Fills cell texts from words (reading order: line by line, left to right) and marks the header.
// `cells` holds the cell of each word (cells_of).
void fill(TableData& table, const std::vector<WordRef>& words, const std::vector<size_t>& cells) {
  std::vector<std::vector<const WordRef*>> in_cell(table.cells.size());
  if (table.cells.empty()) return;
  for (size_t k = 0; k < words.size(); ++k) in_cell[cells[k]].push_back(&words[k]);
  std::vector<bool> bold_cell(table.cells.size(), false);
  for (size_t c = 0; c < table.cells.size(); ++c) {
    const auto& ws = in_cell[c];
    // The cell's lines top to bottom (side by side, left to right), each line's words in the
    // line's own order: a rotated header reads along its line, not down the page.
    std::vector<std::pair<Box, std::vector<const WordRef*>>> cell_lines;
    for (const WordRef* w : ws) {
      auto same = std::find_if(cell_lines.begin(), cell_lines.end(),
                               [&](const auto& l) { return l.second.front()->line == w->line; });
      if (same == cell_lines.end()) {
        cell_lines.push_back({w->word->box, {w}});
      } else {
        same->first = unite(same->first, w->word->box);
        same->second.push_back(w);
      }
    }
    std::stable_sort(cell_lines.begin(), cell_lines.end(), [](const auto& a, const auto& b) {
      const Box &x = a.first, &y = b.first;
      const double overlap = std::min(x.b, y.b) - std::max(x.t, y.t);
      if (overlap > 0.5 * std::min(x.height(), y.height())) return x.l < y.l;
      return x.t < y.t;
    });
    std::string text;
    size_t bold = 0;
    for (const auto& [box, line_words] : cell_lines) {
      for (const WordRef* w : line_words) {
        text += (text.empty() ? "" : " ") + w->word->text;
        bold += w->bold;
      }
    }
    table.cells[c].text = text;
    bold_cell[c] = !ws.empty() && bold * 2 > ws.size();
  }
  // Header row: bold, or words above numbers.
  size_t first_total = 0, first_bold = 0, first_numeric = 0, body = 0, body_numeric = 0;
  for (size_t c = 0; c < table.cells.size(); ++c) {
    const auto& cell = table.cells[c];
    if (cell.text.empty()) continue;
    if (cell.row == 0) {
      ++first_total;
      first_bold += bold_cell[c];
      first_numeric += has_digit(cell.text);
    } else {
      ++body;
      body_numeric += has_digit(cell.text);
    }
  }
  const bool header = first_total > 0 && table.rows > 1 &&
                      (first_bold * 2 > first_total || (first_numeric == 0 && body_numeric * 2 >= body && body > 0));
  for (auto& cell : table.cells) cell.header = header && cell.row == 0;
}

// Where the ink of a rule at `at` (across when `horizontal`, else down) starts and ends.
std::pair<int, int> rule_extent(const cv::Mat& mask, int at, bool horizontal) {
  const int length = horizontal ? mask.cols : mask.rows, width = horizontal ? mask.rows : mask.cols;
  int from = length, to = -1;
  for (int k = std::max(0, at - 1); k <= std::min(width - 1, at + 1); ++k) {
    for (int i = 0; i < length; ++i) {
      if ((horizontal ? mask.at<uchar>(k, i) : mask.at<uchar>(i, k)) == 0) continue;
      from = std::min(from, i);
      to = std::max(to, i);
    }
  }
  return {from, to};
}

// Drops the rules of a table nested in a cell. A grid's rule runs from edge to edge of the grid,
// or between its other rules, at both ends (a rule under a spanning header ends on column
// walls); a nested table's rules end on its own frame, inside the cell, so none of them is kept.
void drop_nested_rules(const Masks& m, std::vector<int>& ys, std::vector<int>& xs) {
  if (ys.size() < 3 || xs.size() < 3) return;
  const int reach = std::max(2, static_cast<int>(std::lround(m.scale)));
  std::vector<std::pair<int, int>> row_ends, col_ends;
  std::pair<int, int> across_edges{m.horizontal.cols, -1}, down_edges{m.vertical.rows, -1};
  for (int y : ys) {
    row_ends.push_back(rule_extent(m.horizontal, y, true));
    across_edges = {std::min(across_edges.first, row_ends.back().first), std::max(across_edges.second, row_ends.back().second)};
  }
  for (int x : xs) {
    col_ends.push_back(rule_extent(m.vertical, x, false));
    down_edges = {std::min(down_edges.first, col_ends.back().first), std::max(down_edges.second, col_ends.back().second)};
  }
  std::vector<bool> row_kept(ys.size(), false), col_kept(xs.size(), false);
  row_kept.front() = row_kept.back() = col_kept.front() = col_kept.back() = true;
  const auto touches = [&](int end, std::pair<int, int> edges, const std::vector<int>& across, const std::vector<bool>& kept) {
    if (std::abs(end - edges.first) <= reach || std::abs(end - edges.second) <= reach) return true;
    for (size_t k = 0; k < across.size(); ++k) {
      if (kept[k] && std::abs(across[k] - end) <= reach) return true;
    }
    return false;
  };
  const auto keep_spanning = [&](const std::vector<std::pair<int, int>>& ends, std::pair<int, int> edges,
                                 const std::vector<int>& across, const std::vector<bool>& across_kept, std::vector<bool>& kept) {
    bool changed = false;
    for (size_t k = 1; k + 1 < ends.size(); ++k) {
      if (!kept[k] && touches(ends[k].first, edges, across, across_kept) && touches(ends[k].second, edges, across, across_kept)) {
        kept[k] = changed = true;
      }
    }
    return changed;
  };
  for (bool changed = true; changed;) {
    const bool rows = keep_spanning(row_ends, across_edges, xs, col_kept, row_kept);
    const bool cols = keep_spanning(col_ends, down_edges, ys, row_kept, col_kept);
    changed = rows || cols;
  }
  const auto keep = [](std::vector<int>& at, const std::vector<bool>& kept) {
    size_t n = 0;
    for (size_t k = 0; k < at.size(); ++k) {
      if (kept[k]) at[n++] = at[k];
    }
    at.resize(n);
  };
  keep(ys, row_kept);
  keep(xs, col_kept);
}

std::optional<TableData> lattice(const Masks& m, const std::vector<WordRef>& words) {
  std::vector<int> ys = lines_in(m.horizontal, 0, 0.25), xs = lines_in(m.vertical, 1, 0.25);
  if (ys.empty() || xs.empty()) return std::nullopt;
  // Rules closer than three points (a double rule, a thick bar's two edges) hold no cell between
  // them: one boundary.
  const auto merge_close = [&](std::vector<int>& at) {
    at.erase(std::unique(at.begin(), at.end(), [&](int kept, int next) { return next - kept < 3 * m.scale; }), at.end());
  };
  merge_close(ys);
  merge_close(xs);
  drop_nested_rules(m, ys, xs);
  // Tables without an outer frame on some side still hold the words beyond their last rule:
  // extend to the region's edge on that side, and only there.
  double min_x = 1e18, max_x = -1e18, min_y = 1e18, max_y = -1e18;
  for (const auto& w : words) {
    min_x = std::min(min_x, (w.word->box.l + w.word->box.r) / 2 * m.scale - m.crop.x);
    max_x = std::max(max_x, (w.word->box.l + w.word->box.r) / 2 * m.scale - m.crop.x);
    min_y = std::min(min_y, (w.word->box.t + w.word->box.b) / 2 * m.scale - m.crop.y);
    max_y = std::max(max_y, (w.word->box.t + w.word->box.b) / 2 * m.scale - m.crop.y);
  }
  if (min_y < ys.front()) ys.insert(ys.begin(), 0);
  if (max_y > ys.back()) ys.push_back(m.crop.height - 1);
  if (min_x < xs.front()) xs.insert(xs.begin(), 0);
  if (max_x > xs.back()) xs.push_back(m.crop.width - 1);
  // Real rules inside the table: without at least one of each, it is not a lattice.
  if (ys.size() < 3 || xs.size() < 3) return std::nullopt;
  const int rows = static_cast<int>(ys.size()) - 1, cols = static_cast<int>(xs.size()) - 1;
  if (rows > 200 || cols > 50) return std::nullopt;

  // Union grid cells that no rule separates into spanned cells.
  std::vector<int> parent(static_cast<size_t>(rows * cols));
  std::iota(parent.begin(), parent.end(), 0);
  std::function<int(int)> find = [&](int a) { return parent[static_cast<size_t>(a)] == a ? a : parent[static_cast<size_t>(a)] = find(parent[static_cast<size_t>(a)]); };
  auto unite = [&](int a, int b) { parent[static_cast<size_t>(find(a))] = find(b); };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int inset_y = std::max(1, (ys[r + 1] - ys[r]) / 5), inset_x = std::max(1, (xs[c + 1] - xs[c]) / 5);
      if (c + 1 < cols && coverage(m.vertical, xs[c + 1], ys[r] + inset_y, xs[c + 1], ys[r + 1] - inset_y) < 0.6) {
        unite(r * cols + c, r * cols + c + 1);
      }
      if (r + 1 < rows && coverage(m.horizontal, xs[c] + inset_x, ys[r + 1], xs[c + 1] - inset_x, ys[r + 1]) < 0.6) {
        unite(r * cols + c, (r + 1) * cols + c);
      }
    }
  }
  std::map<int, std::array<int, 4>> groups;  // root -> row0, col0, row1, col1
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      auto [it, fresh] = groups.try_emplace(find(r * cols + c), std::array<int, 4>{r, c, r, c});
      auto& g = it->second;
      g = {std::min(g[0], r), std::min(g[1], c), std::max(g[2], r), std::max(g[3], c)};
    }
  }
  TableData t;
  t.rows = rows;
  t.cols = cols;
  const double s = m.scale;
  for (const auto& [root, g] : groups) {
    TableCell cell;
    cell.row = g[0];
    cell.col = g[1];
    cell.row_span = g[2] - g[0] + 1;
    cell.col_span = g[3] - g[1] + 1;
    cell.box = {(m.crop.x + xs[g[1]]) / s, (m.crop.y + ys[g[0]]) / s, (m.crop.x + xs[g[3] + 1]) / s,
                (m.crop.y + ys[g[2] + 1]) / s};
    t.cells.push_back(cell);
  }
  std::sort(t.cells.begin(), t.cells.end(), [](const TableCell& a, const TableCell& b) {
    return std::tie(a.row, a.col) < std::tie(b.row, b.col);
  });
  return t;
}

TableData stream(const Box& region, const std::vector<WordRef>& words) {
  TableData t;
  if (words.empty()) return t;
  // Rows: bands of vertically overlapping words.
  std::vector<const WordRef*> by_top;
  for (const auto& w : words) by_top.push_back(&w);
  std::stable_sort(by_top.begin(), by_top.end(), [](auto* a, auto* b) { return a->word->box.t < b->word->box.t; });
  std::vector<std::pair<double, double>> bands;  // top, bottom
  std::vector<double> heights;
  for (const WordRef* w : by_top) {
    const Box& b = w->word->box;
    heights.push_back(b.height());
    if (!bands.empty() && b.t < bands.back().second - 0.4 * b.height()) {
      bands.back().second = std::max(bands.back().second, b.b);
    } else {
      bands.push_back({b.t, b.b});
    }
  }
  const double line_height = std::max(1.0, median(std::move(heights)));
  // Columns: x intervals covered by words, split where a gutter wider than a line height opens.
  // Where the top row makes a column of its own (a spreadsheet's header set flush left over
  // figures set flush right, which also runs its columns together), the columns are those of the
  // rows under it.
  auto below_top_row = [&](const Word& w) { return w.box.t >= bands.front().second - 0.4 * w.box.height(); };
  auto columns_of = [&](bool below_top_only) {
    std::vector<std::pair<double, double>> spans;
    for (const auto& w : words) {
      if (!below_top_only || below_top_row(*w.word)) spans.push_back({w.word->box.l, w.word->box.r});
    }
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<double, double>> found;
    for (const auto& s : spans) {
      if (!found.empty() && s.first < found.back().second + line_height) {
        found.back().second = std::max(found.back().second, s.second);
      } else {
        found.push_back(s);
      }
    }
    return found;
  };
  std::vector<std::pair<double, double>> columns = columns_of(false);
  if (bands.size() >= 3) {
    const bool top_row_alone = std::any_of(columns.begin(), columns.end(), [&](const auto& column) {
      return std::none_of(words.begin(), words.end(), [&](const WordRef& w) {
        return below_top_row(*w.word) && w.word->box.l >= column.first && w.word->box.r <= column.second;
      });
    });
    std::vector<std::pair<double, double>> under_top = columns_of(true);
    if (under_top.size() >= 2 && top_row_alone) columns = std::move(under_top);
  }
  std::vector<double> col_edges = {region.l};
  for (size_t c = 1; c < columns.size(); ++c) col_edges.push_back((columns[c - 1].second + columns[c].first) / 2);
  col_edges.push_back(region.r + 1e-3);
  // A phrase of the top row (words a space apart) that an edge cuts, between the end of the
  // column before and the end of its own, is one header cell set flush left over its column: the
  // edge moves to the phrase's left.
  std::vector<const Word*> top_row;
  for (const auto& w : words) {
    if (!below_top_row(*w.word)) top_row.push_back(w.word);
  }
  std::sort(top_row.begin(), top_row.end(), [](const Word* a, const Word* b) { return a->box.l < b->box.l; });
  for (size_t from = 0; from < top_row.size();) {
    size_t to = from + 1;
    while (to < top_row.size() && top_row[to]->box.l - top_row[to - 1]->box.r < 0.5 * line_height) ++to;
    const double l = top_row[from]->box.l, r = top_row[to - 1]->box.r;
    for (size_t c = 1; c + 1 < col_edges.size(); ++c) {
      if (col_edges[c] > l && col_edges[c] < r && l > columns[c - 1].second && r <= columns[c].second + line_height) {
        col_edges[c] = (columns[c - 1].second + l) / 2;
      }
    }
    from = to;
  }
  std::vector<double> row_edges = {region.t};
  for (size_t r = 1; r < bands.size(); ++r) row_edges.push_back((bands[r - 1].second + bands[r].first) / 2);
  row_edges.push_back(region.b + 1e-3);

  // Continuation lines belong to the row above (tables with several columns): a band with
  // nothing in the first column while the band above has something there, or a band of one cell
  // (a label's wrapped line) set closer to the one above than rows are to each other. A band of
  // two cells or more with a label of its own is a row even when it fills fewer than the row above
  // (a scan's dashes for "none" are seldom read). Bands evenly spaced (each within 15 %
  // of the usual pitch) are rows each: nothing tells a wrapped cell's line from a row there, and
  // an invoice's totals, under its items with the first column empty, are rows.
  std::vector<double> pitches;
  for (size_t r = 1; r < bands.size(); ++r) pitches.push_back(bands[r].first - bands[r - 1].first);
  std::vector<double> sorted_pitches = pitches;
  std::sort(sorted_pitches.begin(), sorted_pitches.end());
  const double usual_pitch = pitches.empty() ? 0 : sorted_pitches[pitches.size() / 2];
  const bool evenly_spaced = pitches.size() >= 2 && sorted_pitches.front() >= 0.85 * usual_pitch &&
                             sorted_pitches.back() <= 1.15 * usual_pitch;
  auto occupied = [&](size_t band, size_t col) {
    return std::any_of(words.begin(), words.end(), [&](const WordRef& w) {
      const double cx = (w.word->box.l + w.word->box.r) / 2, cy = (w.word->box.t + w.word->box.b) / 2;
      return cy >= row_edges[band] && cy < row_edges[band + 1] && cx >= col_edges[col] && cx < col_edges[col + 1];
    });
  };
  auto filled = [&](size_t band) {
    size_t n = 0;
    for (size_t c = 0; c + 1 < col_edges.size(); ++c) n += occupied(band, c);
    return n;
  };
  std::vector<double> merged_rows = {row_edges.front()};
  for (size_t r = 0; r < bands.size(); ++r) {
    bool continuation = false;
    if (r > 0 && columns.size() > 1 && !evenly_spaced) {
      const bool hanging = !occupied(r, 0) && occupied(r - 1, 0);
      const bool close_and_sparse = bands[r].first - bands[r - 1].second < 0.5 * line_height &&
                                    filled(r) == 1 && filled(r - 1) > 1;
      continuation = hanging || close_and_sparse;
    }
    if (r > 0 && !continuation) merged_rows.push_back(row_edges[r]);
  }
  merged_rows.push_back(row_edges.back());
  t.rows = static_cast<int>(merged_rows.size()) - 1;
  t.cols = static_cast<int>(col_edges.size()) - 1;
  for (int r = 0; r < t.rows; ++r) {
    for (int c = 0; c < t.cols; ++c) {
      TableCell cell;
      cell.row = r;
      cell.col = c;
      cell.box = {col_edges[static_cast<size_t>(c)], merged_rows[static_cast<size_t>(r)],
                  col_edges[static_cast<size_t>(c) + 1], merged_rows[static_cast<size_t>(r) + 1]};
      t.cells.push_back(cell);
    }
  }
  return t;
}

// Rows and columns at the table's edges that hold no text (the gap between the detector's box and
// the outer rule) are not part of the table.
void trim_empty_edges(TableData& t) {
  auto empty_row = [&](int r) {
    return std::all_of(t.cells.begin(), t.cells.end(), [&](const TableCell& c) {
      return c.row > r || c.row + c.row_span <= r || (c.text.empty() && c.row_span == 1);
    });
  };
  auto empty_col = [&](int k) {
    return std::all_of(t.cells.begin(), t.cells.end(), [&](const TableCell& c) {
      return c.col > k || c.col + c.col_span <= k || (c.text.empty() && c.col_span == 1);
    });
  };
  auto drop_row = [&](int r) {
    std::erase_if(t.cells, [&](const TableCell& c) { return c.row == r; });
    for (auto& c : t.cells) c.row -= c.row > r;
    --t.rows;
  };
  auto drop_col = [&](int k) {
    std::erase_if(t.cells, [&](const TableCell& c) { return c.col == k; });
    for (auto& c : t.cells) c.col -= c.col > k;
    --t.cols;
  };
  while (t.rows > 1 && empty_row(0)) drop_row(0);
  while (t.rows > 1 && empty_row(t.rows - 1)) drop_row(t.rows - 1);
  while (t.cols > 1 && empty_col(0)) drop_col(0);
  while (t.cols > 1 && empty_col(t.cols - 1)) drop_col(t.cols - 1);
}

}  // namespace

Rules find_rules(const Box& region, const cv::Mat& raster, double scale) {
  Rules rules;
  const auto masks = rule_masks(region, raster, scale);
  if (!masks) return rules;
  for (int y : lines_in(masks->horizontal, 0, 0.25)) rules.rows.push_back((masks->crop.y + y) / scale);
  for (int x : lines_in(masks->vertical, 1, 0.25)) rules.columns.push_back((masks->crop.x + x) / scale);
  return rules;
}

namespace {

// Running text cut into columns shows where the cut falls: between two words of one line set
// an ordinary word space apart; a real table's columns are parted by gutters wider than that,
// even where the text layer strings a row into one line. Three such cuts, and at least 30 % of
// all places where a column edge parts two words of a line, condemn the grid. `cells` holds the
// cell of each word (cells_of).
bool grid_earned(const TableData& table, const std::vector<WordRef>& words, const std::vector<size_t>& cells,
                 const std::vector<TextLine>& lines) {
  if (table.cols < 2 || table.cells.empty()) return true;
  size_t crossings = 0, at_word_space = 0;
  for (size_t k = 1; k < words.size(); ++k) {
    const WordRef &a = words[k - 1], &b = words[k];
    if (a.line != b.line || table.cells[cells[k - 1]].col == table.cells[cells[k]].col) continue;
    ++crossings;
    const double size = std::max(1.0, lines[a.line].font_size);
    if (b.word->box.l - a.word->box.r < 0.6 * size) ++at_word_space;
  }
  return at_word_space < 3 || at_word_space * 10 < crossings * 3;
}

// A ruled grid drawn with only some of its rules (a booktabs table: rules under the header and
// above a total, one between the label column and the figures) holds whole rows of the table in
// one of its cells. Its rows show in the lines: cells side by side whose lines start, three of
// them or more, at the same heights, holding half the table's words, in a grid of four bands of
// rows at most. Cells of wrapped text beside a one-line label do not, nor does a column of signs
// beside a column of row numbers, nor a fully ruled grid whose cells wrap their text.
bool rows_hidden_in_cells(const TableData& table, const std::vector<WordRef>& words, const std::vector<size_t>& cells) {
  if (table.rows > 4) return false;
  // Each cell's line tops, in half points. Tops closer than 3 points are one line's: a bullet set
  // higher or lower than its item's text is no line of its own.
  std::vector<std::vector<double>> word_tops(table.cells.size());
  std::vector<size_t> count(table.cells.size(), 0);
  for (size_t k = 0; k < words.size(); ++k) {
    word_tops[cells[k]].push_back(words[k].word->box.t);
    ++count[cells[k]];
  }
  std::vector<std::set<int>> tops(table.cells.size());
  for (size_t c = 0; c < table.cells.size(); ++c) {
    std::sort(word_tops[c].begin(), word_tops[c].end());
    double line_top = -1e9;
    for (double t : word_tops[c]) {
      if (t - line_top < 3) continue;
      line_top = t;
      tops[c].insert(static_cast<int>(std::lround(t * 2)));
    }
  }
  auto shared = [](const std::set<int>& a, const std::set<int>& b) {
    size_t n = 0;
    for (int t : a) n += b.count(t) || b.count(t - 1) || b.count(t + 1);
    return n;
  };
  std::vector<bool> hiding(table.cells.size(), false);
  for (size_t a = 0; a < table.cells.size(); ++a) {
    for (size_t b = a + 1; b < table.cells.size(); ++b) {
      if (table.cells[a].row == table.cells[b].row && shared(tops[a], tops[b]) >= 3) hiding[a] = hiding[b] = true;
    }
  }
  size_t hidden_words = 0;
  for (size_t c = 0; c < table.cells.size(); ++c) hidden_words += hiding[c] ? count[c] : 0;
  return hidden_words * 2 >= words.size() && hidden_words > 0;
}

// Code set in a monospaced font lines its tokens up like columns; it is read as code.
bool mostly_monospaced(const std::vector<WordRef>& words, const std::vector<TextLine>& lines) {
  const auto monospaced = std::count_if(words.begin(), words.end(), [&](const WordRef& w) { return lines[w.line].monospace; });
  return !words.empty() && monospaced * 5 >= static_cast<std::ptrdiff_t>(words.size()) * 4;
}

// A paragraph beside a column of short lines (a cover's blurb beside its sidebar) comes out as one
// cell spanning the rows that the other column's lines make: a table's spanning cells are labels.
// Nor is a grid whose one cell holds four in five of its words (25 or more) a table.
bool holds_paragraph_cell(const TableData& table) {
  size_t all = 0;
  for (const auto& c : table.cells) all += split_words(c.text).size();
  return std::any_of(table.cells.begin(), table.cells.end(), [&](const TableCell& c) {
    const size_t words = split_words(c.text).size();
    return words >= 25 && (c.row_span >= 3 || words * 5 >= all * 4);
  });
}

Recognised recognise_region(const Box& region, const std::vector<TextLine>& lines, const cv::Mat& raster,
                            double scale, const TableModel* model, Engine engine, std::span<const Box> drawn_rules) {
  const auto words = words_in(region, lines);
  Recognised out;
  auto try_model = [&] {
    if (!model || raster.empty() || !out.method.empty()) return;
    auto grid = model->predict(raster, scale, region);
    if (grid && grid->rows >= 2 && grid->cols >= 2) {
      out.table = std::move(*grid);
      out.method = "model";
    }
  };
  if (engine == Engine::model) try_model();
  const auto try_lattice = [&](const std::optional<Masks>& masks) {
    if (!masks) return;
    auto grid = lattice(*masks, words);
    if (grid && !rows_hidden_in_cells(*grid, words, cells_of(*grid, words))) {
      out.table = std::move(*grid);
      out.method = "lattice";
    }
  };
  if (out.method.empty()) try_lattice(drawn_rule_masks(region, drawn_rules));
  if (out.method.empty()) try_lattice(rule_masks(region, raster, scale));
  if (engine == Engine::automatic) try_model();
  if (out.method.empty()) {
    out.table = stream(region, words);
    out.method = "stream";
  }
  const std::vector<size_t> cells = cells_of(out.table, words);
  // A rule between two words set a word space apart parts two cells: the text layer strung them
  // into one line (a number set flush right against the next column's label).
  out.earned = (out.method == "lattice" || grid_earned(out.table, words, cells, lines)) && !mostly_monospaced(words, lines);
  fill(out.table, words, cells);
  trim_empty_edges(out.table);
  out.earned = out.earned && !holds_paragraph_cell(out.table);
  return out;
}

}  // namespace

bool earns_grid(const TableData& table, const Box& region, const std::vector<TextLine>& lines) {
  const std::vector<WordRef> words = words_in(region, lines);
  return grid_earned(table, words, cells_of(table, words), lines);
}

namespace {

// A line of running text: many words set at ordinary spaces, across most of the region.
bool prose_line(const TextLine& line, const Box& region) {
  if (line.words.size() < 6 || line.box.width() < 0.5 * region.width()) return false;
  const double size = std::max(1.0, line.font_size);
  for (size_t k = 1; k < line.words.size(); ++k) {
    if (line.words[k].box.l - line.words[k - 1].box.r > 1.5 * size) return false;
  }
  return true;
}

}  // namespace

Recognised recognise(const Box& region, const std::vector<TextLine>& lines, const cv::Mat& raster, double scale,
                     const TableModel* model, Engine engine, std::span<const Box> drawn_rules) {
  // A region that runs past its table takes in the paragraph above or below it: lines of
  // running text at its top and bottom edges are left out, and read as paragraphs.
  std::vector<const TextLine*> inside;
  for (const auto& line : lines) {
    const double cy = (line.box.t + line.box.b) / 2;
    if (cy >= region.t && cy <= region.b && line.box.r > region.l && line.box.l < region.r) inside.push_back(&line);
  }
  std::sort(inside.begin(), inside.end(), [](auto* a, auto* b) { return a->box.t < b->box.t; });
  size_t first = 0, last = inside.size();
  while (first < last && prose_line(*inside[first], region)) ++first;
  while (last > first && prose_line(*inside[last - 1], region)) --last;
  if (last - first < 2 || (first == 0 && last == inside.size())) {
    return recognise_region(region, lines, raster, scale, model, engine, drawn_rules);
  }
  Box table_part = region;
  if (first > 0) table_part.t = (inside[first - 1]->box.b + inside[first]->box.t) / 2;
  if (last < inside.size()) table_part.b = (inside[last - 1]->box.b + inside[last]->box.t) / 2;
  Recognised out = recognise_region(table_part, lines, raster, scale, model, engine, drawn_rules);
  out.region = table_part;
  return out;
}

}  // namespace pageflow::tables
