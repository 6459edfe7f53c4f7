#include <gtest/gtest.h>

#include <algorithm>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/ink.h"
#include "core/text.h"
#include "export/export.h"
#include "ocr/bullets.h"
#include "ocr/form_boxes.h"
#include "ocr/paddle_ocr.h"
#include "ocr/policy.h"
#include "core/ruled_frames.h"
#include "ocr/tesseract_ocr.h"
#include "pageflow/converter.h"
#include "pdf/mupdf.h"
#include "test_util.h"

namespace pageflow::ocr {
namespace {

using pageflow::testing::corpus;
using pageflow::testing::read_file;
using pageflow::testing::ScratchDir;

const char* kSentence = "Docling bundles PDF document conversion to JSON and Markdown in an easy self contained package";

// Character error rate of `text` against `reference`, whitespace folded.
double cer(const std::string& text, const std::string& reference) {
  const std::u32string a = decode_utf8(normalize_space(text)), b = decode_utf8(normalize_space(reference));
  std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] != b[j - 1])});
    }
    std::swap(previous, current);
  }
  return static_cast<double>(previous[b.size()]) / std::max<size_t>(1, b.size());
}

std::string page_text(const Document& doc) {
  std::string text;
  for (const auto& e : doc.elements) text += e.text + " ";
  return text;
}

// The scanned sample at 200 dpi, as the render stage prepares it for OCR.
cv::Mat scanned_page(double* scale) {
  static pdf::MupdfEngine engine;
  pdf::PdfReader reader(engine);
  reader.open({corpus("ocr/ocr_test.pdf"), nullptr}, "", 1);
  return reader.render(1, 200, 40'000'000, scale);
}

Page load(const std::string& path, bool render = true) {
  static pdf::MupdfEngine engine;
  pdf::PdfReader reader(engine);
  reader.open({path, nullptr}, "", 1);
  Page page;
  reader.load(1, pdf::RenderRequest{72, render}, page);
  return page;
}

TEST(OcrPolicy, ScansNeedOcrDigitalAndBlankPagesDoNot) {
  EXPECT_TRUE(needs_ocr(load(corpus("ocr/ocr_test.pdf"))));
  EXPECT_FALSE(needs_ocr(load(corpus("pdf/multi_page.pdf"))));
  Page blank;
  blank.width = 100;
  blank.height = 100;
  blank.raster = cv::Mat(100, 100, CV_8UC3, cv::Scalar(255, 255, 255));
  blank.raster_scale = 1;
  EXPECT_FALSE(needs_ocr(blank));
}

TEST(OcrText, ALoneIdeographOnALatinPageIsDropped) {
  auto ocr_line = [](std::vector<std::string> words, double top) {
    TextLine line;
    double x = 10;
    for (auto& w : words) {
      line.words.push_back({w, {x, top, x + 30, top + 10}});
      line.text += (line.text.empty() ? "" : " ") + w;
      x += 40;
    }
    line.box = {10, top, x, top + 10};
    line.from_ocr = true;
    return line;
  };
  std::vector<TextLine> lines;
  for (int k = 0; k < 12; ++k) lines.push_back(ocr_line({"Fictitious", "example", "of", "English", "text"}, 10.0 * k));
  lines.push_back(ocr_line({"Total", "\u4e00", "amount\u53e3"}, 200));   // stray marks read as ideographs
  lines.push_back(ocr_line({"\u5f20\u4e09", "signed"}, 210));            // a two-ideograph name stays
  // A leader's dot read as an ideographic full stop, a comma and a colon full width; the full stop
  // after an ideograph stays.
  lines.push_back(ocr_line({"Haruna", "\u3002", "27\uff0c500\uff1a", "\u5f20\u4e09\u3002"}, 220));
  drop_stray_cjk(lines);
  ASSERT_EQ(lines.size(), 15u);
  EXPECT_EQ(lines[12].text, "Total amount");
  EXPECT_EQ(lines[12].words.size(), 2u);
  EXPECT_EQ(lines[13].text, "\u5f20\u4e09 signed");
  EXPECT_EQ(lines[14].text, "Haruna . 27,500: \u5f20\u4e09\u3002");
  // A Latin page with a Chinese name is no Chinese page (its form boxes are boxes, not 口).
  EXPECT_FALSE(mostly_ideographs(lines));
  EXPECT_TRUE(mostly_ideographs({ocr_line({"\u53e3\u8bed\u548c\u4e66\u9762\u8bed", "(oral)"}, 0)}));
}

// An OCR line of `words` 30 wide (10 apart) from `left` at `top`, 20 high.
TextLine ocr_row(const std::vector<std::string>& words, double left, double top) {
  TextLine line;
  double x = left;
  for (const auto& w : words) {
    line.words.push_back({w, {x, top, x + 30, top + 20}});
    line.text += (line.text.empty() ? "" : " ") + w;
    x += 40;
  }
  line.box = {left, top, x - 10, top + 20};
  line.from_ocr = true;
  return line;
}

