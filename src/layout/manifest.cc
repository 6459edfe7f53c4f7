#include "layout/manifest.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace pageflow::layout {

namespace {

std::string normalise(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return c == '-' || c == ' ' ? '_' : static_cast<char>(std::tolower(c));
  });
  return name;
}

std::optional<Label> label_from_name(const std::string& name) {
  static const std::map<std::string, Label> known = {
      {"text", Label::text},           {"plain_text", Label::text},
      {"paragraph", Label::text},      {"reference", Label::text},
      {"abstract", Label::text},       {"title", Label::title},
      {"doc_title", Label::title},     {"section_header", Label::section_header},
      {"paragraph_title", Label::section_header},
      {"figure", Label::picture},      {"picture", Label::picture},
      {"image", Label::picture},       {"chart", Label::picture},
      {"figure_caption", Label::caption}, {"table_caption", Label::caption},
      {"caption", Label::caption},     {"figure_title", Label::caption},
      {"table_title", Label::caption}, {"table", Label::table},
      {"header", Label::page_header},  {"page_header", Label::page_header},
      {"footer", Label::page_footer},  {"page_footer", Label::page_footer},
      {"number", Label::page_footer},  {"footnote", Label::footnote},
      {"table_footnote", Label::footnote}, {"equation", Label::formula},
      {"formula", Label::formula},     {"isolate_formula", Label::formula},
      {"list_item", Label::list_item}, {"list", Label::list_item},
      {"code", Label::code},           {"algorithm", Label::code},
  };
  auto it = known.find(normalise(name));
  if (it == known.end()) return std::nullopt;
  return it->second;
}

Decoder parse_decoder(const std::string& name) {
  if (name == "picodet") return Decoder::picodet;
  if (name == "yolo") return Decoder::yolo;
  if (name == "rtdetr") return Decoder::rtdetr;
  throw std::runtime_error("unknown decoder '" + name + "' (picodet, yolo, rtdetr)");
}

}  // namespace

std::optional<Label> map_label(const Manifest& manifest, const std::string& model_class) {
  auto it = manifest.label_map.find(model_class);
  return label_from_name(it != manifest.label_map.end() ? it->second : model_class);
}

Manifest load_manifest(const std::string& path) {
  Manifest m;
  if (std::filesystem::path(path).extension() != ".json") {
    m.model_path = path;
    return m;
  }
  std::ifstream file(path);
  if (!file) throw std::runtime_error("cannot read layout manifest " + path);
  try {
    const auto j = nlohmann::json::parse(file);
    const auto dir = std::filesystem::path(path).parent_path();
    m.model_path = (dir / j.at("model").get<std::string>()).string();
    m.decoder = parse_decoder(j.value("decoder", "picodet"));
    if (j.contains("input")) {
      const auto& in = j["input"];
      m.input_size_given = in.contains("width") || in.contains("height");
      m.input_width = in.value("width", m.input_width);
      m.input_height = in.value("height", m.input_height);
      m.keep_aspect = in.value("keep_aspect", m.keep_aspect);
      m.bgr = in.value("channel_order", std::string("bgr")) == "bgr";
      m.scale = in.value("scale", m.scale);
      for (int c = 0; c < 3; ++c) {
        if (in.contains("mean")) m.mean[c] = in["mean"].at(c).get<float>();
        if (in.contains("std")) m.std[c] = in["std"].at(c).get<float>();
      }
    }
    m.labels = j.value("labels", m.labels);
    m.label_map = j.value("label_map", m.label_map);
    m.score_threshold = j.value("score_threshold", m.score_threshold);
    m.iou_threshold = j.value("iou_threshold", m.iou_threshold);
    m.max_detections = j.value("max_detections", m.max_detections);
    m.strides = j.value("strides", m.strides);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error("bad layout manifest " + path + ": " + e.what());
  }
  if (m.input_width <= 0 || m.input_height <= 0) {
    throw std::runtime_error("bad layout manifest " + path + ": input size must be positive");
  }
  return m;
}

}  // namespace pageflow::layout
