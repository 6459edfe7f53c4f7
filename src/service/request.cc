#include "service/request.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <set>

namespace pageflow::service {

namespace {

using nlohmann::json;

const std::set<std::string> kListOptions = {"from_formats", "to_formats", "ocr_lang", "page_range"};
const std::set<std::string> kBoolOptions = {
    "do_ocr", "force_ocr", "table_cell_matching", "abort_on_error", "do_table_structure", "include_images",
    "include_page_images", "do_code_enrichment", "do_formula_enrichment", "do_picture_classification",
    "do_picture_description", "do_chart_extraction", "do_pdf_heading_hierarchy"};
const std::set<std::string> kNumberOptions = {"document_timeout", "images_scale", "picture_description_area_threshold"};
// Options of docling's pipeline that pageflow has no counterpart for: accepted, and reported when
// asked for anything but docling's default.
const std::map<std::string, json> kUnsupported = {
    {"pdf_backend", "docling_parse"},   {"pipeline", "standard"},          {"table_cell_matching", true},
    {"include_page_images", false},     {"do_code_enrichment", false},     {"do_formula_enrichment", false},
    {"do_picture_classification", false}, {"do_picture_description", false}, {"do_chart_extraction", false}};
// Accepted without effect on the output pageflow writes (pageflow recognises input formats itself;
// its heading levels come from its own document pass).
const std::set<std::string> kAccepted = {"from_formats", "do_pdf_heading_hierarchy", "pdf_heading_hierarchy_options",
                                         "ocr_custom_config", "vlm_pipeline_model", "vlm_pipeline_model_local",
                                         "vlm_pipeline_model_api", "vlm_pipeline_preset", "vlm_pipeline_custom_config",
                                         "picture_description_local", "picture_description_api",
                                         "picture_description_preset", "picture_description_custom_config",
                                         "picture_description_area_threshold", "code_formula_preset",
                                         "code_formula_custom_config", "table_structure_preset",
                                         "table_structure_custom_config", "layout_preset", "layout_custom_config",
                                         "picture_classification_preset", "picture_classification_custom_config",
                                         "chunking_options", "chunking_preset"};

[[noreturn]] void invalid(const std::string& field, const std::string& message) {
  throw RequestError(422, field + ": " + message);
}

bool as_bool(const json& value, const std::string& field) {
  if (!value.is_boolean()) invalid(field, "expected true or false");
  return value.get<bool>();
}

double as_number(const json& value, const std::string& field) {
  if (!value.is_number()) invalid(field, "expected a number");
  return value.get<double>();
}

std::string as_string(const json& value, const std::string& field) {
  if (!value.is_string()) invalid(field, "expected a string");
  return value.get<std::string>();
}

std::vector<std::string> as_strings(const json& value, const std::string& field) {
  std::vector<std::string> out;
  if (value.is_string()) return {value.get<std::string>()};
  if (!value.is_array()) invalid(field, "expected a list of strings");
  for (const auto& v : value) out.push_back(as_string(v, field));
  return out;
}

// docling's OCR engine and preset names onto pageflow's two engines. RapidOCR is PP-OCR.
std::string ocr_engine_for(const std::string& name, const std::string& field, std::vector<std::string>& warnings) {
  if (name == "auto" || name == "rapidocr" || name == "easyocr" || name == "default") return "paddle";
  if (name == "tesseract" || name == "tesserocr") return "tesseract";
  if (name == "ocrmac" || name == "onnxtr" || name == "kserve_v2_ocr") {
    warnings.push_back(field + " '" + name + "' is not available here: read with PP-OCR (rapidocr's models) instead");
    return "paddle";
  }
  invalid(field, "unknown OCR engine '" + name + "' (auto, rapidocr, easyocr, tesseract, tesserocr)");
}

std::string form_value_type(const std::string& name) {
  if (kBoolOptions.count(name)) return "bool";
  if (kNumberOptions.count(name)) return "number";
  return "string";
}

}  // namespace

json form_to_options(const std::multimap<std::string, std::string>& fields) {
  json options = json::object();
  for (const auto& [name, value] : fields) {
    if (kListOptions.count(name)) {
      if (!options.contains(name)) options[name] = json::array();
      if (name == "page_range") {
        try {
          size_t used = 0;
          const long long n = std::stoll(value, &used);
          if (used != value.size()) throw std::invalid_argument(value);
          options[name].push_back(n);
        } catch (const std::exception&) {
          invalid(name, "expected a whole number, got '" + value + "'");
        }
      } else {
        options[name].push_back(value);
      }
      continue;
    }
    const std::string type = form_value_type(name);
    if (type == "bool") {
      std::string v = value;
      std::transform(v.begin(), v.end(), v.begin(), ::tolower);
      if (v == "true" || v == "1" || v == "yes" || v == "on") {
        options[name] = true;
      } else if (v == "false" || v == "0" || v == "no" || v == "off") {
        options[name] = false;
      } else {
        invalid(name, "expected true or false, got '" + value + "'");
      }
    } else if (type == "number") {
      try {
        size_t used = 0;
        const double d = std::stod(value, &used);
        if (used != value.size()) throw std::invalid_argument(value);
        options[name] = d;
      } catch (const std::exception&) {
        invalid(name, "expected a number, got '" + value + "'");
      }
    } else {
      options[name] = value;
    }
  }
  return options;
}

ConvertRequest parse_options(const json& options) {
  ConvertRequest r;
  r.given = options;
  if (options.is_null()) return r;
  if (!options.is_object()) invalid("options", "expected an object");
  std::optional<bool> do_ocr, force_ocr;
  bool include_images = true;
  for (const auto& [name, value] : options.items()) {
    if (value.is_null()) continue;
    if (name == "to_formats") {
      r.formats.clear();
      for (const std::string& f : as_strings(value, name)) {
        const auto format = parse_format(f);
        if (!format) invalid(name, "unknown output format '" + f + "' (md, json, html, text, doctags)");
        if (std::find(r.formats.begin(), r.formats.end(), *format) == r.formats.end()) r.formats.push_back(*format);
      }
    } else if (name == "image_export_mode") {
      const std::string mode = as_string(value, name);
      if (mode == "placeholder") {
        r.images = ImageMode::placeholder;
      } else if (mode == "embedded") {
        r.images = ImageMode::embedded;
      } else if (mode == "referenced") {
        r.images = ImageMode::referenced;
      } else {
        invalid(name, "unknown mode '" + mode + "' (placeholder, embedded, referenced)");
      }
    } else if (name == "do_ocr") {
      do_ocr = as_bool(value, name);
    } else if (name == "force_ocr") {
      force_ocr = as_bool(value, name);
    } else if (name == "ocr_engine" || name == "ocr_preset") {
      r.job.ocr_engine = ocr_engine_for(as_string(value, name), name, r.warnings);
    } else if (name == "ocr_lang") {
      const auto langs = as_strings(value, name);
      std::string joined;
      for (const auto& l : langs) joined += (joined.empty() ? "" : "+") + l;
      r.ocr_languages = joined;
    } else if (name == "table_mode") {
      const std::string mode = as_string(value, name);
      if (mode == "accurate") {
        r.job.table_engine = "auto";
      } else if (mode == "fast") {
        r.job.table_engine = "rules";
      } else {
        invalid(name, "unknown mode '" + mode + "' (fast, accurate)");
      }
    } else if (name == "do_table_structure") {
      r.job.tables = as_bool(value, name);
    } else if (name == "page_range") {
      if (!value.is_array() || value.size() != 2 || !value[0].is_number_integer() || !value[1].is_number_integer()) {
        invalid(name, "expected two page numbers [first, last]");
      }
      const long long first = value[0].get<long long>(), last = value[1].get<long long>();
      if (first < 1 || last < first) invalid(name, "expected 1 <= first <= last");
      // docling's default range ends at sys.maxsize: an open end.
      r.job.pages = std::to_string(first) + "-" + (last >= 2147483647LL ? "" : std::to_string(last));
    } else if (name == "document_timeout") {
      const double seconds = as_number(value, name);
      if (!(seconds > 0) || seconds > 1e7) invalid(name, "expected a positive number of seconds");
      r.job.timeout = std::chrono::milliseconds(static_cast<long long>(std::ceil(seconds * 1000)));
    } else if (name == "abort_on_error") {
      r.abort_on_error = as_bool(value, name);
    } else if (name == "include_images") {
      include_images = as_bool(value, name);
    } else if (name == "images_scale") {
      const double scale = as_number(value, name);
      if (!(scale > 0) || scale > 16) invalid(name, "expected a scale from 0 to 16");
      r.job.picture_dpi = 72 * scale;
    } else if (name == "md_page_break_placeholder") {
      r.page_break = as_string(value, name);
    } else if (const auto unsupported = kUnsupported.find(name); unsupported != kUnsupported.end()) {
      if (value != unsupported->second) {
        r.warnings.push_back(name + "=" + (value.is_string() ? value.get<std::string>() : value.dump()) +
                             " is not supported by pageflow and was ignored");
      }
    } else if (!kAccepted.count(name)) {
      r.warnings.push_back("unknown option '" + name + "' was ignored");
    }
  }
  // Unset: the server's own --ocr mode.
  if (do_ocr || force_ocr) r.job.ocr = !do_ocr.value_or(true) ? "off" : force_ocr.value_or(false) ? "force" : "auto";
  // Pictures keep their pixels only when they are to be written (embedded, or as files).
  r.job.picture_images = include_images && r.images != ImageMode::placeholder;
  if (!r.job.picture_images) r.job.picture_dpi.reset();
  return r;
}

std::string base64_decode(const std::string& text) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < alphabet.size(); ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    t['-'] = 62;  // the URL-safe alphabet too
    t['_'] = 63;
    return t;
  }();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  unsigned buffer = 0;
  int bits = 0;
  size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (c == '\n' || c == '\r' || c == ' ') continue;
    const int v = table[static_cast<unsigned char>(c)];
    if (v < 0 || padding > 0) throw RequestError(422, "base64_string: not valid base64");
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  if (bits >= 6 || padding > 2) throw RequestError(422, "base64_string: not valid base64 (truncated)");
  return out;
}