TEST(OcrText, ALineBridgingANarrowGutterIsCutThere) {
  // A newspaper's two columns, 12 apart: the detector ran the first row of both into one line.
  std::vector<TextLine> lines;
  std::vector<std::vector<double>> blanks;
  // Rows 1 to 4 of both columns, set apart.
  const auto add_column_rows = [](std::vector<TextLine>& to, std::vector<std::vector<double>>& white) {
    for (int row = 1; row <= 4; ++row) {
      for (double left : {10.0, 132.0}) {
        to.push_back(ocr_row({"more", "column", "text"}, left, 100 + 22.0 * row));
        white.push_back({0, 5, 5});
      }
    }
  };
  TextLine bridged = ocr_row({"left", "words", "here"}, 10, 100);
  const TextLine right = ocr_row({"right", "words", "here"}, 132, 100);
  bridged.words.insert(bridged.words.end(), right.words.begin(), right.words.end());
  bridged.box.r = right.box.r;
  join_words(bridged);
  lines.push_back(bridged);
  blanks.push_back({0, 5, 5, 14, 5, 5});  // white before each word, measured on the line image
  add_column_rows(lines, blanks);
  // A line of one column whose justified space is as wide, with ink above and below it.
  lines.push_back(ocr_row({"one", "column", "justified", "line"}, 10, 400));
  lines.back().words[2].box = {112, 400, 142, 420};
  lines.back().words[3].box = {152, 400, 182, 420};
  blanks.push_back({0, 5, 14, 5});
  for (int row = 1; row <= 4; ++row) {
    lines.push_back(ocr_row({"prose", "of", "one", "column", "across", "it"}, 10, 400 + 22.0 * row));
    blanks.push_back({0, 5, 5, 5, 5, 5});
  }
  split_lines_at_gutters(lines, blanks);
  ASSERT_EQ(lines.size(), 15u);
  EXPECT_EQ(lines[0].text, "left words here");
  EXPECT_DOUBLE_EQ(lines[0].box.r, 120);
  EXPECT_EQ(lines[1].text, "right words here");
  EXPECT_DOUBLE_EQ(lines[1].box.l, 132);
  EXPECT_EQ(lines[10].text, "one column justified line");

  // The same white between words without a channel down the page (no neighbours) is a space.
  std::vector<TextLine> alone = {bridged};
  split_lines_at_gutters(alone, {{0, 5, 5, 14, 5, 5}});
  EXPECT_EQ(alone.size(), 1u);

  // Nor with a line across the gap right above it, however early that line comes in the list.
  std::vector<TextLine> under_prose = {ocr_row({"prose", "of", "one", "column", "across", "it"}, 25, 78), bridged};
  std::vector<std::vector<double>> under_prose_blanks = {{0, 5, 5, 5, 5, 5}, {0, 5, 5, 14, 5, 5}};
  add_column_rows(under_prose, under_prose_blanks);
  split_lines_at_gutters(under_prose, under_prose_blanks);
  ASSERT_EQ(under_prose.size(), 10u);
  EXPECT_EQ(under_prose[1].text, bridged.text);
}

TEST(OcrText, AWordBoxedApartFromItsLineStaysInItsParagraph) {
  // Two columns of five rows. The detector boxed the first word of the left column's third row
  // apart, lower than a full line (no descenders); a margin note as low stands beside the right
  // column, outside it.
  std::vector<TextLine> lines;
  for (int row = 0; row < 5; ++row) {
    const double top = 100 + 22.0 * row;
    if (row == 2) {
      lines.push_back(ocr_row({"Prevost,"}, 10, top + 4));
      lines.back().box.b = lines.back().words[0].box.b = top + 15;
      lines.push_back(ocr_row({"assistant", "director"}, 50, top));
    } else {
      lines.push_back(ocr_row({"left", "column", "text"}, 10, top));
    }
    lines.push_back(ocr_row({"right", "column", "text"}, 132, top));
  }
  lines.push_back(ocr_row({"note"}, 300, 148));
  lines.back().box.b = lines.back().words[0].box.b = 159;
  assign_blocks(lines);
  const int left = lines[0].block, right = lines[1].block;
  EXPECT_NE(left, right);
  for (const TextLine& line : lines) {
    if (line.text == "note") EXPECT_TRUE(line.block != left && line.block != right);
    else EXPECT_EQ(line.block, line.box.l < 120 ? left : right) << line.text;
  }
}

