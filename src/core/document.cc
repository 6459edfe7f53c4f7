#include "pageflow/document.h"

#include "pageflow/converter.h"

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
    case Label::checkbox_selected: return "checkbox_selected";
    case Label::checkbox_unselected: return "checkbox_unselected";
  }
  return "text";
}

void add_missing(std::vector<MissingPages>& missing, PageRange pages, const std::string& reason) {
  if (!missing.empty() && missing.back().reason == reason && missing.back().pages.last + 1 == pages.first) {
    missing.back().pages.last = pages.last;
  } else {
    missing.push_back({pages, reason});
  }
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::success: return "success";
    case Status::partial_success: return "partial_success";
    case Status::failure: return "failure";
  }
  return "failure";
}

bool Document::ok() const { return status() == Status::success; }

Status Document::status() const {
  if (!error.empty()) return Status::failure;
  return failed_pages() > 0 || !missing.empty() ? Status::partial_success : Status::success;
}

std::vector<Problem> Document::problems() const {
  std::vector<Problem> out;
  if (!error.empty()) out.push_back({"document_backend", error});
  for (const auto& w : warnings) out.push_back({"document_backend", "warning: " + w});
  for (const auto& p : pages) {
    if (!p.ok) out.push_back({"pipeline", p.error, p.number});
    if (!p.warning.empty()) out.push_back({"pipeline", "warning: " + p.warning, p.number});
  }
  for (const auto& m : missing) {
    out.push_back({"pipeline", "pages " + describe_pages({m.pages}) + " not converted (" + m.reason + ")", m.pages.first});
  }
  return out;
}

long long Document::missing_pages() const {
  long long n = 0;
  for (const auto& m : missing) n += m.pages.count();
  return n;
}

int Document::failed_pages() const {
  int failed = 0;
  for (const auto& p : pages) failed += !p.ok;
  return failed;
}

}  // namespace pageflow
