#include "tables/slanet.h"

#include <algorithm>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/page.h"
#include "core/text.h"

namespace pageflow::tables {

namespace {
constexpr int kSide = 488;  // the model's input: longest side resized to this, padded square
}

TableModel::TableModel(const std::string& path, int threads) : model_(path, threads) {
  const auto tokens = model_.metadata("character");
  if (!tokens) throw std::runtime_error("table model " + path + " has no token list (metadata 'character')");
  // As the model was trained: "<td>" folded into "<td></td>", framed by start and end tokens.
  std::vector<std::string> list = split_lines(*tokens);
  if (std::find(list.begin(), list.end(), "<td></td>") == list.end()) list.push_back("<td></td>");
  std::erase(list, std::string("<td>"));
  vocabulary_.push_back("sos");
  vocabulary_.insert(vocabulary_.end(), list.begin(), list.end());
  vocabulary_.push_back("eos");
}

std::optional<TableData> TableModel::grid_from_tokens(const std::vector<std::string>& tokens,
                                                      const std::vector<Box>& cell_boxes) {
  TableData t;
  std::vector<std::vector<bool>> taken;  // occupancy, rows x columns, grown as needed
  auto occupy = [&](int r, int c) {
    while (static_cast<int>(taken.size()) <= r) taken.emplace_back();
    auto& row = taken[static_cast<size_t>(r)];
    if (static_cast<int>(row.size()) <= c) row.resize(static_cast<size_t>(c) + 1, false);
    row[static_cast<size_t>(c)] = true;
  };
  auto is_taken = [&](int r, int c) {
    return r < static_cast<int>(taken.size()) && c < static_cast<int>(taken[static_cast<size_t>(r)].size()) &&
           taken[static_cast<size_t>(r)][static_cast<size_t>(c)];
  };
  int row = -1, col = 0;
  bool in_head = false;
  size_t next_box = 0;
  TableCell pending;
  bool open_cell = false;
  auto place = [&](TableCell cell) {
    if (row < 0) row = 0;
    while (is_taken(row, col)) ++col;
    cell.row = row;
    cell.col = col;
    cell.header = in_head;
    for (int r = row; r < row + cell.row_span; ++r) {
      for (int c = col; c < col + cell.col_span; ++c) occupy(r, c);
    }
    if (next_box < cell_boxes.size()) cell.box = cell_boxes[next_box];
    ++next_box;
    col += cell.col_span;
    t.cells.push_back(cell);
  };
  for (const auto& token : tokens) {
    if (token == "<thead>") in_head = true;
    else if (token == "</thead>") in_head = false;
    else if (token == "<tr>") {
      ++row;
      col = 0;
    } else if (token == "<td></td>") {
      place(TableCell{});
    } else if (token == "<td") {
      pending = TableCell{};
      open_cell = true;
    } else if (open_cell && token.find("colspan=") != std::string::npos) {
      pending.col_span = std::max(1, std::atoi(token.c_str() + token.find('"') + 1));
    } else if (open_cell && token.find("rowspan=") != std::string::npos) {
      pending.row_span = std::max(1, std::atoi(token.c_str() + token.find('"') + 1));
    } else if (open_cell && token == "</td>") {
      place(pending);
      open_cell = false;
    }
  }
  if (t.cells.empty()) return std::nullopt;
  for (const auto& c : t.cells) {
    t.rows = std::max(t.rows, c.row + c.row_span);
    t.cols = std::max(t.cols, c.col + c.col_span);
  }
  return t;
}

std::optional<TableData> TableModel::predict(const cv::Mat& raster, double scale, const Box& region) const {
  const cv::Rect area = pixel_rect(region, scale, raster);
  if (area.width < 8 || area.height < 8) return std::nullopt;
  const cv::Mat crop = raster(area);
  const double ratio = static_cast<double>(kSide) / std::max(crop.cols, crop.rows);
  cv::Mat resized, normalised;
  cv::resize(crop, resized, cv::Size(std::max(1, static_cast<int>(crop.cols * ratio)),
                                     std::max(1, static_cast<int>(crop.rows * ratio))));
  resized.convertTo(normalised, CV_32FC3, 1.0 / 255.0);
  cv::subtract(normalised, cv::Scalar(0.485, 0.456, 0.406), normalised);
  cv::divide(normalised, cv::Scalar(0.229, 0.224, 0.225), normalised);
  std::vector<float> input(3 * kSide * kSide, 0.0f);  // zero padding right and below
  for (int y = 0; y < normalised.rows; ++y) {
    const auto* row = normalised.ptr<cv::Vec3f>(y);
    for (int x = 0; x < normalised.cols; ++x) {
      for (int c = 0; c < 3; ++c) input[static_cast<size_t>((c * kSide + y) * kSide + x)] = row[x][c];
    }
  }
  const auto outputs = model_.run(input.data(), {1, 3, kSide, kSide});
  const bool loc_first = outputs.at(0).dim(2) == 8;
  const ml::Tensor& loc = loc_first ? outputs[0] : outputs.at(1);
  const ml::Tensor& probs = loc_first ? outputs.at(1) : outputs[0];
  const int64_t steps = probs.dim(1), classes = probs.dim(2);
  if (classes != static_cast<int64_t>(vocabulary_.size())) {
    throw std::runtime_error("table model: " + std::to_string(classes) + " classes, token list has " +
                             std::to_string(vocabulary_.size()));
  }
  std::vector<std::string> tokens;
  std::vector<Box> boxes;
  for (int64_t t = 0; t < steps; ++t) {
    const float* p = &probs.data[static_cast<size_t>(t * classes)];
    const auto best = static_cast<size_t>(std::max_element(p, p + classes) - p);
    const std::string& token = vocabulary_[best];
    if (token == "eos" && t > 0) break;
    if (token == "sos" || token == "eos") continue;
    if (token == "<td></td>" || token == "<td") {
      // Cell polygon, normalised to the padded square input: back to page points.
      const float* q = &loc.data[static_cast<size_t>(t * 8)];
      double l = 1e9, top = 1e9, r = -1e9, b = -1e9;
      for (int k = 0; k < 4; ++k) {
        l = std::min(l, static_cast<double>(q[2 * k]));
        r = std::max(r, static_cast<double>(q[2 * k]));
        top = std::min(top, static_cast<double>(q[2 * k + 1]));
        b = std::max(b, static_cast<double>(q[2 * k + 1]));
      }
      const double side = kSide / ratio / scale;  // the padded square, in points
      const double w = side, h = side, x0 = area.x / scale, y0 = area.y / scale;
      boxes.push_back({x0 + l * w, y0 + top * h, x0 + r * w, y0 + b * h});
    }
    tokens.push_back(token);
  }
  return grid_from_tokens(tokens, boxes);
}

}  // namespace pageflow::tables