TEST(OcrText, ColumnsStayApartUnderALineRunAcrossTheGutter) {
  // A newspaper's two columns. The detector ran the first row of both into one line, taller than
  // the rest (two baselines); the right column starts a little higher than the left one's second
  // row. In the left column's fourth row a justified space cut off a short word, boxed low
  // ("pace"), and the row under it is boxed a little taller than most.
  std::vector<TextLine> lines;
  TextLine bridged = ocr_row({"left", "words", "right", "words"}, 10, 100);
  bridged.box = {10, 100, 250, 128};
  lines.push_back(bridged);
  for (int row = 0; row < 7; ++row) {
    const double left_top = 124 + 22.0 * row;
    if (row == 3) {
      lines.push_back(ocr_row({"pace"}, 10, left_top + 4));
      lines.back().box.b = lines.back().words[0].box.b = left_top + 18;
      lines.push_back(ocr_row({"with", "advances"}, 50, left_top - 3));
      lines.back().box.b = left_top + 17;
    } else {
      lines.push_back(ocr_row({"left", "column", "text"}, 10, left_top));
      if (row == 4) lines.back().box.b = left_top + 22;
    }
    lines.push_back(ocr_row({"right", "column", "text"}, 132, left_top - 7));
  }
  assign_blocks(lines);
  const int left = lines[0].block, right = lines[2].block;
  EXPECT_NE(left, right);
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].block, lines[i].box.l < 120 ? left : right) << lines[i].text << " at " << lines[i].box.t;
  }
}

TEST(PaddleOcr, ReadsAScannedPageWithWordBoxes) {
  double scale = 0;
  const cv::Mat image = scanned_page(&scale);
  PaddleOcr paddle(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1);
  const Orientation orientation = paddle.orient(image);
  EXPECT_EQ(orientation.rotation, 0);
  const auto lines = paddle.read(image, scale, scale, orientation.lines, 0);
  ASSERT_FALSE(lines.empty());
  std::string text;
  for (const auto& l : lines) {
    text += l.text + " ";
    EXPECT_TRUE(l.from_ocr);
    EXPECT_GT(l.confidence, 0.5f);
    for (const auto& w : l.words) {
      EXPECT_GE(w.box.l, l.box.l - 0.5);
      EXPECT_LE(w.box.r, l.box.r + 0.5);
    }
  }
  EXPECT_LT(cer(text, kSentence), 0.03) << text;
}

TEST(PaddleOcr, CloseSetRowsTheDetectorRanTogetherAreReadRowByRow) {
  // A large page (the detector sees it scaled to a fifth) of lines set apart, and a paragraph
  // whose rows nearly touch: scaled down they run into one box that reads as nothing.
  cv::Mat page(4800, 3600, CV_8UC3, cv::Scalar(255, 255, 255));
  const std::vector<std::string> spaced = {"Fictitious example text one", "Another sample line two",
                                           "Some more words here three", "Plain text for reading four",
                                           "Last spaced line five", "Still one more line six"};
  for (size_t k = 0; k < spaced.size(); ++k) {
    cv::putText(page, spaced[k], cv::Point(200, 300 + 90 * static_cast<int>(k)), cv::FONT_HERSHEY_SIMPLEX, 1.2,
                cv::Scalar(0, 0, 0), 2);
  }
  const std::vector<std::string> tight = {"rows of a column set close", "that the detector merged",
                                          "at a fifth of their size"};
  for (size_t k = 0; k < tight.size(); ++k) {
    cv::putText(page, tight[k], cv::Point(200, 1200 + 32 * static_cast<int>(k)), cv::FONT_HERSHEY_SIMPLEX, 1.2,
                cv::Scalar(0, 0, 0), 2);
  }
  PaddleOcr paddle(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1);
  std::string text;
  for (const auto& line : paddle.read(page, 200.0 / 72, 200.0 / 72, {}, 0)) text += line.text + "\n";
  for (const auto& row : tight) EXPECT_NE(text.find(row), std::string::npos) << text;
}

TEST(PaddleOcr, TypeSizeIsMeasuredFromTheLetters) {
  auto page_of = [](double font_scale) {
    cv::Mat page(1400, 1000, CV_8UC3, cv::Scalar(255, 255, 255));
    for (int row = 0; row < 8; ++row) {
      cv::putText(page, "Fictitious example text", cv::Point(40, 120 + 160 * row), cv::FONT_HERSHEY_SIMPLEX,
                  font_scale, cv::Scalar(0, 0, 0), 2);
    }
    return page;
  };
  const double small = survey_ink(page_of(0.8)).glyph_height, large = survey_ink(page_of(2.4)).glyph_height;
  EXPECT_GT(small, 0);
  EXPECT_NEAR(large / small, 3.0, 0.75);
  EXPECT_EQ(survey_ink(cv::Mat(400, 300, CV_8UC3, cv::Scalar(255, 255, 255))).glyph_height, 0);  // nothing to tell
}

