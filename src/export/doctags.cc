// DocTags as docling-core writes and parses it: one tag per element with its box as four location
// tokens on a 500-step grid of the page, lists wrapped in list tags, tables as OTSL (one token
// per grid cell, spans as left/up-looking cells), captions inside their picture or table, and a
// page_break tag between pages.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "export/export.h"

namespace pageflow {

namespace {

constexpr int kGrid = 500;

std::string location_token(double fraction) {
  const int v = std::clamp(static_cast<int>(std::lround(kGrid * fraction)), 0, kGrid - 1);
  return "<loc_" + std::to_string(v) + ">";
}

std::string location(const Element& e, const std::map<int, const PageResult*>& pages) {
  const auto it = pages.find(e.page);
  if (it == pages.end() || it->second->width <= 0 || it->second->height <= 0) return "";
  const double w = it->second->width, h = it->second->height;
  return location_token(std::min(e.box.l, e.box.r) / w) + location_token(std::min(e.box.t, e.box.b) / h) +
         location_token(std::max(e.box.l, e.box.r) / w) + location_token(std::max(e.box.t, e.box.b) / h);
}

// DocTags uses docling's label names, but for headings (with their level) and tables (OTSL).
std::string tag_name(const Element& e) {
  if (e.label == Label::section_header) return "section_header_level_" + std::to_string(std::max(1, e.level));
  if (e.label == Label::table) return "otsl";
  return std::string(label_name(e.label));
}

// OTSL: every grid position gets a token; a cell's origin carries its text.
std::string otsl(const TableData& table) {
  std::vector<std::string> grid(static_cast<size_t>(table.rows) * static_cast<size_t>(table.cols), "<ecel>");
  const auto at = [&](int r, int c) -> std::string& {
    return grid[static_cast<size_t>(r) * static_cast<size_t>(table.cols) + static_cast<size_t>(c)];
  };
  for (const TableCell& cell : table.cells) {
    for (int r = cell.row; r < std::min(table.rows, cell.row + cell.row_span); ++r) {
      for (int c = cell.col; c < std::min(table.cols, cell.col + cell.col_span); ++c) {
        if (r == cell.row && c == cell.col) {
          const std::string kind = cell.header ? "<ched>" : cell.text.empty() ? "<ecel>" : "<fcel>";
          at(r, c) = kind + cell.text;
        } else {
          at(r, c) = r == cell.row ? "<lcel>" : c == cell.col ? "<ucel>" : "<xcel>";
        }
      }
    }
  }
  std::string out;
  for (int r = 0; r < table.rows; ++r) {
    for (int c = 0; c < table.cols; ++c) out += at(r, c);
    out += "<nl>";
  }
  return out;
}

std::string flatten(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

std::string to_doctags(const Document& doc) {
  std::map<int, const PageResult*> pages;
  for (const PageResult& p : doc.pages) pages[p.number] = &p;
  // Captions go inside the element they describe.
  std::map<int, std::vector<const Element*>> captions;
  for (const Element& e : doc.elements) {
    if (e.label == Label::caption && e.caption_of >= 0) captions[e.caption_of].push_back(&e);
  }
  std::string out = "<doctag>";
  const char* open_list = nullptr;
  int page = doc.elements.empty() ? 0 : doc.elements.front().page;
  const auto close_list = [&] {
    if (open_list) out += std::string("</") + open_list + ">\n";
    open_list = nullptr;
  };
  for (size_t i = 0; i < doc.elements.size(); ++i) {
    const Element& e = doc.elements[i];
    if (e.label == Label::caption && e.caption_of >= 0) continue;
    if (e.page != page) {
      close_list();
      for (; page < e.page; ++page) out += "<page_break>\n";
    }
    const char* list = e.label != Label::list_item ? nullptr : e.ordered ? "ordered_list" : "unordered_list";
    if (list != open_list) {
      close_list();
      if (list) out += std::string("<") + list + ">";
      open_list = list;
    }
    const std::string tag = tag_name(e);
    out += "<" + tag + ">" + location(e, pages);
    if (e.label == Label::table) {
      if (e.table) out += otsl(*e.table);
    } else if (e.label == Label::code) {
      out += "<_unknown_>" + e.text;
    } else if (e.label != Label::picture) {
      out += flatten(e.text);
    }
    if (const auto it = captions.find(static_cast<int>(i)); it != captions.end()) {
      for (const Element* caption : it->second) {
        out += "<caption>" + location(*caption, pages) + flatten(caption->text) + "</caption>";
      }
    }
    out += "</" + tag + ">\n";
  }
  close_list();
  out += "</doctag>";
  return out;
}

}  // namespace pageflow
