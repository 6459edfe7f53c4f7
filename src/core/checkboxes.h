// Form checkboxes drawn as small squares (not set as ☐ glyphs): a PDF's vector squares, a scan's
// printed boxes. Written into the text lines as the glyph they stand for, so that assembly reads
// them as it reads glyph checkboxes.
#pragma once

#include <vector>

#include "core/page.h"

namespace pageflow {

// What a page draws, in page points: small axis-aligned squares (stroked, or printed hollow), and
// the small shapes that are no rectangle (ticks and crosses drawn as lines, dingbat ticks).
struct DrawnShapes {
  std::vector<Box> squares;
  std::vector<Box> marks;
};

// A square whose side is that of a checkbox (4-24 pt), alone (no square abutting it, as grid
// cells do) and holding no text but a tick or cross glyph, becomes a word "☐" — "☒" when a
// drawn mark or such a glyph lies inside it (the glyph is then dropped) — at its place in the
// line that runs through it or starts just right of it. Squares beside no line stay out.
void place_drawn_checkboxes(std::vector<TextLine>& lines, const DrawnShapes& shapes);

}  // namespace pageflow
