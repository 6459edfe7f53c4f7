// MuPDF access with its context discipline: one process-wide base context with lock callbacks
// (MupdfEngine), and one cloned context per thread (PdfReader), each with its own open document.
// Nothing MuPDF-owned crosses threads. All MuPDF errors become PdfError with MuPDF's message.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <stop_token>
#include <stdexcept>
#include <string>

#include "core/page.h"

struct fz_context;
struct fz_document;
struct fz_page;

namespace pageflow::pdf {

struct PdfError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Every MuPDF allocation is counted against a budget, so one hostile file (a decompression bomb,
// a 30,000 px image) fails with an out-of-memory error instead of exhausting the machine. No
// single block may take more than a quarter of it: a buffer that a bomb's stream keeps doubling
// fails at that size, in a fraction of the time the whole budget would take to fill.
struct AllocationBudget {
  std::atomic<size_t> used{0};
  size_t limit = 0;
  size_t max_block = 0;
};

class MupdfEngine {
 public:
  explicit MupdfEngine(size_t memory_limit_bytes = size_t{2} << 30);
  ~MupdfEngine();
  MupdfEngine(const MupdfEngine&) = delete;
  MupdfEngine& operator=(const MupdfEngine&) = delete;

  // A new context sharing the base context's caches and locks; free with fz_drop_context.
  fz_context* clone() const;

  // The largest single allocation MuPDF may make (a quarter of the budget).
  size_t max_block() const { return budget_.max_block; }

 private:
  AllocationBudget budget_;
  fz_context* base_ = nullptr;
  std::unique_ptr<std::mutex[]> locks_;
};

// What the renderer produces for a page; kept separate from Page so tests can use it alone.
struct RenderRequest {
  double dpi = 72;
  bool render = true;                        // false: text layer only
  long long max_pixels = 40'000'000;         // larger pages are rendered at a lower resolution
  // The raster's least size in pixels: a page smaller than the layout model's input (a scan
  // stored at a low nominal size, A5, a slide) is rendered at a higher resolution instead of
  // being blurred by upscaling, which costs the detector most of its regions. With
  // `min_either_side`, reaching one of the two sizes is enough (a letterboxed input).
  int min_width = 0, min_height = 0;
  bool min_either_side = false;
  // > 0: a page that looks scanned (no text, images over half of it) and whose image is at least
  // this fine is drawn at this resolution into Page::ocr_raster, and the raster is shrunk from
  // that drawing.
  double scan_dpi = 0;
};

// What a look at a page's streams finds before the interpreter decodes any of them.
struct PageCheck {
  std::string fail;     // the page cannot be converted: its content is a decompression bomb
  std::string no_draw;  // the page keeps its text layer but is not drawn: an image too large
};

// Reads one input at a time on one thread. Reopens only when asked for a different input.
class PdfReader {
 public:
  explicit PdfReader(const MupdfEngine& engine);
  ~PdfReader();
  PdfReader(const PdfReader&) = delete;
  PdfReader& operator=(const PdfReader&) = delete;

  // Opens `input` unless it is already open (same identity). Throws PdfError with a reason a
  // user can act on: empty file, not a PDF or image, damaged, password needed or wrong.
  // `identity` tells inputs apart (DocumentInput::id); 0 is never a valid identity.
  void open(const Input& input, const std::string& password, uint64_t identity);
  // `input` as MuPDF reads it: a WebP (MuPDF decodes none) becomes its pixels as PNG bytes, any
  // other input stays as it is. open() does this itself; a caller about to open one input in many
  // readers (the render workers) converts it once instead. Throws PdfError as open() does for an
  // input that is empty, of no known format, or a WebP corrupt or over the budget.
  Input readable(const Input& input) const;
  // The number of pages really in the file: counted in the page tree (bounded by the count the
  // file declares, which is never trusted alone: a 600-byte file may declare two billion pages).
  // Stops with PdfError("cancelled") when `stop` is requested during the count.
  int page_count(std::stop_token stop = {});

  // True when MuPDF had to rebuild a damaged cross-reference table to read the file.
  bool was_repaired();

  // The document's outline (bookmarks), flattened in document order; empty when it has none or
  // it cannot be read. At most kMostOutlineEntries entries, kMostOutlineDepth levels deep: a
  // hostile file may nest or chain entries without end.
  std::vector<OutlineEntry> outline();
  static constexpr size_t kMostOutlineEntries = 20000;
  static constexpr int kMostOutlineDepth = 32;

  // Fills page size, text lines, image boxes and (if asked) the raster of 1-based page `number`.
  // An image too large to decode within the budget leaves the page with its text layer only.
  // Interpretation stops when the current pipeline call's stop token is requested (cancel.h);
  // the call then throws PdfError("aborted").
  void load(int number, const RenderRequest& request, Page& page);

  // Renders page `number` alone (BGR); `scale` receives the pixels per point used. Throws
  // PdfError for a page with an image too large to decode within the budget.
  cv::Mat render(int number, double dpi, long long max_pixels, double* scale);

 private:
  void close();
  // The preflight of page `number`, remembered for the page last checked: the OCR render of a
  // page just loaded does not read its streams again.
  const PageCheck& check_page(fz_page* page, int number);

  size_t max_block_;
  PageCheck checked_;
  uint64_t checked_identity_ = 0;
  int checked_number_ = 0;
  fz_context* ctx_ = nullptr;
  fz_document* doc_ = nullptr;
  uint64_t identity_ = 0;
};

// The MuPDF document handler for the first bytes of a file ("pdf", "png", ...), or "" when the
// bytes are not a format pageflow reads.
std::string sniff_format(const std::string& head);

}  // namespace pageflow::pdf
