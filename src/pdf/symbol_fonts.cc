#include "pdf/symbol_fonts.h"

#include <array>
#include <utility>

namespace pageflow::pdf {

SymbolFace symbol_face(std::string_view font_name) {
  if (const size_t plus = font_name.find('+'); plus != std::string_view::npos) font_name.remove_prefix(plus + 1);
  if (font_name.starts_with("Wingdings")) {
    std::string_view rest = font_name.substr(9);
    if (rest.starts_with(' ') || rest.starts_with('-')) rest.remove_prefix(1);
    return rest.starts_with('2') || rest.starts_with('3') ? SymbolFace::none : SymbolFace::wingdings;
  }
  if (font_name.starts_with("Symbol")) return SymbolFace::symbol;
  return SymbolFace::none;
}

char32_t symbol_character(SymbolFace face, char32_t c) {
  if (face == SymbolFace::none) return c;
  // Word's private-use copies of the one-byte codes.
  const char32_t code = c >= 0xF020 && c <= 0xF0FF ? c - 0xF000 : c;
  if (code < 0x20 || code > 0xFF) return c;
  // Unicode 7's mapping of Wingdings, for the glyphs lists and forms use.
  static constexpr std::array<std::pair<char32_t, char32_t>, 15> kWingdings = {{
      {0x6C, 0x25CF},  // l: black circle
      {0x6E, 0x25A0},  // n: black square
      {0x6F, 0x25A1},  // o: white square (an empty box)
      {0x71, 0x2751},  // q: shadowed white square
      {0x72, 0x2752},  // r: shadowed white square
      {0x75, 0x25C6},  // u: black diamond
      {0x76, 0x2756},  // v: black diamond minus white X
      {0x78, 0x2327},  // x: X in a rectangle box
      {0xA7, 0x25AA},  // small black square
      {0xA8, 0x25FB},  // white medium square
      {0xD8, 0x27A2},  // three-D top-lighted rightwards arrowhead
      {0xFB, 0x2717},  // ballot X
      {0xFC, 0x2713},  // check mark
      {0xFD, 0x2612},  // ballot box with X
      {0xFE, 0x2611},  // ballot box with check
  }};
  // Symbol's bullet only as Word writes it: a one-byte 0xB7 may be a ToUnicode table's middle dot.
  if (face == SymbolFace::symbol) return c == 0xF0B7 ? 0x2022 : c;
  for (const auto& [from, to] : kWingdings) {
    if (from == code) return to;
  }
  return c;
}

}  // namespace pageflow::pdf
