// OCR engines read an upright page image into text lines with word boxes and confidences, in
// page points, so that assembly treats OCR text exactly like text-layer text.
#pragma once

#include <array>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/page.h"

namespace pageflow::ocr {

// A detected text line: four corners clockwise from the top-left, in image pixels.
struct Quad {
  std::array<cv::Point2f, 4> points;
  float score = 0;
  cv::Rect2f bounds() const;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // Called before a run with the number of workers that will call read() concurrently.
  virtual void open(int /*workers*/) {}
  // `bgr` is at `scale` pixels per point; it holds detail at `detail` pixels per point (a scan's
  // own resolution, which may be lower). `lines`, when not empty, are text lines already found
  // on this image (an engine may use them instead of detecting again). Calls with distinct
  // workers may run concurrently.
  virtual std::vector<TextLine> read(const cv::Mat& bgr, double scale, double detail, std::span<const Quad> lines,
                                     int worker) = 0;
};

// A detected line may bridge a narrow gutter where the rows of two columns line up (a
// newspaper's): it is cut where the white between two of its words (`blank_before[line][word]`,
// measured on the line image, in page units) is over 0.6 of its height and a channel of white
// runs down the page through it: no line around it has ink across the gap, and three or more end
// at the gap, start at it or have a gap of their own there.
void split_lines_at_gutters(std::vector<TextLine>& lines, const std::vector<std::vector<double>>& blank_before);

// Groups lines into blocks (paragraph hints for assembly): a line joins the block of the nearest
// line above it that it overlaps horizontally, unless a gap larger than a line or a change of
// type size separates them. A block whose lines all sit on rows of one larger block, inside its
// span, is part of it (a word the detector boxed apart from the rest of its line).
void assign_blocks(std::vector<TextLine>& lines);

// On a page read as Latin script (at least 200 letters, under 2 % CJK), a lone CJK ideograph
// among Latin text is a misread symbol or speck (the recogniser knows both scripts): dropped.
// Runs of two or more ideographs (a name, a term) stay. CJK punctuation next to no ideograph
// (a leader's dot read as "。", a comma as "，") becomes its Latin form.
void drop_stray_cjk(std::vector<TextLine>& lines);

// Whether ideographs make up a fifth or more of the lines' letters: a page in Chinese or Japanese.
bool mostly_ideographs(const std::vector<TextLine>& lines);

}  // namespace pageflow::ocr
