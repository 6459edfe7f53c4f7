// Shared helpers for tests: corpus paths, scratch files and small generated PDFs.
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace pageflow::testing {

inline std::string corpus(const std::string& relative) {
  return std::string(PAGEFLOW_CORPUS) + "/" + relative;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A PDF of the given objects (object i + 1 is objects[i], object 1 the catalog) with a correct
// cross-reference table.
inline std::string assemble_pdf(const std::vector<std::string>& objects) {
  std::string pdf = "%PDF-1.7\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const size_t xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char line[24];
    std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
    pdf += line;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

inline std::string stream_object(const std::string& data, const std::string& dictionary = "") {
  return "<< /Length " + std::to_string(data.size()) + " " + dictionary + " >>\nstream\n" + data + "\nendstream";
}

// `count` text pages ("Page N of the test"), each with `content` drawn after its text.
inline std::string make_pages(int count, const std::string& content = "") {
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", "",
                                      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string kids;
  for (int i = 1; i <= count; ++i) {
    const std::string text = "BT /F1 24 Tf 72 700 Td (Page " + std::to_string(i) + " of the test) Tj ET\n" + content;
    objects.push_back(stream_object(text));
    objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " +
                      std::to_string(objects.size()) + " 0 R /Resources << /Font << /F1 3 0 R >> >> >>");
    kids += std::to_string(objects.size()) + " 0 R ";
  }
  objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(count) + " >>";
  return assemble_pdf(objects);
}

// A one-page letter-size PDF of `content`, its fonts (F1, F2, ... in order) the standard 14 named,
// or font dictionaries given whole ("<< ... >>"); `extra` objects follow the fonts (numbered
// 5 + fonts.size() on), for those dictionaries to refer to.
inline std::string one_page_pdf(const std::string& content, const std::vector<std::string>& fonts,
                                const std::vector<std::string>& extra = {}) {
  std::string names;
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                      "", stream_object(content)};
  for (size_t i = 0; i < fonts.size(); ++i) {
    names += "/F" + std::to_string(i + 1) + " " + std::to_string(objects.size() + 1) + " 0 R ";
    objects.push_back(fonts[i].starts_with("<<") ? fonts[i] : "<< /Type /Font /Subtype /Type1 /BaseFont /" + fonts[i] + " >>");
  }
  objects[2] = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << " +
               names + ">> >> >>";
  objects.insert(objects.end(), extra.begin(), extra.end());
  return assemble_pdf(objects);
}

// A form drawn with vector squares: an empty box, one crossed with two strokes, one ticked with
// a ZapfDingbats glyph, a grid of numbered cells, a square beside no text and a large frame.
inline std::string drawn_form_pdf() {
  const std::string content =
      "1 w 72 700 10 10 re S BT /F1 10 Tf 90 701 Td (Yes, at the national level) Tj ET\n"
      "72 680 10 10 re S 73 681 m 81 689 l S 73 689 m 81 681 l S BT /F1 10 Tf 90 681 Td (No) Tj ET\n"
      "72 660 10 10 re S BT /F2 9 Tf 73.5 661.5 Td (4) Tj ET BT /F1 10 Tf 90 661 Td (Ticked with a glyph) Tj ET\n"
      "72 620 12 12 re S 84 620 12 12 re S 96 620 12 12 re S "
      "BT /F1 10 Tf 75 622 Td (1) Tj 12 0 Td (2) Tj 12 0 Td (3) Tj ET\n"
      "300 500 10 10 re S 72 400 200 50 re S BT /F1 10 Tf 80 420 Td (Inside a large frame) Tj ET\n";
  return one_page_pdf(content, {"Helvetica", "ZapfDingbats"});
}

// A form and a list set as Word sets them: boxes and bullets in Wingdings, which has no Unicode
// table, given as private-use codes by a ToUnicode table (F1) or as the font's bare one-byte codes
// (F3); an "o" in Helvetica between them.
inline std::string symbol_font_form_pdf() {
  const std::string content =
      "BT /F1 10 Tf 72 500 Td (o) Tj /F2 10 Tf ( Yes, at the national level) Tj ET\n"
      "BT /F1 10 Tf 72 480 Td (\\375) Tj /F2 10 Tf ( No, never) Tj ET\n"
      "BT /F3 10 Tf 72 460 Td (q) Tj /F2 10 Tf ( Not applicable) Tj ET\n"
      "BT /F2 10 Tf 72 420 Td (o is a letter in Helvetica) Tj ET\n"
      "BT /F1 10 Tf 72 380 Td (\\247) Tj /F2 10 Tf ( A first bullet item) Tj ET\n"
      "BT /F1 10 Tf 72 360 Td (\\247) Tj /F2 10 Tf ( A second bullet item) Tj ET\n";
  const std::string descriptor =
      "/FontDescriptor << /Type /FontDescriptor /FontName /Wingdings /Flags 4 /FontBBox [0 -200 1000 900] "
      "/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 >>";
  const std::string private_use = stream_object(
      "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /W def 1 begincodespacerange <00> <FF> "
      "endcodespacerange 3 beginbfchar <6F> <F06F> <FD> <F0FD> <A7> <F0A7> endbfchar endcmap CMapName currentdict "
      "/CMap defineresource pop end end");
  return one_page_pdf(content,
                      {"<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+Wingdings-Regular " + descriptor +
                           " /ToUnicode 8 0 R >>",
                       "Helvetica", "<< /Type /Font /Subtype /TrueType /BaseFont /Wingdings " + descriptor + " >>"},
                      {private_use});
}

// Content that takes MuPDF about a second to draw: 20,000 page-sized rectangles.
inline std::string rectangle_flood() {
  std::string flood;
  for (int i = 0; i < 20000; ++i) flood += std::to_string(i % 300) + " " + std::to_string(i % 500) + " 300 300 re f\n";
  return flood;
}

// A fresh folder under the system temp dir, removed when the object goes away.
class ScratchDir {
 public:
  ScratchDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("pageflow-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& name = "") const { return (path_ / name).string(); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::filesystem::path path_;
};

}  // namespace pageflow::testing
