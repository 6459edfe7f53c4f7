#include "core/ruled_frames.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace pageflow {

namespace {

// Works along x for horizontal rules and along y (on the transposed image) for vertical ones.
struct Rule {
  int from = 0, to = 0;  // extent along the rule
  double at = 0;         // position across it, at its middle
};

// Ink in runs of at least `length` pixels along x and at most `thickness` across: rules, not
// letters (too short) nor photographs and black bands (too thick). Breaks of a pixel or two in a
// printed rule are bridged first.
cv::Mat rule_ink(const cv::Mat& ink, int length, int thickness) {
  const auto kernel = [](int w, int h) { return cv::getStructuringElement(cv::MORPH_RECT, cv::Size(w, h)); };
  cv::Mat runs, thick;
  cv::morphologyEx(ink, runs, cv::MORPH_CLOSE, kernel(5, 1));
  cv::morphologyEx(runs, runs, cv::MORPH_OPEN, kernel(length, 1));
  cv::morphologyEx(runs, thick, cv::MORPH_OPEN, kernel(1, thickness + 1));
  cv::dilate(thick, thick, kernel(3, 3));
  return runs & ~thick;
}

// The rules in `mask`: pieces of one printed rule (a skewed scan breaks it into steps, a faint one
// into dashes) lie in line with each other, the next starting near where the last ended.
std::vector<Rule> rules_in(const cv::Mat& mask, int least, int thickness) {
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8);
  std::vector<Rule> pieces;
  for (int k = 1; k < n; ++k) {
    const int x = stats.at<int>(k, cv::CC_STAT_LEFT), w = stats.at<int>(k, cv::CC_STAT_WIDTH);
    pieces.push_back({x, x + w, centroids.at<double>(k, 1)});
  }
  std::sort(pieces.begin(), pieces.end(), [](const Rule& a, const Rule& b) { return a.from < b.from; });
  std::vector<Rule> rules;
  for (const Rule& piece : pieces) {
    auto in_line = std::find_if(rules.begin(), rules.end(), [&](const Rule& rule) {
      return piece.from - rule.to <= least && std::abs(piece.at - rule.at) <= thickness;
    });
    if (in_line == rules.end()) {
      rules.push_back(piece);
    } else {
      const double w1 = in_line->to - in_line->from, w2 = piece.to - piece.from;
      in_line->at = (in_line->at * w1 + piece.at * w2) / (w1 + w2);
      in_line->to = std::max(in_line->to, piece.to);
    }
  }
  std::erase_if(rules, [&](const Rule& r) { return r.to - r.from < least; });
  return rules;
}

// Share of [from, to) along x that rule ink covers within `reach` of row `at`.
double covered(const cv::Mat& mask, int from, int to, double at, int reach) {
  const cv::Rect band = cv::Rect(from, static_cast<int>(at) - reach, to - from, 2 * reach + 1) &
                        cv::Rect(0, 0, mask.cols, mask.rows);
  if (band.empty()) return 0;
  cv::Mat columns;
  cv::reduce(mask(band), columns, 0, cv::REDUCE_MAX);
  return cv::countNonZero(columns) / static_cast<double>(to - from);
}

int shortest_rule(double scale) { return std::max(8, static_cast<int>(std::lround(kShortestRule * scale))); }
int thickest_rule(double scale) { return std::max(2, static_cast<int>(std::lround(4 * scale))); }

