// Characters of the Windows symbol fonts that forms and lists set their boxes and bullets in.
// Such a font has no Unicode table of its own: a PDF gives its glyphs as the font's one-byte
// codes (a Wingdings "o" is an empty box) or, as Word writes them, as those codes moved into the
// private-use area (U+F06F). Either way the text would read as a stray letter or as a code no
// reader knows; Wingdings' box, tick and bullet glyphs and every Symbol glyph with a character
// of its own (Greek, arrows, operators) are given their Unicode characters instead.
#pragma once

#include <string_view>

namespace pageflow::pdf {

enum class SymbolFace { none, wingdings, symbol };

// The face a font name (with or without a subset prefix, "ABCDEF+Wingdings-Regular") names.
// Wingdings 2 and 3 order their glyphs otherwise and are none.
SymbolFace symbol_face(std::string_view font_name);

// The Unicode character of code `c` of `face`: for Wingdings when it is a box, tick, cross or
// bullet, for Symbol when Word wrote it (U+F020-U+F0FF); `c` itself otherwise.
char32_t symbol_character(SymbolFace face, char32_t c);

}  // namespace pageflow::pdf
