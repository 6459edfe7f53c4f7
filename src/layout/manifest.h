// Describes a layout detection model so that any detector of the supported families runs without
// code changes: input geometry and normalisation, class names, how outputs decode, and how the
// model's classes map onto pageflow labels.
//
// A manifest is a JSON file beside the model:
//   { "model": "doclayout.onnx", "decoder": "picodet" | "yolo" | "rtdetr",
//     "input": { "width": 544, "height": 704, "keep_aspect": false, "channel_order": "bgr",
//                "scale": 0.00392157, "mean": [0.485,0.456,0.406], "std": [0.229,0.224,0.225] },
//     "labels": ["text", "title", ...],            // optional if the model's metadata has them
//     "label_map": { "figure": "picture" },        // optional; common names map by themselves
//     "score_threshold": 0.5, "iou_threshold": 0.5, "strides": [8,16,32,64] }
// Given a bare .onnx instead, the PP-PicoDet defaults of the bundled CDLA model apply. A model
// whose input size is fixed in its graph runs at that size (a manifest naming another is an
// error); one with a free input size runs at the manifest's.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pageflow/document.h"

namespace pageflow::layout {

enum class Decoder { picodet, yolo, rtdetr };

struct Manifest {
  std::string model_path;
  Decoder decoder = Decoder::picodet;
  // The bundled CDLA PicoDet was trained at 608x800; set-up frees its input size, and 544x704
  // (the same aspect, 0.79x the pixels) costs 0.7x the time per page with the same results on the
  // corpus (README, "Layout input size"). PicoDet sides must be multiples of 32.
  int input_width = 544;
  int input_height = 704;
  bool input_size_given = false;  // by the manifest or the caller, not by default
  bool keep_aspect = false;  // letterbox (pad bottom/right) instead of stretching
  bool bgr = true;           // channel order the model expects
  float scale = 1.0f / 255.0f;
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
  std::vector<std::string> labels;              // model classes in output order
  std::map<std::string, std::string> label_map; // model class -> pageflow label name
  float score_threshold = 0.5f;
  float iou_threshold = 0.5f;
  int max_detections = 100;
  std::vector<int> strides = {8, 16, 32, 64};  // picodet heads
};

// Reads a manifest (.json) or makes the default one for a bare model (.onnx).
// Throws std::runtime_error with the reason for a bad manifest.
Manifest load_manifest(const std::string& path);

// The pageflow label for a model class name: label_map first, then common names of document
// layout datasets (CDLA, DocLayNet, PubLayNet, DocStructBench). nullopt: the class is ignored.
std::optional<Label> map_label(const Manifest& manifest, const std::string& model_class);

}  // namespace pageflow::layout
