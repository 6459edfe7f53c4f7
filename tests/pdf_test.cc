#include <gtest/gtest.h>

#include <algorithm>

#include <opencv2/imgcodecs.hpp>

#include "core/page.h"
#include "pdf/mupdf.h"
#include "pdf/symbol_fonts.h"
#include "test_util.h"

namespace pageflow::pdf {
namespace {

using pageflow::testing::corpus;
using pageflow::testing::read_file;
using pageflow::testing::ScratchDir;

const MupdfEngine& engine() {
  static MupdfEngine instance;
  return instance;
}

// Page `number` of a corpus file, loaded with `request`.
Page load_page(const std::string& file, int number, const RenderRequest& request) {
  PdfReader reader(engine());
  reader.open({corpus(file), nullptr}, "", 1);
  Page page;
  reader.load(number, request, page);
  return page;
}

const RenderRequest kTextOnly{72, false};

// The text layer of the first page of a generated PDF.
Page load_text_layer(const std::string& pdf) {
  ScratchDir dir;
  PdfReader reader(engine());
  reader.open({dir.file("generated.pdf", pdf), nullptr}, "", 1);
  Page page;
  reader.load(1, kTextOnly, page);
  return page;
}

std::string open_error(const Input& input, const std::string& password = "") {
  PdfReader reader(engine());
  try {
    reader.open(input, password, 1);
    reader.page_count();
  } catch (const PdfError& e) {
    return e.what();
  }
  return "";
}

TEST(Pdf, ReadsTextLayerAndRendersAPage) {
  PdfReader reader(engine());
  reader.open({corpus("pdf/multi_page.pdf"), nullptr}, "", 1);
  EXPECT_EQ(reader.page_count(), 5);
  Page page;
  RenderRequest request;
  request.dpi = 144;
  reader.load(1, request, page);
  EXPECT_NEAR(page.width, 595.2, 0.1);  // A4
  EXPECT_NEAR(page.height, 841.9, 0.1);
  ASSERT_FALSE(page.lines.empty());
  EXPECT_EQ(page.lines[0].text, "The Evolution of the Word Processor");
  EXPECT_TRUE(page.lines[0].bold);  // the title is set in Times Bold, the body in Times
  EXPECT_FALSE(page.lines[1].bold);
  EXPECT_DOUBLE_EQ(page.lines[1].font_size, 12);
  EXPECT_FALSE(page.lines[0].words.empty());
  for (const auto& line : page.lines) {
    EXPECT_GE(line.box.l, 0);
    EXPECT_LE(line.box.r, page.width + 1);
    EXPECT_LT(line.box.t, line.box.b);
  }
  EXPECT_EQ(page.raster.cols, 1191);
  EXPECT_EQ(page.raster.rows, 1684);
  EXPECT_EQ(page.raster.channels(), 3);
  EXPECT_DOUBLE_EQ(page.raster_scale, 2.0);
}

TEST(Pdf, CodeLinesAreMonospacedAndProseWithCodeWordsIsNot) {
  // Helvetica and Courier lines: prose naming code (most of its letters monospaced), a line of
  // code, a listing's comment whose marker is monospaced and its words roman (as texinfo sets
  // them), a roman line starting "#".
  const std::string content =
      "BT /F1 10 Tf 72 700 Td (the mean is ) Tj /F2 10 Tf (sum\\(x\\)/length\\(x\\)) Tj /F1 10 Tf "
      "( here) Tj ET\n"
      "BT /F2 10 Tf 72 680 Td (x <- c\\(1, 2, 3\\)) Tj ET\n"
      "BT /F2 10 Tf 72 660 Td (## ) Tj /F1 10 Tf (a comment set in roman type) Tj ET\n"
      "BT /F1 10 Tf 72 640 Td (# a roman line that starts with a hash) Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Helvetica", "Courier"}));
  ASSERT_EQ(page.lines.size(), 4u);
  EXPECT_FALSE(page.lines[0].monospace) << page.lines[0].text;
  EXPECT_TRUE(page.lines[1].monospace) << page.lines[1].text;
  EXPECT_TRUE(page.lines[2].monospace) << page.lines[2].text;
  EXPECT_FALSE(page.lines[3].monospace) << page.lines[3].text;
}

