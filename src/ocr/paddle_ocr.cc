#include "ocr/paddle_ocr.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include <opencv2/imgproc.hpp>

#include "core/statistics.h"
#include "core/text.h"
#include "pipeline/idle_cores.h"

namespace pageflow::ocr {

namespace {

std::vector<std::string> load_keys(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("OCR character list not found: " + path + " (run scripts/setup.sh)");
  std::vector<std::string> keys;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    keys.push_back(line);
  }
  return keys;
}

// Packs images (already 3-channel float in model units) into one NCHW tensor, left-aligned and
// zero-padded to `width`.
std::vector<float> pack(const std::vector<cv::Mat>& images, int height, int width) {
  const size_t plane = static_cast<size_t>(height * width);
  std::vector<float> tensor(images.size() * 3 * plane, 0.0f);
  for (size_t n = 0; n < images.size(); ++n) {
    const cv::Mat& img = images[n];
    for (int y = 0; y < img.rows; ++y) {
      const auto* row = img.ptr<cv::Vec3f>(y);
      for (int x = 0; x < std::min(img.cols, width); ++x) {
        for (int c = 0; c < 3; ++c) tensor[(n * 3 + static_cast<size_t>(c)) * plane + static_cast<size_t>(y * width + x)] = row[x][c];
      }
    }
  }
  return tensor;
}

// Resizes a line crop to `height`, keeping its aspect ratio (at most max_width wide), and maps
// pixels to [-1, 1] as PP-OCR's recogniser and classifier expect.
cv::Mat line_input(const cv::Mat& crop, int height, int max_width) {
  const double ratio = static_cast<double>(crop.cols) / std::max(1, crop.rows);
  const int width = std::clamp(static_cast<int>(std::ceil(height * ratio)), 1, max_width);
  cv::Mat resized, out;
  cv::resize(crop, resized, cv::Size(width, height));
  resized.convertTo(out, CV_32FC3, 2.0 / 255.0, -1.0);
  return out;
}

double distance(const cv::Point2f& a, const cv::Point2f& b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Orders a rotated rectangle's corners clockwise from the top-left.
std::array<cv::Point2f, 4> ordered_corners(const cv::RotatedRect& rect) {
  cv::Point2f p[4];
  rect.points(p);
  std::sort(p, p + 4, [](const cv::Point2f& a, const cv::Point2f& b) { return a.x < b.x; });
  const cv::Point2f tl = p[0].y <= p[1].y ? p[0] : p[1], bl = p[0].y <= p[1].y ? p[1] : p[0];
  const cv::Point2f tr = p[2].y <= p[3].y ? p[2] : p[3], br = p[2].y <= p[3].y ? p[3] : p[2];
  return {tl, tr, br, bl};
}

}  // namespace

cv::Rect2f Quad::bounds() const {  // declared in engine.h
  float l = points[0].x, t = points[0].y, r = l, b = t;
  for (const auto& p : points) {
    l = std::min(l, p.x);
    t = std::min(t, p.y);
    r = std::max(r, p.x);
    b = std::max(b, p.y);
  }
  return {l, t, r - l, b - t};
}

cv::Mat rotate_clockwise(const cv::Mat& image, int degrees) {
  cv::Mat out;
  switch (((degrees % 360) + 360) % 360) {
    case 90: cv::rotate(image, out, cv::ROTATE_90_CLOCKWISE); return out;
    case 180: cv::rotate(image, out, cv::ROTATE_180); return out;
    case 270: cv::rotate(image, out, cv::ROTATE_90_COUNTERCLOCKWISE); return out;
    default: return image;
  }
}

PaddleOcr::PaddleOcr(const std::string& dir, int threads, PaddleSettings settings)
    : settings_(settings),
      det_(dir + "/ch_PP-OCRv4_det_infer.onnx", threads),
      rec_(dir + "/ch_PP-OCRv4_rec_infer.onnx", threads),
      cls_(dir + "/ch_ppocr_mobile_v2.0_cls_infer.onnx", threads),
      keys_(load_keys(dir + "/ppocr_keys_v1.txt")) {}

InkSurvey survey_ink(const cv::Mat& bgr) {
  // At half resolution: letters of ordinary type are still several pixels high there, and the
  // look costs a few milliseconds on a 200-dpi page.
  cv::Mat half, gray, ink, labels, stats, centroids;
  cv::resize(bgr, half, cv::Size(std::max(1, bgr.cols / 2), std::max(1, bgr.rows / 2)), 0, 0, cv::INTER_AREA);
  cv::cvtColor(half, gray, cv::COLOR_BGR2GRAY);
  InkSurvey survey;
  survey.bounds = cv::Rect(0, 0, bgr.cols, bgr.rows);
  // Where the ink lies, against the paper's shade (the commonest one): anything clearly darker,
  // faint grey type included, which Otsu's split below may leave on the paper's side. A page
  // whose commonest shade is dark (a photograph, light type on a dark ground) is left whole.
  int histogram[256] = {};
  for (int y = 0; y < gray.rows; ++y) {
    for (const uchar* p = gray.ptr<uchar>(y), *end = p + gray.cols; p < end; ++p) ++histogram[*p];
  }
  const int paper = static_cast<int>(std::max_element(histogram, histogram + 256) - histogram);
  if (paper >= 160) {
    cv::threshold(gray, ink, paper - 32, 255, cv::THRESH_BINARY_INV);
    const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
    cv::Rect bounds;
    for (int i = 1; i < count; ++i) {
      if (stats.at<int>(i, cv::CC_STAT_AREA) < 3) continue;  // a speck of dust is no text
      const cv::Rect blob(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                          stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
      bounds = bounds.empty() ? blob : (bounds | blob);
    }
    const cv::Rect full(bounds.x * 2, bounds.y * 2, bounds.width * 2 + 2, bounds.height * 2 + 2);
    survey.bounds = bounds.empty() ? cv::Rect() : full & survey.bounds;
  }
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  std::vector<int> heights;
  for (int i = 1; i < count; ++i) {
    const int w = stats.at<int>(i, cv::CC_STAT_WIDTH), h = stats.at<int>(i, cv::CC_STAT_HEIGHT);
    // Letter-shaped blobs only: not specks, rules, frames or pictures.
    if (h >= 3 && h <= half.rows / 8 && w <= 3 * h && stats.at<int>(i, cv::CC_STAT_AREA) >= 6) heights.push_back(h);
  }
  if (heights.size() < 20) return survey;
  std::sort(heights.begin(), heights.end());
  // Letters of one type cluster (x-height to cap height); blobs of a drawing do not.
  const int lower = heights[heights.size() / 4], upper = heights[3 * heights.size() / 4];
  if (upper <= 2 * lower) survey.glyph_height = 2.0 * heights[heights.size() / 2];
  return survey;
}

std::vector<Quad> PaddleOcr::detect(const cv::Mat& page, bool whole_page) const {
  // Longest side within the limit, both sides multiples of 32.
  const int longest = std::max(page.cols, page.rows);
  double f = std::min(1.0, static_cast<double>(settings_.det_max_side) / longest);
  InkSurvey ink;
  if (whole_page) {
    ink = survey_ink(page);
    // No ink clearly darker than the paper, yet asked to read (--ocr force, a faded page): the
    // detector may still find faint type, so it looks at the whole page.
    if (ink.bounds.empty()) ink.bounds = cv::Rect(0, 0, page.cols, page.rows);
    // Large type is found as well at a lower resolution, for a fraction of the cost: letters
    // about det_glyph_px high in the detector's input (10-point type at the full limit is ~6 px).
    // Only a clear saving is taken, so pages of ordinary type are detected as before.
    if (ink.glyph_height > 0) {
      const double for_type = std::max(static_cast<double>(settings_.det_min_side) / longest,
                                       settings_.det_glyph_px / ink.glyph_height);
      if (for_type < 0.75 * f) f = for_type;
    }
  }
  const int w = std::max(32, static_cast<int>(std::round(page.cols * f / 32)) * 32);
  const int h = std::max(32, static_cast<int>(std::round(page.rows * f / 32)) * 32);
  const double sx = static_cast<double>(page.cols) / w, sy = static_cast<double>(page.rows) / h;
  cv::Mat resized, input;
  cv::resize(page, resized, cv::Size(w, h));
  // The detector sees only the window of its input that holds ink, with 32 pixels of paper
  // around it: its cost grows with the input, and margins and blank space are most of a sparse
  // page. The window's sides fall on the network's 32-pixel grid, so within it the page is seen
  // exactly as in the whole input.
  cv::Rect window(0, 0, w, h);
  if (whole_page) {
    const auto down = [](double v) { return static_cast<int>(std::floor(v / 32)) * 32; };
    const auto up = [](double v) { return static_cast<int>(std::ceil(v / 32)) * 32; };
    const int left = down(ink.bounds.x / sx) - 32, top = down(ink.bounds.y / sy) - 32;
    const int right = up(ink.bounds.br().x / sx) + 32, bottom = up(ink.bounds.br().y / sy) + 32;
    window = cv::Rect(left, top, right - left, bottom - top) & window;
  }
  resized(window).convertTo(input, CV_32FC3, 1.0 / 255.0);
  const cv::Scalar mean(0.485, 0.456, 0.406), stddev(0.229, 0.224, 0.225);
  // Plain functions, not matrix expressions: OpenCV's lazily built expression singletons are
  // not visible to ThreadSanitizer and these calls run on several workers.
  cv::subtract(input, mean, input);
  cv::divide(input, stddev, input);
  const auto out = det_.get().run(pack({input}, window.height, window.width).data(),
                                  {1, 3, window.height, window.width});
  const ml::Tensor& prob = out.at(0);
  cv::Mat map(window.height, window.width, CV_32F, const_cast<float*>(prob.data.data()));
  cv::Mat bitmap;
  cv::compare(map, settings_.det_threshold, bitmap, cv::CMP_GT);

  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(bitmap, contours, cv::RETR_LIST, cv::CHAIN_APPROX_SIMPLE);
  std::vector<Quad> quads;
  for (const auto& contour : contours) {
    if (contour.size() < 4) continue;
    const cv::RotatedRect rect = cv::minAreaRect(contour);
    if (std::min(rect.size.width, rect.size.height) < 3) continue;
    // Score: mean probability inside the contour's polygon.
    const cv::Rect bound = cv::boundingRect(contour) & cv::Rect(0, 0, window.width, window.height);
    if (bound.empty()) continue;
    cv::Mat mask(bound.size(), CV_8U, cv::Scalar(0));
    std::vector<std::vector<cv::Point>> shifted(1);
    for (const auto& p : contour) shifted[0].push_back(p - bound.tl());
    cv::fillPoly(mask, shifted, cv::Scalar(1));
    const float score = static_cast<float>(cv::mean(map(bound), mask)[0]);
    if (score < settings_.box_threshold) continue;
    // Unclip: grow the rectangle by area * ratio / perimeter on every side.
    const double area = rect.size.area();
    const double perimeter = 2.0 * (rect.size.width + rect.size.height);
    const double grow = area * settings_.unclip_ratio / std::max(1.0, perimeter);
    const cv::RotatedRect grown(rect.center, cv::Size2f(rect.size.width + 2 * static_cast<float>(grow),
                                                         rect.size.height + 2 * static_cast<float>(grow)),
                                rect.angle);
    if (std::min(grown.size.width, grown.size.height) < 5) continue;
    Quad q;
    q.points = ordered_corners(grown);
    for (auto& p : q.points) {
      p.x = std::clamp(static_cast<float>((window.x + p.x) * sx), 0.0f, static_cast<float>(page.cols - 1));
      p.y = std::clamp(static_cast<float>((window.y + p.y) * sy), 0.0f, static_cast<float>(page.rows - 1));
    }
    q.score = score;
    quads.push_back(q);
  }
  // Top to bottom, then left to right within a line's height.
  std::sort(quads.begin(), quads.end(), [](const Quad& a, const Quad& b) {
    const auto ra = a.bounds(), rb = b.bounds();
    if (std::abs(ra.y - rb.y) < 0.5 * std::min(ra.height, rb.height)) return ra.x < rb.x;
    return ra.y < rb.y;
  });
  return quads;
}

cv::Mat PaddleOcr::crop(const cv::Mat& bgr, const Quad& quad) const {
  const auto& p = quad.points;
  const int width = std::max(1, static_cast<int>(std::max(distance(p[0], p[1]), distance(p[3], p[2]))));
  const int height = std::max(1, static_cast<int>(std::max(distance(p[0], p[3]), distance(p[1], p[2]))));
  const cv::Point2f target[4] = {{0, 0}, {static_cast<float>(width), 0},
                                 {static_cast<float>(width), static_cast<float>(height)},
                                 {0, static_cast<float>(height)}};
  cv::Mat out;
  cv::warpPerspective(bgr, out, cv::getPerspectiveTransform(p.data(), target), cv::Size(width, height),
                      cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  // A crop much taller than wide is a vertical line: read it turned.
  if (out.rows >= 1.5 * out.cols) cv::rotate(out, out, cv::ROTATE_90_COUNTERCLOCKWISE);
  return out;
}

namespace {

// The type of a line image: its x-height (or cap height), its strokes' width, both in pixels, and
// how much it gains from being sheared upright (slant_gain).
struct InkType {
  double x_height = 0, stroke = 0, slant = 0;
  bool lower_case = true;  // x_height is a cap height where false
};

// How much sharper the ink's column profile gets when the line is sheared upright by about 11°
// (the slope of italic type): upright type's verticals already line up, an italic's line up only
// when sheared.
double slant_gain(const cv::Mat& ink) {
  const auto sharpness = [](const cv::Mat& mask) {
    cv::Mat columns;
    cv::reduce(mask, columns, 0, cv::REDUCE_SUM, CV_64F);
    return columns.dot(columns);
  };
  constexpr double kItalicSlope = 0.2;
  const cv::Mat shear = (cv::Mat_<double>(2, 3) << 1, kItalicSlope, -kItalicSlope * ink.rows / 2.0, 0, 1, 0);
  cv::Mat upright;
  cv::warpAffine(ink, upright, shear, ink.size(), cv::INTER_NEAREST, cv::BORDER_CONSTANT, 0);
  const double before = sharpness(ink);
  return before > 0 ? sharpness(upright) / before : 1;
}

// Letters that reach only the x-height (their tops), and those that rise above it.
bool short_letter(char c) { return std::string_view("acegimnopqrsuvwxyz").find(c) != std::string_view::npos; }
bool tall_glyph(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || std::string_view("bdfhklt").find(c) != std::string_view::npos; }

InkType measure_type(const cv::Mat& line, const std::string& text) {
  const auto tall = static_cast<double>(std::count_if(text.begin(), text.end(), tall_glyph));
  const auto short_ = static_cast<double>(std::count_if(text.begin(), text.end(), short_letter));
  if (tall + short_ < 3) return {};
  cv::Mat gray, ink;
  cv::cvtColor(line, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, ink, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  // Glyphs stand on the baseline (the middle of the bottoms: descenders are few). Sorted by how
  // high they reach, the tall ones (capitals, digits, ascenders: as many as the text has) come
  // first; the middle of the rest gives the x-height. A line of capitals gives its cap height
  // (the middle of them all), counted as such in set_type_from_ink.
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  std::vector<int> tops, bottoms;
  for (int c = 1; c < count; ++c) {
    const int height = stats.at<int>(c, cv::CC_STAT_HEIGHT);
    if (height < ink.rows / 5) continue;  // dots, commas, specks
    tops.push_back(stats.at<int>(c, cv::CC_STAT_TOP));
    bottoms.push_back(tops.back() + height);
  }
  if (tops.size() < 3) return {};
  std::sort(tops.begin(), tops.end());
  std::sort(bottoms.begin(), bottoms.end());
  // Averaged over the middle half of a group: a pixel is a tenth of a small x-height.
  const auto mean_of = [](const std::vector<int>& sorted, size_t from, size_t to) {
    const size_t n = to - from, a = from + n / 4, b = std::max(a + 1, to - n / 4);
    return std::accumulate(sorted.begin() + static_cast<long>(a), sorted.begin() + static_cast<long>(b), 0.0) /
           static_cast<double>(b - a);
  };
  const bool lower_case = short_ >= 2;
  const size_t first_short =
      lower_case ? std::min(tops.size() - 1, static_cast<size_t>(tall / (tall + short_) * static_cast<double>(tops.size()))) : 0;
  const double x_height = mean_of(bottoms, 0, bottoms.size()) - mean_of(tops, first_short, tops.size());
  cv::Mat eroded;
  cv::erode(ink, eroded, cv::Mat());
  const double area = cv::countNonZero(ink), edge = area - cv::countNonZero(eroded);
  return {x_height, edge > 0 ? 2 * area / edge : 0, slant_gain(ink), lower_case};
}

// A detected box's height follows the detector more than the type (lines of one paragraph vary
// by a sixth), and a recogniser knows no weights. The x-height (the cap height of a line without
// lower-case letters) gives the type's size, as a text layer's lines have it: body type's x-height
// is about 0.47 of its size, a capital's 0.7. A line is bold whose strokes are a fifth wider, for
// its x-height, than the page's lines' median: type one size larger is no bolder by that measure.
// A line is italic whose column profile sharpens by 15 % or more when sheared upright (upright
// lines lose sharpness, italic ones gained a quarter on the pages tried).
void set_type_from_ink(std::vector<TextLine>& lines, const std::vector<InkType>& types, double scale) {
  std::vector<double> weights;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (types[i].x_height > 0 && lines[i].text.size() >= 10) weights.push_back(types[i].stroke / types[i].x_height);
  }
  if (weights.empty()) return;
  const double median_weight = median(std::move(weights));
  for (size_t i = 0; i < lines.size(); ++i) {
    const InkType& type = types[i];
    if (type.x_height < 3) continue;  // a vertical line, or a speck
    lines[i].font_size = type.x_height / scale / (type.lower_case ? 0.47 : 0.7);
    lines[i].bold = lines[i].text.size() >= 3 && type.stroke / type.x_height >= 1.2 * median_weight;
    lines[i].italic = lines[i].text.size() >= 3 && type.slant >= 1.15;
    lines[i].sized_from_ink = true;
  }
}

// The darkest pixel of each column of a line image, against the paper's brightness: where the
// blank columns (gaps between letters and words) are.
class ColumnInk {
 public:
  explicit ColumnInk(const cv::Mat& line) {
    cv::Mat gray;
    cv::cvtColor(line, gray, cv::COLOR_BGR2GRAY);
    cv::reduce(gray, darkest_, 0, cv::REDUCE_MIN);
    paper_ = cv::mean(gray)[0];
  }
  int width() const { return darkest_.cols; }
  uchar darkest(int x) const { return darkest_.at<uchar>(0, x); }
  bool blank(int x) const { return darkest(x) > paper_ - 30; }
  // The longest run of blank columns in [from, to).
  int widest_gap(int from, int to) const {
    int widest = 0;
    for (int x = std::max(0, from), run = 0; x < std::min(to, width()); ++x) {
      run = blank(x) ? run + 1 : 0;
      widest = std::max(widest, run);
    }
    return widest;
  }

 private:
  cv::Mat darkest_;
  double paper_ = 0;
};

// Cut positions that split a line image (48 px high) into pieces at most `chunk` wide. Each cut
// goes in the middle of the widest run of blank columns near the limit (a gap between words), or
// at the faintest column when there is none, so that no character is cut in two.
std::vector<int> chunk_cuts(const ColumnInk& ink, int chunk) {
  std::vector<int> cuts = {0};
  while (ink.width() - cuts.back() > chunk) {
    const int from = cuts.back() + chunk / 2, to = cuts.back() + chunk;
    int best = to, best_run = 0, faintest = to;
    for (int x = from, run = 0; x < to; ++x) {
      run = ink.blank(x) ? run + 1 : 0;
      if (run > best_run) {
        best_run = run;
        best = x - run / 2;
      }
      if (ink.darkest(x) > ink.darkest(faintest)) faintest = x;
    }
    cuts.push_back(best_run > 0 ? best : faintest);
  }
  cuts.push_back(ink.width());
  return cuts;
}

bool latin_or_digit(char32_t c) { return c < 0x250 && !is_space(c); }

// Where a word space can fall between two Latin characters: not inside a number or a DOI (a
// narrow "1" leaves a wide gap beside it: "10.1145") and not before closing punctuation.
bool space_may_fall(char32_t before, char32_t after) {
  const auto digit = [](char32_t c) { return c >= '0' && c <= '9'; };
  const bool in_number = digit(after) && (digit(before) || before == '.' || before == ',');
  return !in_number && std::u32string_view(U".,:;!?)]}%").find(after) == std::u32string_view::npos;
}

// PP-OCRv4's recogniser (trained mostly on Chinese) often reads Latin words without the space
// between them ("layoutanalysis"). Between two Latin characters a run of blank columns as wide as
// a word space is one. In type whose letters touch (the line's usual gap between letters at most
// 1 px of the 48-px line image: small or scanned type) spaces left out span 6-8 px and letters
// stand at most 4 px apart (the TIFF). Elsewhere at least 9 px (letters stand 1-4 px apart in most
// type; on the corpus scans 7 px already split words of ocr_test) and twice the usual gap
// (widely spaced type has 5-9 px).
void restore_word_spaces(Recognition& line, const ColumnInk& ink) {
  const std::u32string chars = decode_utf8(line.text);
  if (chars.size() != line.char_x.size()) return;
  std::vector<int> gap_before(chars.size(), -1);  // -1: not between two Latin characters
  std::vector<int> letter_gaps;
  for (size_t k = 1; k < chars.size(); ++k) {
    if (!latin_or_digit(chars[k - 1]) || !latin_or_digit(chars[k])) continue;
    gap_before[k] = ink.widest_gap(static_cast<int>(line.char_x[k - 1] * ink.width()),
                                   static_cast<int>(line.char_x[k] * ink.width()));
    letter_gaps.push_back(gap_before[k]);
  }
  if (letter_gaps.empty()) return;
  const int median_gap = median(std::move(letter_gaps));
  const int word_space = median_gap <= 1 ? 6 : std::max(9, 2 * median_gap);
  std::string text;
  std::vector<float> char_x;
  for (size_t k = 0; k < chars.size(); ++k) {
    if (gap_before[k] >= word_space && space_may_fall(chars[k - 1], chars[k])) {
      text += ' ';
      char_x.push_back((line.char_x[k - 1] + line.char_x[k]) / 2);
    }
    append_utf8(text, chars[k]);
    char_x.push_back(line.char_x[k]);
  }
  line.text = std::move(text);
  line.char_x = std::move(char_x);
}

}  // namespace

std::vector<Recognition> PaddleOcr::recognize(const std::vector<cv::Mat>& crops) const {
  constexpr int kHeight = 48;
  // Every crop at the model's height; long lines in pieces (cost grows faster than width).
  struct Piece {
    size_t crop;
    cv::Mat image;  // float, model units
    double offset, width, total;  // position within the whole line, in 48-px-high pixels
  };
  std::vector<Piece> pieces;
  std::vector<ColumnInk> inks;
  inks.reserve(crops.size());
  for (size_t i = 0; i < crops.size(); ++i) {
    const double ratio = static_cast<double>(crops[i].cols) / std::max(1, crops[i].rows);
    const int width = std::max(1, static_cast<int>(std::ceil(kHeight * ratio)));
    cv::Mat resized;
    cv::resize(crops[i], resized, cv::Size(width, kHeight));
    inks.emplace_back(resized);
    const auto cuts = chunk_cuts(inks.back(), std::max(64, settings_.rec_chunk));
    for (size_t k = 0; k + 1 < cuts.size(); ++k) {
      cv::Mat part;
      resized.colRange(cuts[k], cuts[k + 1]).convertTo(part, CV_32FC3, 2.0 / 255.0, -1.0);
      pieces.push_back({i, part, static_cast<double>(cuts[k]), static_cast<double>(cuts[k + 1] - cuts[k]),
                        static_cast<double>(width)});
    }
  }
  // Similar widths share a run, so little of each tensor is padding.
  std::vector<size_t> order(pieces.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return pieces[a].width < pieces[b].width; });
  std::vector<Recognition> piece_results(pieces.size());
  std::vector<double> piece_confidence_sum(pieces.size(), 0);
  const size_t batch = static_cast<size_t>(std::max(1, settings_.rec_batch));
  // The runs are independent: a page alone in the OCR stage shares them with idle cores.
  pipeline::run_on_idle_cores((order.size() + batch - 1) / batch, [&](size_t run) {
    const size_t start = run * batch, end = std::min(order.size(), start + batch);
    std::vector<cv::Mat> inputs;
    int width = 8;
    for (size_t k = start; k < end; ++k) {
      inputs.push_back(pieces[order[k]].image);
      width = std::max(width, inputs.back().cols);
    }
    width = (width + 7) / 8 * 8;
    const auto out = rec_.get().run(pack(inputs, kHeight, width).data(),
                              {static_cast<int64_t>(inputs.size()), 3, kHeight, width});
    const ml::Tensor& probs = out.at(0);
    const int64_t steps = probs.dim(1), classes = probs.dim(2);
    for (size_t k = start; k < end; ++k) {
      const Piece& piece = pieces[order[k]];
      Recognition& r = piece_results[order[k]];
      const float* base = &probs.data[static_cast<size_t>((k - start) * steps * classes)];
      int64_t previous = 0;
      for (int64_t t = 0; t < steps; ++t) {
        const float* p = base + t * classes;
        const int64_t best = std::max_element(p, p + classes) - p;
        if (best != 0 && best != previous) {
          const size_t key = static_cast<size_t>(best - 1);
          r.text += key < keys_.size() ? keys_[key] : " ";  // the class after the list is a space
          piece_confidence_sum[order[k]] += p[best];
          const double x = piece.offset + std::min(piece.width, (static_cast<double>(t) + 0.5) * 8.0);
          r.char_x.push_back(static_cast<float>(x / piece.total));
        }
        previous = best;
      }
    }
  });
  // Pieces back into lines: a cut at a wide blank column was a space.
  std::vector<Recognition> results(crops.size());
  std::vector<double> confidence_sum(crops.size(), 0);
  for (size_t p = 0; p < pieces.size(); ++p) {
    Recognition& line = results[pieces[p].crop];
    const Recognition& part = piece_results[p];
    if (!line.text.empty() && !part.text.empty() && line.text.back() != ' ' && part.text.front() != ' ') {
      const double gap_start = line.char_x.empty() ? 0 : line.char_x.back() * pieces[p].total;
      const double gap_end = part.char_x.empty() ? 0 : part.char_x.front() * pieces[p].total;
      if (gap_end - gap_start > 22) {  // wider than the gap between letters at 48 px
        line.text += ' ';
        line.char_x.push_back(static_cast<float>((gap_start + gap_end) / 2 / pieces[p].total));
      }
    }
    line.text += part.text;
    line.char_x.insert(line.char_x.end(), part.char_x.begin(), part.char_x.end());
    confidence_sum[pieces[p].crop] += piece_confidence_sum[p];
  }
  for (size_t i = 0; i < results.size(); ++i) {
    const size_t chars = results[i].char_x.size();  // before spaces are restored: read characters
    restore_word_spaces(results[i], inks[i]);
    results[i].confidence = chars ? static_cast<float>(std::min(1.0, confidence_sum[i] / chars)) : 0.0f;
  }
  return results;
}

std::vector<bool> PaddleOcr::upside_down(const std::vector<cv::Mat>& crops) const {
  std::vector<bool> flipped;
  if (crops.empty()) return flipped;
  std::vector<cv::Mat> inputs;
  for (const auto& c : crops) inputs.push_back(line_input(c, 48, 192));
  const auto out = cls_.get().run(pack(inputs, 48, 192).data(), {static_cast<int64_t>(inputs.size()), 3, 48, 192});
  const ml::Tensor& probs = out.at(0);
  for (size_t n = 0; n < crops.size(); ++n) flipped.push_back(probs.data[n * 2 + 1] > 0.9f);
  return flipped;
}

Orientation PaddleOcr::orient(const cv::Mat& bgr) const {
  auto upside_down_votes = [&](const cv::Mat& image, const std::vector<Quad>& quads) {
    std::vector<cv::Mat> crops;
    for (const auto& q : quads) {
      const auto b = q.bounds();
      if (b.width > 2 * b.height && crops.size() < 24) crops.push_back(crop(image, q));
    }
    const auto flips = upside_down(crops);
    return 2 * std::count(flips.begin(), flips.end(), true) > static_cast<long>(flips.size());
  };
  Orientation o;
  o.lines = detect(bgr, true);
  int tall = 0, wide = 0;
  for (const auto& q : o.lines) {
    const auto b = q.bounds();
    if (b.height > 1.5 * b.width) ++tall;
    if (b.width > 1.5 * b.height) ++wide;
  }
  cv::Mat turned;
  if (tall > wide && tall >= 3) {
    o.rotation = 90;
    turned = rotate_clockwise(bgr, 90);
    o.lines = detect(turned, true);
  }
  if (upside_down_votes(o.rotation ? turned : bgr, o.lines)) {
    o.rotation += 180;
    o.lines = detect(rotate_clockwise(bgr, o.rotation), true);
  }
  return o;
}

namespace {

Quad quad_of(const cv::Rect2f& r, float score) {
  Quad q;
  q.points = {cv::Point2f(r.x, r.y), cv::Point2f(r.x + r.width, r.y), cv::Point2f(r.x + r.width, r.y + r.height),
              cv::Point2f(r.x, r.y + r.height)};
  q.score = score;
  return q;
}

// Takes out the boxes a better reading replaced, with their crops and readings.
void erase_replaced(const std::vector<bool>& replaced, std::vector<Quad>& quads, std::vector<cv::Mat>& crops,
                    std::vector<Recognition>& texts) {
  for (size_t i = replaced.size(); i-- > 0;) {
    if (!replaced[i]) continue;
    quads.erase(quads.begin() + static_cast<long>(i));
    crops.erase(crops.begin() + static_cast<long>(i));
    texts.erase(texts.begin() + static_cast<long>(i));
  }
}

// Runs of detected pieces stacked in a narrow column: vertical text (an arXiv stamp, a spine)
// reaches detection as short pieces, each read as one wrong letter.
std::vector<std::vector<size_t>> vertical_runs(const std::vector<Quad>& quads) {
  std::vector<size_t> order;
  for (size_t i = 0; i < quads.size(); ++i) {
    const auto b = quads[i].bounds();
    if (b.width < 2 * b.height) order.push_back(i);
  }
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return quads[a].bounds().y < quads[b].bounds().y; });
  std::vector<std::vector<size_t>> runs;
  std::vector<bool> used(quads.size(), false);
  for (size_t k = 0; k < order.size(); ++k) {
    if (used[order[k]]) continue;
    std::vector<size_t> run = {order[k]};
    cv::Rect2f last = quads[order[k]].bounds();
    for (size_t m = k + 1; m < order.size(); ++m) {
      const cv::Rect2f b = quads[order[m]].bounds();
      if (used[order[m]] || b.y - (last.y + last.height) > last.width) continue;
      const float overlap = std::min(b.x + b.width, last.x + last.width) - std::max(b.x, last.x);
      const bool similar = b.width < 1.6f * last.width && last.width < 1.6f * b.width;
      if (similar && overlap > 0.6f * std::min(b.width, last.width) && b.y >= last.y) {
        run.push_back(order[m]);
        last = b;
      }
    }
    cv::Rect2f all = quads[run.front()].bounds();
    for (size_t i : run) all |= quads[i].bounds();
    if (run.size() >= 3 && all.height >= 4 * all.width) {
      for (size_t i : run) used[i] = true;
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

}  // namespace

void PaddleOcr::read_vertical_text(const cv::Mat& bgr, std::vector<Quad>& quads, std::vector<cv::Mat>& crops,
                                   std::vector<Recognition>& texts) const {
  std::vector<bool> replaced(quads.size(), false);
  for (const auto& run : vertical_runs(quads)) {
    cv::Rect2f all = quads[run.front()].bounds();
    double piece_confidence = 0;
    size_t piece_chars = 0;
    for (size_t i : run) {
      all |= quads[i].bounds();
      piece_confidence += texts[i].confidence;
      piece_chars += texts[i].char_x.size();
    }
    const Quad tall = quad_of(all, quads[run.front()].score);
    // crop() turns a tall line counter-clockwise (text running downwards); text running upwards
    // needs the other quarter turn. Both are read; the more confident reading wins.
    const cv::Mat down = crop(bgr, tall);
    cv::Mat up;
    cv::rotate(down, up, cv::ROTATE_180);
    const auto readings = recognize({down, up});
    const Recognition& best = readings[0].confidence >= readings[1].confidence ? readings[0] : readings[1];
    if (best.char_x.size() <= piece_chars || best.confidence < 0.75f ||
        best.confidence < piece_confidence / static_cast<double>(run.size()) - 0.1) {
      continue;
    }
    for (size_t i : run) replaced[i] = true;
    quads.push_back(tall);
    crops.push_back(&best == &readings[0] ? down : up);
    texts.push_back(best);
    replaced.push_back(false);
  }
  erase_replaced(replaced, quads, crops, texts);
}

// CTC emits a character at one time step of 8 px of the 48-px line image; a word's box reaches
// this fraction of the line's width past its first and last characters.
constexpr double kCharReach = 0.02;

// A reading below this confidence is dropped as no text.
constexpr float kLeastConfidence = 0.5f;

void PaddleOcr::read_stacked_lines(const cv::Mat& bgr, std::vector<Quad>& quads, std::vector<cv::Mat>& crops,
                                   std::vector<Recognition>& texts) const {
  // The page's line height: the median of its boxes read well and lying flat.
  std::vector<float> heights;
  for (size_t i = 0; i < quads.size(); ++i) {
    const cv::Rect2f b = quads[i].bounds();
    if (texts[i].confidence >= kLeastConfidence && b.width > 2 * b.height) heights.push_back(b.height);
  }
  if (heights.size() < 5) return;  // too few lines to tell a line's height
  const double line_height = median(std::move(heights));
  constexpr int kMostRows = 6;
  const size_t found = quads.size();
  std::vector<bool> replaced(found, false);
  for (size_t i = 0; i < found; ++i) {
    const cv::Rect box = cv::Rect(quads[i].bounds()) & cv::Rect(0, 0, bgr.cols, bgr.rows);
    const double rows = box.height / line_height;
    if (rows < 1.6 || rows > kMostRows + 0.5 || box.width < 2 * box.height) continue;
    // The detector saw the page scaled down to det_max_side, where close-set rows run together;
    // it looks again at the box and half a line around it at full resolution.
    const int margin = static_cast<int>(line_height / 2);
    const cv::Rect around = cv::Rect(box.x - margin, box.y - margin, box.width + 2 * margin, box.height + 2 * margin) &
                            cv::Rect(0, 0, bgr.cols, bgr.rows);
    std::vector<cv::Mat> row_crops;
    std::vector<Quad> row_quads;
    // A row whose middle another box holds, read well, was read already.
    auto read_already = [&](const cv::Point2f& middle) {
      for (size_t j = 0; j < found; ++j) {
        if (j != i && texts[j].confidence >= kLeastConfidence && quads[j].bounds().contains(middle)) return true;
      }
      return false;
    };
    for (Quad q : detect(bgr(around))) {
      for (auto& p : q.points) p += cv::Point2f(static_cast<float>(around.x), static_cast<float>(around.y));
      const cv::Rect2f b = q.bounds();
      const cv::Point2f middle(b.x + b.width / 2, b.y + b.height / 2);
      if (!cv::Rect2f(box).contains(middle) || read_already(middle)) continue;
      row_crops.push_back(crop(bgr, q));
      // Read from its tight box; placed with the height the page's other boxes have, so that
      // its type size matches theirs where it continues their paragraph.
      const float half = static_cast<float>(std::max<double>(b.height, line_height) / 2);
      row_quads.push_back(quad_of(cv::Rect2f(b.x, middle.y - half, b.width, 2 * half), q.score));
    }
    // One row is a line of large type, as the box was.
    float top = std::numeric_limits<float>::max(), bottom = 0;
    for (const Quad& q : row_quads) {
      const cv::Rect2f b = q.bounds();
      top = std::min(top, b.y + b.height / 2);
      bottom = std::max(bottom, b.y + b.height / 2);
    }
    if (bottom - top < 0.5 * line_height) continue;
    std::vector<Recognition> readings = recognize(row_crops);
    double confidence = 0;
    for (const Recognition& r : readings) confidence += r.confidence;
    if (confidence / static_cast<double>(readings.size()) <= texts[i].confidence) continue;
    replaced[i] = true;
    for (size_t r = 0; r < readings.size(); ++r) {
      quads.push_back(row_quads[r]);
      crops.push_back(row_crops[r]);
      texts.push_back(std::move(readings[r]));
      replaced.push_back(false);
    }
  }
  erase_replaced(replaced, quads, crops, texts);
}

std::vector<TextLine> PaddleOcr::read(const cv::Mat& bgr, double scale, double detail, std::span<const Quad> found,
                                     int) {
  std::vector<Quad> quads = found.empty() ? detect(bgr) : std::vector<Quad>(found.begin(), found.end());
  std::vector<cv::Mat> crops;
  for (const auto& q : quads) crops.push_back(crop(bgr, q));
  std::vector<Recognition> texts = recognize(crops);
  read_vertical_text(bgr, quads, crops, texts);
  read_stacked_lines(bgr, quads, crops, texts);
  std::vector<TextLine> lines;
  std::vector<std::vector<double>> blank_before;  // per kept line and word: the white before it
  std::vector<InkType> types;                     // per kept line
  for (size_t i = 0; i < quads.size(); ++i) {
    const Recognition& r = texts[i];
    const ColumnInk ink(crops[i]);
    std::vector<double> blanks;
    TextLine line;
    const auto b = quads[i].bounds();
    line.box = {b.x / scale, b.y / scale, (b.x + b.width) / scale, (b.y + b.height) / scale};
    line.from_ocr = true;
    line.confidence = r.confidence;
    // The unclipped box is about a line's height (its width for a line of vertical text).
    const bool vertical = line.box.height() > 2 * line.box.width() && r.char_x.size() > 3;
    line.font_size = (vertical ? line.box.width() : line.box.height()) * 0.75;
    // Words from the recognised text; their x extent from where CTC emitted their characters.
    size_t char_index = 0;
    Word word;
    double first = -1, last = 0, previous_last = -1;
    auto flush = [&] {
      if (word.text.empty()) return;
      const double first_x = first + kCharReach;
      blanks.push_back(previous_last < 0 ? 0
                                         : ink.widest_gap(static_cast<int>(previous_last * ink.width()),
                                                          static_cast<int>(first_x * ink.width())) *
                                               line.box.height() / std::max(1, crops[i].rows));
      previous_last = last - kCharReach;
      word.box = {line.box.l + first * line.box.width(), line.box.t, line.box.l + last * line.box.width(), line.box.b};
      if (!line.text.empty()) line.text += ' ';
      line.text += word.text;
      line.words.push_back(word);
      word = Word{};
      first = -1;
    };
    for (size_t pos = 0; pos < r.text.size();) {
      const unsigned char lead = static_cast<unsigned char>(r.text[pos]);
      const size_t len = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : 4;
      const std::string ch = r.text.substr(pos, len);
      const double x = char_index < r.char_x.size() ? r.char_x[char_index] : 1.0;
      if (ch == " ") {
        flush();
      } else {
        if (first < 0) first = std::max(0.0, x - kCharReach);
        last = std::min(1.0, x + kCharReach);
        word.text += ch;
      }
      pos += len;
      ++char_index;
    }
    flush();
    // A hollow bullet (a Word list's "o") sits a tab away from its text; the letter "o" opening a
    // line of prose, a space away.
    if (line.words.size() >= 2 && line.words[0].text == "o" && blanks[1] >= 0.6 * line.box.height()) {
      line.words[0].text = "\u25E6";
      join_words(line);
    }
    if (!line.words.empty() && r.confidence >= kLeastConfidence) {
      lines.push_back(std::move(line));
      blank_before.push_back(std::move(blanks));
      types.push_back(vertical ? InkType{} : measure_type(crops[i], r.text));
    }
  }
  // Below about 120 dpi letters touch and an x-height is three pixels: the boxes' heights are
  // the better measure, and no weight or slant can be told.
  if (detail >= 120 / 72.0) set_type_from_ink(lines, types, scale);
  split_lines_at_gutters(lines, blank_before);
  drop_stray_cjk(lines);
  assign_blocks(lines);
  return lines;
}

namespace {

bool is_cjk_ideograph(char32_t c) { return (c >= 0x3400 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF); }

// The Latin form of a CJK full stop or comma or of a full-width ASCII sign; 0 for anything else.
char32_t latin_form(char32_t c) {
  if (c == U'\u3002') return U'.';
  if (c == U'\u3001') return U',';
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFEE0;
  return 0;
}

}  // namespace

bool mostly_ideographs(const std::vector<TextLine>& lines) {
  size_t letters = 0, ideographs = 0;
  for (const auto& line : lines) {
    for (char32_t c : decode_utf8(line.text)) {
      letters += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c >= 0xC0;
      ideographs += is_cjk_ideograph(c);
    }
  }
  return ideographs * 5 >= letters && ideographs > 0;
}

void drop_stray_cjk(std::vector<TextLine>& lines) {
  size_t latin = 0, cjk = 0;
  for (const auto& line : lines) {
    for (char32_t c : decode_utf8(line.text)) {
      latin += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
      cjk += is_cjk_ideograph(c);
    }
  }
  if (latin < 200 || cjk * 50 > latin) return;
  for (auto& line : lines) {
    bool changed = false;
    for (auto& word : line.words) {
      const std::u32string chars = decode_utf8(word.text);
      std::string kept;
      for (size_t k = 0; k < chars.size(); ++k) {
        const bool ideograph_before = k > 0 && is_cjk_ideograph(chars[k - 1]);
        const bool ideograph_after = k + 1 < chars.size() && is_cjk_ideograph(chars[k + 1]);
        if (is_cjk_ideograph(chars[k]) && !ideograph_before && !ideograph_after) {
          changed = true;
        } else if (const char32_t latin_sign = latin_form(chars[k]); latin_sign && !ideograph_before && !ideograph_after) {
          append_utf8(kept, latin_sign);
          changed = true;
        } else {
          append_utf8(kept, chars[k]);
        }
      }
      word.text = kept;
    }
    if (!changed) continue;
    std::erase_if(line.words, [](const Word& w) { return w.text.empty(); });
    join_words(line);
  }
  std::erase_if(lines, [](const TextLine& line) { return line.words.empty(); });
}

void split_lines_at_gutters(std::vector<TextLine>& lines, const std::vector<std::vector<double>>& blank_before) {
  // Lines whose middles lie within this many of a line's heights are its neighbours; white
  // between two words this many heights wide may be a gutter (a word space is a third of a
  // height, a justified line's widest seldom half); a neighbour ends or starts at the gutter
  // within this many heights of its edge.
  constexpr double kNeighbourhood = 4.0, kWidestSpace = 0.6, kEdge = 0.8;
  constexpr int kOpenNeighbours = 3;
  auto similar = [](const TextLine& a, const TextLine& b) {
    return a.box.height() < 1.5 * b.box.height() && b.box.height() < 1.5 * a.box.height();
  };
  // Where a word's ink is: its box less the reach CTC's time steps give it, keeping its middle.
  auto inked = [](const TextLine& line, const Word& w, double x) {
    const double reach = std::min(kCharReach * line.box.width(), 0.25 * w.box.width());
    return w.box.l + reach < x && x < w.box.r - reach;
  };
  auto gutter_at = [&](const TextLine& line, double gap_l, double gap_r) {
    const double h = line.box.height(), x = (gap_l + gap_r) / 2;
    int open = 0;
    for (const auto& other : lines) {
      if (&other == &line || !similar(line, other) ||
          std::abs((other.box.t + other.box.b) - (line.box.t + line.box.b)) / 2 > kNeighbourhood * h) {
        continue;
      }
      if (std::any_of(other.words.begin(), other.words.end(), [&](const Word& w) { return inked(other, w, x); })) {
        return false;
      }
      const bool ends_here = std::abs(other.box.r - gap_l) < kEdge * h;
      const bool starts_here = std::abs(other.box.l - gap_r) < kEdge * h;
      open += ends_here || starts_here || (other.box.l < x && x < other.box.r);
    }
    return open >= kOpenNeighbours;
  };
  std::vector<TextLine> out;
  for (size_t i = 0; i < lines.size(); ++i) {
    const TextLine& line = lines[i];
    size_t from = 0;
    for (size_t k = 1; k <= line.words.size(); ++k) {
      if (k < line.words.size() &&
          !(i < blank_before.size() && k < blank_before[i].size() &&
            blank_before[i][k] > kWidestSpace * line.box.height() &&
            gutter_at(line, line.words[k - 1].box.r, line.words[k].box.l))) {
        continue;
      }
      if (from == 0 && k == line.words.size()) break;  // no gutter: the line as it was
      TextLine part = line;
      part.words.assign(line.words.begin() + static_cast<long>(from), line.words.begin() + static_cast<long>(k));
      part.box.l = part.words.front().box.l;
      part.box.r = part.words.back().box.r;
      join_words(part);
      out.push_back(std::move(part));
      from = k;
    }
    if (from == 0) out.push_back(line);  // copied: later lines' gutter tests still read it
  }
  lines = std::move(out);
}

namespace {

// The detector may box a word of a line apart from the rest of it ("Prevost," before "assistant
// director of", where the justified line has a wide space). Such a fragment is lower than the
// line beside it, so it fails the type-size test and opens a block of its own, which assembly
// would print as a paragraph. A block whose every line sits on the row of a line of one larger
// block, inside that block's column, is part of it. The column is where its lines usually start
// and end (the middle of their left and of their right edges): a headline over several columns,
// or a first line the detector ran across the gutter, widens the block's extent over the next
// column, whose lines sit on its rows too. A block of one or two lines need only lie within the
// extent: the words of a centred heading set letter-spaced ("G E T  D U N L O P") are boxed apart.
void join_row_fragments(std::vector<TextLine>& lines, int blocks) {
  constexpr size_t kMostLinesOfAPiece = 2;
  std::vector<Box> extent(static_cast<size_t>(blocks)), column(static_cast<size_t>(blocks));
  std::vector<size_t> size(static_cast<size_t>(blocks), 0);
  std::vector<std::vector<double>> lefts(static_cast<size_t>(blocks)), rights(static_cast<size_t>(blocks));
  for (const auto& line : lines) {
    const auto b = static_cast<size_t>(line.block);
    extent[b] = size[b]++ == 0 ? line.box : unite(extent[b], line.box);
    lefts[b].push_back(line.box.l);
    rights[b].push_back(line.box.r);
  }
  for (size_t b = 0; b < column.size(); ++b) {
    if (size[b] > 0) column[b] = {median(std::move(lefts[b])), extent[b].t, median(std::move(rights[b])), extent[b].b};
  }
  auto inside = [](const Box& line, const Box& span) {
    return line.l >= span.l - 0.5 * line.height() && line.r <= span.r + 0.5 * line.height();
  };
  for (int fragment = 0; fragment < blocks; ++fragment) {
    const auto f = static_cast<size_t>(fragment);
    int host = -1;
    bool fits = size[f] > 0;
    for (const auto& line : lines) {
      if (!fits) break;
      if (line.block != fragment) continue;
      int mate = -1;
      for (const auto& other : lines) {
        const auto o = static_cast<size_t>(other.block);
        if (other.block == fragment || size[o] <= size[f] || !same_row(line.box, other.box)) continue;
        if (inside(line.box, column[o]) || (size[f] <= kMostLinesOfAPiece && inside(line.box, extent[o]))) {
          mate = other.block;
          break;
        }
      }
      fits = mate >= 0 && (host < 0 || host == mate);
      host = mate;
    }
    if (!fits) continue;
    const auto h = static_cast<size_t>(host);
    for (auto& line : lines) {
      if (line.block == fragment) line.block = host;
    }
    extent[h] = unite(extent[h], extent[f]);
    column[h] = unite(column[h], column[f]);
    size[h] += size[f];
    size[f] = 0;
  }
}

}  // namespace

void assign_blocks(std::vector<TextLine>& lines) {
  std::vector<size_t> order(lines.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lines[a].box.t < lines[b].box.t; });
  // A line continues the block of the nearest line above it in its own column, not of the line
  // that happens to precede it top to bottom: side-by-side columns interleave in that order. Its
  // type matches that line's or the block's usual line height: the detector boxes a word that a
  // justified line's wide space cuts off short ("pace" before "with advances"), and so the line
  // under it may match only the block.
  std::vector<std::vector<double>> heights;  // by block
  auto usual_height = [&](int block) { return median(heights[static_cast<size_t>(block)]); };
  int blocks = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    TextLine& line = lines[order[k]];
    const TextLine* above = nullptr;
    for (size_t m = 0; m < k; ++m) {
      const TextLine& candidate = lines[order[m]];
      const double overlap = std::min(line.box.r, candidate.box.r) - std::max(line.box.l, candidate.box.l);
      const bool same_column = overlap >= 0.3 * std::min(line.box.width(), candidate.box.width());
      const bool higher = candidate.box.b <= line.box.t + 0.5 * line.box.height();
      if (same_column && higher && (!above || candidate.box.b > above->box.b)) above = &candidate;
    }
    auto matches = [&](double height) { return line.box.height() < 1.5 * height && height < 1.5 * line.box.height(); };
    const bool continues = above && line.box.t - above->box.b <= 0.8 * line.box.height() &&
                           (matches(above->box.height()) || matches(usual_height(above->block)));
    line.block = continues ? above->block : blocks++;
    if (!continues) heights.emplace_back();
    heights[static_cast<size_t>(line.block)].push_back(line.box.height());
  }
  join_row_fragments(lines, blocks);
}

}  // namespace pageflow::ocr
