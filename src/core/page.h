// The work item of the document pipeline: one page of one input, filled in stage by stage
// (render + text layer, layout, ocr, tables, assembly). Stages only add their own part.
#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/blocks.h"
#include "core/settings.h"
#include "pageflow/converter.h"
#include "pageflow/document.h"
#include "pipeline/item.h"

namespace pageflow {

struct Word {
  std::string text;
  Box box;
};

// A line of text from the PDF's text layer (or from OCR), with the dominant font's properties.
struct TextLine {
  std::string text;
  Box box;
  std::vector<Word> words;
  double font_size = 0;
  bool bold = false, italic = false;
  bool monospace = false;  // code: 4/5 of its glyphs monospaced, or a monospaced comment marker first
  bool slanted = false;  // set at an angle, neither across nor up the page: a chart's axis label
  int sideways = 0;      // 1: reads down the page, -1: up it, 0: across
  int block = 0;  // index of the text block MuPDF grouped the line into (a paragraph hint)
  bool from_ocr = false;
  bool sized_from_ink = false;  // OCR: font_size, bold and italic measured on the glyphs, not guessed from the box
  float confidence = 1;
};

// The smallest box holding both.
inline Box unite(const Box& a, const Box& b) {
  return {std::min(a.l, b.l), std::min(a.t, b.t), std::max(a.r, b.r), std::max(a.b, b.b)};
}

// The area two boxes share.
inline double intersection(const Box& a, const Box& b) {
  return Box{std::max(a.l, b.l), std::max(a.t, b.t), std::min(a.r, b.r), std::min(a.b, b.b)}.area();
}

// Whether two boxes share a row: they overlap by over half the height of the shorter one.
inline bool same_row(const Box& a, const Box& b) {
  const double overlap = std::min(a.b, b.b) - std::max(a.t, b.t);
  return overlap > 0.5 * std::min(a.height(), b.height());
}

// Whether the centre of `inner` lies inside `area` (edges included).
inline bool centre_inside(const Box& inner, const Box& area) {
  const double cx = (inner.l + inner.r) / 2, cy = (inner.t + inner.b) / 2;
  return cx >= area.l && cx <= area.r && cy >= area.t && cy <= area.b;
}

// Sets a line's text from its words (after some were dropped or changed), one space apart, as
// the text layer and OCR make it.
void join_words(TextLine& line);

// A box of text set top to bottom (an arXiv stamp, a spine title): far taller than wide, with a
// few characters at least.
inline bool looks_vertical(const Box& box, const std::string& text) {
  return box.height() > 2 * box.width() && text.size() >= 4;
}

// A region found by the layout detector, in page points.
struct Region {
  Label label = Label::text;
  Box box;
  float score = 0;
};

// What every page of one input shares: where it comes from and which pages were selected.
struct DocumentInput {
  uint64_t id = 0;   // unique in the process, so per-worker caches never confuse two inputs
  uint64_t job = 0;  // the submission it belongs to
  size_t index = 0;  // position among the submission's inputs
  Input input;
  std::string name;
  int page_count = 0;
  std::vector<PageRange> selected;     // pages to convert, sorted, disjoint
  std::vector<MissingPages> over_limit;  // selected but beyond --max-pages: reported, not converted
  std::vector<std::string> warnings;
  std::vector<OutlineEntry> outline;
  std::shared_ptr<const DocumentSettings> settings;  // never null once the source yields it
};

// The pixels of `image` (at `scale` pixels per point) under `box`, clipped to the image.
inline cv::Rect pixel_rect(const Box& box, double scale, const cv::Mat& image) {
  return cv::Rect(cv::Point(static_cast<int>(box.l * scale), static_cast<int>(box.t * scale)),
                  cv::Point(static_cast<int>(box.r * scale), static_cast<int>(box.b * scale))) &
         cv::Rect(0, 0, image.cols, image.rows);
}

struct Page : pipeline::Item {
  std::shared_ptr<const DocumentInput> doc;
  int number = 0;     // 1-based; 0 marks the item that carries a file-level failure
  uint64_t order = 0; // position among its submission's pages (the sink's order)
  bool last_of_document = false;
  std::string warning;  // converted, but degraded (why)

  double width = 0, height = 0;  // points
  cv::Mat raster;                // BGR at raster_scale pixels per point; freed after layout
  double raster_scale = 0;
  std::vector<Box> image_boxes;  // where the PDF draws images (a scan is one big image)
  std::vector<Box> drawing_boxes;  // where it draws clusters of paths (logos, emblems, diagrams)
  std::vector<Box> frames;  // ruled around a block (a scan's ad or sidebar, a table's row): read as a unit
  std::vector<Box> drawn_rules;  // a digital page's ruling strokes and thin bars: tables' grids (scratch)

  bool blank = false;            // no text layer and no ink: no model has anything to find
  bool needs_ocr = false;        // decided by the OCR policy in the render stage
  std::vector<Box> ocr_regions;  // bitmaps inside a digital page to read (--ocr-pictures)
  cv::Mat ocr_raster;            // BGR at ocr_scale, only for pages that need OCR
  double ocr_scale = 0;
  double scan_dpi = 0;  // the resolution of the image that makes up a scanned page (0: none)
  int rotation = 0;              // degrees the page was turned clockwise to read it upright

  std::vector<TextLine> lines;
  std::vector<Region> regions;
  // Pictures the detector was less sure of, inside a picture region: they stand in for that
  // region when assembly finds it holds running text (the model took a column of text and the
  // figure beside it for one picture).
  std::vector<Box> inner_pictures;
  std::vector<std::pair<Box, TableData>> tables;  // structure of each table region, by its box
  std::vector<Box> prose_regions;  // table regions whose grid would cut running text: read as text
  std::vector<Block> blocks;  // assembled, in reading order
  std::vector<StageTime> timings;

  std::string label() const override;
  // The raster stays until assembly when the document keeps its pictures' pixels.
  bool keeps_raster_for_assembly() const { return doc->settings->picture_images; }
  void release_scratch() override {
    raster.release();
    ocr_raster.release();
    std::vector<Box>().swap(drawn_rules);  // a map or chart draws tens of thousands
  }
};

// Whether a box lies in a page's top or bottom margin band (8 % of its height), where running
// heads, page numbers and footers share rows without making columns.
bool in_margin_band(const Box& box, double page_height);

// Whether a page is one column of running text from its text layer alone: no OCR, no images,
// no drawings, no line set sideways or at an angle, and outside the margin bands no two lines
// side by side on a row and no gap as wide as a line is high inside a line (columns, tables,
// forms, definition lists and figures all have one of these). Such a page's structure
// (paragraphs, headings by type, lists, code) comes from its text layer alone: the layout
// model may skip it.
bool is_plain_text_page(const Page& page);

}  // namespace pageflow