TEST(Pdf, ALineOfTwoFacesInEqualShareTakesTheStyleOfTheFirst) {
  // texinfo's "coef(object)": the name upright, the argument slanted, as many glyphs each. The
  // style must not hang on which face MuPDF happened to allocate first (it changed run to run).
  const std::string content =
      "BT /F1 10 Tf 72 700 Td (coef\\() Tj /F2 10 Tf (object) Tj /F1 10 Tf (\\)) Tj ET\n"
      "BT /F2 10 Tf 72 680 Td (obj) Tj /F1 10 Tf (\\(a\\)) Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Courier", "Courier-Oblique"}));
  ASSERT_EQ(page.lines.size(), 2u);
  EXPECT_EQ(page.lines[0].text, "coef(object)");
  EXPECT_FALSE(page.lines[0].italic);
  EXPECT_EQ(page.lines[1].text, "obj(a)");
  EXPECT_TRUE(page.lines[1].italic);
}

// A Type 3 face for the characters of `text`, every glyph (object `glyph_object`, a filled box)
// advancing 600 units, with no fixed-pitch flag and no name, its bounding box `bbox`. Its glyphs
// map to their characters, or, with `unmapped_by` the number of a ToUnicode stream object, to
// whatever that table says.
std::string type3_font(const std::string& text, int glyph_object, int unmapped_by = 0,
                       const std::string& bbox = "0 0 600 700") {
  std::string differences, procs, widths;
  for (unsigned char c = 32; c < 127; ++c) {
    widths += "600 ";
    if (text.find(static_cast<char>(c)) == std::string::npos) continue;
    const std::string name = c == ' ' ? "space" : c == ',' ? "comma" : c == ';' ? "semicolon" : std::string(1, c);
    differences += std::to_string(c) + " /" + name + " ";
    procs += "/" + name + " " + std::to_string(glyph_object) + " 0 R ";
  }
  const std::string to_unicode = unmapped_by ? "/ToUnicode " + std::to_string(unmapped_by) + " 0 R " : "";
  return "<< /Type /Font /Subtype /Type3 /FontBBox [" + bbox + "] /FontMatrix [0.001 0 0 0.001 0 0] "
         "/FirstChar 32 /LastChar 126 /Widths [" + widths + "] /Encoding << /Type /Encoding /Differences [" +
         differences + "] >> /CharProcs << " + procs + ">> " + to_unicode + ">>";
}

// A ToUnicode stream object that gives one-byte code `code` the character `unicode` (both in hex)
// and maps no other code.
std::string to_unicode_of_one(const std::string& code, const std::string& unicode) {
  return testing::stream_object(
      "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /One def "
      "1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfchar <" + code + "> <" + unicode +
      "> endbfchar endcmap CMapName currentdict /CMap defineresource pop end end");
}

// The text of each of the page's lines, in order.
std::vector<std::string> line_texts(const Page& page) {
  std::vector<std::string> texts;
  for (const auto& line : page.lines) texts.push_back(line.text);
  return texts;
}

const std::string kBoxGlyph = testing::stream_object("600 0 0 0 500 700 d1 0 0 500 700 re f");

TEST(Pdf, AFaceWhoseLettersAllAdvanceAlikeIsMonospaced) {
  // F1: a face of one advance (an embedded listing face as some producers write it); F2: Helvetica.
  const std::string text = "SELECT name, kind FROM items;";
  const std::string content = "BT /F1 10 Tf 72 700 Td (" + text + ") Tj ET\n"
                              "BT /F2 10 Tf 72 680 Td (Prose set in a proportional face) Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {type3_font(text, 7), "Helvetica"}, {kBoxGlyph}));
  ASSERT_EQ(page.lines.size(), 2u);
  EXPECT_EQ(page.lines[0].text, text);
  EXPECT_TRUE(page.lines[0].monospace);
  EXPECT_FALSE(page.lines[1].monospace) << page.lines[1].text;
}

