// Form checkboxes drawn as small squares (not set as ☐ glyphs): a PDF's vector squares, a scan's
// printed boxes. Written into the text lines as the glyph they stand for, so that assembly reads
// them as it reads glyph checkboxes.
#pragma once

#include <string>
#include <vector>

#include "core/page.h"

namespace pageflow {

// What a page draws, in page points: small axis-aligned squares (stroked, or printed hollow), and
// the small shapes that are no rectangle (ticks and crosses drawn as lines, dingbat ticks).
struct DrawnShapes {
  std::vector<Box> squares;
  std::vector<Box> marks;
  std::vector<Box> dark_squares;  // small rectangles filled in a dark colour
};

enum class CheckboxState { none, empty, ticked };

// Whether a word is a box glyph (☐ ☒ ☑ ...), and ticked. Check marks alone (✓ ✔) are no boxes:
// lists use them as bullets.
CheckboxState checkbox_state(const std::string& word);

// Square, with sides of 4 to 24 points: a checkbox's shape.
bool is_checkbox_side(const Box& b);

// A square whose side is that of a checkbox (4-24 pt), alone (no square abutting it, as grid
// cells do) and holding no text but a tick or cross glyph, becomes a word "☐" — "☒" when a
// drawn mark, a dark fill or such a glyph lies inside it (the glyph is then dropped) — at its
// place in the line that runs through it or starts just right of it, in the line's reading
// order. A dark filled square of that size on the row of such a box (a form's chosen option
// beside the others' empty boxes) is a ticked box too. Squares beside no line stay out.
void place_drawn_checkboxes(std::vector<TextLine>& lines, const DrawnShapes& shapes);

}  // namespace pageflow