std::vector<SourceSpec> parse_sources(const json& sources, size_t max_bytes) {
  if (!sources.is_array() || sources.empty()) invalid("sources", "expected a non-empty list");
  std::vector<SourceSpec> out;
  for (size_t i = 0; i < sources.size(); ++i) {
    const json& s = sources[i];
    const std::string field = "sources[" + std::to_string(i) + "]";
    if (!s.is_object()) invalid(field, "expected an object");
    SourceSpec spec;
    spec.kind = s.value("kind", std::string(s.contains("url") ? "http" : "file"));
    if (spec.kind == "file") {
      if (!s.contains("base64_string") || !s["base64_string"].is_string()) invalid(field, "base64_string missing");
      const std::string& encoded = s["base64_string"].get_ref<const std::string&>();
      if (encoded.size() / 4 * 3 > max_bytes + 3) {
        throw RequestError(413, field + ": file over the " + std::to_string(max_bytes >> 20) + " MB limit");
      }
      spec.bytes = base64_decode(encoded);
      spec.filename = s.contains("filename") ? as_string(s["filename"], field + ".filename") : "document";
    } else if (spec.kind == "http") {
      if (!s.contains("url")) invalid(field, "url missing");
      spec.url = as_string(s["url"], field + ".url");
      if (spec.url.rfind("http://", 0) != 0 && spec.url.rfind("https://", 0) != 0) {
        invalid(field + ".url", "only http and https URLs");
      }
      if (s.contains("headers") && s["headers"].is_object()) {
        for (const auto& [k, v] : s["headers"].items()) spec.headers[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
      const auto slash = spec.url.find_last_of('/');
      std::string name = spec.url.substr(slash == std::string::npos ? 0 : slash + 1);
      name = name.substr(0, name.find_first_of("?#"));
      spec.filename = name.empty() ? "document" : name;
    } else {
      invalid(field + ".kind", "unknown source kind '" + spec.kind + "' (file, http)");
    }
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace pageflow::service