TEST(Pdf, LinesOfUnmappedGlyphsAreADrawingNotText) {
  // Three lines in a face whose glyphs map to no character, each after a bullet that does.
  const std::string text = "Enhance the performance";
  std::string content;
  for (int k = 0; k < 3; ++k) {
    const std::string y = std::to_string(700 - 12 * k);
    content += "BT /F2 10 Tf 72 " + y + " Td (\\267) Tj /F1 10 Tf 10 0 Td (" + text + ") Tj ET\n";
  }
  content += "BT /F3 10 Tf 72 600 Td (A line of ordinary text) Tj ET\n";
  // MuPDF reports a glyph it cannot map as U+FFFD; a table mapping every letter there does the same.
  const std::string unmapped = testing::stream_object(
      "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Unmapped def "
      "1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <21> <7E> [" +
      [] { std::string d; for (int c = 0x21; c <= 0x7E; ++c) d += "<FFFD> "; return d; }() +
      "] endbfrange endcmap CMapName currentdict /CMap defineresource pop end end");
  const Page page = load_text_layer(
      testing::one_page_pdf(content, {type3_font(text, 8, 9), "Symbol", "Helvetica"}, {kBoxGlyph, unmapped}));
  ASSERT_EQ(page.lines.size(), 1u);
  EXPECT_EQ(page.lines[0].text, "A line of ordinary text");
  ASSERT_EQ(page.drawing_boxes.size(), 1u);
  EXPECT_NEAR(page.drawing_boxes[0].l, 72, 12);
  EXPECT_LT(page.drawing_boxes[0].b, 120);
}

TEST(Pdf, ATallUnmappedGlyphAloneIsNoBullet) {
  // A display formula's big operator in a face that maps nothing, alone on its line (four times
  // the height of its type), over a line of text.
  const std::string unmapped = to_unicode_of_one("53", "FFFD");
  const std::string content = "BT /F1 10 Tf 72 700 Td (S) Tj ET\nBT /F2 10 Tf 72 600 Td (where N is the number) Tj ET\n";
  const Page page = load_text_layer(
      testing::one_page_pdf(content, {type3_font("S", 7, 8, "0 -1500 600 2500"), "Helvetica"}, {kBoxGlyph, unmapped}));
  ASSERT_EQ(page.lines.size(), 1u);
  EXPECT_EQ(page.lines[0].text, "where N is the number");
}

TEST(Pdf, AControlCodeFromAToUnicodeTableIsAnUnmappedGlyph) {
  // A form's box glyph that a subset's ToUnicode table gives as U+0084, a C1 control code: at the
  // start of its line it is the item's bullet, like any glyph that maps to nothing.
  const std::string control = to_unicode_of_one("62", "0084");
  const std::string content = "BT /F1 10 Tf 72 700 Td (b) Tj /F2 10 Tf ( There is no such limitation) Tj ET\n";
  const Page page =
      load_text_layer(testing::one_page_pdf(content, {type3_font("b", 7, 8), "Helvetica"}, {kBoxGlyph, control}));
  ASSERT_EQ(page.lines.size(), 1u);
  EXPECT_EQ(page.lines[0].text, "\u2022 There is no such limitation");
}

TEST(Pdf, UnicodeEntriesOfSeveralCharacters) {
  // "u" mapped by the ToUnicode table to U+1D707 (mathematical italic mu) twice, as UTF-16
  // surrogate pairs, as a real file does it: MuPDF gives the four halves, the last three at the
  // glyph's end with no width. One glyph, one character, written as valid UTF-8. And "x" mapped
  // to the three letters of its ligature, "ffi": all three are text ("office").
  const std::string text = "10 uL oxce";
  std::string map = "<20> <0020> ";
  for (char c : std::string("10Loce")) {
    char hex[24];
    std::snprintf(hex, sizeof hex, "<%02X> <%04X> ", c, c);
    map += hex;
  }
  const std::string cmap = testing::stream_object(
      "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Several def "
      "1 begincodespacerange <00> <FF> endcodespacerange 7 beginbfchar " + map +
      "endbfchar 2 beginbfchar <75> <D835DF07D835DF07> <78> <006600660069> endbfchar endcmap CMapName currentdict "
      "/CMap defineresource pop end end");
  const std::string content = "BT /F1 10 Tf 72 700 Td (" + text + ") Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {type3_font(text, 6, 7)}, {kBoxGlyph, cmap}));
  ASSERT_EQ(page.lines.size(), 1u);
  EXPECT_EQ(page.lines[0].text, "10 \U0001D707L office");
}

