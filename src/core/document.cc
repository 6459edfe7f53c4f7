#include "pageflow/document.h"

namespace pageflow {

std::string_view label_name(Label label) {
  switch (label) {
    case Label::title: return "title";
    case Label::section_header: return "section_header";
    case Label::text: return "text";
    case Label::list_item: return "list_item";
    case Label::caption: return "caption";
    case Label::footnote: return "footnote";
    case Label::page_header: return "page_header";
    case Label::page_footer: return "page_footer";
    case Label::code: return "code";
    case Label::formula: return "formula";
    case Label::picture: return "picture";
    case Label::table: return "table";
  }
  return "text";
}

bool Document::ok() const { return error.empty() && failed_pages() == 0; }

int Document::failed_pages() const {
  int failed = 0;
  for (const auto& p : pages) failed += !p.ok;
  return failed;
}

}  // namespace pageflow
