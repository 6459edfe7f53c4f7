// DoclingDocument-shaped JSON: texts, pictures, tables and groups (lists) referenced from the
// body in reading order; page headers/footers in the furniture content layer; provenance boxes
// in PDF's bottom-left coordinate system, as docling writes them. Text read by OCR carries
// meta.pageflow__ocr.confidence.
#include <functional>

#include <nlohmann/json.hpp>

#include "export/docling_json.h"
#include "export/export.h"

namespace pageflow {

namespace {

using nlohmann::json;

// Not named ref(): argument-dependent lookup would pick std::ref for a std::string argument.
// Width and height from a PNG's IHDR chunk (bytes 16..23, big-endian).
std::pair<uint32_t, uint32_t> png_size(const std::string& png) {
  if (png.size() < 24) return {0, 0};
  auto be32 = [&](size_t at) {
    return (static_cast<uint32_t>(static_cast<uint8_t>(png[at])) << 24) |
           (static_cast<uint32_t>(static_cast<uint8_t>(png[at + 1])) << 16) |
           (static_cast<uint32_t>(static_cast<uint8_t>(png[at + 2])) << 8) | static_cast<uint8_t>(png[at + 3]);
  };
  return {be32(16), be32(20)};
}

json reference_to(const std::string& path) {
  json r = json::object();
  r["$ref"] = path;
  return r;
}

}  // namespace

json docling_json(const Document& doc) {
  std::map<int, double> page_height;
  json pages = json::object();
  for (const auto& p : doc.pages) {
    page_height[p.number] = p.height;
    if (!p.ok) continue;
    pages[std::to_string(p.number)] = {{"size", {{"width", p.width}, {"height", p.height}}},
                                       {"page_no", p.number}};
  }
  auto prov = [&](const Element& e, size_t chars) {
    const double h = page_height[e.page];
    return json::array({{{"page_no", e.page},
                         {"bbox", {{"l", e.box.l}, {"t", h - e.box.t}, {"r", e.box.r}, {"b", h - e.box.b},
                                   {"coord_origin", "BOTTOMLEFT"}}},
                         {"charspan", {0, chars}}}});
  };

  json texts = json::array(), pictures = json::array(), tables = json::array(), groups = json::array();
  json body_children = json::array(), furniture_children = json::array();
  std::vector<std::string> ref_of(doc.elements.size());
  json* open_list = nullptr;
  std::string open_list_ref;

  // Pass 1: create nodes in reading order.
  for (size_t i = 0; i < doc.elements.size(); ++i) {
    const Element& e = doc.elements[i];
    const bool furniture = e.furniture();
    std::string parent = furniture ? "#/furniture" : "#/body";
    if (e.label == Label::list_item) {
      if (!open_list) {
        const std::string gref = "#/groups/" + std::to_string(groups.size());
        groups.push_back({{"self_ref", gref}, {"parent", reference_to("#/body")}, {"children", json::array()},
                          {"content_layer", "body"}, {"name", "list"}, {"label", "list"}});
        body_children.push_back(reference_to(gref));
        open_list = &groups.back();
        open_list_ref = gref;
      }
      parent = open_list_ref;
    } else {
      open_list = nullptr;
    }
    json node = {{"parent", reference_to(parent)},
                 {"children", json::array()},
                 {"content_layer", furniture ? "furniture" : "body"},
                 {"label", std::string(label_name(e.label))},
                 {"prov", prov(e, e.text.size())}};
    std::string self;
    if (e.label == Label::picture || e.label == Label::table) {
      node["captions"] = json::array();
      node["references"] = json::array();
      node["footnotes"] = json::array();
      if (e.label == Label::picture) {
        node["annotations"] = json::array();
        self = "#/pictures/" + std::to_string(pictures.size());
        if (!e.text.empty()) {
          // Text inside the picture is its child, as docling nests it.
          const std::string child = "#/texts/" + std::to_string(texts.size());
          texts.push_back({{"self_ref", child}, {"parent", reference_to(self)}, {"children", json::array()},
                           {"content_layer", "body"}, {"label", "text"}, {"prov", prov(e, e.text.size())},
                           {"orig", e.text}, {"text", e.text}});
          node["children"].push_back(reference_to(child));
        }
        if (!e.image_png.empty()) {
          const auto [width, height] = png_size(e.image_png);
          node["image"] = {{"mimetype", "image/png"},
                           {"dpi", e.image_dpi},
                           {"size", {{"width", width}, {"height", height}}},
                           {"uri", png_data_uri(e.image_png)}};
        }
      } else {
        json cells = json::array();
        json grid = json::array();
        int rows = 0, cols = 0;
        if (e.table) {
          rows = e.table->rows;
          cols = e.table->cols;
          std::vector<std::vector<json>> g(static_cast<size_t>(rows), std::vector<json>(static_cast<size_t>(cols)));
          for (const auto& c : e.table->cells) {
            const double h = page_height[e.page];
            json cell = {{"bbox", {{"l", c.box.l}, {"t", h - c.box.t}, {"r", c.box.r}, {"b", h - c.box.b},
                                   {"coord_origin", "BOTTOMLEFT"}}},
                         {"row_span", c.row_span}, {"col_span", c.col_span},
                         {"start_row_offset_idx", c.row}, {"end_row_offset_idx", c.row + c.row_span},
                         {"start_col_offset_idx", c.col}, {"end_col_offset_idx", c.col + c.col_span},
                         {"text", c.text}, {"column_header", c.header}, {"row_header", false},
                         {"row_section", false}};
            cells.push_back(cell);
            for (int r = c.row; r < std::min(rows, c.row + c.row_span); ++r) {
              for (int k = c.col; k < std::min(cols, c.col + c.col_span); ++k) {
                g[static_cast<size_t>(r)][static_cast<size_t>(k)] = cell;
              }
            }
          }
          for (auto& row : g) {
            json jr = json::array();
            for (auto& cell : row) jr.push_back(cell.is_null() ? json::object() : cell);
            grid.push_back(jr);
          }
        }
        node["data"] = {{"table_cells", cells}, {"num_rows", rows}, {"num_cols", cols}, {"grid", grid}};
        self = "#/tables/" + std::to_string(tables.size());
      }
    } else {
      node["orig"] = e.text;
      node["text"] = e.text;
      // OCR provenance in a namespaced custom meta field, the extension point docling-core allows.
      if (e.from_ocr) node["meta"] = {{"pageflow__ocr", {{"confidence", e.confidence}}}};
      if (e.label == Label::section_header) node["level"] = std::max(1, e.level);
      if (e.label == Label::list_item) {
        node["enumerated"] = e.ordered;
        node["marker"] = e.marker;
      }
      if (e.label == Label::code) {
        node["captions"] = json::array();
        node["references"] = json::array();
        node["footnotes"] = json::array();
        node["code_language"] = "unknown";
      }
      self = "#/texts/" + std::to_string(texts.size());
    }
    node["self_ref"] = self;
    ref_of[i] = self;
    if (e.label == Label::list_item) {
      (*open_list)["children"].push_back(reference_to(self));
    } else if (furniture) {
      furniture_children.push_back(reference_to(self));
    } else {
      body_children.push_back(reference_to(self));
    }
    if (self.rfind("#/pictures/", 0) == 0) pictures.push_back(std::move(node));
    else if (self.rfind("#/tables/", 0) == 0) tables.push_back(std::move(node));
    else texts.push_back(std::move(node));
  }

  // Pass 2: captions point at their picture/table, which lists them.
  auto node_by_ref = [&](const std::string& r) -> json& {
    const size_t slash = r.rfind('/');
    const size_t index = std::stoul(r.substr(slash + 1));
    if (r.rfind("#/pictures/", 0) == 0) return pictures[index];
    if (r.rfind("#/tables/", 0) == 0) return tables[index];
    return texts[index];
  };
  for (size_t i = 0; i < doc.elements.size(); ++i) {
    const int target = doc.elements[i].caption_of;
    if (target < 0 || static_cast<size_t>(target) >= ref_of.size()) continue;
    json& owner = node_by_ref(ref_of[static_cast<size_t>(target)]);
    if (owner.contains("captions")) owner["captions"].push_back(reference_to(ref_of[i]));
  }

  json out = {
      {"schema_name", "DoclingDocument"},
      {"version", "1.10.0"},
      {"name", doc.name},
      {"origin", {{"mimetype", "application/pdf"},
                  {"binary_hash", std::hash<std::string>{}(doc.source)},
                  {"filename", doc.source.substr(doc.source.find_last_of('/') + 1)}}},
      {"furniture", {{"self_ref", "#/furniture"}, {"children", furniture_children},
                     {"content_layer", "furniture"}, {"name", "_root_"}, {"label", "unspecified"}}},
      {"body", {{"self_ref", "#/body"}, {"children", body_children}, {"content_layer", "body"},
                {"name", "_root_"}, {"label", "unspecified"}}},
      {"groups", groups},
      {"texts", texts},
      {"pictures", pictures},
      {"tables", tables},
      {"key_value_items", json::array()},
      {"form_items", json::array()},
      {"pages", pages},
  };
  // Not a DoclingDocument field (docling keeps the status beside the document); docling-core
  // ignores it, and a reader of our JSON alone learns that pages are missing and why.
  if (doc.status() != Status::success) {
    json failed = json::array(), missing = json::array();
    for (const auto& p : doc.pages) {
      if (!p.ok) failed.push_back({{"page_no", p.number}, {"error", p.error}});
    }
    for (const auto& m : doc.missing) {
      missing.push_back({{"first", m.pages.first}, {"last", m.pages.last}, {"reason", m.reason}});
    }
    out["pageflow__conversion"] = {{"status", status_name(doc.status())}, {"failed_pages", failed},
                                   {"missing_pages", missing}};
  }
  // Invalid UTF-8 (a file name in another encoding) is replaced, never a reason to fail.
  return out;
}

std::string to_docling_json(const Document& doc) {
  return docling_json(doc).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace pageflow