TEST(Pdf, TextDrawnTwiceIsReadOnce) {
  // A label painted twice at one place, and a partial copy of a line (a few of its glyphs, at
  // their places: Courier advances 6 points at 10 points) drawn before the whole line.
  const std::string content =
      "BT /F1 10 Tf 72 700 Td (ENFORCED FOR ALL ACCESS) Tj ET\n"
      "BT /F1 10 Tf 72 700 Td (ENFORCED FOR ALL ACCESS) Tj ET\n"
      "BT /F1 10 Tf 72 680 Td (S) Tj 24 0 Td (ifi) Tj ET\n"
      "BT /F1 10 Tf 72 680 Td (Specifies the row) Tj ET\n"
      "BT /F1 10 Tf 72 660 Td (Spelled twice, in two places) Tj ET\n"
      "BT /F1 10 Tf 72 640 Td (Spelled twice, in two places) Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Courier"}));
  const std::vector<std::string> texts = line_texts(page);
  const std::vector<std::string> expected = {"ENFORCED FOR ALL ACCESS", "Specifies the row", "Spelled twice, in two places",
                                             "Spelled twice, in two places"};
  EXPECT_EQ(texts, expected);
}

TEST(Pdf, DrawnCheckboxSquaresBecomeBoxGlyphs) {
  const Page page = load_text_layer(testing::drawn_form_pdf());
  const std::vector<std::string> texts = line_texts(page);
  const std::vector<std::string> expected = {"\u2610 Yes, at the national level", "\u2612 No",
                                             "\u2612 Ticked with a glyph", "1 2 3", "Inside a large frame"};
  EXPECT_EQ(texts, expected);
  EXPECT_NEAR(page.lines[0].box.l, 72, 1);  // the line now starts at its box
}

TEST(Pdf, TheRowsOfARuledTableAreFramesAPanelAndASingleRowOfBoxesAreNot) {
  // A table of three rows and two columns, ruled with strokes and one thin filled bar (its middle
  // rule); a band of two boxes side by side; a panel ruled all round.
  const std::string content =
      "1 w 72 700 m 472 700 l S 72 670 m 472 670 l S 72 640 m 472 640 l S 72 600 m 472 600 l S "
      "72 600 m 72 700 l S 472 600 m 472 700 l S 271.5 600 1 100 re f\n"
      "72 500 200 40 re S 272 500 200 40 re S\n"
      "72 300 400 100 re S BT /F1 10 Tf 80 350 Td (Inside a panel) Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Helvetica"}));
  ASSERT_EQ(page.frames.size(), 3u);
  std::vector<Box> rows = page.frames;
  std::sort(rows.begin(), rows.end(), [](const Box& a, const Box& b) { return a.t < b.t; });
  const double tops[] = {92, 122, 152}, bottoms[] = {122, 152, 192};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(rows[k].l, 72, 2);
    EXPECT_NEAR(rows[k].r, 472, 2);
    EXPECT_NEAR(rows[k].t, tops[k], 2);
    EXPECT_NEAR(rows[k].b, bottoms[k], 2);
  }
}

TEST(Pdf, ADarkSquareBesideAFormsEmptyBoxIsTheChosenOption) {
  // A row of two options, the first an empty drawn box, the second a box filled black (the one
  // chosen); under it a list item whose bullet is a small black square with no box on its row.
  const std::string content =
      "1 w 300 700 10 10 re S BT /F1 10 Tf 314 701 Td (Yes) Tj ET 350 700 10 10 re f "
      "BT /F1 10 Tf 364 701 Td (No) Tj ET\n"
      "72 662 6 6 re f BT /F1 10 Tf 86 661 Td (A bulleted item) Tj ET\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Helvetica"}));
  const std::vector<std::string> texts = line_texts(page);
  const std::vector<std::string> expected = {"\u2610 Yes", "\u2612 No", "A bulleted item"};
  EXPECT_EQ(texts, expected);
}

TEST(Pdf, WingdingsBoxesAndBulletsReadAsTheirCharacters) {
  const Page page = load_text_layer(testing::symbol_font_form_pdf());
  const std::vector<std::string> texts = line_texts(page);
  const std::vector<std::string> expected = {"\u25A1 Yes, at the national level", "\u2612 No, never",
                                             "\u2751 Not applicable", "o is a letter in Helvetica",
                                             "\u25AA A first bullet item", "\u25AA A second bullet item"};
  EXPECT_EQ(texts, expected);
}

