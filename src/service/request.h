// docling-serve's conversion options (ConvertDocumentsOptions), read from a JSON body's "options"
// or from multipart form fields, and mapped onto a pageflow job. Options pageflow cannot honour
// are accepted and reported as warnings (ErrorItems in the response), never silently different;
// a value that cannot work (an unknown output format, a malformed page range) is a RequestError
// with the HTTP status to answer (422).
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "export/export.h"
#include "pageflow/engine.h"

namespace pageflow::service {

struct RequestError : std::runtime_error {
  RequestError(int status, const std::string& message) : std::runtime_error(message), status(status) {}
  int status;
};

enum class ImageMode { placeholder, embedded, referenced };

struct ConvertRequest {
  std::vector<Format> formats = {Format::markdown};
  JobOptions job;
  ImageMode images = ImageMode::embedded;
  std::string page_break;       // md_page_break_placeholder
  bool abort_on_error = false;
  bool zip = false;             // target kind "zip"
  std::string ocr_languages;    // ocr_lang joined with '+' (checked against the engine's)
  std::vector<std::string> warnings;
  nlohmann::json given;  // the options as the client gave them (serve --redis keeps them)
};

// `options`: docling-serve's option names and JSON types. Throws RequestError.
ConvertRequest parse_options(const nlohmann::json& options);

// Multipart form fields (name → values in order) as the JSON `options` object: list options
// collect their repeated fields, booleans and numbers are converted. Throws RequestError.
nlohmann::json form_to_options(const std::multimap<std::string, std::string>& fields);

// A source of a JSON request, decoded: {"kind": "file", "base64_string", "filename"} or
// {"kind": "http", "url", "headers"} (fetched by the caller).
struct SourceSpec {
  std::string kind;
  std::string filename;
  std::string bytes;  // file sources
  std::string url;    // http sources
  std::map<std::string, std::string> headers;
};
// Throws RequestError (422 for a malformed source, 413 for one over `max_bytes`).
std::vector<SourceSpec> parse_sources(const nlohmann::json& sources, size_t max_bytes);

std::string base64_decode(const std::string& text);  // throws RequestError on bad input

}  // namespace pageflow::service