// `across`: the ink of rules along x; `down`: of rules along y, transposed (x is the page's y);
// `thickness`: how thick, in pixels, a rule may be printed.
RuledLayout layout_of_rule_ink(const cv::Mat& across, const cv::Mat& down, double scale, int thickness) {
  const int least = shortest_rule(scale);
  const int shortest_row = std::max(4, static_cast<int>(std::lround(10 * scale)));  // a line of small type
  const int reach = 2 * thickness;  // how far off its side's line a skewed or wavering rule may run
  const std::vector<Rule> horizontal = rules_in(across, least, thickness);
  const std::vector<Rule> vertical = rules_in(down, least, thickness);
  // Each pair of rules down is tried against the rules across: graph paper or a drawing of
  // hundreds of rules would take seconds, and holds no frames worth reading as units.
  constexpr double kMostPairings = 4e5;
  if (static_cast<double>(vertical.size()) * static_cast<double>(vertical.size()) * static_cast<double>(horizontal.size()) >
      kMostPairings) {
    return {};
  }

  // Two rules down, and between them the rules across that span them (half their width at least:
  // old print fades): each pair of such rules in a row is a frame, when the rules down run along
  // both its sides (three fifths at least: a scan breaks them near rounded corners) and no rule
  // down crosses its inside. Where one does, and the rules across run through it too, the rows are
  // a table's grid, and its columns and cells are no frames.
  const double page_area = static_cast<double>(across.cols) * across.rows;
  std::vector<cv::Rect> frames, grids, grid_rows;
  for (const Rule& left : vertical) {
    for (const Rule& right : vertical) {
      const int l = static_cast<int>(left.at), r = static_cast<int>(right.at);
      const int top = std::min(left.from, right.from) - least / 2, bottom = std::max(left.to, right.to) + least / 2;
      if (r - l < least || bottom - top < least) continue;
      std::vector<std::pair<double, bool>> rows;  // where, and whether the rule runs side to side
      for (const Rule& rule : horizontal) {
        if (rule.at < top || rule.at > bottom || rule.to < l || rule.from > r) continue;
        const double spanned = covered(across, l, r, rule.at, reach);
        if (spanned >= 0.5) rows.emplace_back(rule.at, spanned >= 0.9);
      }
      std::sort(rows.begin(), rows.end());
      // Rows of one kind stacked on a shared rule between the same sides are one frame (an ad with
      // a rule across it) or one grid; two rules closer than a frame's least height are two frames'
      // borders side by side.
      struct Run {
        std::vector<cv::Rect>* into;
        int open = -1;
      };
      Run frame_run{&frames}, grid_run{&grids};
      std::vector<cv::Rect> stacked_rows;
      const auto follow = [&](Run& run, bool on, int y) {
        if (on && run.open < 0) run.open = y;
        if (!on && run.open >= 0) {
          run.into->emplace_back(cv::Point(l, run.open), cv::Point(r, y));
          run.open = -1;
        }
      };
      for (size_t k = 1; k < rows.size(); ++k) {
        const int y0 = static_cast<int>(rows[k - 1].first), y1 = static_cast<int>(rows[k].first);
        const bool sided = covered(down, y0, y1, l, reach) >= 0.6 && covered(down, y0, y1, r, reach) >= 0.6;
        const bool walled = y1 - y0 >= least && sided;
        const bool crossed = std::any_of(vertical.begin(), vertical.end(), [&](const Rule& rule) {
          return rule.at > l + 2 * reach && rule.at < r - 2 * reach &&
                 std::min(rule.to, y1) - std::max(rule.from, y0) >= 0.8 * (y1 - y0);
        });
        const bool grid_row = y1 - y0 >= shortest_row && sided && crossed && rows[k - 1].second && rows[k].second;
        follow(frame_run, walled && !crossed, y0);
        follow(grid_run, walled && grid_row, y0);
        if (grid_row) stacked_rows.emplace_back(cv::Point(l, y0), cv::Point(r, y1));
        // A single row of boxes is no table: two rows at least.
        if (!grid_row || k + 1 == rows.size()) {
          if (stacked_rows.size() >= 2) grid_rows.insert(grid_rows.end(), stacked_rows.begin(), stacked_rows.end());
          stacked_rows.clear();
        }
      }
      if (!rows.empty()) {
        follow(frame_run, false, static_cast<int>(rows.back().first));
        follow(grid_run, false, static_cast<int>(rows.back().first));
      }
    }
  }
  // Part of a wider rectangle of `wider` with the same top and bottom: a column of a grid, or
  // the cells of a grid's row.
  const auto part_of = [&](const std::vector<cv::Rect>& wider, const cv::Rect& frame) {
    return std::any_of(wider.begin(), wider.end(), [&](const cv::Rect& grid) {
      return grid.width >= frame.width + least && std::abs(grid.y - frame.y) <= reach &&
             std::abs(grid.br().y - frame.br().y) <= reach && grid.x <= frame.x + reach &&
             grid.br().x >= frame.br().x - reach;
    });
  };
  // A rule around the whole page sets nothing apart.
  std::erase_if(frames, [&](const cv::Rect& frame) { return frame.area() > 0.5 * page_area || part_of(grids, frame); });
  std::erase_if(grid_rows, [&](const cv::Rect& row) { return row.area() > 0.5 * page_area || part_of(grid_rows, row); });
  // The same rectangle found from pieces of its rules more than once: the first stands for all.
  const auto distinct = [&](const std::vector<cv::Rect>& found) {
    std::vector<Box> boxes;
    for (size_t i = 0; i < found.size(); ++i) {
      const cv::Rect& a = found[i];
      const bool seen = std::any_of(found.begin(), found.begin() + static_cast<long>(i), [&](const cv::Rect& b) {
        return (a & b).area() >= 0.8 * std::max(a.area(), b.area());
      });
      if (!seen) boxes.push_back({a.x / scale, a.y / scale, a.br().x / scale, a.br().y / scale});
    }
    return boxes;
  };
  return {distinct(frames), distinct(grid_rows)};
}

}  // namespace

