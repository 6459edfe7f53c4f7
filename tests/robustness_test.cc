// Hostile and oversized inputs: each fails (or degrades) alone, with a reason, never a crash.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "export/export.h"
#include "pageflow/converter.h"
#include "pdf/mupdf.h"
#include "pipeline/trace.h"
#include "test_util.h"

namespace pageflow {
namespace {

using testing::assemble_pdf;
using testing::make_pages;
using testing::ScratchDir;
using testing::stream_object;

const std::string kHello = "BT /F1 24 Tf 72 72 Td (Hello hostile world) Tj ET";

// A one-page PDF; `page_extra` goes into the page's resources, `content` is its content stream
// (or `contents`, a reference or array, replaces it).
std::string make_pdf(double width, double height, const std::string& content, const std::string& page_extra = "",
                     const std::vector<std::string>& extra_objects = {}, const std::string& font = "5 0 R",
                     const std::string& contents = "4 0 R", const std::string& declared_count = "1") {
  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count " + declared_count + " >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + std::to_string(width) + " " + std::to_string(height) +
          "] /Contents " + contents + " /Resources << /Font << /F1 " + font + " >> " + page_extra + " >> >>",
      stream_object(content),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  };
  objects.insert(objects.end(), extra_objects.begin(), extra_objects.end());
  return assemble_pdf(objects);
}

std::string deflate(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()), data.size(), 9);
  out.resize(size);
  return out;
}

// Page content that MuPDF takes minutes to draw (and seconds to read for text): a flood of
// page-sized rectangles, compressed
// (at the ratio of ordinary content, so no bomb check stops it) and named `repeat` times.
std::string slow_page_pdf(int repeat) {
  std::string contents = "[4 0 R";
  for (int i = 0; i < repeat; ++i) contents += " 6 0 R";
  contents += "]";
  return make_pdf(612, 792, kHello, "", {stream_object(deflate(testing::rectangle_flood()), "/Filter /FlateDecode")}, "5 0 R",
                  contents);
}

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

TEST(Robustness, DeclaredPageCountsAreNeverTrusted) {
  ScratchDir dir;
  for (const char* lie : {"10", "1000000", "2000000000"}) {
    const auto docs = convert({dir.file("lies.pdf", make_pdf(612, 792, kHello, "", {}, "5 0 R", "4 0 R", lie))});
    ASSERT_EQ(docs.size(), 1u);
    EXPECT_EQ(docs[0].page_count, 1) << lie;
    ASSERT_EQ(docs[0].pages.size(), 1u) << lie;
    EXPECT_TRUE(docs[0].ok()) << lie;
    EXPECT_NE(all_text(docs[0]).find("Hello hostile world"), std::string::npos);
  }
  // Three real pages under a root that claims two billion; an open range stays cheap.
  std::string three = make_pages(3);
  three.replace(three.find("/Count 3"), 8, "/Count 2000000000");
  Options options;
  options.pages = "2-";
  const auto docs = convert({dir.file("three.pdf", three)}, options);
  EXPECT_EQ(docs[0].page_count, 3);
  ASSERT_EQ(docs[0].pages.size(), 2u);
  EXPECT_EQ(docs[0].pages[1].number, 3);
  // Kept from fuzzing the opening: each lies about its pages (a cycle in the tree too).
  std::vector<std::string> kept;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(PAGEFLOW_SOURCE) + "/fuzz/regressions/open")) {
    kept.push_back(entry.path().string());
  }
  const auto opened = convert(kept);
  ASSERT_EQ(opened.size(), kept.size());
  for (const auto& doc : opened) EXPECT_LE(doc.page_count, 1) << doc.source;
}

