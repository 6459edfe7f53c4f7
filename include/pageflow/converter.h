// The library's front door. A Converter loads its models once and converts any number of inputs
// (PDFs and page images) through the page pipeline: a client of a long-lived Engine (engine.h),
// whose jobs it submits and waits for. Documents come back in input order, each as
// soon as its last page is through, while later inputs are still being read.
//
//   pageflow::Options options;            // defaults suit a 2-core machine
//   pageflow::Converter converter(options);
//   converter.convert({"a.pdf", "b.png"}, [](pageflow::Document&& doc) { ... });
//
// Errors are values: a file that cannot be opened comes back with Document::error, a page that
// fails with PageResult::ok == false; nothing thrown from inside the pipeline reaches the caller.
// The constructor throws std::runtime_error for a configuration that cannot work (a missing model).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "pageflow/document.h"

namespace pageflow {

namespace pipeline {
class Trace;
}
class Engine;
struct PageOutput;

enum class Schedule { concurrent, batched, sequential };

struct Options {
  Schedule schedule = Schedule::concurrent;
  int cores = 0;           // CPU cores to keep busy: default workers per stage and, concurrent,
                           // stage calls running at once; 0 = all this process may use
                           // (affinity mask and cgroup CPU quota)
  int render_workers = 0;  // MuPDF workers; 0 = number of cores
  int layout_workers = 0;  // pages in layout detection at once (one shared session); 0 = cores
  int threads = 0;         // ONNX Runtime intra-op threads per model run; 0 = cores / workers
  int batch_size = 8;      // batched schedule: pages per stage call; model stages' preferred batch
  size_t window = 0;       // pages in flight at most (concurrent); 0 = automatic
  std::string pages;       // page selection "1-3,7" (1-based); empty = all
  std::string password;    // for encrypted PDFs
  double dpi = 72;         // raster resolution for layout (72 matches the layout model's input)
  bool layout = true;      // run the neural layout detector
  // Not on pages of one column of running text (is_plain_text_page, core/page.h): they are assembled
  // from their text layer alone, which saves the model's time, most of a digital page's.
  bool skip_layout_on_plain_pages = true;
  bool picture_images = false;  // keep each picture's pixels (PNG at --dpi) in the output
  std::string table_engine = "auto";  // auto: rules for ruled tables, else the model; rules; model
  std::string ocr = "auto";          // auto: pages without a usable text layer; off; force: every page
  std::string ocr_engine = "paddle"; // paddle (PP-OCRv4 via ONNX Runtime) or tesseract
  std::string ocr_languages = "eng"; // tesseract languages, e.g. "eng+deu"
  double ocr_dpi = 200;              // raster resolution for OCR
  bool ocr_pictures = false;         // auto mode: also read bitmaps inside digital pages
  int ocr_workers = 0;               // pages in OCR at once; 0 = cores
  std::string models_dir;  // where set-up put the models; empty = the build's default
  std::string layout_model;  // an ONNX layout model or its manifest (.json); empty = bundled
  // Layout model input in pixels; 0 = the manifest's, or the model's own when its input is fixed.
  // The converter's options() report the size in use.
  int layout_width = 0, layout_height = 0;
  std::chrono::milliseconds page_timeout{0};      // 0 = none
  std::chrono::milliseconds document_timeout{0};  // whole run; 0 = none

  // Limits against hostile or oversized input. A file over a limit fails with the reason; pages
  // over max_pages are reported as not converted; larger rasters are rendered at lower resolution.
  int max_pages = 100000;      // per document; 0 = no limit
  double max_file_mb = 0;      // 0 = no limit
  double max_megapixels = 40;  // per page raster (layout and OCR rasters alike)
  size_t memory_limit_mb = 2048;  // all of MuPDF's allocations together (parsing, fonts, images)
};

// Per-run controls, so one Converter (models loaded once) serves runs of different kinds.
struct RunControl {
  std::stop_token stop;              // request_stop() cancels: threads drain and join
  pipeline::Trace* trace = nullptr;  // record spans, queue depths and memory of this run
  std::optional<Schedule> schedule;  // overrides Options::schedule for this run
  // Each page as it leaves the pipeline (before the document-level pass); see engine.h.
  std::function<void(const PageOutput&)> on_page;
};

// An input: a path, or bytes already in memory (then `path` is only the name used in messages).
struct Input {
  std::string path;
  std::shared_ptr<const std::string> bytes;
};

struct RunResult {
  int documents = 0;
  int failed_documents = 0;  // could not be opened at all
  int partial_documents = 0; // some pages failed or missing
  int pages = 0;             // pages that reached the end of the pipeline, converted or failed
  int failed_pages = 0;
  long long missing_pages = 0;  // selected but never converted (stopped, over the page limit)
  bool cancelled = false;    // stopped by the caller or the document timeout
  std::string error;         // why the run stopped early, if it did
};

class Converter {
 public:
  using DocumentCallback = std::function<void(Document&&)>;
  // Called after each page leaves the pipeline: pages done so far, pages known so far.
  using ProgressCallback = std::function<void(int done, int known)>;

  explicit Converter(Options options);
  ~Converter();
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  RunResult convert(const std::vector<Input>& inputs, const DocumentCallback& on_document,
                    const ProgressCallback& on_progress = {}, const RunControl& control = {});

  const Options& options() const;
  // The long-lived engine underneath, for callers that submit jobs of their own.
  Engine& engine();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A page selection such as "1-3,7,10-", kept as sorted, merged ranges: an open range ("10-")
// stays open until it meets a document's real page count, so no selection ever costs memory in
// proportion to the numbers written in it.
class PageSelection {
 public:
  static constexpr int kOpenEnd = 2147483647;
  // "" selects every page. Throws std::invalid_argument naming the bad part.
  static PageSelection parse(const std::string& spec);
  // The selected pages of a document of `page_count` pages, as sorted disjoint ranges.
  std::vector<PageRange> resolve(int page_count) const;
  const std::vector<PageRange>& ranges() const { return ranges_; }

 private:
  std::vector<PageRange> ranges_;
};

// Keeps the first `keep` pages in `ranges` and returns the rest.
std::vector<PageRange> split_pages(std::vector<PageRange>& ranges, long long keep);
long long count_pages(const std::vector<PageRange>& ranges);
std::string describe_pages(const std::vector<PageRange>& ranges);  // "1-3,7"

}  // namespace pageflow
