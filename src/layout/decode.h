// Output decoding for the supported detector families. Boxes come out in model-input pixels;
// the detector maps them back to the page. Pure functions over tensors, tested without a model.
#pragma once

#include <vector>

#include "ml/ort_model.h"
#include "pageflow/document.h"

namespace pageflow::layout {

struct Detection {
  int cls = 0;
  float score = 0;
  Box box;  // model-input pixels
};

// PP-PicoDet heads without NMS: per stride a score tensor [1, cells, classes] and a distance
// distribution tensor [1, cells, 4 * (reg_max + 1)]; outputs are all score tensors, then all
// distribution tensors, in stride order. Keeps the best `top_k` cells per level.
std::vector<Detection> decode_picodet(const std::vector<ml::Tensor>& outputs,
                                      const std::vector<int>& strides, int input_width,
                                      int input_height, float score_threshold, int top_k = 1000);

// YOLO (v5/v8 style): one tensor [1, 4 + classes, anchors] or [1, anchors, 4 + classes] with
// centre-x, centre-y, width, height in input pixels followed by class scores.
std::vector<Detection> decode_yolo(const ml::Tensor& output, int classes, float score_threshold);

// RT-DETR style: boxes [1, queries, 4] as normalised centre-x, centre-y, width, height and
// logits [1, queries, classes] (sigmoid applied here), in either output order.
std::vector<Detection> decode_rtdetr(const std::vector<ml::Tensor>& outputs, int input_width,
                                     int input_height, float score_threshold);

// Greedy per-class non-maximum suppression; keeps at most `keep` boxes, highest score first.
std::vector<Detection> nms_per_class(std::vector<Detection> detections, float iou_threshold,
                                     int keep);

double iou(const Box& a, const Box& b);

}  // namespace pageflow::layout