TEST(Pdf, SymbolFacesByName) {
  EXPECT_EQ(pdf::symbol_face("ABCDEF+Wingdings-Regular"), pdf::SymbolFace::wingdings);
  EXPECT_EQ(pdf::symbol_face("Wingdings"), pdf::SymbolFace::wingdings);
  EXPECT_EQ(pdf::symbol_face("Wingdings2"), pdf::SymbolFace::none);  // another glyph order
  EXPECT_EQ(pdf::symbol_face("Wingdings 3"), pdf::SymbolFace::none);
  EXPECT_EQ(pdf::symbol_face("XYZ+Symbol"), pdf::SymbolFace::symbol);
  EXPECT_EQ(pdf::symbol_face("Helvetica"), pdf::SymbolFace::none);
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0xF0B7), U'\u2022');
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0xB7), U'\u00B7');  // a middle dot stays one
  // Word's codes of Symbol's other glyphs: a menu path's arrow, Greek, an operator.
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0xF0AE), U'\u2192');
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0xF061), U'\u03B1');
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0xF0A3), U'\u2264');
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0x61), U'a');  // a one-byte code stays itself
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::symbol, 0xF0E6), U'\uF0E6');  // a bracket's piece: none
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::wingdings, 0xF0FE), U'\u2611');
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::wingdings, U'A'), U'A');  // no box: left as it is
  EXPECT_EQ(pdf::symbol_character(pdf::SymbolFace::none, U'o'), U'o');
}

void expect_near_box(const Box& found, const Box& expected) {
  EXPECT_NEAR(found.l, expected.l, 0.5);
  EXPECT_NEAR(found.t, expected.t, 0.5);
  EXPECT_NEAR(found.r, expected.r, 0.5);
  EXPECT_NEAR(found.b, expected.b, 0.5);
}

TEST(Pdf, PathsDrawnTogetherAreOneDrawing) {
  // An emblem of eight small filled shapes, a rule across the page under a footer line, and six
  // dots far apart (a list's vector bullets).
  std::string content = "BT /F1 10 Tf 72 60 Td (Footer line beside the emblem) Tj ET 60 57 m 550 57 l S\n";
  for (int k = 0; k < 8; ++k) {
    const int x = 420 + (k % 4) * 8, y = 60 + (k / 4) * 8;
    content += std::to_string(x) + " " + std::to_string(y) + " m " + std::to_string(x + 6) + " " + std::to_string(y) +
               " l " + std::to_string(x + 3) + " " + std::to_string(y + 6) + " l f\n";
  }
  for (int k = 0; k < 6; ++k) content += "72 " + std::to_string(700 - 40 * k) + " 3 3 re f\n";
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Helvetica"}));
  ASSERT_EQ(page.drawing_boxes.size(), 1u);
  expect_near_box(page.drawing_boxes[0], {420, 792 - 74, 450, 792 - 60});
}

TEST(Pdf, AChartsGridlinesHoldItsBarsInOneDrawing) {
  // Three groups of three bars 20 pt apart, over five gridlines and a plot area 300 pt wide (half
  // the page): the lines and the plot's background span the same width, so they stay.
  std::string content = "0.9 g 100 400 300 160 re f 0 G\n";
  for (int k = 0; k < 5; ++k) content += "100 " + std::to_string(400 + 40 * k) + " m 400 " + std::to_string(400 + 40 * k) + " l S\n";
  for (int group = 0; group < 3; ++group) {
    for (int bar = 0; bar < 3; ++bar) content += std::to_string(120 + 100 * group + 20 * bar) + " 400 18 " + std::to_string(40 + 30 * bar) + " re f\n";
  }
  const Page page = load_text_layer(testing::one_page_pdf(content, {"Helvetica"}));
  ASSERT_EQ(page.drawing_boxes.size(), 1u);
  expect_near_box(page.drawing_boxes[0], {100, 792 - 560, 400, 792 - 400});
}

TEST(Pdf, TextOnlyRequestSkipsTheRaster) {
  const Page page = load_page("pdf/multi_page.pdf", 2, kTextOnly);
  EXPECT_TRUE(page.raster.empty());
  EXPECT_FALSE(page.lines.empty());
}

TEST(Pdf, HugePagesAreRenderedWithinThePixelBudget) {
  RenderRequest request;
  request.dpi = 1200;
  request.max_pixels = 1'000'000;
  const Page page = load_page("pdf/multi_page.pdf", 1, request);
  EXPECT_LE(static_cast<long long>(page.raster.cols) * page.raster.rows, 1'010'000);
  EXPECT_LT(page.raster_scale, 1200 / 72.0);
}

