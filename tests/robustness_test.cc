// Hostile and oversized inputs: each fails (or degrades) alone, with a reason, never a crash.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "export/export.h"
#include "pageflow/converter.h"
#include "pdf/mupdf.h"
#include "test_util.h"

namespace pageflow {
namespace {

using testing::ScratchDir;

// A one-page PDF with a correct cross-reference table; `page_extra` goes into the page dictionary
// and `content` is the page's content stream.
std::string make_pdf(double width, double height, const std::string& content, const std::string& page_extra = "",
                     const std::vector<std::string>& extra_objects = {}, const std::string& font = "5 0 R") {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(width) + " " + std::to_string(height) +
          "] /Contents 4 0 R /Resources << /Font << /F1 " + font + " >> " + page_extra + " >> >>",
      "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  objects.insert(objects.end(), extra_objects.begin(), extra_objects.end());
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

const std::string kHello = "BT /F1 24 Tf 72 72 Td (Hello hostile world) Tj ET";

std::vector<Document> convert(const std::vector<std::string>& paths, Options options = {}) {
  options.ocr = "off";  // these inputs are about parsing and rendering
  Converter converter(options);
  std::vector<Input> inputs;
  for (const auto& p : paths) inputs.push_back({p, nullptr});
  std::vector<Document> docs;
  converter.convert(inputs, [&](Document&& d) { docs.push_back(std::move(d)); });
  return docs;
}

std::string all_text(const Document& doc) {
  std::string text;
  for (const auto& e : doc.elements) text += e.text + " ";
  return text;
}

TEST(Robustness, HugePageRendersWithinThePixelBudget) {
  ScratchDir dir;
  const auto docs = convert({dir.file("huge.pdf", make_pdf(20000, 20000, kHello))});
  ASSERT_EQ(docs.size(), 1u);
  ASSERT_TRUE(docs[0].ok()) << docs[0].error;
  EXPECT_DOUBLE_EQ(docs[0].pages[0].width, 20000);
  EXPECT_NE(all_text(docs[0]).find("Hello hostile world"), std::string::npos);
}

TEST(Robustness, MemoryBudgetFailsThePageNotTheProcess) {
  ScratchDir dir;
  pdf::MupdfEngine small_budget(64u << 20);
  pdf::PdfReader reader(small_budget);
  reader.open({dir.file("huge.pdf", make_pdf(20000, 20000, kHello)), nullptr}, "", 1);
  Page page;
  pdf::RenderRequest greedy;  // 20000 x 20000 pt at 72 dpi: 1.2 GB of pixels
  greedy.max_pixels = 1'000'000'000;
  reader.load(1, greedy, page);  // too big to draw: the text survives, the raster does not
  EXPECT_TRUE(page.raster.empty());
  EXPECT_EQ(page.warning.rfind("could not render (malloc of ", 0), 0u) << page.warning;
  EXPECT_FALSE(page.lines.empty());
  Page modest;
  pdf::RenderRequest small;
  small.max_pixels = 2'000'000;
  reader.load(1, small, modest);  // a raster that fits the budget: the same reader still works
  EXPECT_FALSE(modest.raster.empty());
}

TEST(Robustness, LimitsOnPagesAndFileSize) {
  Options options;
  options.max_pages = 2;
  auto docs = convert({testing::corpus("pdf/multi_page.pdf")}, options);
  ASSERT_EQ(docs[0].pages.size(), 2u);
  EXPECT_TRUE(docs[0].pages[1].ok);
  ASSERT_EQ(docs[0].missing.size(), 1u);
  EXPECT_EQ(docs[0].missing[0].pages, (PageRange{3, 5}));
  EXPECT_EQ(docs[0].missing[0].reason, "over the 2-page limit (--max-pages)");
  EXPECT_EQ(docs[0].status(), Status::partial_success);
  options = {};
  options.max_file_mb = 0.01;
  docs = convert({testing::corpus("pdf/multi_page.pdf")}, options);
  EXPECT_EQ(docs[0].error.rfind("file is 0.1 MB, over the 0.0 MB limit", 0), 0u) << docs[0].error;
}

TEST(Robustness, DeepNestingBrokenImagesAndVectorFloods) {
  ScratchDir dir;
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  std::string flood;
  for (int i = 0; i < 100000; ++i) flood += std::to_string(i % 600) + " " + std::to_string(i / 200) + " 0.5 0.5 re f\n";
  auto broken_image = [](const std::string& filter) {
    return "<< /Type /XObject /Subtype /Image /Width 100 /Height 100 /ColorSpace /DeviceRGB /BitsPerComponent 8 "
           "/Filter /" + filter + " /Length 12 >>\nstream\n\xFF\xD8\xFF garbage!\nendstream";
  };
  auto with_image = [&](const std::string& filter) {
    return make_pdf(612, 792, "q 100 0 0 100 0 0 cm /Im1 Do Q " + kHello, "/XObject << /Im1 6 0 R >>",
                    {broken_image(filter)});
  };
  // A TrueType font whose program is garbage: MuPDF substitutes a font and goes on.
  const std::string bad_font_pdf = make_pdf(
      612, 792, kHello, "",
      {"<< /Type /Font /Subtype /TrueType /BaseFont /Broken /FontDescriptor 7 0 R >>",
       "<< /Type /FontDescriptor /FontName /Broken /Flags 32 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
       "/Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 8 0 R >>",
       "<< /Length 9 >>\nstream\nnot a ttf\nendstream"},
      "6 0 R");
  const std::vector<std::string> paths = {
      dir.file("deep.pdf", make_pdf(612, 792, kHello, "/Deep " + deep)),
      dir.file("flood.pdf", make_pdf(612, 792, flood + kHello)),
      dir.file("badjpeg.pdf", with_image("DCTDecode")),
      dir.file("badjbig2.pdf", with_image("JBIG2Decode")),
      dir.file("badjpx.pdf", with_image("JPXDecode")),
      dir.file("badfont.pdf", bad_font_pdf),
      testing::corpus("pdf/picture_classification.pdf"),
  };
  const auto docs = convert(paths);
  ASSERT_EQ(docs.size(), paths.size());
  // MuPDF stops parsing at its nesting limit: the page may come out empty, but the file is handled.
  EXPECT_TRUE(docs[0].ok() || !docs[0].error.empty());
  // A flood of vector objects, undecodable images and a broken font cost only themselves.
  for (size_t i = 1; i + 1 < paths.size(); ++i) {
    ASSERT_TRUE(docs[i].ok()) << paths[i] << ": " << docs[i].error << docs[i].pages.at(0).error;
    EXPECT_NE(all_text(docs[i]).find("Hello hostile world"), std::string::npos) << paths[i];
  }
  EXPECT_TRUE(docs.back().ok());  // and the good file after them converts as ever
}

TEST(Robustness, RepairedFilesConvertWithAWarning) {
  ScratchDir dir;
  const std::string whole = testing::read_file(testing::corpus("pdf/multi_page.pdf"));
  // Without its cross-reference table and trailer: MuPDF rebuilds them by scanning the file.
  const std::string cut = dir.file("no-xref.pdf", whole.substr(0, whole.rfind("xref")));
  const auto docs = convert({cut});
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].warnings, (std::vector<std::string>{"damaged cross-reference table, repaired"}));
  EXPECT_NE(all_text(docs[0]).find("Word Processor"), std::string::npos);
}

TEST(Robustness, TinyImagesAndStrangeFileNames) {
  ScratchDir dir;
  const std::string tiny = dir.path("tiny.png");
  cv::imwrite(tiny, cv::Mat(1, 1, CV_8UC3, cv::Scalar(0, 0, 0)));
  const std::string odd_name = dir.path("caf\xE9-latin1.pdf");  // not UTF-8
  std::filesystem::copy_file(testing::corpus("pdf/multi_page.pdf"), odd_name);
  // Kept from fuzzing: a PNG whose header claims 30,000 x 30,000 pixels.
  const std::string claims_huge = std::string(PAGEFLOW_SOURCE) + "/fuzz/regressions/image/claims-huge.png";
  const auto docs = convert({tiny, odd_name, claims_huge});
  ASSERT_EQ(docs.size(), 3u);
  ASSERT_EQ(docs[2].pages.size(), 1u);
  EXPECT_FALSE(docs[2].pages[0].ok);
  EXPECT_EQ(docs[2].pages[0].error, "render: image dimensions might overflow");
  const auto no_pages = convert({std::string(PAGEFLOW_SOURCE) + "/fuzz/regressions/pdf/no-pages.pdf"});
  EXPECT_FALSE(no_pages.at(0).error.empty());
  EXPECT_TRUE(docs[0].ok()) << docs[0].error;
  EXPECT_EQ(docs[0].pages.size(), 1u);
  ASSERT_TRUE(docs[1].ok());
  const auto json = nlohmann::json::parse(to_docling_json(docs[1]));  // valid UTF-8 throughout
  EXPECT_EQ(json["name"].get<std::string>().rfind("caf", 0), 0u);
}

}  // namespace
}  // namespace pageflow
