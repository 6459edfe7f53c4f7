#include "ocr/form_boxes.h"

#include <opencv2/imgproc.hpp>

namespace pageflow::ocr {

namespace {

double ink_share(const cv::Mat& ink, const cv::Rect& area) {
  const cv::Rect inside = area & cv::Rect(0, 0, ink.cols, ink.rows);
  return inside.empty() ? 0 : cv::countNonZero(ink(inside)) / static_cast<double>(inside.area());
}

// A box opens a line when the line's detected quad starts at it, or when the line starts just
// right of it; a square in the middle of a line is a letter or a symbol of the text.
bool opens_a_line(const cv::Rect& box, std::span<const Quad> lines) {
  const double side = box.width, cy = box.y + box.height / 2.0;
  for (const Quad& q : lines) {
    const cv::Rect2f b = q.bounds();
    if (cy < b.y || cy > b.y + b.height) continue;
    const bool starts_at = b.x >= box.x - 0.5 * side && b.x <= box.x + 0.5 * side;
    const bool starts_after = b.x >= box.br().x - 1 && b.x <= box.br().x + 2.5 * side;
    if (starts_at || starts_after) return true;
  }
  return false;
}

}  // namespace

std::vector<FormBox> find_form_boxes(const cv::Mat& ink, double scale, std::span<const Quad> lines) {
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> hierarchy;
  cv::findContours(ink, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
  const double least = 4 * scale, most = 24 * scale;
  std::vector<FormBox> boxes;
  for (size_t i = 0; i < contours.size(); ++i) {
    if (hierarchy[i][3] >= 0) continue;  // a hole
    const cv::Rect r = cv::boundingRect(contours[i]);
    if (r.width < least || r.height < least || r.width > most || r.height > most ||
        std::max(r.width, r.height) > 1.25 * std::min(r.width, r.height)) {
      continue;
    }
    const double area = r.area();
    if (cv::contourArea(contours[i]) < 0.85 * area) continue;  // round or open: no square
    std::vector<cv::Point> corners;
    cv::approxPolyDP(contours[i], corners, 0.06 * cv::arcLength(contours[i], true), true);
    if (corners.size() != 4) continue;
    double holes = 0;
    int hole_count = 0;
    for (int h = hierarchy[i][2]; h >= 0; h = hierarchy[h][0], ++hole_count) holes += cv::contourArea(contours[h]);
    if (holes < 0.35 * area) continue;  // a filled square is a bullet
    const int k = std::max(1, std::min(r.width, r.height) / 10);
    const bool inked_corners = ink_share(ink, {r.x, r.y, k, k}) >= 0.5 && ink_share(ink, {r.br().x - k, r.y, k, k}) >= 0.5 &&
                               ink_share(ink, {r.x, r.br().y - k, k, k}) >= 0.5 &&
                               ink_share(ink, {r.br().x - k, r.br().y - k, k, k}) >= 0.5;
    if (!inked_corners || !opens_a_line(r, lines)) continue;
    // Inside the frame (a fifth of the side in from each edge): empty, or crossed through.
    const cv::Rect inner(r.x + r.width / 5, r.y + r.height / 5, r.width - 2 * (r.width / 5), r.height - 2 * (r.height / 5));
    boxes.push_back({r, hole_count > 1 || ink_share(ink, inner) > 0.04});
  }
  return boxes;
}

cv::Mat without_boxes(const cv::Mat& bgr, const std::vector<FormBox>& boxes) {
  cv::Mat out = bgr.clone();
  for (const FormBox& b : boxes) {
    const cv::Rect grown(b.rect.x - 2, b.rect.y - 2, b.rect.width + 4, b.rect.height + 4);
    out(grown & cv::Rect(0, 0, out.cols, out.rows)).setTo(cv::Scalar(255, 255, 255));
  }
  return out;
}

std::vector<Quad> lines_past_boxes(std::span<const Quad> lines, const std::vector<FormBox>& boxes) {
  std::vector<Quad> out(lines.begin(), lines.end());
  for (Quad& q : out) {
    const cv::Rect2f b = q.bounds();
    for (const FormBox& box : boxes) {
      const double cy = box.rect.y + box.rect.height / 2.0;
      if (cy < b.y || cy > b.y + b.height || box.rect.x > b.x + 0.5 * box.rect.width) continue;
      const float start = static_cast<float>(box.rect.br().x + 2);
      if (start >= b.x + b.width - 1) continue;  // nothing of the line after the box
      q.points[0].x = std::max(q.points[0].x, start);  // top-left
      q.points[3].x = std::max(q.points[3].x, start);  // bottom-left
    }
  }
  return out;
}

DrawnShapes as_shapes(const std::vector<FormBox>& boxes, double scale) {
  DrawnShapes shapes;
  for (const FormBox& b : boxes) {
    const Box box{b.rect.x / scale, b.rect.y / scale, b.rect.br().x / scale, b.rect.br().y / scale};
    shapes.squares.push_back(box);
    if (b.ticked) {
      const double inset = box.width() / 4;
      shapes.marks.push_back({box.l + inset, box.t + inset, box.r - inset, box.b - inset});
    }
  }
  return shapes;
}

}  // namespace pageflow::ocr
