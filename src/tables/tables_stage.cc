#include "tables/tables_stage.h"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "core/checkboxes.h"
#include "core/page.h"
#include "core/statistics.h"
#include "core/text.h"
#include "tables/aligned_rows.h"
#include "tables/contents.h"
#include "tables/table_structure.h"

namespace pageflow::tables {

namespace {

// Rows of short cells in aligned columns, `least_filled` of them filled or more: what a table
// looks like, and neither a chart's scattered labels nor columns of running text (a page taken
// for a picture).
bool tabular(const TableData& t, double least_filled) {
  if (t.rows < 3 || t.cols < 2) return false;
  int filled = 0;
  std::vector<size_t> words;
  for (const auto& c : t.cells) {
    if (c.text.empty()) continue;
    filled += c.row_span * c.col_span;
    words.push_back(split_words(c.text).size());
  }
  if (words.empty()) return false;
  return filled >= least_filled * t.rows * t.cols && median(std::move(words)) <= 4;
}

size_t lines_inside(const Box& box, const std::vector<TextLine>& lines) {
  return static_cast<size_t>(
      std::count_if(lines.begin(), lines.end(), [&](const TextLine& l) { return centre_inside(l.box, box); }));
}

// The page's table regions so far: text inside them is not looked at again for tables.
std::vector<Box> table_boxes(const Page& page) {
  std::vector<Box> boxes;
  for (const auto& region : page.regions) {
    if (region.label == Label::table) boxes.push_back(region.box);
  }
  return boxes;
}

// A grid that is no table: a form (its checkboxes are read as docling writes a form's, as items)
// or photographs with their captions.
bool form_or_photo_grid(const Page& page, const Box& grid) {
  double pictured = 0;
  for (const Box& image : page.image_boxes) pictured += intersection(image, grid);
  if (pictured >= 0.5 * grid.area()) return true;
  // Photographs drawn some other way (a pattern, a form XObject) still darken most of the grid.
  if (const cv::Rect pixels = pixel_rect(grid, page.raster_scale, page.raster); !pixels.empty()) {
    cv::Mat gray, dark;
    cv::cvtColor(page.raster(pixels), gray, cv::COLOR_BGR2GRAY);
    cv::threshold(gray, dark, 200, 255, cv::THRESH_BINARY_INV);
    if (cv::countNonZero(dark) >= 0.5 * pixels.area()) return true;
  }
  return std::any_of(page.lines.begin(), page.lines.end(), [&](const TextLine& line) {
    return centre_inside(line.box, grid) && std::any_of(line.words.begin(), line.words.end(), [](const Word& w) {
             return checkbox_state(w.text) != CheckboxState::none;
           });
  });
}

}  // namespace

// A picture's grid must be mostly filled to be a table; rows found aligned already showed their
// columns, and may leave half of the cells empty (an invoice's totals under its items).
constexpr double kPictureTableFilled = 0.7, kAlignedTableFilled = 0.5;

bool TablesStage::wants(const pipeline::Item& item) const {
  const auto& page = static_cast<const Page&>(item);
  if (!page.doc->settings->tables) return false;
  const auto& regions = page.regions;
  // Four rows of a label and a figure at least (aligned_rows.h), or a region to read.
  return page.lines.size() >= 4 ||
         std::any_of(regions.begin(), regions.end(),
                     [](const Region& r) { return r.label == Label::table || r.label == Label::picture; });
}

void TablesStage::process(std::span<pipeline::Item* const> batch, int) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    page.tables.clear();
    page.prose_regions.clear();
    for (auto& region : page.regions) {
      // A "picture" holding a grid of text is a table the layout model mislabeled; read with
      // the rules only (the table model would find cells in any chart).
      if (region.label == Label::picture && lines_inside(region.box, page.lines) >= 4 &&
          !form_or_photo_grid(page, region.box)) {
        Recognised found = recognise(region.box, page.lines, page.raster, page.raster_scale, nullptr, TableEngine::rules,
                                     page.drawn_rules);
        if (found.earned && tabular(found.table, kPictureTableFilled)) {
          region.label = Label::table;
          if (found.region) region.box = *found.region;
          page.tables.emplace_back(region.box, std::move(found.table));
        }
        continue;
      }
      if (region.label != Label::table) continue;
      Recognised found = recognise(region.box, page.lines, page.raster, page.raster_scale, model_,
                                   page.doc->settings->table_engine, page.drawn_rules);
      if (found.region) region.box = *found.region;  // the rest of the region is text
      if (found.earned) {
        page.tables.emplace_back(region.box, std::move(found.table));
      } else {
        page.prose_regions.push_back(region.box);
      }
    }
    add_ruled_tables(page);
    add_contents_tables(page);
    add_unmarked_tables(page);
  }
}

