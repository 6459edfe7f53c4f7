#include "export/export.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace pageflow {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "md" || name == "markdown") return Format::markdown;
  if (name == "json") return Format::json;
  if (name == "html") return Format::html;
  if (name == "text" || name == "txt") return Format::text;
  return std::nullopt;
}

std::string_view format_extension(Format format) {
  switch (format) {
    case Format::markdown: return "md";
    case Format::json: return "json";
    case Format::html: return "html";
    case Format::text: return "txt";
  }
  return "txt";
}

std::string render(const Document& doc, Format format) {
  switch (format) {
    case Format::markdown: return to_markdown(doc);
    case Format::json: return to_docling_json(doc);
    case Format::html: return to_html(doc);
    case Format::text: return to_text(doc);
  }
  return {};
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::filesystem::path target(path);
  const std::string temp = (target.parent_path() / ("." + target.filename().string() + ".tmp-" +
                                                    std::to_string(::getpid())))
                               .string();
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::remove(temp.c_str());
      throw std::runtime_error("cannot write " + temp);
    }
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    std::remove(temp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + ec.message());
  }
}

std::string png_data_uri(const std::string& png) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/png;base64,";
  out.reserve(out.size() + (png.size() + 2) / 3 * 4);
  for (size_t i = 0; i < png.size(); i += 3) {
    const uint32_t chunk = (static_cast<uint8_t>(png[i]) << 16) |
                           (i + 1 < png.size() ? static_cast<uint8_t>(png[i + 1]) << 8 : 0) |
                           (i + 2 < png.size() ? static_cast<uint8_t>(png[i + 2]) : 0);
    out += alphabet[(chunk >> 18) & 63];
    out += alphabet[(chunk >> 12) & 63];
    out += i + 1 < png.size() ? alphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < png.size() ? alphabet[chunk & 63] : '=';
  }
  return out;
}

std::string markdown_table(const TableData& table) {
  if (table.rows <= 0 || table.cols <= 0) return {};
  std::vector<std::vector<std::string>> grid(static_cast<size_t>(table.rows),
                                             std::vector<std::string>(static_cast<size_t>(table.cols)));
  for (const auto& c : table.cells) {
    for (int r = c.row; r < std::min(table.rows, c.row + c.row_span); ++r) {
      for (int k = c.col; k < std::min(table.cols, c.col + c.col_span); ++k) {
        grid[static_cast<size_t>(r)][static_cast<size_t>(k)] = c.text;
      }
    }
  }
  auto escape = [](std::string s) {
    std::string out;
    for (char ch : s) {
      if (ch == '|') out += "\\|";
      else if (ch == '\n') out += ' ';
      else out += ch;
    }
    return out;
  };
  std::string md;
  for (int r = 0; r < table.rows; ++r) {
    md += "|";
    for (int k = 0; k < table.cols; ++k) md += " " + escape(grid[static_cast<size_t>(r)][static_cast<size_t>(k)]) + " |";
    md += "\n";
    if (r == 0) {
      md += "|";
      for (int k = 0; k < table.cols; ++k) md += "---|";
      md += "\n";
    }
  }
  return md;
}

}  // namespace pageflow
