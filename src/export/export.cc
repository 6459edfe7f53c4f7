#include "export/export.h"

#include "pageflow/converter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace pageflow {

std::optional<Format> parse_format(std::string_view name) {
  if (name == "md" || name == "markdown") return Format::markdown;
  if (name == "json") return Format::json;
  if (name == "html") return Format::html;
  if (name == "text" || name == "txt") return Format::text;
  if (name == "doctags") return Format::doctags;
  return std::nullopt;
}

std::string_view format_extension(Format format) {
  switch (format) {
    case Format::markdown: return "md";
    case Format::json: return "json";
    case Format::html: return "html";
    case Format::text: return "txt";
    case Format::doctags: return "doctags";
  }
  return "txt";
}

std::string render(const Document& doc, Format format) {
  switch (format) {
    case Format::markdown: return to_markdown(doc);
    case Format::json: return to_docling_json(doc);
    case Format::html: return to_html(doc);
    case Format::text: return to_text(doc);
    case Format::doctags: return to_doctags(doc);
  }
  return {};
}

namespace {

// The process's umask, read once before any thread exists (umask() can only be read by setting it).
const mode_t kUmask = [] {
  const mode_t mask = ::umask(022);
  ::umask(mask);
  return mask;
}();

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::filesystem::path target(path);
  // A fixed-length name, created exclusively (O_CREAT | O_EXCL never follows a planted link) with
  // random letters (nothing to predict), and never longer than NAME_MAX whatever the target's.
  std::string temp = (target.parent_path() / ".pageflow-XXXXXX").string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  ::fchmod(fd, 0666 & ~kUmask);  // mkstemp's 0600 would hide outputs from their usual readers
  int error = 0;
  for (size_t done = 0; done < content.size() && !error;) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
    } else if (n == 0 || errno != EINTR) {
      error = n == 0 ? ENOSPC : errno;
    }
  }
  // The data reaches the disk before the name does, so a crash never leaves a short file.
  if (!error && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && !error) error = errno;
  if (!error && ::rename(temp.c_str(), path.c_str()) != 0) error = errno;
  if (error) {
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
  }
}

std::string conversion_comment(const Document& doc) {
  if (doc.status() == Status::success) return {};
  std::string note(status_name(doc.status()));
  std::string separator = ": ";
  for (const auto& page : doc.pages) {
    if (page.ok) continue;
    note += separator + "page " + std::to_string(page.number) + " failed (" + page.error + ")";
    separator = "; ";
  }
  for (const auto& m : doc.missing) {
    note += separator + (m.pages.count() == 1 ? "page " : "pages ") + describe_pages({m.pages}) +
            " not converted (" + m.reason + ")";
    separator = "; ";
  }
  if (!doc.error.empty()) note += separator + doc.error;
  // Reasons are free text, and "--" may not appear inside a comment.
  for (size_t at; (at = note.find("--")) != std::string::npos;) note.replace(at, 2, "- -");
  return "<!-- pageflow: " + note + " -->\n";
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
