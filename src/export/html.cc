#include <algorithm>
#include <string>

#include "export/export.h"

namespace pageflow {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_table(const TableData& t) {
  std::string out = "<table>\n";
  std::vector<std::vector<const TableCell*>> rows(static_cast<size_t>(t.rows));
  for (const auto& c : t.cells) rows[static_cast<size_t>(c.row)].push_back(&c);
  bool in_head = false;
  for (int r = 0; r < t.rows; ++r) {
    bool header_row = !rows[static_cast<size_t>(r)].empty();
    for (const TableCell* c : rows[static_cast<size_t>(r)]) header_row &= c->header;
    if (r == 0 && header_row) {
      out += "<thead>\n";
      in_head = true;
    } else if (in_head && !header_row) {
      out += "</thead>\n<tbody>\n";
      in_head = false;
    } else if (r == 0) {
      out += "<tbody>\n";
    }
    out += "<tr>";
    for (const TableCell* c : rows[static_cast<size_t>(r)]) {
      const char* tag = c->header ? "th" : "td";
      out += std::string("<") + tag;
      if (c->row_span > 1) out += " rowspan=\"" + std::to_string(c->row_span) + "\"";
      if (c->col_span > 1) out += " colspan=\"" + std::to_string(c->col_span) + "\"";
      out += ">" + escape(c->text) + "</" + tag + ">";
    }
    out += "</tr>\n";
  }
  out += in_head ? "</thead>\n</table>" : "</tbody>\n</table>";
  return out;
}

}  // namespace

std::string to_html(const Document& doc) {
  std::string out = "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                    escape(doc.name) + "</title>\n</head>\n<body>\n";
  out += conversion_comment(doc);
  std::string open_list;  // "ul" or "ol" while inside a list
  auto close_list = [&] {
    if (!open_list.empty()) out += "</" + open_list + ">\n";
    open_list.clear();
  };
  for (const auto& e : doc.elements) {
    if (e.furniture()) continue;
    if (e.label != Label::list_item) close_list();
    switch (e.label) {
      case Label::title: out += "<h1>" + escape(e.text) + "</h1>\n"; break;
      case Label::section_header: {
        const std::string tag = "h" + std::to_string(std::clamp(e.level + 1, 2, 6));
        out += "<" + tag + ">" + escape(e.text) + "</" + tag + ">\n";
        break;
      }
      case Label::list_item: {
        const std::string kind = e.ordered ? "ol" : "ul";
        if (open_list != kind) {
          close_list();
          out += "<" + kind + ">\n";
          open_list = kind;
        }
        out += "<li>" + escape(e.text) + "</li>\n";
        break;
      }
      case Label::code: out += "<pre><code>" + escape(e.text) + "</code></pre>\n"; break;
      case Label::formula: out += "<div class=\"formula\">" + escape(e.text) + "</div>\n"; break;
      case Label::caption: out += "<p class=\"caption\">" + escape(e.text) + "</p>\n"; break;
      case Label::footnote: out += "<p class=\"footnote\">" + escape(e.text) + "</p>\n"; break;
      case Label::checkbox_selected:
      case Label::checkbox_unselected:
        out += std::string("<p class=\"checkbox\"><input type=\"checkbox\" disabled") +
               (e.label == Label::checkbox_selected ? " checked" : "") + "> " + escape(e.text) + "</p>\n";
        break;
      case Label::picture:
        out += e.image_png.empty() ? "<figure class=\"picture\"></figure>\n"
                                   : "<figure class=\"picture\"><img src=\"" + png_data_uri(e.image_png) + "\"></figure>\n";
        break;
      case Label::table:
        out += e.table ? html_table(*e.table) + "\n" : "<pre class=\"table\">" + escape(e.text) + "</pre>\n";
        break;
      default: out += "<p>" + escape(e.text) + "</p>\n";
    }
  }
  close_list();
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace pageflow
