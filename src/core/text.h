// Small Unicode helpers shared by the text layer, OCR and exporters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pageflow {

void append_utf8(std::string& out, char32_t codepoint);
std::u32string decode_utf8(std::string_view text);  // invalid bytes become U+FFFD

bool is_rtl_letter(char32_t c);   // Hebrew, Arabic and related scripts
bool is_ltr_strong(char32_t c);   // Latin/Greek/Cyrillic letters and digits
bool is_space(char32_t c);

// Strong letters of right-to-left script in `text` less those of left-to-right script: above zero,
// the text reads from the right.
long rtl_balance(std::string_view text);

// Whether `text` opens with an ASCII lower-case letter: a sentence going on, not starting.
bool starts_lower(std::string_view text);

// Splits on whitespace runs.
std::vector<std::string> split_words(std::string_view text);

// Non-empty lines of `text` (a model's newline-separated label or token list).
std::vector<std::string> split_lines(std::string_view text);

// Typographic punctuation folded as docling folds its text layer, so that our text matches what
// docling users search and compare: dashes and the minus sign become '-', single and double curly
// quotes '\'' (docling writes both so), the low quote ',', and zero-width joiners and direction
// marks disappear. Other characters are kept as they are.
std::string fold_punctuation(std::string_view text);

// Collapses whitespace runs to one space and trims the ends.
std::string normalize_space(std::string_view text);

// A short text in capitals, as headings are set: "ABSTRACT", "1 INTRODUCTION", "2. VERBATIM
// COPYING" (four capitals or more, no small letter, at most eight words).
bool short_in_capitals(std::string_view text);

}  // namespace pageflow
