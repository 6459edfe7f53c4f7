// One page as a JSON line, for clients that index pages while later ones are still converting
// (`convert --to jsonl`, the service's /pages stream).
#include <nlohmann/json.hpp>

#include "export/export.h"

namespace pageflow {

std::string to_page_json(const PageOutput& out) {
  using nlohmann::json;
  json elements = json::array();
  for (const Element& e : out.elements) {
    json item = {{"label", std::string(label_name(e.label))},
                 {"text", e.text},
                 {"bbox", {e.box.l, e.box.t, e.box.r, e.box.b}}};
    if (e.label == Label::section_header) item["level"] = e.level;
    if (e.label == Label::list_item) {
      item["level"] = e.level;
      item["marker"] = e.marker;
    }
    if (e.from_ocr) item["ocr_confidence"] = e.confidence;
    if (e.table) item["markdown"] = markdown_table(*e.table);
    elements.push_back(std::move(item));
  }
  json line = {{"filename", out.source},
               {"input_index", out.input_index},
               {"page_no", out.page.number},
               {"width", out.page.width},
               {"height", out.page.height},
               {"status", out.page.ok ? "success" : "failure"},
               {"elements", std::move(elements)}};
  json timings = json::object();
  for (const StageTime& t : out.page.timings) timings[t.stage] = t.seconds;
  line["timings"] = std::move(timings);
  if (!out.page.ok) line["error"] = out.page.error;
  if (!out.page.warning.empty()) line["warning"] = out.page.warning;
  return line.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pageflow
