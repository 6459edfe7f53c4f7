#include "core/checkboxes.h"

#include <algorithm>
#include <cmath>

#include "core/text.h"

namespace pageflow {

CheckboxState checkbox_state(const std::string& word) {
  const std::u32string glyphs = decode_utf8(word);
  if (glyphs.size() != 1) return CheckboxState::none;
  const char32_t c = glyphs[0];
  if (c == 0x2610 || c == 0x25A1 || c == 0x25FB || (c >= 0x274F && c <= 0x2752)) return CheckboxState::empty;
  if (c == 0x2611 || c == 0x2612 || c == 0x22A0 || c == 0x2327) return CheckboxState::ticked;
  return CheckboxState::none;
}

namespace {

// Grid cells are drawn one square beside the next; a checkbox stands apart.
bool abuts_another(const Box& square, const std::vector<Box>& squares) {
  const double near = 0.25 * square.width();
  for (const Box& other : squares) {
    if (&other == &square) continue;
    const bool same_box = std::abs(other.l - square.l) < 1 && std::abs(other.t - square.t) < 1 &&
                          std::abs(other.r - square.r) < 1 && std::abs(other.b - square.b) < 1;
    if (same_box) continue;  // drawn twice (a fill and its frame)
    const double dx = std::max(other.l - square.r, square.l - other.r);
    const double dy = std::max(other.t - square.b, square.t - other.b);
    if (dx < near && dy < near) return true;
  }
  return false;
}

bool is_tick_or_cross(const std::string& text) {
  const std::u32string glyphs = decode_utf8(text);
  if (glyphs.size() != 1) return false;
  const char32_t c = glyphs[0];
  // Symbol-font glyphs with no proper mapping come as control or private-use codes.
  return c == 'x' || c == 'X' || c == 0xD7 || (c >= 0x2713 && c <= 0x2718) || c < 0x20 || (c >= 0xE000 && c <= 0xF8FF);
}

bool inside(const Box& inner, const Box& outer) {
  const double slack = 0.2 * outer.width();
  return inner.l >= outer.l - slack && inner.r <= outer.r + slack && inner.t >= outer.t - slack &&
         inner.b <= outer.b + slack;
}

}  // namespace

bool is_checkbox_side(const Box& b) {
  const double w = b.width(), h = b.height();
  return w >= 4 && w <= 24 && h >= 4 && h <= 24 && std::max(w, h) <= 1.25 * std::min(w, h);
}

void place_drawn_checkboxes(std::vector<TextLine>& lines, const DrawnShapes& shapes) {
  struct Candidate {
    Box square;
    bool filled;
  };
  std::vector<Candidate> candidates;
  for (const Box& square : shapes.squares) {
    if (is_checkbox_side(square) && !abuts_another(square, shapes.squares)) candidates.push_back({square, false});
  }
  const size_t outlined = candidates.size();
  for (const Box& fill : shapes.dark_squares) {
    if (!is_checkbox_side(fill) || abuts_another(fill, shapes.dark_squares)) continue;
    const double cy = (fill.t + fill.b) / 2, side = fill.width();
    bool own_frame = false, beside_a_box = false;
    for (size_t k = 0; k < outlined; ++k) {
      const Box& box = candidates[k].square;
      own_frame = own_frame || inside(fill, box);
      const double apart = std::max(box.l - fill.r, fill.l - box.r);
      beside_a_box = beside_a_box || (cy > box.t && cy < box.b && apart < 12 * side);
    }
    if (!own_frame && beside_a_box) candidates.push_back({fill, true});
  }
  for (const Candidate& candidate : candidates) {
    const Box& square = candidate.square;
    // Text inside the square: a tick or cross glyph ticks it; anything else means a cell or a
    // frame around a letter, not a box to tick.
    bool holds_text = false, holds_tick = false;
    for (const TextLine& line : lines) {
      for (const Word& w : line.words) {
        if (centre_inside(w.box, square)) (is_tick_or_cross(w.text) ? holds_tick : holds_text) = true;
      }
    }
    if (holds_text) continue;
    const double cy = (square.t + square.b) / 2, side = square.width();
    // The line through the square's middle that contains it or starts within a few sides of it
    // (right of it; left of it in right-to-left script).
    const auto host = std::find_if(lines.begin(), lines.end(), [&](const TextLine& line) {
      if (cy < line.box.t || cy > line.box.b) return false;
      const double reach = std::max(12.0, 2.5 * side);
      const bool starts_after = rtl_balance(line.text) > 0
                                    ? line.box.r <= square.l + 1 && line.box.r >= square.l - reach
                                    : line.box.l >= square.r - 1 && line.box.l <= square.r + reach;
      const bool runs_through = square.l >= line.box.l && square.r <= line.box.r;
      return starts_after || runs_through;
    });
    if (host == lines.end()) continue;
    const auto within = [&](const Box& m) { return inside(m, square) && m.width() < 1.2 * side; };
    const bool ticked = candidate.filled || holds_tick || std::any_of(shapes.marks.begin(), shapes.marks.end(), within) ||
                        std::any_of(shapes.dark_squares.begin(), shapes.dark_squares.end(), within);
    auto& words = host->words;
    std::erase_if(words, [&](const Word& w) { return centre_inside(w.box, square); });
    const bool rtl = rtl_balance(host->text) > 0;
    const auto at = std::find_if(words.begin(), words.end(),
                                 [&](const Word& w) { return rtl ? w.box.r <= square.r : w.box.l >= square.l; });
    words.insert(at, Word{ticked ? "\u2612" : "\u2610", square});
    host->box = unite(host->box, square);
    join_words(*host);
    if (holds_tick) {
      // A tick glyph MuPDF put on a line of its own.
      for (TextLine& line : lines) {
        if (&line == &*host) continue;
        const size_t before = line.words.size();
        std::erase_if(line.words, [&](const Word& w) { return centre_inside(w.box, square); });
        if (line.words.size() != before && !line.words.empty()) join_words(line);
      }
      std::erase_if(lines, [](const TextLine& line) { return line.words.empty(); });
    }
  }
}

}  // namespace pageflow
