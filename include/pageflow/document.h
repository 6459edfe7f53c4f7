// The converted document: elements in reading order with label, text, page and box (provenance),
// plus per-page status. This is what exporters write and what library users receive.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pageflow {

// A rectangle in PDF points, origin at the top-left corner of the page, y growing downwards.
struct Box {
  double l = 0, t = 0, r = 0, b = 0;
  double width() const { return r - l; }
  double height() const { return b - t; }
  double area() const { return width() > 0 && height() > 0 ? width() * height() : 0; }
  bool operator==(const Box&) const = default;
};

// Labels follow docling's DocItemLabel names so its users find what they expect.
enum class Label {
  title,
  section_header,
  text,
  list_item,
  caption,
  footnote,
  page_header,
  page_footer,
  code,
  formula,
  picture,
  table,
  checkbox_selected,    // a form's ticked box with its label text ("- [x] label" in Markdown)
  checkbox_unselected,  // an empty box ("- [ ] label")
};

std::string_view label_name(Label label);

struct TableCell {
  int row = 0, col = 0;
  int row_span = 1, col_span = 1;
  bool header = false;
  std::string text;
  Box box;
};

struct TableData {
  int rows = 0, cols = 0;
  std::vector<TableCell> cells;  // one per cell origin; spans cover the rest
};

struct Element {
  Label label = Label::text;
  std::string text;
  int page = 1;   // 1-based page number in the source file
  Box box;
  int level = 0;  // section_header: 1 (top) and deeper; list_item: nesting depth from 0
  bool ordered = false;  // list_item: numbered or lettered
  std::string marker;    // list_item: the marker as printed ("•", "3.", "a)")
  bool from_ocr = false;
  float confidence = 1;  // OCR confidence, 1 for text-layer text
  int caption_of = -1;   // caption: index of the picture/table element it describes
  std::optional<TableData> table;  // table: the cell grid when structure was recognised
  std::string image_png;  // picture: the cropped picture as PNG, when asked for (Options)
  int image_dpi = 0;
  bool furniture() const { return label == Label::page_header || label == Label::page_footer; }
};

// 1-based pages first..last, both included.
struct PageRange {
  int first = 1, last = 1;
  long long count() const { return static_cast<long long>(last) - first + 1; }
  bool operator==(const PageRange&) const = default;
};

// Selected pages that were not converted at all (the run was stopped or timed out before them,
// or they are over the page limit), kept as ranges so a cut-short 100,000-page file costs a few
// bytes here.
struct MissingPages {
  PageRange pages;
  std::string reason;
};

// Appends `pages` to `missing` (kept in page order), joining it to the last range when it
// continues that range for the same reason.
void add_missing(std::vector<MissingPages>& missing, PageRange pages, const std::string& reason);

// docling's ConversionStatus values that a finished document can have.
enum class Status { success, partial_success, failure };
std::string_view status_name(Status status);  // "success", "partial_success", "failure"

// Time a page spent in one stage's calls; a call over several pages shares its time out evenly.
struct StageTime {
  std::string stage;
  double seconds = 0;
};

struct PageResult {
  int number = 0;  // 1-based
  double width = 0, height = 0;  // points
  bool ok = true;
  std::string error;  // why the page failed (ok == false)
  std::string warning;  // converted, but degraded (e.g. text only: the page could not be drawn)
  bool ocr = false;   // text came from OCR
  int rotation = 0;   // clockwise degrees OCR turned the page to read it upright
  std::vector<StageTime> timings;  // in stage order; stages that skipped the page are absent
};

// One problem with a document, in the terms of docling's ErrorItem: `component` is
// "document_backend" for the file as a whole, "pipeline" for a page or pages (`page`: the first).
// Warnings (converted despite the problem) have messages that start with "warning: ".
struct Problem {
  std::string component;
  std::string message;
  int page = 0;
};

// An entry of a PDF's outline (its bookmarks): the document's own table of contents.
struct OutlineEntry {
  std::string title;
  int depth = 0;     // 0 for a top-level entry
  int page = 0;      // 1-based page it points to; 0 when it points nowhere in the file
  double top = -1;   // points from the top of that page; -1 when the entry gives no position
};

struct Document {
  std::string source;  // the input path (or the name given to an in-memory input)
  std::string name;    // file name without directory and extension
  int page_count = 0;  // pages in the file
  std::vector<PageResult> pages;  // pages that were selected, in order, converted or failed
  std::vector<Element> elements;  // reading order across pages
  std::vector<MissingPages> missing;  // selected pages never converted, in page order
  std::string error;   // file-level failure (cannot open, wrong password); no pages then
  std::vector<std::string> warnings;  // converted despite a problem (e.g. a repaired file)
  std::vector<OutlineEntry> outline;  // the PDF's bookmarks in document order (they set heading levels)

  bool ok() const;            // no file error, no failed page, no missing page
  int failed_pages() const;
  long long missing_pages() const;
  // failure: the file could not be read; partial_success: some selected pages failed or are
  // missing (each says why); success: every selected page converted.
  Status status() const;
  // Every problem: the file's error and warnings, then failed and degraded pages, then pages
  // never converted, each with its reason.
  std::vector<Problem> problems() const;
};

}  // namespace pageflow
