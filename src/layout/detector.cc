#include "layout/detector.h"

#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "core/text.h"
#include "layout/decode.h"

namespace pageflow::layout {

Detector::Detector(Manifest manifest, int intra_threads)
    : manifest_(std::move(manifest)), model_(manifest_.model_path, intra_threads) {
  if (manifest_.labels.empty()) {
    // PaddleDetection exports carry their class names in the "character" metadata entry.
    if (auto names = model_.metadata("character")) manifest_.labels = split_lines(*names);
  }
  if (manifest_.labels.empty()) {
    throw std::runtime_error("layout model " + manifest_.model_path +
                             " has no class names: give them in a manifest");
  }
  for (const auto& name : manifest_.labels) class_labels_.push_back(map_label(manifest_, name));
  fit_input_size();
}

void Detector::fit_input_size() {
  const auto& shape = model_.input_shape();
  const auto size_text = [](int64_t w, int64_t h) { return std::to_string(w) + "x" + std::to_string(h); };
  if (shape.size() == 4 && shape[2] > 0 && shape[3] > 0) {
    if (manifest_.input_size_given && (shape[3] != manifest_.input_width || shape[2] != manifest_.input_height)) {
      throw std::runtime_error("layout model " + manifest_.model_path + " takes only " +
                               size_text(shape[3], shape[2]) + " pixels, not " +
                               size_text(manifest_.input_width, manifest_.input_height));
    }
    manifest_.input_width = static_cast<int>(shape[3]);
    manifest_.input_height = static_cast<int>(shape[2]);
  }
  // PicoDet's feature pyramid doubles its coarser maps and adds them to finer ones: the sides
  // must halve evenly down to its stride-32 level, or the graph fails on every page.
  if (manifest_.decoder == Decoder::picodet && (manifest_.input_width % 32 || manifest_.input_height % 32)) {
    throw std::runtime_error("layout input " + size_text(manifest_.input_width, manifest_.input_height) +
                             ": PicoDet needs sides that are multiples of 32");
  }
}

std::vector<float> Detector::preprocess(const cv::Mat& raster, double* sx, double* sy) const {
  const int w = manifest_.input_width, h = manifest_.input_height;
  cv::Mat resized;
  if (manifest_.keep_aspect) {
    const double f = std::min(static_cast<double>(w) / raster.cols, static_cast<double>(h) / raster.rows);
    cv::Mat scaled;
    cv::resize(raster, scaled, cv::Size(std::max(1, static_cast<int>(raster.cols * f)),
                                        std::max(1, static_cast<int>(raster.rows * f))),
               0, 0, f < 1 / 1.5 ? cv::INTER_AREA : cv::INTER_LINEAR);
    resized = cv::Mat(h, w, CV_8UC3, cv::Scalar(114, 114, 114));
    scaled.copyTo(resized(cv::Rect(0, 0, scaled.cols, scaled.rows)));
    *sx = *sy = f;
  } else {
    // Area averaging when shrinking a lot: a large raster sampled bilinearly aliases thin type.
    const bool shrinking = raster.cols >= 1.5 * w && raster.rows >= 1.5 * h;
    cv::resize(raster, resized, cv::Size(w, h), 0, 0, shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);
    *sx = static_cast<double>(w) / raster.cols;
    *sy = static_cast<double>(h) / raster.rows;
  }
  std::vector<float> tensor(static_cast<size_t>(3 * w * h));
  const size_t plane = static_cast<size_t>(w * h);
  for (int y = 0; y < h; ++y) {
    const auto* row = resized.ptr<cv::Vec3b>(y);
    for (int x = 0; x < w; ++x) {
      for (int c = 0; c < 3; ++c) {
        const int source = manifest_.bgr ? c : 2 - c;  // raster is BGR
        const float v = row[x][source] * manifest_.scale;
        tensor[c * plane + static_cast<size_t>(y * w + x)] = (v - manifest_.mean[c]) / manifest_.std[c];
      }
    }
  }
  return tensor;
}

std::vector<Region> Detector::detect(const cv::Mat& raster, double scale, std::vector<Box>* inner_pictures) const {
  double sx = 1, sy = 1;
  const std::vector<float> input = preprocess(raster, &sx, &sy);
  const auto outputs =
      model_.run(input.data(), {1, 3, manifest_.input_height, manifest_.input_width});
  const float floor = inner_pictures ? kInnerPictureShare * manifest_.score_threshold : manifest_.score_threshold;
  std::vector<Detection> found;
  switch (manifest_.decoder) {
    case Decoder::picodet:
      found = decode_picodet(outputs, manifest_.strides, manifest_.input_width, manifest_.input_height, floor);
      break;
    case Decoder::yolo:
      found = decode_yolo(outputs.at(0), static_cast<int>(manifest_.labels.size()), floor);
      break;
    case Decoder::rtdetr:
      found = decode_rtdetr(outputs, manifest_.input_width, manifest_.input_height, floor);
      break;
  }
  found = nms_per_class(std::move(found), manifest_.iou_threshold, manifest_.max_detections);
  std::vector<Region> regions, doubtful_pictures;
  const double page_w = raster.cols / scale, page_h = raster.rows / scale;
  for (const auto& d : found) {
    if (d.cls < 0 || static_cast<size_t>(d.cls) >= class_labels_.size() || !class_labels_[d.cls]) continue;
    Region r;
    r.label = *class_labels_[d.cls];
    r.score = d.score;
    r.box = {std::clamp(d.box.l / sx / scale, 0.0, page_w), std::clamp(d.box.t / sy / scale, 0.0, page_h),
             std::clamp(d.box.r / sx / scale, 0.0, page_w), std::clamp(d.box.b / sy / scale, 0.0, page_h)};
    if (r.box.area() <= 0) continue;
    if (r.score > manifest_.score_threshold) {
      regions.push_back(r);
    } else if (r.label == Label::picture) {
      doubtful_pictures.push_back(r);
    }
  }
  if (inner_pictures) *inner_pictures = pictures_inside_pictures(regions, doubtful_pictures);
  return regions;
}

std::vector<Box> pictures_inside_pictures(const std::vector<Region>& confident, const std::vector<Region>& doubtful) {
  std::vector<Box> inside;
  for (const Region& picture : doubtful) {
    if (picture.label != Label::picture) continue;
    const Box& box = picture.box;
    const bool in_a_picture = std::any_of(confident.begin(), confident.end(), [&](const Region& r) {
      return r.label == Label::picture && intersection(r.box, box) >= 0.9 * box.area();
    });
    // Where the model is sure of something else (a table, a paragraph), its doubt about a picture
    // there is a second guess at that region, not a figure of its own.
    const bool over_another_kind = std::any_of(confident.begin(), confident.end(), [&](const Region& r) {
      return r.label != Label::picture && intersection(r.box, box) >= 0.5 * box.area();
    });
    if (in_a_picture && !over_another_kind) inside.push_back(box);
  }
  return inside;
}

bool LayoutStage::wants(const pipeline::Item& item) const {
  const auto& page = static_cast<const Page&>(item);
  return !page.raster.empty() && !page.blank && !(skip_plain_pages_ && is_plain_text_page(page));
}

void LayoutStage::process(std::span<pipeline::Item* const> batch, int) {
  for (pipeline::Item* item : batch) {
    auto& page = static_cast<Page&>(*item);
    page.inner_pictures.clear();
    page.regions = detector_.detect(page.raster, page.raster_scale, &page.inner_pictures);
  }
}

}  // namespace pageflow::layout
