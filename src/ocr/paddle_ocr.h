// PP-OCRv4 through ONNX Runtime: DB text detection, the 0/180 degree line classifier and CTC
// recognition over the shipped character list. One session per model, shared by all workers.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ml/ort_model.h"
#include "ocr/engine.h"

namespace pageflow::ocr {

struct Recognition {
  std::string text;
  float confidence = 0;
  std::vector<float> char_x;  // centre of each character, as a fraction of the crop width
};

// Where a page's text is and which way up it reads.
struct Orientation {
  int rotation = 0;          // clockwise degrees (0, 90, 180, 270) that make the page upright
  std::vector<Quad> lines;   // text lines on the upright image, in its pixels
};

struct PaddleSettings {
  int det_max_side = 960;        // detection input: longest side at most this (multiple of 32)
  // Pages of large type are detected at a lower resolution, down to det_min_side, so that their
  // letters are about det_glyph_px high (survey_ink).
  int det_min_side = 320;
  double det_glyph_px = 8;
  float det_threshold = 0.3f;    // probability map binarisation
  float box_threshold = 0.6f;    // mean probability inside a box to keep it
  float unclip_ratio = 1.5f;     // box growth: area * ratio / perimeter
  // Line crops per recognition run. On CPU, ONNX Runtime runs this model fastest one crop at a
  // time (measured: a run of 2 crops of 640 px took 2-7x a single run, not 2x), so 1.
  int rec_batch = 1;
  int rec_chunk = 640;           // wider crops (at 48 px height) are cut at blank columns
};

class PaddleOcr : public Engine {
 public:
  // `dir` holds ch_PP-OCRv4_det_infer.onnx, ch_PP-OCRv4_rec_infer.onnx,
  // ch_ppocr_mobile_v2.0_cls_infer.onnx and ppocr_keys_v1.txt. Throws with the missing file.
  PaddleOcr(const std::string& dir, int threads, PaddleSettings settings = {});

  std::string name() const override { return "paddle"; }
  std::vector<TextLine> read(const cv::Mat& bgr, double scale, double detail, std::span<const Quad> lines,
                             int worker) override;

  // Lines of `bgr`. Of a whole page only the part that holds ink is looked at, and a page of
  // large type at a lower resolution (settings); a part of a page (a picture) is taken whole and
  // at the limit, as its blobs are seldom letters.
  std::vector<Quad> detect(const cv::Mat& bgr, bool whole_page = false) const;
  cv::Mat crop(const cv::Mat& bgr, const Quad& quad) const;  // upright line image
  std::vector<Recognition> recognize(const std::vector<cv::Mat>& crops) const;
  std::vector<bool> upside_down(const std::vector<cv::Mat>& crops) const;

  // Which way `bgr` must turn to read upright, judged from the shape of detected lines (tall
  // lines: a quarter turn) and the line classifier's votes (upside down: a half turn), with the
  // lines of the upright image.
  Orientation orient(const cv::Mat& bgr) const;

 private:
  // `quads`, their `crops` and their `texts` stay aligned, index for index, through both.
  // Replaces runs of pieces of vertical text with one line read turned (see vertical_runs).
  void read_vertical_text(const cv::Mat& bgr, std::vector<Quad>& quads, std::vector<cv::Mat>& crops,
                          std::vector<Recognition>& texts) const;
  // Replaces a box two or more of the page's lines tall whose rows the detector, looking again at
  // full resolution, tells apart (close-set rows it ran together at det_max_side) with those
  // rows, each read on its own, when they read with more confidence than the box did.
  void read_stacked_lines(const cv::Mat& bgr, std::vector<Quad>& quads, std::vector<cv::Mat>& crops,
                          std::vector<Recognition>& texts) const;

  PaddleSettings settings_;
  ml::LazyModel det_, rec_, cls_;
  std::vector<std::string> keys_;
};

// What one look at a page image's ink tells.
struct InkSurvey {
  // The median height in pixels of the letter-shaped ink blobs: the page's type size; 0 when
  // there are too few to tell or their heights spread too far to be letters.
  double glyph_height = 0;
  // Where ink clearly darker than the paper lies: the whole image when the paper is dark (no
  // telling ink from it), empty when the image is blank.
  cv::Rect bounds;
};
InkSurvey survey_ink(const cv::Mat& bgr);

// Turns an image clockwise by a multiple of 90 degrees.
cv::Mat rotate_clockwise(const cv::Mat& image, int degrees);

}  // namespace pageflow::ocr