TEST(Robustness, DecompressionBombFailsItsPageAndNothingElse) {
  ScratchDir dir;
  // 1 MB of blanks deflates to about 1 KB; named 400 times it is 400 MB of content.
  const std::string bomb_stream = stream_object(deflate(std::string(1 << 20, ' ')), "/Filter /FlateDecode");
  std::string contents = "[4 0 R";
  for (int i = 0; i < 400; ++i) contents += " 6 0 R";
  contents += "]";
  const std::string bomb = make_pdf(612, 792, kHello, "", {bomb_stream}, "5 0 R", contents);
  const auto docs = convert({dir.file("bomb.pdf", bomb), testing::corpus("pdf/multi_page.pdf")});
  ASSERT_EQ(docs.size(), 2u);
  ASSERT_EQ(docs[0].pages.size(), 1u);
  EXPECT_FALSE(docs[0].pages[0].ok);
  EXPECT_NE(docs[0].pages[0].error.find("(a decompression bomb)"), std::string::npos) << docs[0].pages[0].error;
  EXPECT_TRUE(docs[1].ok());
}

TEST(Robustness, ImagesTooLargeToDecodeAreNotDrawn) {
  ScratchDir dir;
  // Declares 60,000 x 60,000 px behind a 10-byte stream: read, it would be 3.6 GB of pixels.
  const std::string giant = "<< /Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray "
                            "/BitsPerComponent 8 /Length 10 >>\nstream\n0123456789\nendstream";
  const auto docs = convert({dir.file("giant.pdf", make_pdf(612, 792, "q 612 0 0 792 0 0 cm /Im1 Do Q " + kHello,
                                                            "/XObject << /Im1 6 0 R >>", {giant}))});
  ASSERT_TRUE(docs[0].ok());
  EXPECT_NE(docs[0].pages[0].warning.find("an image of 60000 x 60000 px is over the 134-megapixel limit"),
            std::string::npos)
      << docs[0].pages[0].warning;
  EXPECT_NE(all_text(docs[0]).find("Hello hostile world"), std::string::npos);
}

TEST(Robustness, PageTimeoutStopsThePagesWork) {
  ScratchDir dir;
  Options options;
  // Generous for the other file's pages, which count their time from admission too, in
  // sanitizer builds as well.
  options.page_timeout = std::chrono::milliseconds(2000);
  options.layout = false;  // OCR stays on auto, so pages are drawn: this one takes minutes
  Converter converter(options);
  const std::string slow = dir.file("slow.pdf", slow_page_pdf(100));
  std::vector<Document> docs;
  const auto start = std::chrono::steady_clock::now();
  converter.convert({{slow, nullptr}, {testing::corpus("pdf/multi_page.pdf"), nullptr}},
                    [&](Document&& d) { docs.push_back(std::move(d)); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].pages.at(0).error, "render: timed out after 2000 ms");
  EXPECT_TRUE(docs[1].ok()) << docs[1].failed_pages() << " failed: " << docs[1].pages.at(0).error;
  // Behaviour, not speed: the abandoned page stopped drawing instead of running to its end.
  EXPECT_LT(seconds, 30) << "the timed-out page kept the run busy";
}

// A text-layer-only run (no models) that the test can stop.
struct StoppableRun {
  std::stop_source stop;
  std::vector<Document> docs;
  RunResult convert(const std::vector<std::string>& paths, const Converter::ProgressCallback& progress = {}) {
    Options options;
    options.ocr = "off";
    options.layout = false;
    Converter converter(options);
    RunControl control;
    control.stop = stop.get_token();
    std::vector<Input> inputs;
    for (const auto& p : paths) inputs.push_back({p, nullptr});
    return converter.convert(inputs, [&](Document&& d) { docs.push_back(std::move(d)); }, progress, control);
  }
};

TEST(Robustness, StoppedRunsDeliverPartialDocumentsWithTheirMissingPages) {
  ScratchDir dir;
  StoppableRun run;
  const RunResult result = run.convert({dir.file("forty.pdf", make_pages(40)), testing::corpus("pdf/multi_page.pdf")},
                                       [&](int done, int) {
                                         if (done == 1) run.stop.request_stop();
                                       });
  const auto& docs = run.docs;
  EXPECT_TRUE(result.cancelled);
  ASSERT_EQ(docs.size(), 1u);  // the second file was never started
  const Document& doc = docs[0];
  EXPECT_EQ(doc.status(), Status::partial_success);
  ASSERT_FALSE(doc.missing.empty());
  EXPECT_EQ(doc.missing.back().pages.last, 40);
  EXPECT_EQ(doc.missing.back().reason, "cancelled");
  EXPECT_EQ(static_cast<long long>(doc.pages.size()) + doc.missing_pages(), 40);
  const std::string md = to_markdown(doc);
  EXPECT_EQ(md.rfind("<!-- pageflow: partial_success: pages ", 0), 0u) << md.substr(0, 200);
  EXPECT_NE(md.find("-40 not converted (cancelled) -->"), std::string::npos);
  const auto json = nlohmann::json::parse(to_docling_json(doc));
  EXPECT_EQ(json["pageflow__conversion"]["status"], "partial_success");
  EXPECT_EQ(json["pageflow__conversion"]["missing_pages"].back()["last"], 40);
}