TEST(Pdf, AScannedPageIsDrawnOnceAtTheOcrResolution) {
  RenderRequest request;
  request.scan_dpi = 200;
  const Page scan = load_page("ocr/ocr_test.pdf", 1, request);
  PdfReader reader(engine());
  reader.open({corpus("ocr/ocr_test.pdf"), nullptr}, "", 1);
  double ocr_scale = 0;
  const cv::Mat drawn = reader.render(1, 200, request.max_pixels, &ocr_scale);
  // The OCR raster is the drawing a separate render would make; the raster is shrunk from it.
  ASSERT_FALSE(scan.ocr_raster.empty());
  EXPECT_DOUBLE_EQ(scan.ocr_scale, ocr_scale);
  EXPECT_EQ(cv::norm(scan.ocr_raster, drawn, cv::NORM_INF), 0);
  const Page drawn_twice = load_page("ocr/ocr_test.pdf", 1, RenderRequest{});
  EXPECT_EQ(scan.raster.size(), drawn_twice.raster.size());
  EXPECT_DOUBLE_EQ(scan.raster_scale, drawn_twice.raster_scale);
  EXPECT_TRUE(drawn_twice.ocr_raster.empty());
  // A digital page is drawn at the raster's resolution only.
  const Page digital = load_page("pdf/multi_page.pdf", 1, request);
  EXPECT_TRUE(digital.ocr_raster.empty());
  EXPECT_DOUBLE_EQ(digital.raster_scale, 1.0);
}

TEST(Pdf, RightToLeftTextComesOutInLogicalOrder) {
  const Page page = load_page("pdf/right_to_left_01.pdf", 1, kTextOnly);
  ASSERT_FALSE(page.lines.empty());
  // The heading starts with "تحسين" (improving) and keeps the lam-alef ligature in order.
  EXPECT_EQ(page.lines[0].text.rfind("تحسين", 0), 0u) << page.lines[0].text;
  std::string all;
  for (const auto& l : page.lines) all += l.text + " ";
  EXPECT_NE(all.find("الإنتاجية"), std::string::npos);
  EXPECT_NE(all.find("المشكلات"), std::string::npos);
}

TEST(Pdf, PasswordProtectedFiles) {
  const Input input{corpus("pdf/2206.01062_pg3_password.pdf"), nullptr};
  EXPECT_EQ(open_error(input), "encrypted: a password is needed (--password)");
  EXPECT_EQ(open_error(input, "wrong"), "encrypted: the password is wrong");
  EXPECT_EQ(open_error(input, "1234"), "");
  PdfReader reader(engine());
  reader.open(input, "1234", 1);
  Page page;
  reader.load(1, kTextOnly, page);
  EXPECT_GT(page.lines.size(), 10u);
}

TEST(Pdf, BadFilesFailWithAReason) {
  ScratchDir dir;
  EXPECT_EQ(open_error({dir.file("empty.pdf", ""), nullptr}), "file is empty");
  EXPECT_EQ(open_error({dir.file("random.pdf", "\x13\x37\xde\xad\xbe\xef garbage"), nullptr}),
            "not a PDF or a supported image (PNG, JPEG, TIFF, BMP, GIF, WebP)");
  EXPECT_EQ(open_error({dir.file("page.pdf", "<html><body>not a pdf</body></html>"), nullptr}),
            "not a PDF or a supported image (PNG, JPEG, TIFF, BMP, GIF, WebP)");
  EXPECT_EQ(open_error({dir.file("archive.pdf", std::string("PK\x03\x04\x14\0\0\0", 8)), nullptr}),
            "not a PDF or a supported image (PNG, JPEG, TIFF, BMP, GIF, WebP)");
  EXPECT_EQ(open_error({dir.path("missing.pdf"), nullptr}).rfind("cannot read file", 0), 0u);
  EXPECT_NE(open_error({dir.file("header-only.pdf", "%PDF-1.7\n"), nullptr}), "");
}

TEST(Pdf, TruncatedFilesNeverCrash) {
  const std::string whole = read_file(corpus("pdf/multi_page.pdf"));
  ScratchDir dir;
  for (double fraction : {0.1, 0.5, 0.9, 0.99}) {
    const std::string path = dir.file("cut.pdf", whole.substr(0, static_cast<size_t>(whole.size() * fraction)));
    PdfReader reader(engine());
    try {
      reader.open({path, nullptr}, "", static_cast<uint64_t>(fraction * 100) + 1);
      const int pages = reader.page_count();
      for (int p = 1; p <= pages; ++p) {
        Page page;
        try {
          reader.load(p, RenderRequest{}, page);
        } catch (const PdfError& e) {
          EXPECT_FALSE(std::string(e.what()).empty());
        }
      }
    } catch (const PdfError& e) {
      EXPECT_FALSE(std::string(e.what()).empty());  // failing is fine, with a reason
    }
  }
}

