#include <algorithm>
#include <string>

#include "export/export.h"

namespace pageflow {

namespace {

// Underscores would start emphasis (form blanks "____" are common); escaped as docling does.
std::string escape_underscores(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '_') out += '\\';
    out += c;
  }
  return out;
}

// A paragraph whose text starts with "#" (a shell or R comment quoted in prose, a list of
// "# ..." lines run together) would read as a heading, one starting with "* ", "+ " or "- " (a
// footnote under an author's asterisk) as a list item, and so would one starting with a number
// of four to nine digits and "." or ")" (a year at the head of a wrapped line: "2026) ..."), which
// CommonMark takes for an ordered list's first item: its punctuation is escaped. Up to three
// digits are an enumerator, as assembly reads them (`list_marker_length`), and stay as printed.
std::string paragraph(const std::string& text) {
  const bool markup = text.rfind('#', 0) == 0 || text.rfind("* ", 0) == 0 || text.rfind("+ ", 0) == 0 ||
                      text.rfind("- ", 0) == 0;
  if (markup) return "\\" + escape_underscores(text);
  const size_t digits = text.find_first_not_of("0123456789");
  const bool year_like = digits >= 4 && digits <= 9 && digits < text.size() &&
                          (text[digits] == '.' || text[digits] == ')') &&
                          (digits + 1 == text.size() || text[digits + 1] == ' ');
  if (year_like) return text.substr(0, digits) + "\\" + escape_underscores(text.substr(digits));
  return escape_underscores(text);
}

std::string heading(const Element& e) {
  const int hashes = e.label == Label::title ? 1 : std::clamp(e.level + 1, 2, 6);
  return std::string(static_cast<size_t>(hashes), '#') + " " + escape_underscores(e.text);
}

std::string list_line(const Element& e, bool markdown) {
  const std::string indent(static_cast<size_t>(2 * std::max(0, e.level)), ' ');
  return indent + (e.ordered && !e.marker.empty() ? e.marker : "-") + " " +
         (markdown ? escape_underscores(e.text) : e.text);
}

}  // namespace

std::string to_markdown(const Document& doc, const MarkdownOptions& options) {
  const std::string& page_break = options.page_break;
  std::string out;
  if (const std::string comment = conversion_comment(doc); !comment.empty()) out += comment + "\n";
  const Element* previous = nullptr;
  for (size_t index = 0; index < doc.elements.size(); ++index) {
    const Element& e = doc.elements[index];
    if (e.furniture()) continue;
    std::string chunk;
    switch (e.label) {
      case Label::title:
      case Label::section_header: chunk = heading(e); break;
      case Label::list_item: chunk = list_line(e, true); break;
      case Label::code: chunk = "```\n" + e.text + "\n```"; break;
      case Label::formula: chunk = "$$" + e.text + "$$"; break;
      case Label::checkbox_selected: chunk = "- [x] " + escape_underscores(e.text); break;
      case Label::checkbox_unselected: chunk = "- [ ] " + escape_underscores(e.text); break;
      case Label::picture:
        if (const auto link = options.image_paths.find(index); link != options.image_paths.end()) {
          chunk = "![Image](" + link->second + ")";
        } else {
          chunk = e.image_png.empty() ? "<!-- image -->" : "![Image](" + png_data_uri(e.image_png) + ")";
        }
        break;
      case Label::table:
        chunk = e.table ? markdown_table(*e.table) : escape_underscores(e.text);
        while (!chunk.empty() && chunk.back() == '\n') chunk.pop_back();
        break;
      default: chunk = paragraph(e.text);
    }
    if (chunk.empty()) continue;
    if (previous && !page_break.empty() && previous->page != e.page) {
      out += "\n\n" + page_break + "\n\n";
    } else if (previous) {
      const bool same_list = previous->label == Label::list_item && e.label == Label::list_item;
      out += same_list ? "\n" : "\n\n";
    }
    out += chunk;
    previous = &e;
  }
  if (!out.empty()) out += "\n";
  return out;
}

std::string to_text(const Document& doc) {
  std::string out;
  for (const auto& e : doc.elements) {
    if (e.furniture() || e.label == Label::picture) continue;
    std::string chunk = e.label == Label::list_item ? list_line(e, false) : e.text;
    if (e.label == Label::checkbox_selected) chunk = "[x] " + e.text;
    if (e.label == Label::checkbox_unselected) chunk = "[ ] " + e.text;
    if (e.label == Label::table && e.table) {
      chunk.clear();
      std::vector<std::vector<std::string>> rows(static_cast<size_t>(e.table->rows));
      for (const auto& c : e.table->cells) {
        rows[static_cast<size_t>(c.row)].push_back(c.text);
      }
      for (const auto& row : rows) {
        std::string line;
        for (const auto& cell : row) line += (line.empty() ? "" : "\t") + cell;
        chunk += line + "\n";
      }
      if (!chunk.empty()) chunk.pop_back();
    }
    if (chunk.empty()) continue;
    out += chunk + "\n\n";
  }
  return out;
}

}  // namespace pageflow
