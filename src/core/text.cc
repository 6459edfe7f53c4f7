#include "core/text.h"

#include <algorithm>
#include <cctype>

namespace pageflow {

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c >= 0xD800 && c <= 0xDFFF) {
    append_utf8(out, 0xFFFD);  // a UTF-16 half has no UTF-8 form
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x110000) {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    append_utf8(out, 0xFFFD);
  }
}

std::u32string decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = s[i];
    int extra = b < 0x80 ? 0 : (b >> 5) == 6 ? 1 : (b >> 4) == 14 ? 2 : (b >> 3) == 30 ? 3 : -1;
    if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    char32_t c = extra == 0 ? b : (b & (0x3F >> extra));
    bool valid = true;
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cont = s[i + k];
      if ((cont >> 6) != 2) valid = false;
      c = (c << 6) | (cont & 0x3F);
    }
    if (!valid) {
      out += U'\uFFFD';
      ++i;
      continue;
    }
    out += c;
    i += extra + 1;
  }
  return out;
}

bool is_rtl_letter(char32_t c) {
  return (c >= 0x0590 && c <= 0x08FF) || (c >= 0xFB1D && c <= 0xFDFF) ||
         (c >= 0xFE70 && c <= 0xFEFF);
}

bool is_ltr_strong(char32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || (c >= 0x370 && c <= 0x52F);
}

long rtl_balance(std::string_view text) {
  long balance = 0;
  for (char32_t c : decode_utf8(text)) balance += static_cast<long>(is_rtl_letter(c)) - static_cast<long>(is_ltr_strong(c));
  return balance;
}

bool is_space(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || (c >= 0x2000 && c <= 0x200B) ||
         c == 0x3000;
}

namespace {

// 0: the character is dropped.
char32_t docling_punctuation(char32_t c) {
  if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212) return '-';
  if (c == 0x201A) return ',';
  if (c >= 0x2018 && c <= 0x201F) return '\'';
  if (c >= 0x200C && c <= 0x200F) return 0;
  return c;
}

}  // namespace

std::string fold_punctuation(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : decode_utf8(text)) {
    if (const char32_t folded = docling_punctuation(c)) append_utf8(out, folded);
  }
  return out;
}

bool starts_lower(std::string_view text) {
  return !text.empty() && std::islower(static_cast<unsigned char>(text.front()));
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char32_t c : decode_utf8(text)) {
    if (is_space(c)) {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      append_utf8(current, c);
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  return words;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    if (end > start) out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string normalize_space(std::string_view text) {
  std::string out;
  for (const auto& w : split_words(text)) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

bool short_in_capitals(std::string_view text) {
  size_t upper = 0, lower = 0;
  for (char32_t c : decode_utf8(text)) {
    upper += c >= 'A' && c <= 'Z';
    lower += c >= 'a' && c <= 'z';
  }
  return upper >= 4 && lower == 0 && split_words(text).size() <= 8;
}

}  // namespace pageflow