TEST(PaddleOcr, LinesCarryTheSizeWeightAndSlantOfTheirType) {
  // Body lines, one line twice as thick (bold), one slanted (italic) and one larger, at 200 dpi.
  cv::Mat page(1400, 1200, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar black(0, 0, 0);
  const auto write = [&](const std::string& text, int row, int face, double size, int thickness) {
    cv::putText(page, text, cv::Point(60, 120 + 110 * row), face, size, black, thickness);
  };
  write("Plain running text of the body", 0, cv::FONT_HERSHEY_SIMPLEX, 1.0, 2);
  write("More ordinary words set upright", 1, cv::FONT_HERSHEY_SIMPLEX, 1.0, 2);
  write("Heavy words in a bold weight", 2, cv::FONT_HERSHEY_SIMPLEX, 1.0, 4);
  {
    // Italic: upright letters sheared by 12° (x moves right by a fifth of the height above the foot).
    cv::Mat strip(100, 1100, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(strip, "Sloping words in an italic face", cv::Point(20, 70), cv::FONT_HERSHEY_SIMPLEX, 1.0, black, 2);
    const cv::Mat shear = (cv::Mat_<double>(2, 3) << 1, -0.2, 14, 0, 1, 0);
    cv::warpAffine(strip, strip, shear, strip.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
    strip.copyTo(page(cv::Rect(40, 120 + 110 * 3 - 70, strip.cols, strip.rows)));
  }
  write("Large heading line", 4, cv::FONT_HERSHEY_SIMPLEX, 1.6, 3);
  write("Another line of body text here", 5, cv::FONT_HERSHEY_SIMPLEX, 1.0, 2);
  write("And one more plain line below", 6, cv::FONT_HERSHEY_SIMPLEX, 1.0, 2);
  PaddleOcr paddle(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1);
  const double scale = 200.0 / 72;
  const auto find = [](const std::vector<TextLine>& lines, const std::string& start) {
    const auto it = std::find_if(lines.begin(), lines.end(), [&](const TextLine& l) { return l.text.rfind(start, 0) == 0; });
    EXPECT_NE(it, lines.end()) << start;
    return it == lines.end() ? TextLine{} : *it;
  };
  const auto lines = paddle.read(page, scale, scale, {}, 0);
  const TextLine body = find(lines, "Plain"), bold = find(lines, "Heavy"), italic = find(lines, "Sloping"),
                 large = find(lines, "Large");
  EXPECT_TRUE(body.sized_from_ink);
  EXPECT_FALSE(body.bold || body.italic);
  EXPECT_TRUE(bold.bold);
  EXPECT_FALSE(bold.italic);
  EXPECT_TRUE(italic.italic);
  EXPECT_FALSE(italic.bold);
  EXPECT_GT(large.font_size, 1.4 * body.font_size);
  EXPECT_NEAR(find(lines, "More").font_size, body.font_size, 0.1 * body.font_size);
  // A scan of 72 dpi drawn at 200: its letters hold too few pixels to tell weight or slant.
  for (const TextLine& line : paddle.read(page, scale, 1.0, {}, 0)) {
    EXPECT_FALSE(line.sized_from_ink || line.bold || line.italic) << line.text;
  }
}

TEST(PaddleOcr, OnlyThePartOfAPageThatHoldsInkIsDetected) {
  cv::Mat page(1400, 1000, CV_8UC3, cv::Scalar(250, 250, 250));
  cv::putText(page, "Fictitious example text", cv::Point(300, 900), cv::FONT_HERSHEY_SIMPLEX, 1.0,
              cv::Scalar(0, 0, 0), 2);
  // Faint grey type, which an Otsu split against the black line would count as paper.
  cv::putText(page, "Second line in grey", cv::Point(320, 1000), cv::FONT_HERSHEY_SIMPLEX, 1.0,
              cv::Scalar(190, 190, 190), 2);
  page.at<cv::Vec3b>(50, 50) = cv::Vec3b(0, 0, 0);  // a speck of dust far away
  const cv::Rect bounds = survey_ink(page).bounds;
  EXPECT_GE(bounds.x, 280);
  EXPECT_LE(bounds.x, 306);
  EXPECT_GE(bounds.y, 860);
  EXPECT_GE(bounds.y + bounds.height, 1000);
  EXPECT_LE(bounds.y + bounds.height, 1020);
  EXPECT_TRUE(survey_ink(cv::Mat(400, 300, CV_8UC3, cv::Scalar(255, 255, 255))).bounds.empty());
  // Light type on a dark ground: no telling ink from paper, the page is taken whole.
  cv::Mat dark(400, 300, CV_8UC3, cv::Scalar(30, 30, 30));
  cv::putText(dark, "Light", cv::Point(40, 200), cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(255, 255, 255), 2);
  EXPECT_EQ(survey_ink(dark).bounds, cv::Rect(0, 0, 300, 400));

  // The lines found in the part are those found on the whole page, at the same places.
  PaddleOcr paddle(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1);
  const auto part = paddle.detect(page, true), whole = paddle.detect(page, false);
  ASSERT_EQ(part.size(), 2u);
  ASSERT_EQ(whole.size(), 2u);
  for (size_t i = 0; i < part.size(); ++i) {
    const cv::Rect2f a = part[i].bounds(), b = whole[i].bounds();
    EXPECT_GT((a & b).area(), 0.7 * (a | b).area()) << "line " << i;
  }
  EXPECT_TRUE(paddle.detect(cv::Mat(400, 300, CV_8UC3, cv::Scalar(255, 255, 255)), true).empty());
}

TEST(PaddleOcr, LargeTypeIsDetectedAtALowerResolutionWithTheSameLines) {
  double scale = 0;
  const cv::Mat image = scanned_page(&scale);
  PaddleSettings full;
  full.det_glyph_px = 1000;  // never lowered
  PaddleOcr at_limit(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1, full);
  PaddleOcr by_type(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1);
  const auto reference = at_limit.detect(image, true), lowered = by_type.detect(image, true);
  ASSERT_EQ(lowered.size(), reference.size());
  for (size_t i = 0; i < lowered.size(); ++i) {
    const cv::Rect2f a = lowered[i].bounds(), b = reference[i].bounds();
    EXPECT_GT((a & b).area(), 0.7 * (a | b).area()) << "line " << i;
  }
  std::string text;
  for (const auto& l : by_type.read(image, scale, scale, lowered, 0)) text += l.text + " ";
  EXPECT_LT(cer(text, kSentence), 0.03) << text;
}

TEST(PaddleOcr, WordSpacesTheRecogniserDropsAreRestoredFromTheGaps) {
  // PP-OCRv4 reads some Latin words of a line without the space between them; the blank columns
  // between the letters show where the spaces were.
  PaddleOcr paddle(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1);
  const std::vector<std::string> sentences = {"Accurate document layout analysis is a key requirement",
                                              "largegroundtruth datasets such as PubLayNet and DocBank",
                                              "we present a new publicly available annotation dataset"};
  std::vector<cv::Mat> crops;
  for (const auto& sentence : sentences) {
    cv::Mat crop(64, 1100, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(crop, sentence, cv::Point(10, 44), cv::FONT_HERSHEY_COMPLEX, 1.0, cv::Scalar(0, 0, 0), 2);
    crops.push_back(crop);
  }
  const auto read = paddle.recognize(crops);
  ASSERT_EQ(read.size(), sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    EXPECT_EQ(split_words(read[i].text).size(), split_words(sentences[i]).size()) << read[i].text;
    EXPECT_EQ(decode_utf8(read[i].text).size(), read[i].char_x.size());
  }
}

TEST(PaddleOcr, LongLinesAreReadInPiecesWithoutLosingWords) {
  // A synthetic line far wider than one recognition piece: the words must survive the cuts.
  PaddleSettings narrow;
  narrow.rec_chunk = 320;
  PaddleOcr paddle(std::string(PAGEFLOW_DEPS) + "/models/ppocr", 1, narrow);
  double scale = 0;
  const cv::Mat image = scanned_page(&scale);
  const auto lines = paddle.read(image, scale, scale, {}, 0);
  std::string text;
  for (const auto& l : lines) text += l.text + " ";
  EXPECT_LT(cer(text, kSentence), 0.05) << text << "|";
}

TEST(TesseractOcr, ReadsTheSamePage) {
  double scale = 0;
  const cv::Mat image = scanned_page(&scale);
  TesseractOcr tesseract("eng");
  const auto lines = tesseract.read(image, scale, scale, {}, 0);
  std::string text;
  for (const auto& l : lines) text += l.text + " ";
  EXPECT_LT(cer(text, kSentence), 0.03) << text;
  EXPECT_THROW(TesseractOcr("xx-no-such-language"), std::runtime_error);
}

TEST(OcrConversion, RotatedScansAreReadUpright) {
  Converter converter{Options{}};
  for (const auto& [name, degrees] : std::vector<std::pair<std::string, int>>{
           {"ocr_test", 0}, {"ocr_test_rotated_90", 90}, {"ocr_test_rotated_180", 180}, {"ocr_test_rotated_270", 270}}) {
    Document doc;
    converter.convert({{corpus("ocr/" + name + ".pdf"), nullptr}}, [&](Document&& d) { doc = std::move(d); });
    ASSERT_TRUE(doc.ok()) << name;
    EXPECT_TRUE(doc.pages[0].ocr) << name;
    // Turning by the detected amount undoes the scan's rotation (90 scanned needs 270 back, etc.).
    EXPECT_EQ((doc.pages[0].rotation + degrees) % 360 == 0 || doc.pages[0].rotation == degrees, true)
        << name << " turned " << doc.pages[0].rotation;
    EXPECT_LT(cer(page_text(doc), kSentence), 0.03) << name << ": " << page_text(doc);
    EXPECT_LT(cer(page_text(doc), read_file(corpus("ocr-groundtruth/" + name + ".md"))), 0.03) << name;
  }
}

TEST(OcrConversion, MultiPageTiffAndTesseractEngine) {
  Options options;
  options.ocr_engine = "tesseract";
  Converter converter(options);
  Document doc;
  converter.convert({{corpus("ocr/2206.01062.tif"), nullptr}}, [&](Document&& d) { doc = std::move(d); });
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc.pages.size(), 2u);
  const std::string md = to_markdown(doc);
  EXPECT_NE(md.find("Human-Annotated Dataset"), std::string::npos) << md.substr(0, 400);
  for (const auto& e : doc.elements) EXPECT_TRUE(e.from_ocr || e.label == Label::picture || e.label == Label::table);
}

TEST(OcrConversion, ScannedTwoColumnPageIsReadColumnByColumn) {
  Options options;
  options.pages = "1";
  Document doc;
  Converter(options).convert({{corpus("ocr/2206.01062.tif"), nullptr}}, [&](Document&& d) { doc = std::move(d); });
  ASSERT_TRUE(doc.ok());
  const Element* abstract = nullptr;
  bool abstract_heading = false;
  std::string furniture;
  for (const auto& e : doc.elements) {
    if (e.furniture()) furniture += e.text + " ";
    if (e.label == Label::section_header && e.text == "ABSTRACT") abstract_heading = true;
    if (e.text.find("PubMed") != std::string::npos) abstract = &e;
    // The vertical arXiv stamp in the left margin never reaches the body, whole or in letters.
    if (!e.furniture()) {
      EXPECT_EQ(e.text.find("arXiv:"), std::string::npos) << e.text;
      EXPECT_GT(e.box.l, 0.08 * doc.pages[0].width) << "in the margin: " << e.text;
    }
  }
  EXPECT_TRUE(abstract_heading);
  ASSERT_NE(abstract, nullptr);
  // Both author rows come before the columns under them, though the second row's gap lines up
  // with the gutter.
  const std::string md = to_markdown(doc);
  EXPECT_LT(md.find("Peter Staar"), md.find("ABSTRACT")) << md.substr(0, 800);
  // Small scanned type: spaces the recogniser left out, restored from narrower gaps.
  for (const char* words : {"evidence that", "diverse layouts", "the inter-annotator"}) {
    EXPECT_NE(abstract->text.find(words), std::string::npos) << words << " in " << abstract->text;
  }
  // The abstract is one paragraph of the left column: its first and last lines, nothing of the
  // figure or the right column between them.
  EXPECT_NE(abstract->text.find("Accurate document"), std::string::npos) << abstract->text;
  EXPECT_NE(abstract->text.find("document-layout analysis."), std::string::npos) << abstract->text;
  EXPECT_EQ(abstract->text.find("Looking back"), std::string::npos) << abstract->text;
  EXPECT_EQ(abstract->text.find("Figure 1"), std::string::npos) << abstract->text;
  EXPECT_NE(furniture.find("arXiv"), std::string::npos) << furniture;
}

TEST(OcrBullets, DotsOpeningALineAndBulletsReadIntoTheirWordAreBullets) {
  std::vector<TextLine> lines = {ocr_row({".", "Wang", "Laboratories"}, 10, 0), ocr_row({"\u25A0bullet", "list"}, 10, 30),
                                 ocr_row({"."}, 10, 60), ocr_row({"Microsoft", "Word"}, 60, 60),
                                 ocr_row({"."}, 10, 90), ocr_row({"A", "sentence", "ends", "here."}, 10, 120)};
  restore_bullets(lines);
  EXPECT_EQ(lines[0].text, "\u2022 Wang Laboratories");
  EXPECT_EQ(lines[1].text, "\u25A0 bullet list");
  EXPECT_EQ(lines[1].words[1].box.l, lines[1].words[0].box.r);
  EXPECT_EQ(lines[2].text, "\u2022");  // opens "Microsoft Word" on its row
  EXPECT_EQ(lines[4].text, ".");        // a speck alone
  EXPECT_EQ(lines[5].text, "A sentence ends here.");
}

TEST(OcrBullets, ASolidShapeLeftOfALineIsItsBullet) {
  // 200 dpi: three lines at 100 pt from the left, a dot and a triangle before the first two, a
  // hollow ring before the third (an "o" the recogniser reads, not a drawn bullet).
  const double scale = 200.0 / 72;
  cv::Mat page(600, 1200, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar black(0, 0, 0);
  cv::circle(page, cv::Point(250, 92), 8, black, cv::FILLED);
  const std::vector<cv::Point> triangle = {{243, 184}, {243, 200}, {259, 192}};
  cv::fillConvexPoly(page, triangle, black);
  cv::circle(page, cv::Point(250, 292), 8, black, 2);
  std::vector<TextLine> lines;
  for (int k = 0; k < 3; ++k) {
    TextLine line = ocr_row({"First", "item", "text"}, 100, (75 + 100 * k) / scale);
    line.box.b = line.box.t + 13;
    for (Word& w : line.words) w.box.b = line.box.b;
    lines.push_back(line);
  }
  find_drawn_bullets(ink_of(page), scale, lines);
  EXPECT_EQ(lines[0].text, "\u2022 First item text");
  EXPECT_NEAR(lines[0].box.l, 242 / scale, 1);
  EXPECT_EQ(lines[1].text, "\u2022 First item text");
  EXPECT_EQ(lines[2].text, "First item text");
}

TEST(FormBoxes, HollowSquaresOpeningALineAreBoxesLettersAreNot) {
  // At 200 dpi (2.78 px/pt): an empty box, a crossed one, a box standing left of its line, a
  // filled square (a bullet), letters with holes, and a box in the middle of a line.
  const double scale = 200 / 72.0;
  cv::Mat page(800, 1000, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar black(0, 0, 0);
  cv::rectangle(page, {100, 100, 30, 30}, black, 3);
  cv::rectangle(page, {100, 200, 30, 30}, black, 3);
  cv::line(page, {104, 204}, {126, 226}, black, 3);
  cv::line(page, {104, 226}, {126, 204}, black, 3);
  cv::rectangle(page, {100, 300, 30, 30}, black, 3);
  cv::rectangle(page, {100, 400, 30, 30}, black, cv::FILLED);
  cv::putText(page, "O D 0 Q", {100, 530}, cv::FONT_HERSHEY_SIMPLEX, 1.5, black, 3);
  cv::rectangle(page, {400, 600, 30, 30}, black, 3);
  const auto quad = [](float l, float t, float r, float b) {
    Quad q;
    q.points = {cv::Point2f(l, t), cv::Point2f(r, t), cv::Point2f(r, b), cv::Point2f(l, b)};
    return q;
  };
  const std::vector<Quad> lines = {quad(96, 96, 600, 134),  quad(96, 196, 600, 234), quad(160, 296, 600, 334),
                                   quad(96, 396, 600, 434), quad(96, 490, 400, 540), quad(100, 596, 800, 634)};
  const auto boxes = find_form_boxes(ink_of(page), scale, lines);
  ASSERT_EQ(boxes.size(), 3u);
  std::vector<std::pair<int, bool>> found;
  for (const auto& b : boxes) found.emplace_back(b.rect.y, b.ticked);
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<std::pair<int, bool>>{{98, false}, {198, true}, {298, false}}));
  // Read past: the lines start after the boxes they began at, not after the one they stand beside.
  const auto past = lines_past_boxes(lines, boxes);
  EXPECT_GT(past[0].bounds().x, 130);
  EXPECT_FLOAT_EQ(past[2].bounds().x, 160);
  EXPECT_FLOAT_EQ(past[5].bounds().x, 100);
}

TEST(RuledFrames, ABoxedBlockIsAFrameATableGridAndAPageBorderAreNotTheTablesRowsAreGridRows) {
  // At 150 dpi: a page-wide border, a boxed ad with a rule across it and text inside, a ruled
  // 3x3 table beside it, and a box too small to hold a block.
  const double scale = 150 / 72.0;
  cv::Mat page(1650, 1275, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar black(0, 0, 0);
  cv::rectangle(page, cv::Rect(40, 40, 1195, 1570), black, 4);
  cv::rectangle(page, cv::Rect(100, 150, 500, 400), black, 3);
  cv::line(page, {100, 300}, {600, 300}, black, 3);
  for (int row = 0; row < 6; ++row) {
    cv::putText(page, "Open daily 11 to 11", {130, 200 + 50 * row}, cv::FONT_HERSHEY_SIMPLEX, 1.0, black, 2);
  }
  for (int x : {700, 850, 1000, 1150}) cv::line(page, {x, 150}, {x, 550}, black, 3);
  for (int y : {150, 283, 416, 550}) cv::line(page, {700, y}, {1150, y}, black, 3);
  cv::rectangle(page, cv::Rect(100, 700, 20, 20), black, 2);
  const auto frames = find_ruled_layout(ink_of(page), scale).frames;
  const auto in_pixels = [&](const Box& b) {
    return cv::Rect(cv::Point(static_cast<int>(b.l * scale), static_cast<int>(b.t * scale)),
                    cv::Point(static_cast<int>(b.r * scale), static_cast<int>(b.b * scale)));
  };
  const cv::Rect ad(100, 150, 500, 400), table(700, 150, 450, 400);
  int ads = 0;
  for (const Box& frame : frames) {
    const cv::Rect found = in_pixels(frame);
    // The band between the border's top and the boxes under it is ruled all round: it may count.
    EXPECT_LT(found.area(), page.total() / 2) << found;
    EXPECT_LT((found & table).area(), found.area() / 10) << found;
    if ((found & ad).area() >= 0.95 * std::max(found.area(), ad.area())) ++ads;
  }
  EXPECT_EQ(ads, 1);
  // The table's three rows are rows of a grid, read each as a unit.
  const auto rows = find_ruled_layout(ink_of(page), scale).grid_rows;
  ASSERT_EQ(rows.size(), 3u);
  for (const Box& row : rows) {
    const cv::Rect found = in_pixels(row);
    EXPECT_NEAR(found.x, table.x, 6);
    EXPECT_NEAR(found.br().x, table.br().x, 6);
  }
}

TEST(RuledFrames, GraphPaperHoldsNoFrames) {
  // Rules every 4 points across a page: hundreds of rules each way, and no table to read by rows.
  std::vector<Box> rules;
  for (int i = 0; i < 136; ++i) rules.push_back({36.0 + 4 * i, 36, 36.0 + 4 * i, 756});
  for (int j = 0; j < 181; ++j) rules.push_back({36, 36.0 + 4 * j, 576, 36.0 + 4 * j});
  const RuledLayout ruled = find_ruled_layout(rules, 612, 792);
  EXPECT_TRUE(ruled.frames.empty());
  EXPECT_TRUE(ruled.grid_rows.empty());
  // Three rows of a table drawn the same way are found.
  const std::vector<Box> table = {{72, 100, 472, 100}, {72, 130, 472, 130}, {72, 160, 472, 160}, {72, 190, 472, 190},
                                  {72, 100, 72, 190},  {272, 100, 272, 190}, {472, 100, 472, 190}};
  EXPECT_EQ(find_ruled_layout(table, 612, 792).grid_rows.size(), 3u);
}

TEST(OcrConversion, PrintedFormBoxesAreFormItems) {
  // The vector form of the PDF tests, scanned: its boxes are ink now, not drawing operators.
  ScratchDir dir;
  static pdf::MupdfEngine engine;
  pdf::PdfReader reader(engine);
  reader.open({dir.file("form.pdf", testing::drawn_form_pdf()), nullptr}, "", 1);
  double scale = 0;
  const cv::Mat scan = reader.render(1, 200, 40'000'000, &scale);
  const std::string png = dir.path("form.png");
  ASSERT_TRUE(cv::imwrite(png, scan));
  Document doc;
  Converter{Options{}}.convert({{png, nullptr}}, [&](Document&& d) { doc = std::move(d); });
  ASSERT_TRUE(doc.ok());
  const std::string md = to_markdown(doc);
  for (const char* item : {"- [ ] Yes, at the national level", "- [x] No", "- [x] Ticked with a glyph"}) {
    EXPECT_NE(md.find(item), std::string::npos) << item << " in\n" << md;
  }
  // The same scan as a lossless WebP with an (opaque) alpha channel reads exactly the same.
  cv::Mat with_alpha;
  cv::cvtColor(scan, with_alpha, cv::COLOR_BGR2BGRA);
  const std::string webp = dir.path("form.webp");
  ASSERT_TRUE(cv::imwrite(webp, with_alpha, {cv::IMWRITE_WEBP_QUALITY, 101}));
  Document from_webp;
  Converter{Options{}}.convert({{webp, nullptr}}, [&](Document&& d) { from_webp = std::move(d); });
  ASSERT_TRUE(from_webp.ok()) << from_webp.error;
  EXPECT_EQ(to_markdown(from_webp), md);
}

TEST(OcrConversion, PicturesInDigitalPagesAreReadWhenAsked) {
  Options options;
  options.ocr_pictures = true;
  Document doc;
  Converter(options).convert({{corpus("pdf/picture_classification.pdf"), nullptr}},
                             [&](Document&& d) { doc = std::move(d); });
  std::string picture_text, body_text;
  for (const auto& e : doc.elements) (e.label == Label::picture ? picture_text : body_text) += e.text + " ";
  // The bar chart's axis labels are pixels in the PDF: only OCR can read them.
  EXPECT_NE(picture_text.find("Institutional"), std::string::npos) << picture_text;
  EXPECT_EQ(body_text.find("Institutional"), std::string::npos);  // they stay with the picture
  Document plain;
  Converter{Options{}}.convert({{corpus("pdf/picture_classification.pdf"), nullptr}},
                               [&](Document&& d) { plain = std::move(d); });
  for (const auto& e : plain.elements) EXPECT_EQ(e.text.find("Institutional"), std::string::npos);
}

TEST(OcrConversion, OcrOffLeavesScansEmptyAndForceReadsDigitalPages) {
  Options off;
  off.ocr = "off";
  Document scanned;
  Converter(off).convert({{corpus("ocr/ocr_test.pdf"), nullptr}}, [&](Document&& d) { scanned = std::move(d); });
  EXPECT_FALSE(scanned.pages[0].ocr);
  EXPECT_EQ(page_text(scanned).find("Docling"), std::string::npos);
  Options force;
  force.ocr = "force";
  force.pages = "1";
  Document digital;
  Converter(force).convert({{corpus("pdf/multi_page.pdf"), nullptr}}, [&](Document&& d) { digital = std::move(d); });
  EXPECT_TRUE(digital.pages[0].ocr);
  EXPECT_NE(page_text(digital).find("Evolution"), std::string::npos);
}

}  // namespace
}  // namespace pageflow::ocr