TEST(Pdf, InMemoryInputReadsLikeAFile) {
  auto bytes = std::make_shared<const std::string>(read_file(corpus("pdf/multi_page.pdf")));
  PdfReader from_memory(engine()), from_file(engine());
  from_memory.open({"memory.pdf", bytes}, "", 1);
  from_file.open({corpus("pdf/multi_page.pdf"), nullptr}, "", 2);
  Page a, b;
  from_memory.load(3, kTextOnly, a);
  from_file.load(3, kTextOnly, b);
  ASSERT_EQ(a.lines.size(), b.lines.size());
  for (size_t i = 0; i < a.lines.size(); ++i) EXPECT_EQ(a.lines[i].text, b.lines[i].text);
}

TEST(Pdf, SniffsFormatsFromContent) {
  EXPECT_EQ(sniff_format("%PDF-1.4 ..."), "pdf");
  EXPECT_EQ(sniff_format("junk before\n%PDF-1.4"), "pdf");
  EXPECT_EQ(sniff_format("\x89PNG\r\n\x1a\n...."), "png");
  EXPECT_EQ(sniff_format("\xFF\xD8\xFF\xE0"), "jpg");
  EXPECT_EQ(sniff_format(std::string("II*\0", 4)), "tiff");
  EXPECT_EQ(sniff_format(std::string("RIFF\x10\0\0\0WEBPVP8L", 16)), "webp");
  EXPECT_EQ(sniff_format(std::string("RIFF\x10\0\0\0WAVEfmt ", 16)), "");
  EXPECT_EQ(sniff_format("<html>"), "");
}

TEST(Pdf, BadWebpFilesFailWithAReason) {
  ScratchDir dir;
  std::vector<unsigned char> encoded;
  ASSERT_TRUE(cv::imencode(".webp", cv::Mat(40, 60, CV_8UC3, cv::Scalar(200, 100, 50)), encoded));
  const std::string whole(encoded.begin(), encoded.end());
  EXPECT_EQ(open_error({dir.file("whole.webp", whole), nullptr}), "");
  EXPECT_EQ(open_error({dir.file("header.webp", whole.substr(0, 20)), nullptr}),
            "cannot open webp: unknown or truncated header");
  EXPECT_EQ(open_error({dir.file("cut.webp", whole.substr(0, 40)), nullptr}),
            "cannot open webp: the image data is corrupt");
  // A lossless header claiming 16384 x 16384 pixels: refused before anything is decoded.
  const std::string huge = std::string("RIFF\x20\0\0\0WEBPVP8L\x10\0\0\0\x2f\xff\xff\xff\x0f", 25) + std::string(12, '\0');
  EXPECT_EQ(open_error({dir.file("huge.webp", huge), nullptr}),
            "cannot open webp: 16384 x 16384 px is over the 134-megapixel limit (--memory-limit / 4)");
}

TEST(Pdf, AWebpIsMadeReadableOnceAsPngAndOtherInputsAsTheyAre) {
  ScratchDir dir;
  const cv::Mat pixels(40, 60, CV_8UC3, cv::Scalar(200, 100, 50));
  std::vector<unsigned char> encoded;
  ASSERT_TRUE(cv::imencode(".webp", pixels, encoded, {cv::IMWRITE_WEBP_QUALITY, 101}));
  PdfReader reader(engine());
  const Input webp = reader.readable({dir.file("page.webp", std::string(encoded.begin(), encoded.end())), nullptr});
  ASSERT_TRUE(webp.bytes);
  EXPECT_EQ(sniff_format(webp.bytes->substr(0, 16)), "png");
  const std::vector<unsigned char> png(webp.bytes->begin(), webp.bytes->end());
  EXPECT_EQ(cv::norm(cv::imdecode(png, cv::IMREAD_COLOR), pixels, cv::NORM_INF), 0);  // lossless
  const Input pdf = reader.readable({corpus("pdf/multi_page.pdf"), nullptr});
  EXPECT_EQ(pdf.path, corpus("pdf/multi_page.pdf"));
  EXPECT_FALSE(pdf.bytes);
}

}  // namespace
}  // namespace pageflow::pdf
