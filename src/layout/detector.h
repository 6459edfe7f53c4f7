// Neural layout detection: page raster in, labelled regions in page points out. One model
// session per process, shared by all callers (detect() is const and thread-safe).
#pragma once

#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/page.h"
#include "layout/manifest.h"
#include "ml/ort_model.h"
#include "pipeline/stage.h"

namespace pageflow::layout {

class Detector {
 public:
  // Throws std::runtime_error for a model that cannot run at the manifest's input size.
  Detector(Manifest manifest, int intra_threads);

  // `raster` is BGR at `scale` pixels per point. Regions at or above the manifest's score
  // threshold; with `inner_pictures`, also the pictures found with less confidence (down to
  // kInnerPictureShare of the threshold) that pictures_inside_pictures() keeps, the stand-ins
  // when assembly finds a picture region is really text around a figure.
  std::vector<Region> detect(const cv::Mat& raster, double scale, std::vector<Box>* inner_pictures = nullptr) const;

  static constexpr float kInnerPictureShare = 0.7f;

  const Manifest& manifest() const { return manifest_; }

  // Model-input tensor (NCHW float) for a raster; exposed for tests.
  std::vector<float> preprocess(const cv::Mat& raster, double* sx, double* sy) const;

 private:
  // The model's own input size when its graph fixes one; checks the size the model will get.
  void fit_input_size();

  Manifest manifest_;
  ml::OrtModel model_;
  std::vector<std::optional<Label>> class_labels_;
};

// The doubtful pictures (below the threshold) that lie inside a confident picture and not over a
// confident region of another kind: the figures a picture region may hold beside text.
std::vector<Box> pictures_inside_pictures(const std::vector<Region>& confident, const std::vector<Region>& doubtful);

// Pipeline stage running the detector on each page's raster; with `skip_plain_pages`, not on
// pages is_plain_text_page() (core/page.h) accepts (they are assembled from the text layer alone).
class LayoutStage : public pipeline::Stage {
 public:
  LayoutStage(const Detector& detector, bool skip_plain_pages) : detector_(detector), skip_plain_pages_(skip_plain_pages) {}
  std::string name() const override { return "layout"; }
  void process(std::span<pipeline::Item* const> batch, int worker) override;
  // A page without a raster has nothing to show the model, and a blank page nothing to find.
  bool wants(const pipeline::Item& item) const override;

 private:
  const Detector& detector_;
  const bool skip_plain_pages_;
};

}  // namespace pageflow::layout
