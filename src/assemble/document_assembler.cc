#include "assemble/document_assembler.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include "core/page.h"
#include "core/text.h"

namespace pageflow {

namespace {

double round_half(double v) { return std::round(v * 2) / 2; }

// The body text size: the size carrying most characters of running text.
double body_font_size(const std::vector<std::vector<Block>>& pages) {
  std::map<double, size_t> votes;
  for (const auto& blocks : pages) {
    for (const auto& b : blocks) {
      if (b.element.label == Label::text || b.element.label == Label::list_item) {
        votes[round_half(b.font_size)] += b.element.text.size();
      }
    }
  }
  if (votes.empty()) return 10;
  return std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
}

// Text with digits folded, so "Page 3" and "Page 4" are the same running header.
std::string furniture_key(const std::string& text) {
  std::string key;
  for (char c : normalize_space(text)) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      if (key.empty() || key.back() != '#') key += '#';
    } else {
      key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return key;
}

bool looks_like_page_number(const std::string& text) {
  static const std::regex pattern(
      R"(^[\s\-–—|(\[]*((page|p\.|seite|pág\.?)\s*)?([0-9]{1,4}|[ivxlcdm]{1,7})(\s*(of|/|von|de)\s*[0-9]{1,4})?[\s\-–—|)\]]*$)",
      std::regex::icase);
  return text.size() < 24 && std::regex_match(text, pattern);
}

// A footer line that carries its page number at one end ("Annual Report 2023 — 209", "12 |
// Chapter title"): short, no sentence, a number of at most four digits set apart at an end.
bool footer_with_page_number(const std::string& text) {
  static const std::regex pattern(R"(^([0-9]{1,4}\s*[|·•–—-]?\s+\D.*|.*\D\s+[|·•–—-]?\s*[0-9]{1,4})$)");
  const size_t words = split_words(text).size();
  return words >= 2 && words <= 12 && std::regex_match(text, pattern) && text.back() != '.';
}

// Furniture lives in the top and bottom bands of a page (`share` of its height each).
bool in_margin(const Element& e, double page_height, bool* top, double share = 0.12) {
  if (page_height <= 0) return false;
  const double band = share * page_height;
  *top = e.box.b < band + 0.0;
  return e.box.b < band || e.box.t > page_height - band;
}

// Vertical text in a side margin (an arXiv stamp, a spine title) is furniture even when it is
// large, and even when it appears on one page only.
bool vertical_in_side_margin(const Element& e, double page_width) {
  return looks_vertical(e.box, e.text) && page_width > 0 && (e.box.r < 0.12 * page_width || e.box.l > 0.88 * page_width);
}

// The detector's page_header/page_footer is trusted only where furniture lives: in the page
// margins, and not for large type that nothing repeats (a title at the top of page 1).
void unmark_implausible_furniture(Document& doc, std::vector<std::vector<Block>>& pages, double body,
                                  const std::map<std::string, std::set<size_t>>& pages_of_key) {
  for (size_t p = 0; p < pages.size(); ++p) {
    for (auto& b : pages[p]) {
      Element& e = b.element;
      if (!e.furniture() || vertical_in_side_margin(e, doc.pages[p].width)) continue;
      bool top = false;
      const bool margin = in_margin(e, doc.pages[p].height, &top);
      auto it = pages_of_key.find(furniture_key(e.text));
      const bool repeated = it != pages_of_key.end() && it->second.size() >= 2;
      // In a multi-page document a running header repeats; one that does not is content.
      const bool unique_in_document = pages.size() >= 2 && !repeated && !looks_like_page_number(e.text);
      if (!margin || unique_in_document || (b.font_size >= 1.15 * body && !repeated)) e.label = Label::text;
    }
  }
}

std::map<std::string, std::set<size_t>> margin_texts(const Document& doc, const std::vector<std::vector<Block>>& pages) {
  std::map<std::string, std::set<size_t>> pages_of_key;
  for (size_t p = 0; p < pages.size(); ++p) {
    for (const auto& b : pages[p]) {
      bool top = false;
      if (!b.element.text.empty() && in_margin(b.element, doc.pages[p].height, &top)) {
        pages_of_key[furniture_key(b.element.text)].insert(p);
      }
    }
  }
  return pages_of_key;
}

void mark_furniture(Document& doc, std::vector<std::vector<Block>>& pages,
                    std::map<std::string, std::set<size_t>>& pages_of_key) {
  const size_t repeat_at_least = std::max<size_t>(2, (pages.size() + 3) / 4);
  for (size_t p = 0; p < pages.size(); ++p) {
    for (auto& b : pages[p]) {
      Element& e = b.element;
      if (e.label == Label::picture || e.label == Label::table || e.furniture()) continue;
      bool top = false;
      // Page numbers sit lower than running headers on many layouts: a wider band for them.
      if (!in_margin(e, doc.pages[p].height, &top, looks_like_page_number(e.text) ? 0.16 : 0.12)) continue;
      const bool repeated = pages.size() >= 2 && pages_of_key[furniture_key(e.text)].size() >= repeat_at_least;
      if (repeated || looks_like_page_number(e.text) || (!top && footer_with_page_number(e.text))) {
        e.label = top ? Label::page_header : Label::page_footer;
      }
    }
  }
}

bool ends_like_sentence(const std::string& text) {
  // "etc." closes a list, which headings have too ("1.8 R commands, case sensitivity, etc.").
  if (text.empty() || text.ends_with(" etc.")) return false;
  const std::u32string letters = decode_utf8(text);
  const char32_t last = letters.back();
  // Arabic question mark, comma and full stop, and the ideographic full stop, too.
  return last == '.' || last == ':' || last == ';' || last == ',' || last == '!' || last == '?' || last == 0x61F ||
         last == 0x60C || last == 0x6D4 || last == 0x3002;
}

// The first strong letter is Hebrew or Arabic.
bool reads_right_to_left(const std::string& text) {
  for (char32_t c : decode_utf8(text)) {
    if (is_rtl_letter(c)) return true;
    if (is_ltr_strong(c) && !(c >= '0' && c <= '9')) return false;
  }
  return false;
}

size_t word_count(const std::string& text) { return split_words(text).size(); }

// A letter of any script: not a digit, a space or punctuation (CJK and Hangul count).
bool is_letter(char32_t c) {
  return (is_ltr_strong(c) && !(c >= '0' && c <= '9')) || is_rtl_letter(c) || c >= 0x1100;
}

bool has_letters(const std::string& text) {
  const std::u32string chars = decode_utf8(text);
  return std::any_of(chars.begin(), chars.end(), is_letter);
}

// A form's labels: short blocks that each have another block on their row where their reading
// ends (right of them, or left in right-to-left text), no taller than a few of their lines (the
// field's value), two of them at least with their starts aligned. A heading has its row to itself
// in its column; a section number beside it stands where its reading starts; a neighbouring
// column's paragraph is taller, or beside one heading only.
std::vector<bool> field_labels(const std::vector<Block>& blocks) {
  std::vector<bool> paired(blocks.size(), false);
  std::vector<bool> rtl(blocks.size(), false);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Element& e = blocks[i].element;
    if (e.furniture() || word_count(e.text) > 14 || !has_letters(e.text)) continue;
    rtl[i] = reads_right_to_left(e.text);
    paired[i] = std::any_of(blocks.begin(), blocks.end(), [&](const Block& other) {
      const Element& o = other.element;
      if (&o == &e || o.furniture() || o.text.empty() || (o.label != Label::text && o.label != Label::list_item &&
                                                          o.label != Label::checkbox_selected && o.label != Label::checkbox_unselected)) {
        return false;
      }
      const double overlap = std::min(e.box.b, o.box.b) - std::max(e.box.t, o.box.t);
      const bool after = rtl[i] ? o.box.r <= e.box.l : o.box.l >= e.box.r;
      return after && overlap >= 0.5 * std::min(e.box.height(), o.box.height()) && o.box.height() <= 3 * e.box.height();
    });
  }
  std::vector<bool> labels(blocks.size(), false);
  for (size_t i = 0; i < blocks.size(); ++i) {
    for (size_t j = 0; j < blocks.size() && paired[i] && !labels[i]; ++j) {
      const Box &a = blocks[i].element.box, &b = blocks[j].element.box;
      labels[i] = j != i && paired[j] && rtl[i] == rtl[j] && std::abs(rtl[i] ? a.r - b.r : a.l - b.l) <= 3;
    }
  }
  return labels;
}

// Words in title case ("Boots Self-Locking Nut"): every word of four letters or more starts with a
// capital, two of them at least; short function words may not.
bool title_case(const std::string& text) {
  size_t capitalised = 0;
  for (const auto& word : split_words(text)) {
    const std::u32string letters = decode_utf8(word);
    if (letters.size() < 4 || !is_letter(letters.front())) continue;
    if (!(letters.front() >= 'A' && letters.front() <= 'Z')) return false;
    ++capitalised;
  }
  return capitalised >= 2;
}

// A short line in capitals standing alone: OCR loses weight and its sizes are coarse, so this is
// how a scanned page shows most of its headings.
bool capitals_heading(const Element& e) { return e.from_ocr && short_in_capitals(e.text); }

// An item read as something else (a heading, a footnote): its marker is part of its text again.
void relabel_item(Element& e, Label label) {
  if (!e.marker.empty()) e.text = e.marker + " " + e.text;
  e.label = label;
  e.marker.clear();
  e.ordered = false;
  e.level = 0;
}

// A numbered line with no item of a list beside it ("0. PREAMBLE" or "1. Interpretation" over its
// paragraphs, as licences and contracts number their sections) is a candidate heading like any
// line standing alone, not a list of one item.
bool lone_numbered_item(const std::vector<Block>& blocks, size_t index) {
  const Element& e = blocks[index].element;
  auto item_at = [&](size_t k) { return k < blocks.size() && blocks[k].element.label == Label::list_item; };
  return e.label == Label::list_item && e.ordered && !e.marker.empty() && !(index > 0 && item_at(index - 1)) &&
         !item_at(index + 1);
}

// More digits than anything else: a number, a date, an ISSN or a registration line.
bool mostly_digits(const std::string& text) {
  size_t digits = 0, other = 0;
  for (char32_t c : decode_utf8(text)) {
    if (is_space(c)) continue;
    (c >= '0' && c <= '9' ? digits : other) += 1;
  }
  return digits > 0 && digits * 2 >= other;
}

// "a2 + 8 = 12", "E = mc²": an equals sign between operands and little prose.
bool looks_like_equation(const std::string& text) {
  static const std::regex pattern(R"(^[^=]{1,40}\s=\s[^=]{1,40}$)");
  return word_count(text) <= 12 && std::regex_match(text, pattern) && !ends_like_sentence(text);
}

// The numbering scheme a heading starts with ("1.2", "(3)", "IV.", "b)"), with the numbers
// folded so that siblings share it; empty when the text starts with no number.
std::string numbering_scheme(const std::string& text) {
  static const std::regex scheme(R"(^(\(?)([0-9]{1,2}|[ivxIVX]{1,4}|[a-zA-Z])((\.[0-9]{1,2})*)([.)]?)\s)");
  std::smatch m;
  if (!std::regex_search(text, m, scheme)) return "";
  const std::string n = m[2].str();
  const char kind = std::isdigit(static_cast<unsigned char>(n[0])) ? '9' : n.size() > 1 ? 'v' : 'a';
  const size_t depth = static_cast<size_t>(std::count(m[3].first, m[3].second, '.'));
  return m[1].str() + kind + std::string(depth, '.') + m[5].str();
}

// Numbered headings come in sibling sets: when the detector (or typography) made "(2)" and "(3)"
// headings, a "(1)" in the same type that it missed is one too.
void promote_numbered_siblings(std::vector<std::vector<Block>>& pages, std::vector<Block*>& headings) {
  std::map<std::string, std::set<std::pair<double, bool>>> styles;  // scheme -> (size, bold)
  std::map<std::string, int> count;
  for (const Block* h : headings) {
    const std::string scheme = numbering_scheme(h->element.text);
    if (scheme.empty()) continue;
    styles[scheme].insert({round_half(h->font_size), h->bold});
    ++count[scheme];
  }
  for (auto& blocks : pages) {
    for (auto& b : blocks) {
      Element& e = b.element;
      // An enumerated list item is a candidate too: "(1) Title" reads like a list marker.
      const bool item = e.label == Label::list_item && e.ordered && !e.marker.empty();
      // A question numbered and set like the headings is one (an FAQ's "7.28 Why is ...?"); other
      // questions stay text, as form questions do.
      const bool question = !e.text.empty() && e.text.back() == '?';
      if ((e.label != Label::text && !item) || word_count(e.text) > 14 || (ends_like_sentence(e.text) && !question)) {
        continue;
      }
      const std::string scheme = numbering_scheme(item ? e.marker + " " + e.text : e.text);
      if (scheme.empty() || count[scheme] < 2 || !styles[scheme].count({round_half(b.font_size), b.bold})) continue;
      relabel_item(e, Label::section_header);
      headings.push_back(&b);
    }
  }
}

// How many numbers a heading's section number has: "1. Introduction" 1, "1.1. Version" 2, "2.3.4
// Limits" 3; 0 without one.
int section_number_depth(const std::string& text) {
  static const std::regex number(R"(^[0-9]{1,2}((\.[0-9]{1,2})*)\.?\s)");
  std::smatch m;
  if (!std::regex_search(text, m, number)) return 0;
  return 1 + static_cast<int>(std::count(m[1].first, m[1].second, '.'));
}

// Headings set alike but numbered to different depths ("1. Introduction" and "1.1. Version" in
// one type) are different levels: one level down per number beyond the shallowest of their type.
void deepen_by_numbering(const std::vector<Block*>& headings) {
  std::vector<int> depth(headings.size(), 0);  // 0: no section number, or not a section heading
  std::map<int, int> shallowest;               // level -> least section-number depth at that level
  for (size_t i = 0; i < headings.size(); ++i) {
    const Element& e = headings[i]->element;
    if (e.label != Label::section_header) continue;
    depth[i] = section_number_depth(e.text);
    if (depth[i] == 0) continue;
    auto [it, added] = shallowest.emplace(e.level, depth[i]);
    if (!added) it->second = std::min(it->second, depth[i]);
  }
  for (size_t i = 0; i < headings.size(); ++i) {
    Element& e = headings[i]->element;
    if (depth[i] > 0) e.level = std::min(6, e.level + depth[i] - shallowest[e.level]);
  }
}

// A short line at the head of a page set right over a heading in much larger type is its kicker (a
// cover's "Front cover" band, a "Case study" label over an article's title), not a section of its
// own. One that carries a number ("Chapter 3", "Part II") is the section's number and stays.
void unmark_kickers(const Document& doc, std::vector<Block*>& headings) {
  constexpr size_t kMostKickerWords = 6;
  std::map<int, double> page_height;
  for (const PageResult& page : doc.pages) page_height[page.number] = page.height;
  std::map<int, std::vector<const Block*>> on_page;  // each page's headings, in the list's order
  for (const Block* h : headings) on_page[h->element.page].push_back(h);
  const auto kicker = [&](const Block* h) {
    const Element& e = h->element;
    bool top = false;
    if (h->font_size <= 0 || word_count(e.text) > kMostKickerWords || !in_margin(e, page_height[e.page], &top) || !top ||
        std::any_of(e.text.begin(), e.text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    const auto& page = on_page[e.page];
    const auto next = std::find_if(page.begin(), page.end(), [&](const Block* other) { return other->element.box.t > e.box.b; });
    return next != page.end() && (*next)->font_size >= 1.3 * h->font_size &&
           (*next)->element.box.t - e.box.b <= (*next)->font_size;
  };
  std::vector<Block*> kickers;
  for (Block* h : headings) {
    if (kicker(h)) kickers.push_back(h);
  }
  for (Block* h : kickers) h->element.label = Label::text;
  std::erase_if(headings, [&](Block* h) { return std::find(kickers.begin(), kickers.end(), h) != kickers.end(); });
}

// Decides which blocks are headings and at which level.
void assign_headings(const Document& doc, std::vector<std::vector<Block>>& pages, double body) {
  std::vector<Block*> headings, in_body_type;
  for (auto& blocks : pages) {
    const std::vector<bool> labels = field_labels(blocks);
    for (size_t index = 0; index < blocks.size(); ++index) {
      Block& b = blocks[index];
      Element& e = b.element;
      const size_t words = word_count(e.text);
      if (looks_like_equation(e.text) && (e.label == Label::section_header || e.label == Label::text)) {
        e.label = Label::formula;  // a display formula set large or bold is no heading
        continue;
      }
      if (e.label == Label::section_header) {
        // The detector's heading class also fires on short bold paragraphs, on notes in small
        // type, on colophon lines (issue and registration numbers), on a form's labels, and on
        // the end of a sentence carried over to the top of a page (it starts in lower case, in
        // the body's type).
        const bool small = !e.from_ocr && b.font_size > 0 && b.font_size < 0.85 * body;
        const bool carried_over = starts_lower(e.text) && numbering_scheme(e.text).empty() && !b.bold &&
                                  b.font_size < 1.15 * body;
        if (words > 30 || !has_letters(e.text) || small || carried_over || mostly_digits(e.text) || labels[index] ||
            b.spans_gutter) {
          e.label = Label::text;
          continue;
        }
      } else if (const bool item = lone_numbered_item(blocks, index); e.label == Label::text || item) {
        const bool larger = b.font_size >= 1.15 * body;
        // A size OCR measured from the x-height reads a face with a smaller one (a sans-serif
        // heading over serif text) a little small.
        const double body_size = (e.from_ocr ? 0.9 : 0.95) * body;
        const bool bold_standalone = b.bold && b.font_size >= body_size;
        // An italic title-case line standing alone: a run-in heading of manuals and papers.
        const bool italic_title = b.italic && b.font_size >= body_size && words <= 8 && title_case(e.text);
        const bool set_apart = larger || bold_standalone || italic_title;
        // Capitals make the heading of a numbered section even in body type.
        const bool capitals = capitals_heading(e) || (item && short_in_capitals(e.text));
        if (!(set_apart || capitals) || words == 0 || words > 14 || ends_like_sentence(e.text) ||
            starts_lower(e.text) || !has_letters(e.text) || mostly_digits(e.text) || labels[index] || b.spans_gutter) {
          continue;
        }
        relabel_item(e, Label::section_header);
        // Numbered headings in the body's type make no sibling set: its type would take in
        // every short numbered item of the document.
        if (!set_apart && !e.from_ocr) {
          in_body_type.push_back(&b);
          continue;
        }
      } else {
        continue;
      }
      headings.push_back(&b);
    }
  }
  promote_numbered_siblings(pages, headings);
  unmark_kickers(doc, headings);
  headings.insert(headings.end(), in_body_type.begin(), in_body_type.end());
  if (headings.empty()) return;
  // Larger type is a higher level; headings at body size share the deepest level.
  std::set<double, std::greater<>> sizes;
  for (const Block* h : headings) {
    if (h->font_size >= 1.15 * body) sizes.insert(round_half(h->font_size));
  }
  // OCR measures a size to a few per cent: sizes within an eighth of a level's largest share it.
  const bool measured = std::any_of(headings.begin(), headings.end(), [](const Block* h) { return h->element.from_ocr; });
  std::map<double, int> level_of;
  int level = 0;
  double level_size = 0;
  for (double s : sizes) {
    if (level == 0 || !measured || s * 1.125 < level_size) {
      ++level;
      level_size = s;
    }
    level_of[s] = std::min(level, 5);
  }
  const int deepest = std::min(level + 1, 6);
  for (Block* h : headings) {
    auto it = level_of.find(round_half(h->font_size));
    h->element.level = it != level_of.end() ? it->second : deepest;
  }
  // The title: the first page's first heading, when it is the largest heading, the only one of
  // its level (PART I over PART II and PART III is the first of three parts), and clearly larger
  // than the body text.
  const auto level_one = std::count_if(headings.begin(), headings.end(), [](const Block* h) { return h->element.level == 1; });
  for (Block* h : headings) {
    if (h->element.page != headings.front()->element.page) break;
    const auto top = level_of.find(round_half(h->font_size));
    if (h == headings.front() && top != level_of.end() && top->second == 1 && level_one == 1 &&
        h->font_size >= 1.3 * body) {
      h->element.label = Label::title;
      h->element.level = 0;
      for (Block* other : headings) {
        if (other != h && other->element.label == Label::section_header) {
          other->element.level = std::max(1, other->element.level - (level > 1 ? 1 : 0));
        }
      }
    }
    break;
  }
  deepen_by_numbering(headings);
}

// Letters of a title without its numbering or the words that introduce it ("Chapter 9: Loops"
// and "9 Loops" share "loops"), and without spaces (OCR loses some).
std::string title_key(const std::string& text) {
  std::string key;
  for (const auto& word : split_words(text)) {
    std::string letters;
    for (char32_t c : decode_utf8(word)) {
      if (is_letter(c)) append_utf8(letters, c < 128 ? static_cast<char32_t>(std::tolower(static_cast<int>(c))) : c);
    }
    if (letters.empty() || letters == "chapter" || letters == "section" || letters == "part" || letters == "appendix") continue;
    key += letters;
  }
  return key;
}

// A running title echoes a heading of an earlier page in the margin band ("Chapter 9: Loops"
// above the pages of chapter 9): in the narrow band, or in the wider one when set in smaller
// type than the heading (a heading repeated at the top of a page is as large as it was); a
// copyright line at the foot of a page is furniture too. Both survive the repetition test when
// a chapter spans few pages or the document is one page.
struct FirstHeading {
  size_t page;
  double font_size;
};

// The heading whose title key is `key`, or one a letter or two longer or shorter at the end (OCR
// drops or adds a last letter); null if none.
const FirstHeading* echoed_heading(const std::map<std::string, FirstHeading>& headings, const std::string& key) {
  if (key.empty()) return nullptr;
  if (auto it = headings.find(key); it != headings.end()) return &it->second;
  if (key.size() < 12) return nullptr;
  const size_t slack = key.size() / 10;
  for (auto it = headings.lower_bound(key); it != headings.end() && it->first.starts_with(key); ++it) {
    if (it->first.size() <= key.size() + slack) return &it->second;
  }
  for (size_t cut = 1; cut <= slack; ++cut) {
    if (auto it = headings.find(key.substr(0, key.size() - cut)); it != headings.end()) return &it->second;
  }
  return nullptr;
}

void mark_running_titles(Document& doc, std::vector<std::vector<Block>>& pages) {
  std::map<std::string, FirstHeading> first_heading;
  for (size_t p = 0; p < pages.size(); ++p) {
    for (auto& b : pages[p]) {
      Element& e = b.element;
      const bool heading = e.label == Label::section_header || e.label == Label::title;
      const bool candidate = heading || e.label == Label::text;
      bool top = false;
      if (candidate && in_margin(e, doc.pages[p].height, &top)) {
        bool narrow_band_top = false;
        const bool narrow_band = in_margin(e, doc.pages[p].height, &narrow_band_top, 0.08);
        const std::string key = title_key(e.text);
        const FirstHeading* earlier = echoed_heading(first_heading, key);
        const bool echo = earlier && earlier->page < p && (narrow_band || b.font_size < 0.8 * earlier->font_size);
        static const std::regex copyright(R"(^(©|\(c\)|copyright)\s*)", std::regex::icase);
        if (echo || (narrow_band && !top && std::regex_search(e.text, copyright))) {
          e.label = top ? Label::page_header : Label::page_footer;
          e.level = 0;
          continue;
        }
      }
      if (heading) first_heading.try_emplace(title_key(e.text), FirstHeading{p, b.font_size});
    }
  }
}

// A heading in the bottom band with no content under it is the page's footer line: a heading
// introduces what follows it, and typesetting keeps a heading off the foot of a page.
void mark_headings_at_the_foot(Document& doc, std::vector<std::vector<Block>>& pages) {
  for (size_t p = 0; p < pages.size(); ++p) {
    for (auto& b : pages[p]) {
      Element& e = b.element;
      if ((e.label != Label::section_header && e.label != Label::title) || e.box.t < 0.92 * doc.pages[p].height) continue;
      const bool content_below = std::any_of(pages[p].begin(), pages[p].end(), [&](const Block& other) {
        return &other != &b && !other.element.furniture() && other.element.box.t >= e.box.b;
      });
      if (!content_below) e.label = Label::page_footer;
    }
  }
}

// A short line beside a running header or footer, on its row in the margin band ("KDD '22,
// Washington" right of the paper's running title), belongs to it.
void mark_furniture_rows(Document& doc, std::vector<std::vector<Block>>& pages) {
  for (size_t p = 0; p < pages.size(); ++p) {
    for (auto& b : pages[p]) {
      Element& e = b.element;
      bool top = false;
      if (e.label != Label::text || word_count(e.text) > 12 || !in_margin(e, doc.pages[p].height, &top)) continue;
      for (const auto& other : pages[p]) {
        const Element& f = other.element;
        if (f.label != Label::page_header && f.label != Label::page_footer) continue;
        const double overlap = std::min(e.box.b, f.box.b) - std::max(e.box.t, f.box.t);
        if (overlap >= 0.5 * std::min(e.box.height(), f.box.height())) {
          e.label = f.label;
          break;
        }
      }
    }
  }
}

void mark_footnotes(Document& doc, std::vector<std::vector<Block>>& pages, double body) {
  static const std::regex marker(R"(^(\(?[0-9]{1,3}\)?|[*†‡§¹²³⁴⁵⁶⁷⁸⁹])\s*\S)");
  for (size_t p = 0; p < pages.size(); ++p) {
    for (auto& b : pages[p]) {
      Element& e = b.element;
      // "* Research office, ..." under an author's asterisk was read as a one-item bulleted list.
      const bool symbol_item = e.label == Label::list_item && !e.ordered &&
                               (e.marker == "*" || e.marker == "†" || e.marker == "‡");
      if ((e.label != Label::text && !symbol_item) || b.font_size <= 0 || b.font_size > 0.85 * body) continue;
      if (e.box.t < 0.6 * doc.pages[p].height) continue;
      if (symbol_item) {
        relabel_item(e, Label::footnote);
      } else if (std::regex_search(e.text, marker)) {
        e.label = Label::footnote;
      }
    }
  }
}

// A title as a bookmark and its heading are compared: lower case, letters and digits only (other
// ASCII signs are spaces, so "1.1" is "1 1"), spaces folded.
std::string outline_key(std::string_view text) {
  std::string key;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool kept = u >= 0x80 || std::isalnum(u);
    if (kept) {
      key += static_cast<char>(std::tolower(u));
    } else if (!key.empty() && key.back() != ' ') {
      key += ' ';
    }
  }
  if (!key.empty() && key.back() == ' ') key.pop_back();
  return key;
}

// The key without the section number in front ("1 1 ", "part ii ", "chapter 3 ", "a "): a
// bookmark often leaves the number out, or the heading sets it apart.
std::string without_number(const std::string& key) {
  static const std::set<std::string> kNumberWords = {"part", "chapter", "section", "article", "appendix", "annex"};
  auto is_number = [](const std::string& token) {
    const bool digits = std::all_of(token.begin(), token.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool roman = token.size() <= 5 && token.find_first_not_of("ivxlc") == std::string::npos;
    return digits || roman || token.size() == 1;
  };
  const std::vector<std::string> tokens = split_words(key);
  size_t skip = 0;
  if (!tokens.empty() && kNumberWords.count(tokens[0]) && tokens.size() > 1 && is_number(tokens[1])) skip = 1;
  while (skip < tokens.size() && is_number(tokens[skip])) ++skip;
  if (skip == 0 || skip == tokens.size()) return key;
  std::string rest;
  for (size_t k = skip; k < tokens.size(); ++k) rest += (rest.empty() ? "" : " ") + tokens[k];
  return rest;
}

// How well a block's text answers an outline entry: 2 when the two read the same (with or without
// their numbers), 1 when a heading's text holds the bookmark's or the other way round (a bookmark
// is often cut short), 0 otherwise. Text that is not yet a heading must read the same.
int outline_match(const Element& e, const std::string& entry_key) {
  const std::string key = outline_key(e.marker.empty() ? e.text : e.marker + " " + e.text);
  if (key.empty() || entry_key.empty()) return 0;
  const std::string forms[] = {key, without_number(key)}, entry_forms[] = {entry_key, without_number(entry_key)};
  bool holds = false;
  for (const std::string& a : forms) {
    for (const std::string& b : entry_forms) {
      if (a == b) return 2;
      holds = holds || (a.size() >= 4 && b.size() >= 4 && (a.find(b) != std::string::npos || b.find(a) != std::string::npos));
    }
  }
  const bool heading = e.label == Label::section_header || e.label == Label::title;
  return heading && holds ? 1 : 0;
}

// The PDF's outline is its own table of contents, the surest sign of its hierarchy (docling's
// heading hierarchy reads it first too): each bookmark takes the block on its page that reads
// as it (the nearest to where it points, on a tie), which becomes a heading at the bookmark's
// depth; the depths used are numbered 1, 2, ... from the top. A title the outline holds stays
// the title when it is the one entry at the top depth. Text beside a page number is a running
// title, never the heading a bookmark points to.
void levels_from_outline(const Document& doc, std::vector<std::vector<Block>>& pages) {
  if (doc.outline.empty()) return;
  std::map<int, std::vector<Block*>> on_page;
  for (auto& blocks : pages) {
    for (auto& b : blocks) {
      const Label l = b.element.label;
      auto beside_furniture = [&] {
        return std::any_of(blocks.begin(), blocks.end(), [&](const Block& other) {
          const Label o = other.element.label;
          return (o == Label::page_header || o == Label::page_footer) && same_row(other.element.box, b.element.box);
        });
      };
      const bool heading = l == Label::section_header || l == Label::title;
      if (heading || ((l == Label::text || l == Label::list_item) && !beside_furniture())) {
        on_page[b.element.page].push_back(&b);
      }
    }
  }
  std::vector<std::pair<Block*, int>> matched;  // block, depth
  std::set<const Block*> claimed;
  for (const OutlineEntry& entry : doc.outline) {
    const auto candidates = on_page.find(entry.page);
    if (candidates == on_page.end()) continue;
    const std::string entry_key = outline_key(entry.title);
    Block* best = nullptr;
    int best_score = 0;
    double best_distance = 0;
    for (Block* b : candidates->second) {
      const int score = claimed.count(b) ? 0 : outline_match(b->element, entry_key);
      const double distance = entry.top >= 0 ? std::abs(b->element.box.t - entry.top) : 0;
      if (score > best_score || (score > 0 && score == best_score && distance < best_distance)) {
        best = b;
        best_score = score;
        best_distance = distance;
      }
    }
    if (!best) continue;
    claimed.insert(best);
    matched.emplace_back(best, entry.depth);
  }
  if (matched.empty()) return;
  const int top_depth = std::min_element(matched.begin(), matched.end(), [](auto& a, auto& b) { return a.second < b.second; })->second;
  const auto at_top = std::count_if(matched.begin(), matched.end(), [&](auto& m) { return m.second == top_depth; });
  std::set<int> depths;
  for (auto& [block, depth] : matched) {
    const bool stays_title = block->element.label == Label::title && depth == top_depth && at_top == 1;
    if (stays_title) block = nullptr;
    else depths.insert(depth);
  }
  for (auto& [block, depth] : matched) {
    if (!block) continue;
    Element& e = block->element;
    if (e.label != Label::section_header) relabel_item(e, Label::section_header);
    e.level = std::min(6, 1 + static_cast<int>(std::distance(depths.begin(), depths.find(depth))));
  }
}

}  // namespace

void assemble_document(Document& doc, std::vector<std::vector<Block>>& pages) {
  const double body = body_font_size(pages);
  auto pages_of_key = margin_texts(doc, pages);
  unmark_implausible_furniture(doc, pages, body, pages_of_key);
  mark_furniture(doc, pages, pages_of_key);
  assign_headings(doc, pages, body);
  mark_headings_at_the_foot(doc, pages);
  mark_running_titles(doc, pages);
  mark_furniture_rows(doc, pages);
  mark_footnotes(doc, pages, body);
  levels_from_outline(doc, pages);

  doc.elements.clear();
  for (auto& blocks : pages) {
    const size_t first = doc.elements.size();
    for (auto& b : blocks) doc.elements.push_back(std::move(b.element));
    for (size_t k = 0; k < blocks.size(); ++k) {
      if (blocks[k].caption_target >= 0) {
        doc.elements[first + k].caption_of = static_cast<int>(first) + blocks[k].caption_target;
      }
    }
  }
}

}  // namespace pageflow
