#include "scale/wire.h"

#include <nlohmann/json.hpp>

namespace pageflow {

using nlohmann::json;

// nlohmann's conversions for the document types, found by argument-dependent lookup.
static void to_json(json& j, const Box& b) { j = {b.l, b.t, b.r, b.b}; }
static void from_json(const json& j, Box& b) { b = {j.at(0), j.at(1), j.at(2), j.at(3)}; }

static void to_json(json& j, const TableCell& c) {
  j = {{"row", c.row}, {"col", c.col}, {"row_span", c.row_span}, {"col_span", c.col_span},
       {"header", c.header}, {"text", c.text}, {"box", c.box}};
}
static void from_json(const json& j, TableCell& c) {
  j.at("row").get_to(c.row);
  j.at("col").get_to(c.col);
  j.at("row_span").get_to(c.row_span);
  j.at("col_span").get_to(c.col_span);
  j.at("header").get_to(c.header);
  j.at("text").get_to(c.text);
  j.at("box").get_to(c.box);
}

static void to_json(json& j, const Element& e) {
  j = {{"label", static_cast<int>(e.label)}, {"text", e.text}, {"page", e.page}, {"box", e.box},
       {"level", e.level}, {"ordered", e.ordered}, {"marker", e.marker}, {"from_ocr", e.from_ocr},
       {"confidence", e.confidence}, {"caption_of", e.caption_of}, {"image_dpi", e.image_dpi}};
  if (e.table) j["table"] = {{"rows", e.table->rows}, {"cols", e.table->cols}, {"cells", e.table->cells}};
  if (!e.image_png.empty()) j["image_png"] = json::binary(std::vector<uint8_t>(e.image_png.begin(), e.image_png.end()));
}
static void from_json(const json& j, Element& e) {
  e.label = static_cast<Label>(j.at("label").get<int>());
  j.at("text").get_to(e.text);
  j.at("page").get_to(e.page);
  j.at("box").get_to(e.box);
  j.at("level").get_to(e.level);
  j.at("ordered").get_to(e.ordered);
  j.at("marker").get_to(e.marker);
  j.at("from_ocr").get_to(e.from_ocr);
  j.at("confidence").get_to(e.confidence);
  j.at("caption_of").get_to(e.caption_of);
  j.at("image_dpi").get_to(e.image_dpi);
  if (j.contains("table")) {
    const json& t = j["table"];
    e.table = TableData{t.at("rows"), t.at("cols"), t.at("cells").get<std::vector<TableCell>>()};
  }
  if (j.contains("image_png")) {
    const auto& bytes = j["image_png"].get_binary();
    e.image_png.assign(bytes.begin(), bytes.end());
  }
}

static void to_json(json& j, const Block& b) {
  j = {{"element", b.element}, {"font_size", b.font_size}, {"bold", b.bold},
       {"from_model_title", b.from_model_title}, {"caption_target", b.caption_target}};
}
static void from_json(const json& j, Block& b) {
  j.at("element").get_to(b.element);
  j.at("font_size").get_to(b.font_size);
  j.at("bold").get_to(b.bold);
  j.at("from_model_title").get_to(b.from_model_title);
  j.at("caption_target").get_to(b.caption_target);
}

static void to_json(json& j, const PageResult& p) {
  json timings = json::array();
  for (const auto& t : p.timings) timings.push_back({t.stage, t.seconds});
  j = {{"number", p.number}, {"width", p.width}, {"height", p.height}, {"ok", p.ok}, {"error", p.error},
       {"warning", p.warning}, {"ocr", p.ocr}, {"rotation", p.rotation}, {"timings", timings}};
}
static void from_json(const json& j, PageResult& p) {
  j.at("number").get_to(p.number);
  j.at("width").get_to(p.width);
  j.at("height").get_to(p.height);
  j.at("ok").get_to(p.ok);
  j.at("error").get_to(p.error);
  j.at("warning").get_to(p.warning);
  j.at("ocr").get_to(p.ocr);
  j.at("rotation").get_to(p.rotation);
  for (const auto& t : j.at("timings")) p.timings.push_back({t.at(0), t.at(1)});
}

static void to_json(json& j, const MissingPages& m) { j = {m.pages.first, m.pages.last, m.reason}; }
static void from_json(const json& j, MissingPages& m) { m = {{j.at(0), j.at(1)}, j.at(2)}; }

static void to_json(json& j, const Document& d) {
  j = {{"source", d.source}, {"name", d.name}, {"page_count", d.page_count}, {"pages", d.pages},
       {"elements", d.elements}, {"missing", d.missing}, {"error", d.error}, {"warnings", d.warnings}};
}
static void from_json(const json& j, Document& d) {
  j.at("source").get_to(d.source);
  j.at("name").get_to(d.name);
  j.at("page_count").get_to(d.page_count);
  j.at("pages").get_to(d.pages);
  j.at("elements").get_to(d.elements);
  j.at("missing").get_to(d.missing);
  j.at("error").get_to(d.error);
  j.at("warnings").get_to(d.warnings);
}

}  // namespace pageflow