// Ruled grids outside any table region: a table the layout model missed, or took together with
// the text around it for a picture. The rows of one grid share their sides and touch; a grid
// inside another is a nested table, read as part of its cell. Kept only when its rules make a
// lattice of two rows and two columns at least: frames stacked on each other do not.
void TablesStage::add_ruled_tables(Page& page) const {
  std::vector<Box> rows = page.frames;
  std::sort(rows.begin(), rows.end(), [](const Box& a, const Box& b) { return a.t < b.t; });
  std::vector<Box> grids;
  std::vector<bool> taken(rows.size(), false);
  constexpr double kSlack = 2;  // points
  for (size_t i = 0; i < rows.size(); ++i) {
    if (taken[i]) continue;
    Box grid = rows[i];
    int stacked = 1;
    for (size_t j = i + 1; j < rows.size(); ++j) {
      if (taken[j] || std::abs(rows[j].l - grid.l) > kSlack || std::abs(rows[j].r - grid.r) > kSlack ||
          std::abs(rows[j].t - grid.b) > kSlack) {
        continue;
      }
      grid.b = rows[j].b;
      taken[j] = true;
      ++stacked;
    }
    if (stacked >= 2) grids.push_back(grid);
  }
  std::sort(grids.begin(), grids.end(), [](const Box& a, const Box& b) { return a.area() > b.area(); });
  std::vector<Box> kept = table_boxes(page);
  for (const Box& grid : grids) {
    if (form_or_photo_grid(page, grid) || std::any_of(kept.begin(), kept.end(), [&](const Box& k) {
          return intersection(k, grid) > 0.3 * std::min(k.area(), grid.area());
        })) {
      continue;
    }
    Recognised found = recognise(grid, page.lines, page.raster, page.raster_scale, nullptr, TableEngine::rules,
                                 page.drawn_rules);
    if (!found.earned || found.method != "lattice" || found.table.rows < 2 || found.table.cols < 2) continue;
    const Box table_box = found.region.value_or(grid);
    kept.push_back(table_box);
    page.regions.push_back({Label::table, table_box, 1.0f});
    page.tables.emplace_back(table_box, std::move(found.table));
  }
}

// Tables of contents outside any table region, as docling writes them: a table of entries.
void TablesStage::add_contents_tables(Page& page) const {
  for (auto& [box, table] : contents_tables(page.lines, table_boxes(page))) {
    page.regions.push_back({Label::table, box, 1.0f});
    page.tables.emplace_back(box, std::move(table));
  }
}

// Rows in aligned columns outside any table: a table the layout model missed or buried in a
// larger "picture". Read with the rules only, and kept only when it looks like a table by the
// test pictures must pass.
void TablesStage::add_unmarked_tables(Page& page) const {
  for (const Box& box : aligned_row_tables(page.lines, table_boxes(page))) {
    Recognised found = recognise(box, page.lines, page.raster, page.raster_scale, nullptr, TableEngine::rules,
                                 page.drawn_rules);
    if (!found.earned || !tabular(found.table, kAlignedTableFilled)) continue;
    const Box table_box = found.region.value_or(box);
    page.regions.push_back({Label::table, table_box, 1.0f});
    page.tables.emplace_back(table_box, std::move(found.table));
  }
}

bool TablesStage::releases_scratch(const pipeline::Item& item) const {
  return !static_cast<const Page&>(item).keeps_raster_for_assembly();
}

}  // namespace pageflow::tables