TEST(Robustness, CancellationReachesAnInputStillOpening) {
  ScratchDir dir;
  const std::string fifo = dir.path("never-written.pdf");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  StoppableRun run;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    run.stop.request_stop();
  });
  const RunResult result = run.convert({fifo});
  stopper.join();
  const auto& docs = run.docs;
  EXPECT_TRUE(result.cancelled);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].error, "cancelled");
}

TEST(Robustness, NonRegularInputsAreReadOnce) {
  ScratchDir dir;
  const std::string fifo = dir.path("piped.pdf");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream(fifo, std::ios::binary) << testing::read_file(testing::corpus("pdf/multi_page.pdf"));
  });
  const auto docs = convert({fifo, dir.path()});
  writer.join();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_TRUE(docs[0].ok()) << docs[0].error;
  EXPECT_EQ(docs[0].pages.size(), 5u);
  EXPECT_EQ(docs[1].error, "is a directory, not a file");
}

TEST(Robustness, CodecMessagesAreReportedWithTheirPage) {
  ScratchDir dir;
  // A real JPEG whose entropy-coded data stops early: libjpeg warns and draws what it has.
  cv::Mat noise(200, 300, CV_8UC3);
  cv::randu(noise, 0, 255);
  std::vector<uchar> jpeg;
  cv::imencode(".jpg", noise, jpeg);
  const std::string cut(jpeg.begin(), jpeg.begin() + static_cast<long>(jpeg.size() * 3 / 4));
  const std::string image = "<< /Type /XObject /Subtype /Image /Width 300 /Height 200 /ColorSpace /DeviceRGB "
                            "/BitsPerComponent 8 /Filter /DCTDecode /Length " + std::to_string(cut.size()) +
                            " >>\nstream\n" + cut + "\nendstream";
  const auto docs = convert({dir.file("cut-jpeg.pdf", make_pdf(612, 792, "q 300 0 0 200 0 0 cm /Im1 Do Q " + kHello,
                                                               "/XObject << /Im1 6 0 R >>", {image}))});
  ASSERT_TRUE(docs[0].ok());
  EXPECT_NE(docs[0].pages[0].warning.find("libjpeg: Corrupt JPEG data"), std::string::npos) << docs[0].pages[0].warning;
}

TEST(Robustness, BlankPagesSkipTheLayoutModel) {
  ScratchDir dir;
  std::vector<std::string> objects = {"<< /Type /Catalog /Pages 2 0 R >>",
                                      "<< /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 >>"};
  for (int i = 0; i < 3; ++i) objects.push_back("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>");
  const std::string blank = dir.file("blank.pdf", assemble_pdf(objects));
  Options options;
  options.ocr = "off";
  Converter converter(options);
  pipeline::Trace trace;
  RunControl control;
  control.trace = &trace;
  std::vector<Document> docs;
  converter.convert({{blank, nullptr}, {testing::corpus("pdf/multi_page.pdf"), nullptr}},
                    [&](Document&& d) { docs.push_back(std::move(d)); }, {}, control);
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_TRUE(docs[0].ok());
  EXPECT_EQ(docs[0].pages.size(), 3u);
  const auto& names = trace.stage_names();
  const int layout = static_cast<int>(std::find(names.begin(), names.end(), "layout") - names.begin());
  size_t layout_calls = 0;
  for (const auto& span : trace.spans()) layout_calls += span.stage == layout;
  EXPECT_EQ(layout_calls, 5u);  // the five pages of multi_page.pdf, none of the blank ones
}

}  // namespace
}  // namespace pageflow
