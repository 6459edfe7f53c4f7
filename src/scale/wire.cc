#include "scale/wire.h"

#include <nlohmann/json.hpp>

namespace pageflow {

using nlohmann::json;

// nlohmann's conversions for the document types, found by argument-dependent lookup. Element is
// written by hand: its optional table and its PNG bytes (a CBOR byte string) need care.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Box, l, t, r, b)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TableCell, row, col, row_span, col_span, header, text, box)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TableData, rows, cols, cells)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PageRange, first, last)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MissingPages, pages, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StageTime, stage, seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PageResult, number, width, height, ok, error, warning, ocr, rotation, timings)

static void to_json(json& j, const Element& e) {
  j = {{"label", e.label}, {"text", e.text}, {"page", e.page}, {"box", e.box}, {"level", e.level},
       {"ordered", e.ordered}, {"marker", e.marker}, {"from_ocr", e.from_ocr}, {"confidence", e.confidence},
       {"caption_of", e.caption_of}, {"image_dpi", e.image_dpi}};
  if (e.table) j["table"] = *e.table;
  if (!e.image_png.empty()) j["image_png"] = json::binary(std::vector<uint8_t>(e.image_png.begin(), e.image_png.end()));
}
static void from_json(const json& j, Element& e) {
  j.at("label").get_to(e.label);
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
  if (j.contains("table")) e.table = j["table"].get<TableData>();
  if (j.contains("image_png")) {
    const auto& bytes = j["image_png"].get_binary();
    e.image_png.assign(bytes.begin(), bytes.end());
  }
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Block, element, font_size, bold, italic, from_model_title, spans_gutter, caption_target)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OutlineEntry, title, depth, page, top)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Document, source, name, page_count, pages, elements, missing, error, warnings, outline)

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
