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

namespace {

// Adobe's Symbol encoding from 0x20 on, as Unicode; 0 where the glyph is a piece of a large
// bracket, radical or extender that has no character of its own.
constexpr std::array<char32_t, 224> kAdobeSymbol = {
    0x0020, 0x0021, 0x2200, 0x0023, 0x2203, 0x0025, 0x0026, 0x220B,  // 0x20
    0x0028, 0x0029, 0x2217, 0x002B, 0x002C, 0x2212, 0x002E, 0x002F,
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037,  // 0x30
    0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F,
    0x2245, 0x0391, 0x0392, 0x03A7, 0x0394, 0x0395, 0x03A6, 0x0393,  // 0x40
    0x0397, 0x0399, 0x03D1, 0x039A, 0x039B, 0x039C, 0x039D, 0x039F,
    0x03A0, 0x0398, 0x03A1, 0x03A3, 0x03A4, 0x03A5, 0x03C2, 0x03A9,  // 0x50
    0x039E, 0x03A8, 0x0396, 0x005B, 0x2234, 0x005D, 0x22A5, 0x005F,
    0,      0x03B1, 0x03B2, 0x03C7, 0x03B4, 0x03B5, 0x03C6, 0x03B3,  // 0x60
    0x03B7, 0x03B9, 0x03D5, 0x03BA, 0x03BB, 0x03BC, 0x03BD, 0x03BF,
    0x03C0, 0x03B8, 0x03C1, 0x03C3, 0x03C4, 0x03C5, 0x03D6, 0x03C9,  // 0x70
    0x03BE, 0x03C8, 0x03B6, 0x007B, 0x007C, 0x007D, 0x223C, 0,
    0,      0,      0,      0,      0,      0,      0,      0,       // 0x80
    0,      0,      0,      0,      0,      0,      0,      0,
    0,      0,      0,      0,      0,      0,      0,      0,       // 0x90
    0,      0,      0,      0,      0,      0,      0,      0,
    0x20AC, 0x03D2, 0x2032, 0x2264, 0x2044, 0x221E, 0x0192, 0x2663,  // 0xA0
    0x2666, 0x2665, 0x2660, 0x2194, 0x2190, 0x2191, 0x2192, 0x2193,
    0x00B0, 0x00B1, 0x2033, 0x2265, 0x00D7, 0x221D, 0x2202, 0x2022,  // 0xB0
    0x00F7, 0x2260, 0x2261, 0x2248, 0x2026, 0,      0,      0x21B5,
    0x2135, 0x2111, 0x211C, 0x2118, 0x2297, 0x2295, 0x2205, 0x2229,  // 0xC0
    0x222A, 0x2283, 0x2287, 0x2284, 0x2282, 0x2286, 0x2208, 0x2209,
    0x2220, 0x2207, 0x00AE, 0x00A9, 0x2122, 0x220F, 0x221A, 0x22C5,  // 0xD0
    0x00AC, 0x2227, 0x2228, 0x21D4, 0x21D0, 0x21D1, 0x21D2, 0x21D3,
    0x25CA, 0x27E8, 0x00AE, 0x00A9, 0x2122, 0x2211, 0,      0,       // 0xE0
    0,      0,      0,      0,      0,      0,      0,      0,
    0,      0x27E9, 0x222B, 0x2320, 0,      0x2321, 0,      0,       // 0xF0
    0,      0,      0,      0,      0,      0,      0,      0,
};

}  // namespace

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
  // Symbol only as Word writes it, in the private-use area: a one-byte code may be what a
  // ToUnicode table meant (0xB7 a middle dot, 0x61 an "a").
  if (face == SymbolFace::symbol) {
    if (c == code) return c;
    const char32_t mapped = kAdobeSymbol[code - 0x20];
    return mapped != 0 ? mapped : c;
  }
  for (const auto& [from, to] : kWingdings) {
    if (from == code) return to;
  }
  return c;
}

}  // namespace pageflow::pdf