RuledLayout find_ruled_layout(const cv::Mat& ink, double scale) {
  if (ink.empty()) return {};
  const int least = shortest_rule(scale), thickness = thickest_rule(scale);
  return layout_of_rule_ink(rule_ink(ink, least, thickness), rule_ink(ink.t(), least, thickness), scale, thickness);
}

RuledLayout find_ruled_layout(const std::vector<Box>& rules, double width, double height) {
  // Two rows need three rules across (half an inch long at least) and three down (the sides and
  // a cell's edge, each two lines of small type tall): most pages have fewer, and are not drawn.
  double across = 0, down = 0;
  int rules_across = 0, rules_down = 0;
  for (const Box& r : rules) {
    if (r.height() < r.width()) {
      across += r.width();
      ++rules_across;
    } else {
      down += r.height();
      ++rules_down;
    }
  }
  constexpr double kScale = 1;  // pixels per point
  if (rules_across < 3 || rules_down < 3 || across < 3 * kShortestRule || down < 3 * 20 || width <= 0 ||
      height <= 0 || width * height * kScale * kScale > 64e6) {
    return {};
  }
  const int cols = static_cast<int>(std::ceil(width * kScale)), rows = static_cast<int>(std::ceil(height * kScale));
  cv::Mat ink_across(rows, cols, CV_8U, cv::Scalar(0)), ink_down(cols, rows, CV_8U, cv::Scalar(0));
  for (const Box& r : rules) {
    const int l = static_cast<int>(r.l * kScale), t = static_cast<int>(r.t * kScale);
    const int right = static_cast<int>(r.r * kScale), bottom = static_cast<int>(r.b * kScale);
    if (r.height() < r.width()) cv::rectangle(ink_across, {l, t}, {right, bottom}, cv::Scalar(255), cv::FILLED);
    else cv::rectangle(ink_down, {t, l}, {bottom, right}, cv::Scalar(255), cv::FILLED);
  }
  // Drawn exactly: a rule is a pixel or two thick, and a rule beside it (a checkbox's edge over a
  // row's) is another.
  return layout_of_rule_ink(ink_across, ink_down, kScale, 2);
}

}  // namespace pageflow
