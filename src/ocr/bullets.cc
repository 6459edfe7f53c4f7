#include "ocr/bullets.h"

#include <algorithm>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/text.h"

namespace pageflow::ocr {

void restore_bullets(std::vector<TextLine>& lines) {
  const auto dot = [](const std::string& w) {
    return w == "." || w == "\u00B7" || w == "," || w == "\u00B0" || w == "\u2219";
  };
  const auto shape = [](char32_t c) { return (c >= 0x25A0 && c <= 0x25FF) || c == 0x2022 || c == 0x2219; };
  // A dot the detector boxed alone opens the line on its right, on the same row.
  const auto opens_line = [&](const TextLine& mark) {
    return std::any_of(lines.begin(), lines.end(), [&](const TextLine& other) {
      const double shared = std::min(mark.box.b, other.box.b) - std::max(mark.box.t, other.box.t);
      return &other != &mark && shared >= 0.5 * mark.box.height() && other.box.l >= mark.box.r &&
             other.box.l - mark.box.r <= 3 * other.box.height();
    });
  };
  for (auto& line : lines) {
    if (line.words.empty()) continue;
    Word& first = line.words.front();
    const std::u32string head = decode_utf8(first.text);
    if (head.size() > 1 && shape(head[0]) && is_ltr_strong(head[1])) {
      // A bullet set close to its word is read as part of it ("■bullet").
      Word bullet{"", first.box};
      append_utf8(bullet.text, head[0]);
      bullet.box.r = first.box.l + first.box.width() / static_cast<double>(head.size());
      first.text.erase(0, bullet.text.size());
      first.box.l = bullet.box.r;
      line.words.insert(line.words.begin(), bullet);
      join_words(line);
      continue;
    }
    if (!dot(first.text)) continue;
    if (line.words.size() == 1 && !opens_line(line)) continue;
    first.text = "\u2022";
    join_words(line);
  }
}

namespace {

// The one solid shape of bullet size in `ink` (a binary crop of the middle of a line `height`
// pixels tall), or an empty rectangle if there is none or anything else is inked there.
cv::Rect lone_bullet(const cv::Mat& ink, double height) {
  cv::Mat labels, stats, centroids;
  const int count = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8, CV_32S);
  cv::Rect found;
  for (int c = 1; c < count; ++c) {
    const cv::Rect r(stats.at<int>(c, cv::CC_STAT_LEFT), stats.at<int>(c, cv::CC_STAT_TOP),
                     stats.at<int>(c, cv::CC_STAT_WIDTH), stats.at<int>(c, cv::CC_STAT_HEIGHT));
    // A speck, or the first letter, which the crop may reach into.
    if (std::max(r.width, r.height) < 0.1 * height || r.x + r.width >= ink.cols) continue;
    const double fill = stats.at<int>(c, cv::CC_STAT_AREA) / static_cast<double>(r.area());
    const bool inside = r.y > 0 && r.y + r.height < ink.rows;  // no letter of a line above or below
    const bool bullet = inside && r.width >= 0.15 * height && r.height >= 0.15 * height && r.width <= 0.7 * height &&
                        r.height <= 0.7 * height && fill >= 0.45;
    if (!bullet || !found.empty()) return {};
    found = r;
  }
  return found;
}

}  // namespace

void find_drawn_bullets(const cv::Mat& ink, double scale, std::vector<TextLine>& lines) {
  if (ink.empty() || lines.empty()) return;
  const cv::Rect page(0, 0, ink.cols, ink.rows);
  for (TextLine& line : lines) {
    if (line.words.empty() || line.sideways != 0) continue;
    const std::u32string head = decode_utf8(line.words.front().text);
    if (head.empty() || !is_ltr_strong(head[0])) continue;  // opens with a mark already
    // The middle of the row: a detected box reaches into the lines above and below.
    const double height = line.box.height() * scale;
    const int top = static_cast<int>(line.box.t * scale + 0.15 * height);
    const int bottom = static_cast<int>(line.box.b * scale - 0.15 * height);
    // The detected box often takes in the bullet that recognition then drops: up to the first word.
    const int right = static_cast<int>(line.words.front().box.l * scale) - 1;
    const int left = static_cast<int>(line.box.l * scale - 3 * height);
    const cv::Rect area = cv::Rect(cv::Point(left, top), cv::Point(right, bottom)) & page;
    if (area.width < height || area.height < 0.6 * height) continue;
    const Box region{area.x / scale, area.y / scale, (area.x + area.width) / scale, (area.y + area.height) / scale};
    const bool over_text = std::any_of(lines.begin(), lines.end(), [&](const TextLine& other) {
      return &other != &line && intersection(other.box, region) > 0;
    });
    if (over_text) continue;
    const cv::Rect shape = lone_bullet(ink(area), height);
    if (shape.empty()) continue;
    const Box mark{(area.x + shape.x) / scale, line.box.t, (area.x + shape.x + shape.width) / scale, line.box.b};
    line.words.insert(line.words.begin(), Word{"\u2022", mark});
    line.box.l = mark.l;
    join_words(line);
  }
}

}  // namespace pageflow::ocr