namespace pageflow::scale {

namespace {

json parse_cbor(const std::string& bytes, const char* what) {
  json j = json::from_cbor(bytes, true, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error(std::string("not an encoded ") + what);
  return j;
}

template <typename T>
T decode_as(const json& j, const char* what) {
  try {
    return j.get<T>();
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("not an encoded ") + what + " (" + e.what() + ")");
  }
}

}  // namespace

std::string encode(const DocumentPages& pages) {
  const json j = {{"document", pages.document}, {"blocks", pages.blocks}};
  const auto bytes = json::to_cbor(j);
  return {bytes.begin(), bytes.end()};
}

std::string encode(const Document& document) {
  const auto bytes = json::to_cbor(json(document));
  return {bytes.begin(), bytes.end()};
}

DocumentPages decode_document_pages(const std::string& bytes) {
  const json j = parse_cbor(bytes, "slice");
  DocumentPages pages;
  pages.document = decode_as<Document>(j.value("document", json()), "slice");
  pages.blocks = decode_as<std::vector<std::vector<Block>>>(j.value("blocks", json()), "slice");
  if (pages.blocks.size() != pages.document.pages.size()) throw std::runtime_error("not an encoded slice (blocks do not match pages)");
  return pages;
}

Document decode_document(const std::string& bytes) { return decode_as<Document>(parse_cbor(bytes, "document"), "document"); }

std::string encode(const JobOptions& o) {
  json j = json::object();
  if (o.pages) j["pages"] = *o.pages;
  if (o.password) j["password"] = *o.password;
  if (o.ocr) j["ocr"] = *o.ocr;
  if (o.ocr_engine) j["ocr_engine"] = *o.ocr_engine;
  if (o.table_engine) j["table_engine"] = *o.table_engine;
  if (o.tables) j["tables"] = *o.tables;
  if (o.picture_images) j["picture_images"] = *o.picture_images;
  if (o.picture_dpi) j["picture_dpi"] = *o.picture_dpi;
  if (o.timeout) j["timeout_ms"] = o.timeout->count();
  return j.dump();
}

JobOptions decode_job_options(const std::string& text) {
  const json j = json::parse(text, nullptr, false);
  if (!j.is_object()) throw std::runtime_error("not encoded job options");
  JobOptions o;
  try {
    if (j.contains("pages")) o.pages = j["pages"].get<std::string>();
    if (j.contains("password")) o.password = j["password"].get<std::string>();
    if (j.contains("ocr")) o.ocr = j["ocr"].get<std::string>();
    if (j.contains("ocr_engine")) o.ocr_engine = j["ocr_engine"].get<std::string>();
    if (j.contains("table_engine")) o.table_engine = j["table_engine"].get<std::string>();
    if (j.contains("tables")) o.tables = j["tables"].get<bool>();
    if (j.contains("picture_images")) o.picture_images = j["picture_images"].get<bool>();
    if (j.contains("picture_dpi")) o.picture_dpi = j["picture_dpi"].get<double>();
    if (j.contains("timeout_ms")) o.timeout = std::chrono::milliseconds(j["timeout_ms"].get<long long>());
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("not encoded job options (") + e.what() + ")");
  }
  return o;
}

}  // namespace pageflow::scale
