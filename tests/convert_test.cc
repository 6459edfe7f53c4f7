// End-to-end: the library and the CLI on the shared corpus, under every schedule.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "export/export.h"
#include "pageflow/converter.h"
#include "pipeline/trace.h"
#include "test_util.h"

namespace pageflow {
namespace {

using testing::corpus;
using testing::read_file;
using testing::ScratchDir;

std::vector<Input> corpus_inputs() {
  std::vector<Input> inputs;
  for (const char* name : {"multi_page", "code_and_formula", "normal_4pages", "picture_classification",
                           "right_to_left_01", "table_mislabeled_as_picture", "skipped_2pages"}) {
    inputs.push_back({corpus(std::string("pdf/") + name + ".pdf"), nullptr});
  }
  return inputs;
}

Converter& shared_converter() {
  static Converter converter{Options{}};
  return converter;
}

std::vector<std::string> convert_all(Schedule schedule, pipeline::Trace* trace = nullptr) {
  std::vector<std::string> outputs;
  RunControl control;
  control.schedule = schedule;
  control.trace = trace;
  shared_converter().convert(corpus_inputs(), [&](Document&& doc) {
    outputs.push_back(to_markdown(doc) + to_docling_json(doc) + to_html(doc) + to_text(doc));
  }, {}, control);
  return outputs;
}

TEST(Convert, OutputIsByteIdenticalUnderEverySchedule) {
  const auto sequential = convert_all(Schedule::sequential);
  ASSERT_EQ(sequential.size(), corpus_inputs().size());
  EXPECT_EQ(convert_all(Schedule::concurrent), sequential);
  EXPECT_EQ(convert_all(Schedule::batched), sequential);
}

TEST(Convert, ConcurrentScheduleOverlapsRenderingAndLayout) {
  // A window of 4 pages makes the overlap a property of the schedule, not of thread timing:
  // rendering cannot finish the ~20 pages before layout has emitted most of them.
  Options options;
  options.window = 4;
  Converter converter(options);
  pipeline::Trace trace;
  RunControl control;
  control.trace = &trace;
  converter.convert(corpus_inputs(), [](Document&&) {}, {}, control);
  const auto summary = trace.summary();
  ASSERT_EQ(summary.stages.size(), 5u);
  EXPECT_EQ(summary.stages[0].name, "render");
  EXPECT_EQ(summary.stages[1].name, "ocr");
  EXPECT_EQ(summary.stages[2].name, "layout");
  // Layout began on an early page while rendering still had pages to do.
  EXPECT_LT(summary.stages[2].first_start_s, summary.stages[0].last_end_s);
  // The first page was out before the last page was rendered.
  EXPECT_LT(summary.first_item_s, summary.stages[0].last_end_s);
}

TEST(Convert, PlainTextPagesSkipTheLayoutModel) {
  // A page of one column of prose, and a page of two columns.
  std::string prose, columns;
  for (int k = 0; k < 12; ++k) {
    const std::string y = std::to_string(700 - 14 * k);
    prose += "BT /F1 10 Tf 72 " + y + " Td (A line of running text in one column, number " + std::to_string(k) + ") Tj ET\n";
    columns += "BT /F1 10 Tf 72 " + y + " Td (Left column, line " + std::to_string(k) + ") Tj ET\n"
               "BT /F1 10 Tf 330 " + y + " Td (Right column, line " + std::to_string(k) + ") Tj ET\n";
  }
  ScratchDir dir;
  const std::vector<Input> inputs = {{dir.file("prose.pdf", testing::one_page_pdf(prose, {"Helvetica"})), nullptr},
                                     {dir.file("columns.pdf", testing::one_page_pdf(columns, {"Helvetica"})), nullptr}};
  Converter converter{Options{}};  // plain pages are skipped by default
  pipeline::Trace trace;
  RunControl control;
  control.trace = &trace;
  std::vector<std::string> markdown;
  converter.convert(inputs, [&](Document&& d) { markdown.push_back(to_markdown(d)); }, {}, control);
  const auto summary = trace.summary();
  ASSERT_EQ(summary.stages[2].name, "layout");
  EXPECT_EQ(summary.stages[2].items, 1u);  // the two-column page only
  ASSERT_EQ(markdown.size(), 2u);
  // Its lines, each placed on its own (a text block of MuPDF's each), make one paragraph.
  EXPECT_NE(markdown[0].find("number 0 A line of running text in one column, number 1 A line"), std::string::npos)
      << markdown[0];
  EXPECT_NE(markdown[1].find("Left column, line 11"), std::string::npos) << markdown[1];
}

// The library checks option values itself (it is used without the CLI too).
TEST(Convert, UnknownEngineNamesAreRejectedWithTheName) {
  Options options;
  options.layout = false;
  options.table_engine = "lattice";
  try {
    Converter converter(options);
    ADD_FAILURE() << "accepted table engine 'lattice'";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown table engine 'lattice'"), std::string::npos) << e.what();
  }
  options.table_engine = "auto";
  options.ocr = "sometimes";
  try {
    Converter converter(options);
    ADD_FAILURE() << "accepted OCR mode 'sometimes'";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown OCR mode 'sometimes'"), std::string::npos) << e.what();
  }
}

TEST(Convert, ProducesTheDocumentsContent) {
  Document multi;
  shared_converter().convert({{corpus("pdf/multi_page.pdf"), nullptr}}, [&](Document&& d) { multi = std::move(d); });
  ASSERT_TRUE(multi.ok());
  EXPECT_EQ(multi.page_count, 5);
  EXPECT_EQ(multi.pages.size(), 5u);
  const std::string md = to_markdown(multi);
  EXPECT_EQ(md.rfind("## The Evolution of the Word Processor\n\n", 0), 0u) << md.substr(0, 200);
  EXPECT_NE(md.find("\n## The Birth of Word Processing (1960s - 1970s)\n"), std::string::npos);
  EXPECT_NE(md.find("\n- IBM MT/ST (Magnetic Tape/Selectric Typewriter)"), std::string::npos);
  // Dashes and quotes folded as docling folds them, after the page is read: the em dash that ends
  // a line is no hyphen to join the words around it.
  EXPECT_NE(md.find("AI-powered platforms- reflects humanity's broader"), std::string::npos);
  for (const auto& e : multi.elements) {
    EXPECT_GE(e.page, 1);
    EXPECT_LE(e.page, 5);
    EXPECT_GT(e.box.area(), 0);
  }
}

// The Markdown of a one-document PDF given as bytes, through the shared converter.
std::string markdown_of(const std::string& pdf) {
  Document doc;
  shared_converter().convert({{"form.pdf", std::make_shared<const std::string>(pdf)}}, [&](Document&& d) { doc = std::move(d); });
  EXPECT_TRUE(doc.ok()) << doc.error;
  return to_markdown(doc);
}

void expect_all_in(const std::string& md, std::initializer_list<const char*> items) {
  for (const char* item : items) EXPECT_NE(md.find(item), std::string::npos) << item << " in\n" << md;
}

TEST(Convert, DrawnCheckboxesAreFormItems) {
  const std::string md = markdown_of(testing::drawn_form_pdf());
  expect_all_in(md, {"- [ ] Yes, at the national level\n", "- [x] No\n", "- [x] Ticked with a glyph\n"});
  EXPECT_EQ(md.find("- [ ] 1"), std::string::npos) << md;  // numbered grid cells are no boxes
  EXPECT_EQ(md.find("\u2610"), std::string::npos) << md;
}

TEST(Convert, WingdingsBoxesAreFormItemsAndItsBulletsListItems) {
  const std::string md = markdown_of(testing::symbol_font_form_pdf());
  expect_all_in(md, {"- [ ] Yes, at the national level\n", "- [x] No, never\n", "- [ ] Not applicable\n",
                     "- A first bullet item\n- A second bullet item\n"});
  EXPECT_EQ(md.find("\uF06F"), std::string::npos) << md;
}

// Two pages with bookmarks: parts, a numbered section under the first, and under that a
// sub-section set in the body's type (which type alone would never make a heading).
std::string bookmarked_pdf() {
  auto paragraph = [](double top) {
    std::string text;
    for (int k = 0; k < 4; ++k) {
      text += "BT /F1 11 Tf 72 " + std::to_string(top - 14 * k) +
              " Td (Body text of the agreement runs on over several lines of this page.) Tj ET\n";
    }
    return text;
  };
  const std::string first = "BT /F2 18 Tf 72 720 Td (PART I - TERMS) Tj ET\n" + paragraph(690) +
                            "BT /F2 13 Tf 72 610 Td (1. Scope) Tj ET\n" + paragraph(585) +
                            "BT /F1 11 Tf 72 510 Td (Payment schedule) Tj ET\n" + paragraph(490);
  const std::string second = "BT /F2 18 Tf 72 720 Td (PART II - DUTIES) Tj ET\n" + paragraph(690);
  return testing::assemble_pdf({
      "<< /Type /Catalog /Pages 2 0 R /Outlines 9 0 R >>",
      "<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 7 0 R /F2 8 0 R >> >> >>",
      testing::stream_object(first),
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R /Resources << /Font << /F1 7 0 R /F2 8 0 R >> >> >>",
      testing::stream_object(second),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>",
      "<< /Type /Outlines /First 10 0 R /Last 13 0 R /Count 4 >>",
      "<< /Title (PART I - TERMS) /Parent 9 0 R /Next 13 0 R /First 11 0 R /Last 11 0 R /Count 2 /Dest [3 0 R /XYZ 0 740 0] >>",
      "<< /Title (1. Scope) /Parent 10 0 R /First 12 0 R /Last 12 0 R /Count 1 /Dest [3 0 R /XYZ 0 625 0] >>",
      "<< /Title (Payment schedule) /Parent 11 0 R /Dest [3 0 R /XYZ 0 523 0] >>",
      "<< /Title (PART II - DUTIES) /Parent 9 0 R /Prev 10 0 R /Dest [5 0 R /XYZ 0 740 0] >>",
  });
}

TEST(Convert, BookmarksSetTheHeadingLevels) {
  Document doc;
  shared_converter().convert({{"bookmarked.pdf", std::make_shared<const std::string>(bookmarked_pdf())}},
                             [&](Document&& d) { doc = std::move(d); });
  ASSERT_TRUE(doc.ok()) << doc.error;
  ASSERT_EQ(doc.outline.size(), 4u);
  EXPECT_EQ(doc.outline[2].title, "Payment schedule");
  EXPECT_EQ(doc.outline[2].depth, 2);
  EXPECT_EQ(doc.outline[2].page, 1);
  EXPECT_NEAR(doc.outline[2].top, 792 - 523, 1);
  EXPECT_EQ(doc.outline[3].page, 2);
  const std::string md = to_markdown(doc);
  expect_all_in(md, {"## PART I - TERMS\n", "### 1. Scope\n", "#### Payment schedule\n", "## PART II - DUTIES\n"});
  // Running text that holds a bookmark's words stays text.
  EXPECT_EQ(md.find("# Body text"), std::string::npos) << md;
}

TEST(Convert, APageSetSidewaysIsTurnedToReadAcross) {
  // A letter page whose lines run up the page (a wide table set sideways), one under another as
  // the turned page shows them, and a page number set across.
  std::string content;
  const char* rows[] = {"Facies and their setting", "First row of the sideways page", "Second row of the sideways page",
                        "Third row, the last of them"};
  for (int k = 0; k < 4; ++k) {
    content += "BT /F1 12 Tf 0 1 -1 0 " + std::to_string(100 + 20 * k) + " 150 Tm (" + rows[k] + ") Tj ET\n";
  }
  content += "BT /F1 10 Tf 300 40 Td (7) Tj ET\n";
  ScratchDir dir;
  Document doc;
  shared_converter().convert({{dir.file("sideways.pdf", testing::one_page_pdf(content, {"Helvetica"})), nullptr}},
                             [&](Document&& d) { doc = std::move(d); });
  ASSERT_TRUE(doc.ok());
  ASSERT_EQ(doc.pages.size(), 1u);
  EXPECT_EQ(doc.pages[0].rotation, 90);
  EXPECT_EQ(doc.pages[0].width, 792);
  EXPECT_EQ(doc.pages[0].height, 612);
  const std::string md = to_markdown(doc);
  size_t at = 0;
  for (const char* row : rows) {
    const size_t found = md.find(row, at);
    ASSERT_NE(found, std::string::npos) << row << " in order in\n" << md;
    at = found;
  }
}

TEST(Convert, PicturesCarryTheirPixelsWhenAsked) {
  Options options;
  options.picture_images = true;
  options.dpi = 144;
  Converter converter(options);
  Document doc;
  converter.convert({{corpus("pdf/picture_classification.pdf"), nullptr}}, [&](Document&& d) { doc = std::move(d); });
  int pictures = 0;
  for (const auto& e : doc.elements) {
    if (e.label != Label::picture) continue;
    ++pictures;
    const cv::Mat image = cv::imdecode(std::vector<uchar>(e.image_png.begin(), e.image_png.end()), cv::IMREAD_COLOR);
    ASSERT_FALSE(image.empty());
    EXPECT_EQ(e.image_dpi, 144);
    EXPECT_NEAR(image.cols, e.box.width() * 2, 2);
    EXPECT_NEAR(image.rows, e.box.height() * 2, 2);
  }
  EXPECT_EQ(pictures, 2);
  const auto json = nlohmann::json::parse(to_docling_json(doc));
  EXPECT_EQ(json["pictures"][0]["image"]["mimetype"], "image/png");
  EXPECT_EQ(json["pictures"][0]["image"]["uri"].get<std::string>().rfind("data:image/png;base64,iVBORw0KGgo", 0), 0u);
  EXPECT_NE(to_markdown(doc).find("![Image](data:image/png;base64,"), std::string::npos);
}

TEST(Convert, PageSelectionAndPassword) {
  Options options;
  options.pages = "2";
  options.password = "1234";
  options.layout = false;
  Converter converter(options);
  std::vector<Document> docs;
  converter.convert({{corpus("pdf/multi_page.pdf"), nullptr}, {corpus("pdf/2206.01062_pg3_password.pdf"), nullptr}},
                    [&](Document&& d) { docs.push_back(std::move(d)); });
  ASSERT_EQ(docs.size(), 2u);
  ASSERT_EQ(docs[0].pages.size(), 1u);
  EXPECT_EQ(docs[0].pages[0].number, 2);
  for (const auto& e : docs[0].elements) EXPECT_EQ(e.page, 2);
  // The password file has one page: "2" selects nothing there, which is reported.
  EXPECT_EQ(docs[1].error, "--pages 2 selects none of its 1 pages");
}

TEST(Convert, BadFilesFailAloneAndGoodOnesConvert) {
  ScratchDir dir;
  const std::vector<Input> inputs = {
      {dir.file("empty.pdf", ""), nullptr},
      {corpus("pdf/picture_classification.pdf"), nullptr},
      {dir.file("notes.pdf", "just some text, not a PDF"), nullptr},
      {corpus("pdf/2206.01062_pg3_password.pdf"), nullptr},
      {dir.file("cut.pdf", read_file(corpus("pdf/multi_page.pdf")).substr(0, 2000)), nullptr},
      {corpus("pdf/right_to_left_01.pdf"), nullptr},
  };
  std::vector<Document> docs;
  const RunResult result = shared_converter().convert(inputs, [&](Document&& d) { docs.push_back(std::move(d)); });
  ASSERT_EQ(docs.size(), inputs.size());
  EXPECT_EQ(docs[0].error, "file is empty");
  EXPECT_TRUE(docs[1].ok());
  EXPECT_FALSE(docs[1].elements.empty());
  EXPECT_EQ(docs[2].error, "not a PDF or a supported image (PNG, JPEG, TIFF, BMP, GIF, WebP)");
  EXPECT_EQ(docs[3].error, "encrypted: a password is needed (--password)");
  EXPECT_FALSE(docs[4].ok());  // truncated: fails as a file or per page, with a reason
  EXPECT_TRUE(docs[5].ok());
  EXPECT_EQ(result.documents, 6);
  EXPECT_GE(result.failed_documents, 3);
}

TEST(Convert, CancelledRunReportsWhatIsMissing) {
  std::stop_source stop;
  stop.request_stop();
  RunControl control;
  control.stop = stop.get_token();
  std::vector<Document> docs;
  const RunResult result = shared_converter().convert(corpus_inputs(), [&](Document&& d) { docs.push_back(std::move(d)); },
                                                      {}, control);
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(result.error, "cancelled");
  EXPECT_LT(docs.size(), corpus_inputs().size());
}

TEST(Convert, PageTimeoutFailsPagesWithTheReason) {
  Options options;
  options.page_timeout = std::chrono::milliseconds(1);
  options.window = 64;  // admit everything at once so queued pages age past the limit
  Converter converter(options);
  std::vector<Document> docs;
  converter.convert(corpus_inputs(), [&](Document&& d) { docs.push_back(std::move(d)); });
  int timed_out = 0;
  for (const auto& d : docs) {
    for (const auto& p : d.pages) timed_out += p.error.find("timed out after 1 ms") != std::string::npos;
  }
  EXPECT_GT(timed_out, 0);
  EXPECT_EQ(docs.size(), corpus_inputs().size());  // every document still comes back
}

int run_cli(const std::string& args) {
  const int status = std::system((std::string(PAGEFLOW_CLI) + " " + args + " 2>/dev/null").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Cli, ExitCodesAndOutputs) {
  ScratchDir dir;
  const std::string good = corpus("pdf/multi_page.pdf");
  EXPECT_EQ(run_cli("convert -q -o " + dir.path("a") + " --to md,json,html,text " + good), 0);
  for (const char* ext : {"md", "json", "html", "txt"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path(std::string("a/multi_page.") + ext))) << ext;
  }
  const std::string bad = dir.file("bad.pdf", "nope");
  EXPECT_EQ(run_cli("convert -q -o " + dir.path("b") + " " + bad + " " + good), 1);
  EXPECT_TRUE(std::filesystem::exists(dir.path("b/multi_page.md")));
  EXPECT_EQ(run_cli("convert --bogus " + good), 2);
  EXPECT_EQ(run_cli("convert -q --mode nope " + good), 2);
  EXPECT_EQ(run_cli("--help"), 0);
}

TEST(Cli, TraceIsAChromeTraceWithEveryStage) {
  ScratchDir dir;
  ASSERT_EQ(run_cli("convert -q -o " + dir.path() + " --trace " + dir.path("t.json") + " " +
                    corpus("pdf/normal_4pages.pdf") + " " + corpus("ocr/ocr_test.pdf")),
            0);
  const auto trace = nlohmann::json::parse(read_file(dir.path("t.json")));
  std::set<std::string> stages;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "X") stages.insert(e["cat"].get<std::string>());
  }
  EXPECT_EQ(stages, (std::set<std::string>{"render", "ocr", "layout", "tables", "assemble"}));
}

}  // namespace
}  // namespace pageflow
