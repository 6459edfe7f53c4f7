#include "layout/decode.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace pageflow::layout {

double iou(const Box& a, const Box& b) {
  const Box inter{std::max(a.l, b.l), std::max(a.t, b.t), std::min(a.r, b.r), std::min(a.b, b.b)};
  const double i = inter.area();
  const double u = a.area() + b.area() - i;
  return u > 0 ? i / u : 0;
}

std::vector<Detection> decode_picodet(const std::vector<ml::Tensor>& outputs,
                                      const std::vector<int>& strides, int input_width,
                                      int input_height, float score_threshold, int top_k) {
  const size_t levels = strides.size();
  if (outputs.size() != 2 * levels) {
    throw std::runtime_error("picodet: expected " + std::to_string(2 * levels) + " outputs, got " +
                             std::to_string(outputs.size()));
  }
  std::vector<Detection> found;
  for (size_t level = 0; level < levels; ++level) {
    const ml::Tensor& scores = outputs[level];
    const ml::Tensor& dist = outputs[level + levels];
    const int stride = strides[level];
    const int64_t cells = scores.dim(1), classes = scores.dim(2);
    const int64_t bins = dist.dim(2) / 4;  // reg_max + 1
    const int grid_w = (input_width + stride - 1) / stride;
    if (dist.dim(1) != cells || bins < 1 || cells > static_cast<int64_t>(grid_w) *
                                                    ((input_height + stride - 1) / stride)) {
      throw std::runtime_error("picodet: tensor shapes do not match stride " + std::to_string(stride));
    }
    // Best cells of this level by their top class score.
    std::vector<std::pair<float, int64_t>> best;
    for (int64_t cell = 0; cell < cells; ++cell) {
      const float* s = &scores.data[static_cast<size_t>(cell * classes)];
      const float top = *std::max_element(s, s + classes);
      if (top > score_threshold) best.emplace_back(top, cell);
    }
    if (static_cast<int>(best.size()) > top_k) {
      std::partial_sort(best.begin(), best.begin() + top_k, best.end(),
                        [](auto& a, auto& b) { return a.first > b.first; });
      best.resize(static_cast<size_t>(top_k));
    }
    for (const auto& [top, cell] : best) {
      const double cx = (static_cast<double>(cell % grid_w) + 0.5) * stride;
      const double cy = (static_cast<double>(cell / grid_w) + 0.5) * stride;
      double distance[4];
      for (int side = 0; side < 4; ++side) {
        // Softmax over the bins, expectation of the bin index.
        const float* d = &dist.data[static_cast<size_t>(cell * 4 * bins + side * bins)];
        const float peak = *std::max_element(d, d + bins);
        double sum = 0, expectation = 0;
        for (int64_t b = 0; b < bins; ++b) {
          const double e = std::exp(static_cast<double>(d[b] - peak));
          sum += e;
          expectation += e * static_cast<double>(b);
        }
        distance[side] = expectation / sum * stride;
      }
      const Box box{cx - distance[0], cy - distance[1], cx + distance[2], cy + distance[3]};
      const float* s = &scores.data[static_cast<size_t>(cell * classes)];
      for (int64_t c = 0; c < classes; ++c) {
        if (s[c] > score_threshold) found.push_back({static_cast<int>(c), s[c], box});
      }
    }
  }
  return found;
}

std::vector<Detection> decode_yolo(const ml::Tensor& output, int classes, float score_threshold) {
  const int64_t a = output.dim(1), b = output.dim(2);
  const bool channels_first = a == 4 + classes;
  const int64_t anchors = channels_first ? b : a;
  if ((channels_first ? a : b) != 4 + classes) {
    throw std::runtime_error("yolo: output shape does not match " + std::to_string(classes) + " classes");
  }
  auto at = [&](int64_t anchor, int64_t channel) {
    return output.data[static_cast<size_t>(channels_first ? channel * anchors + anchor
                                                          : anchor * (4 + classes) + channel)];
  };
  std::vector<Detection> found;
  for (int64_t i = 0; i < anchors; ++i) {
    int best = 0;
    for (int c = 1; c < classes; ++c) {
      if (at(i, 4 + c) > at(i, 4 + best)) best = c;
    }
    const float score = at(i, 4 + best);
    if (score <= score_threshold) continue;
    const double cx = at(i, 0), cy = at(i, 1), w = at(i, 2), h = at(i, 3);
    found.push_back({best, score, {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}});
  }
  return found;
}

std::vector<Detection> decode_rtdetr(const std::vector<ml::Tensor>& outputs, int input_width,
                                     int input_height, float score_threshold) {
  if (outputs.size() < 2) throw std::runtime_error("rtdetr: expected boxes and logits outputs");
  const bool boxes_first = outputs[0].dim(2) == 4;
  const ml::Tensor& boxes = boxes_first ? outputs[0] : outputs[1];
  const ml::Tensor& logits = boxes_first ? outputs[1] : outputs[0];
  const int64_t queries = boxes.dim(1), classes = logits.dim(2);
  if (logits.dim(1) != queries || boxes.dim(2) != 4) {
    throw std::runtime_error("rtdetr: boxes and logits shapes disagree");
  }
  std::vector<Detection> found;
  for (int64_t q = 0; q < queries; ++q) {
    const float* l = &logits.data[static_cast<size_t>(q * classes)];
    const int64_t best = std::max_element(l, l + classes) - l;
    const float score = 1.0f / (1.0f + std::exp(-l[best]));
    if (score <= score_threshold) continue;
    const float* bx = &boxes.data[static_cast<size_t>(q * 4)];
    const double cx = bx[0] * input_width, cy = bx[1] * input_height;
    const double w = bx[2] * input_width, h = bx[3] * input_height;
    found.push_back({static_cast<int>(best), score, {cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2}});
  }
  return found;
}

std::vector<Detection> nms_per_class(std::vector<Detection> detections, float iou_threshold,
                                     int keep) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  for (const auto& d : detections) {
    if (static_cast<int>(kept.size()) >= keep) break;
    const bool suppressed = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.cls == d.cls && iou(k.box, d.box) > iou_threshold;
    });
    if (!suppressed) kept.push_back(d);
  }
  return kept;
}

}  // namespace pageflow::layout
