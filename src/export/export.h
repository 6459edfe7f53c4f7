// Writers for a converted Document. Page headers and footers are furniture: left out of the
// Markdown, HTML and text bodies (kept, marked as furniture, in JSON).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pageflow/document.h"
#include "pageflow/engine.h"

namespace pageflow {

enum class Format { markdown, json, html, text, doctags };

std::optional<Format> parse_format(std::string_view name);  // md|markdown, json, html, text|txt, doctags
std::string_view format_extension(Format format);            // "md", "json", "html", "txt", "doctags"

struct MarkdownOptions {
  std::string page_break;  // when not empty, written between the elements of consecutive pages
  // Pictures written as links to these paths (by element index) instead of embedded pixels.
  std::map<size_t, std::string> image_paths;
};
std::string to_markdown(const Document& doc, const MarkdownOptions& options = {});
std::string to_text(const Document& doc);
std::string to_html(const Document& doc);
// JSON modelled on docling-core's DoclingDocument (schema_name "DoclingDocument").
std::string to_docling_json(const Document& doc);
// One page as it left the pipeline, as a single JSON line (no newline): file, page number,
// status and its elements with their boxes.
std::string to_page_json(const PageOutput& page);
// DocTags as docling-core parses it (DocTagsDocument), page breaks included.
std::string to_doctags(const Document& doc);

std::string render(const Document& doc, Format format);

// Writes through a temporary file in the same folder (created exclusively, never through a link)
// and renames it into place after fsync, so a reader never sees a half-written file and an
// interrupted run leaves earlier outputs whole. Throws std::runtime_error naming the path and
// the system's reason.
void write_file_atomically(const std::string& path, const std::string& content);

// For a document that is not a full success, the HTML comment that Markdown and HTML outputs open
// with: "<!-- pageflow: partial_success: page 4 failed (layout: timed out after 1000 ms);
// pages 5-350 not converted (cancelled) -->"; "" for a success. (JSON: "pageflow__conversion".)
std::string conversion_comment(const Document& doc);

// "data:image/png;base64,..." for a picture's PNG bytes.
std::string png_data_uri(const std::string& png);

// A Markdown pipe table for a recognised table grid (spanned cells repeat their text).
std::string markdown_table(const TableData& table);

}  // namespace pageflow
