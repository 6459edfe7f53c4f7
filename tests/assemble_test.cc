#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include "assemble/document_assembler.h"
#include "assemble/page_assembler.h"
#include "core/checkboxes.h"
#include "core/statistics.h"
#include "core/text.h"

namespace pageflow {
namespace {

TextLine line(const std::string& text, double l, double t, double r, double size = 10, int block = 0,
              bool bold = false) {
  TextLine out;
  out.text = text;
  out.box = {l, t, r, t + size * 1.2};
  out.font_size = size;
  out.bold = bold;
  out.block = block;
  double x = l;
  for (const auto& w : split_words(text)) {
    const double width = static_cast<double>(w.size()) * size * 0.5;
    out.words.push_back({w, {x, t, x + width, t + size * 1.2}});
    x += width + size * 0.3;
  }
  return out;
}

Page page_with(std::vector<TextLine> lines, std::vector<Region> regions = {}) {
  Page page;
  page.number = 1;
  page.width = 612;
  page.height = 792;
  page.lines = std::move(lines);
  page.regions = std::move(regions);
  return page;
}

TEST(PageAssembly, APlainPagesLinesPlacedEachOnItsOwnStillMakeParagraphs) {
  // No regions (the model skipped or not run): a paragraph whose lines are text blocks of their
  // own (an indented first line, lines at the margin), a list item whose second line is its own
  // block under the item's text, and a paragraph starting with an indented line in a new block.
  const Page page = page_with({line("The purpose of this standard is to explain", 86, 100, 400, 10, 0),
                               line("the rulings that relate to trading in currencies,", 72, 112, 400, 10, 1),
                               line("as well as their conditions.", 72, 124, 250, 10, 2),
                               line("- an item whose text runs on", 72, 148, 400, 10, 3),
                               line("to a second line", 81, 160, 250, 10, 4),
                               line("A new paragraph opens indented", 86, 184, 400, 10, 5),
                               line("and runs on at the margin.", 72, 196, 300, 10, 6)});
  const auto blocks = assemble_page(page, false);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].element.text,
            "The purpose of this standard is to explain the rulings that relate to trading in currencies, as well as "
            "their conditions.");
  EXPECT_EQ(blocks[1].element.label, Label::list_item);
  EXPECT_EQ(blocks[1].element.text, "an item whose text runs on to a second line");
  EXPECT_EQ(blocks[2].element.text, "A new paragraph opens indented and runs on at the margin.");
}

TEST(PageAssembly, LinesOfProsePlacedEachOnItsOwnMakeParagraphsBesideADrawing) {
  // No regions, and a drawing on the page (so not one plain column): a right-to-left paragraph
  // and a left-to-right one whose every line is a text block of its own (justified, the last line
  // short: the right-to-left one's ends at the right), two short labels one under the other, and
  // a diagram's two labels in 5-pt type whose boxes touch but whose lines are 13 pt apart.
  std::vector<TextLine> lines = {
      line("هذا هو السطر الأول من فقرة عربية طويلة", 100, 100, 540, 10, 0),
      line("وهذا هو السطر الثاني من الفقرة نفسها تماما", 100, 112, 540, 10, 1),
      line("وهنا تنتهي الفقرة.", 400, 124, 540, 10, 2),
      line("The first line of a paragraph that a producer", 72, 200, 500, 10, 3),
      line("placed on its own, and the second line of it,", 72, 212, 500, 10, 4),
      line("and its last line.", 72, 224, 200, 10, 5),
      line("Standard name", 72, 300, 140, 10, 6),
      line("National number", 72, 312, 150, 10, 7),
      line("Security: comprehensive, human, emerging and new security", 300, 400, 420, 5, 8),
      line("Core functions: economy, military, politics, safety, health", 296, 413, 424, 5, 9)};
  lines[8].box.b = lines[9].box.t;  // the tall boxes of a face with a large ascent and descent
  lines[9].box.b = lines[9].box.t + 13;
  Page page = page_with(lines);
  page.drawing_boxes = {{450, 600, 550, 700}};
  const auto blocks = assemble_page(page, false);
  std::vector<std::string> texts;
  for (const auto& b : blocks) {
    if (b.element.label != Label::picture) texts.push_back(b.element.text);
  }
  const std::vector<std::string> expected = {
      "هذا هو السطر الأول من فقرة عربية طويلة وهذا هو السطر الثاني من الفقرة نفسها تماما وهنا تنتهي الفقرة.",
      "The first line of a paragraph that a producer placed on its own, and the second line of it, and its last "
      "line.",
      "Standard name", "National number", "Security: comprehensive, human, emerging and new security",
      "Core functions: economy, military, politics, safety, health"};
  EXPECT_EQ(texts, expected);
}

TEST(PageAssembly, AnItalicLineOverUprightTextAndOcrTypeASizeLargerOpenBlocksOfTheirOwn) {
  // A manual's run-in heading in italics, set as close to its paragraph as the paragraph's lines;
  // then a scan's coloured heading, set in type two fifths larger than its paragraph's (sizes OCR
  // measured on the glyphs).
  std::vector<TextLine> lines = {line("Boots Self-Locking Nut", 72, 100, 170, 10, 0),
                                 line("The Boots self-locking nut is of one piece, all-metal", 72, 112, 320, 10, 0),
                                 line("construction designed to hold tight despite vibration.", 72, 124, 320, 10, 0),
                                 line("We build confident clients", 72, 158, 260, 14, 1),
                                 line("No one else has the vast consulting experience and", 72, 178, 320, 10, 1),
                                 line("renown service offerings to do what we can do.", 72, 190, 320, 10, 1)};
  lines[0].italic = true;
  for (size_t k = 3; k < lines.size(); ++k) lines[k].from_ocr = lines[k].sized_from_ink = true;
  const auto blocks = assemble_page(page_with(lines));
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].element.text, "Boots Self-Locking Nut");
  EXPECT_TRUE(blocks[0].italic);
  EXPECT_EQ(blocks[2].element.text, "We build confident clients");
  EXPECT_EQ(blocks[3].element.text.rfind("No one else", 0), 0u);
}

TEST(PageAssembly, ParagraphsSetApartByLessThanALineInOneRegionAreTwo) {
  // The detector boxed two paragraphs as one region; they are set 8 pt apart where its lines are
  // 2 pt apart: less than a line's height, more than the region's line spacing.
  std::vector<TextLine> lines;
  for (int k = 0; k < 3; ++k) lines.push_back(line("first, line " + std::to_string(k), 72, 100 + 14 * k, 400, 10, 0));
  for (int k = 0; k < 3; ++k) lines.push_back(line("second, line " + std::to_string(k), 72, 148 + 14 * k, 400, 10, 1));
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {60, 90, 560, 200}, 0.9f}}), false);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.text, "first, line 0 first, line 1 first, line 2");
  EXPECT_EQ(blocks[1].element.text, "second, line 0 second, line 1 second, line 2");
}

TEST(PageAssembly, APlainPagesBlocksSetApartByMoreThanItsLineSpacingStayApart) {
  // No regions: a paragraph (one text block) and, below it, example commands each a block of its
  // own and the prose between them, each set 6 pt apart where the paragraph's lines are 2 pt
  // apart. The prose after a command is at the margin (it would continue an indented line), yet
  // the gap parts them.
  std::vector<TextLine> lines;
  for (int k = 0; k < 6; ++k) {
    lines.push_back(line("A line of the paragraph that explains the commands", 72, 100 + 14 * k, 500, 10, 0));
  }
  lines.push_back(line("> help(solve)", 86, 188, 160, 10, 1));
  lines.push_back(line("An alternative is", 72, 206, 170, 10, 2));
  lines.push_back(line("> ?solve", 86, 224, 140, 10, 3));
  lines.push_back(line("For a feature named by special characters, quote it.", 72, 242, 500, 10, 4));
  const auto blocks = assemble_page(page_with(lines), false);
  ASSERT_EQ(blocks.size(), 5u);
  EXPECT_EQ(blocks[1].element.text, "> help(solve)");
  EXPECT_EQ(blocks[2].element.text, "An alternative is");
  EXPECT_EQ(blocks[3].element.text, "> ?solve");
}

TEST(PageAssembly, ANumberedTitleInCapitalsEndsItsItem) {
  // A licence's section: its numbered title in capitals, the paragraph under the title's text.
  // The paragraph is no part of a one-line "item"; an item in capitals that goes on in capitals
  // stays one.
  const Page page = page_with({line("0. PREAMBLE", 72, 100, 160, 10, 0),
                               line("The purpose of this License is to make a manual free,", 86, 114, 500, 10, 0),
                               line("in the sense of freedom.", 86, 128, 300, 10, 0),
                               line("1. TERMS AND", 72, 148, 160, 10, 1),
                               line("CONDITIONS", 86, 162, 200, 10, 1)},
                              {{Label::text, {60, 90, 560, 200}, 0.9f}});
  const auto blocks = assemble_page(page, false);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].element.label, Label::list_item);
  EXPECT_EQ(blocks[0].element.text, "PREAMBLE");
  EXPECT_EQ(blocks[1].element.text, "The purpose of this License is to make a manual free, in the sense of freedom.");
  EXPECT_EQ(blocks[2].element.text, "TERMS AND CONDITIONS");
}

TEST(Reflow, JoinsLinesAndRemovesLineEndHyphens) {
  EXPECT_EQ(reflow({"The pipe-", "line runs", "  concurrently. "}), "The pipeline runs concurrently.");
  EXPECT_EQ(reflow({"state-", "Of-the-art"}), "state- Of-the-art");  // capital: a real hyphen
  EXPECT_EQ(reflow({"数据", "处理"}), "数据处理");
  EXPECT_EQ(reflow({"", "one", ""}), "one");
}

TEST(ListMarkers, BulletsAndEnumerations) {
  bool ordered = true;
  EXPECT_EQ(list_marker_length("• item", &ordered), 4u);
  EXPECT_FALSE(ordered);
  EXPECT_EQ(list_marker_length("- item", &ordered), 2u);
  EXPECT_EQ(list_marker_length("\xC2\x84 symbol-font bullet", &ordered), 3u);
  EXPECT_EQ(list_marker_length("3. third", &ordered), 3u);
  EXPECT_TRUE(ordered);
  EXPECT_EQ(list_marker_length("(iv) roman", &ordered), 5u);
  EXPECT_EQ(list_marker_length("a) letter", &ordered), 3u);
  EXPECT_EQ(list_marker_length("3.5 is a number", &ordered), 0u);
  EXPECT_EQ(list_marker_length("Plain text", &ordered), 0u);
  EXPECT_EQ(list_marker_length("-5 degrees", &ordered), 0u);
}

// Four rows of two lines side by side ("<left>N" and "<right>N", N the row), `pitch` apart.
std::vector<TextLine> side_by_side(const std::string& left, std::pair<double, double> left_x, const std::string& right,
                                   std::pair<double, double> right_x, double pitch) {
  std::vector<TextLine> lines;
  for (int row = 0; row < 4; ++row) {
    const double t = 100 + row * pitch;
    lines.push_back(line(left + std::to_string(row), left_x.first, t, left_x.second));
    lines.push_back(line(right + std::to_string(row), right_x.first, t, right_x.second));
  }
  return lines;
}

TEST(PageAssembly, OneRegionOverTwoColumnsIsReadColumnByColumn) {
  // A detector box spanning both columns of a scan (OCR lines, no text-layer blocks): rows of
  // the two columns line up, yet each column is read to its end before the next.
  std::vector<TextLine> lines =
      side_by_side("left column words in line ", {40, 280}, "right column words in line ", {320, 560}, 12);
  for (auto& l : lines) l.from_ocr = true;
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {30, 90, 570, 160}, 0.9f}}));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.text,
            "left column words in line 0 left column words in line 1 left column words in line 2 "
            "left column words in line 3");
  EXPECT_EQ(blocks[1].element.text.substr(0, 28), "right column words in line 0");
}

TEST(PageAssembly, AHeadlineOverColumnsInOneRegionIsReadBeforeThem) {
  // One detector box over an article: its headline across the top, two columns of prose under it.
  std::vector<TextLine> lines = {line("Headline Across Both Columns", 40, 70, 560, 16)};
  const auto columns =
      side_by_side("left column words in line ", {40, 280}, "right column words in line ", {320, 560}, 12);
  lines.insert(lines.end(), columns.begin(), columns.end());
  for (auto& l : lines) l.from_ocr = true;
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {30, 60, 570, 160}, 0.9f}}));
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].element.text, "Headline Across Both Columns");
  EXPECT_EQ(blocks[1].element.text.substr(0, 27), "left column words in line 0");
  EXPECT_NE(blocks[1].element.text.find("left column words in line 3"), std::string::npos);
  EXPECT_EQ(blocks[2].element.text.substr(0, 28), "right column words in line 0");
}

TEST(PageAssembly, WhatARuledFrameHoldsIsReadAsAUnit) {
  // A scanned page: a column on the left; on the right a boxed ad, and under its rule more of the
  // article, set so close that the recogniser put both in one block.
  std::vector<TextLine> lines;
  for (int row = 0; row < 6; ++row) lines.push_back(line("left column line " + std::to_string(row), 40, 100 + 14 * row, 280));
  for (int row = 0; row < 3; ++row) lines.push_back(line("Ad line " + std::to_string(row), 320, 100 + 14 * row, 400, 10, 1));
  for (int row = 3; row < 6; ++row) {
    lines.push_back(line("right column line " + std::to_string(row), 310, 100 + 14 * row, 560, 10, 1));
  }
  for (auto& l : lines) l.from_ocr = true;
  Page page = page_with(lines);
  page.needs_ocr = true;
  page.frames = {{300, 90, 570, 140}};
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].element.text.substr(0, 19), "left column line 0 ");
  EXPECT_EQ(blocks[1].element.text, "Ad line 0 Ad line 1 Ad line 2");
  EXPECT_EQ(blocks[2].element.text.substr(0, 20), "right column line 3 ");
}

TEST(PageAssembly, ARuledTablesRowIsReadBeforeWhatFollowsTheTable) {
  // A digital form ruled as a table of keys and values, the last key on two lines, and a section
  // heading under the table in the keys' column: without the rows, the keys and the heading would
  // be one column read before the values.
  const Page page = [] {
    Page p = page_with({line("Standard name", 72, 100, 180, 10, 0), line("Steel billets", 300, 100, 380, 10, 1),
                        line("Standard number", 72, 130, 190, 10, 2), line("20300", 300, 130, 340, 10, 3),
                        line("Has the producer obtained", 72, 160, 260, 10, 4), line("the standard?", 72, 172, 160, 10, 4),
                        line("Yes", 300, 160, 330, 10, 5), line("Admission to the exchange", 72, 210, 260, 12, 6)});
    p.frames = {{60, 95, 480, 125}, {60, 125, 480, 155}, {60, 155, 480, 190}};
    return p;
  }();
  std::vector<std::string> texts;
  for (const auto& b : assemble_page(page, false)) texts.push_back(b.element.text);
  const std::vector<std::string> expected = {"Standard name", "Steel billets", "Standard number", "20300",
                                             "Has the producer obtained the standard?", "Yes",
                                             "Admission to the exchange"};
  EXPECT_EQ(texts, expected);
}

TEST(PageAssembly, OnlyAScanReadsUncutZonesInColumnFlow) {
  // The newspaper layout of ReadingOrder.WithoutACleanCutAScansBoxesFollowTheBoxesAboveThem, once
  // as a digital page whose picture OCR read (--ocr-pictures), once as a scan. The digital page
  // keeps top-down order; OCR'd text inside its picture does not make it a scan.
  auto in = [](const std::string& text, const Box& b) { return line(text, b.l + 2, b.t + 2, b.r - 2); };
  const Box third{410, 10, 600, 150}, second{205, 50, 400, 200}, headline{10, 10, 400, 40},
      under{205, 210, 600, 300}, first{10, 50, 195, 300}, picture{10, 320, 600, 500};
  std::vector<TextLine> lines = {in("Third", third), in("Second", second), in("Headline", headline),
                                 in("Under", under), in("First", first), in("Label", picture)};
  lines.back().from_ocr = true;
  std::vector<Region> regions;
  for (const Box& b : {third, second, headline, under, first}) regions.push_back({Label::text, b, 0.9f});
  regions.push_back({Label::picture, picture, 0.9f});
  auto read = [&](bool scan) {
    Page page = page_with(lines, regions);
    page.needs_ocr = scan;
    std::vector<std::string> texts;
    for (const Block& block : assemble_page(page)) texts.push_back(block.element.text);
    return texts;
  };
  EXPECT_EQ(read(false), (std::vector<std::string>{"Headline", "Third", "First", "Second", "Under", "Label"}));
  EXPECT_EQ(read(true), (std::vector<std::string>{"Headline", "First", "Second", "Third", "Under", "Label"}));
}

TEST(PageAssembly, StackedLinesWhoseBoxesReachIntoEachOtherAreReadTopFirst) {
  // A centred label over its gloss, set close: the boxes overlap by more than half a line down
  // and across. They are two rows, not one row read from the left.
  std::vector<TextLine> lines = {line("Blockchain", 100, 100, 160, 14), line("(distributed ledger)", 90, 108, 170, 14)};
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {80, 95, 180, 130}, 0.9f}}));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].element.text, "Blockchain (distributed ledger)");
}

TEST(PageAssembly, RowAlignedShortColumnsStayRows) {
  // A key-value list in one region: its short columns line up row by row and are read across.
  const std::vector<TextLine> lines = side_by_side("Key ", {40, 80}, "Value ", {320, 370}, 14);
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {30, 90, 570, 170}, 0.9f}}));
  ASSERT_FALSE(blocks.empty());
  EXPECT_EQ(blocks[0].element.text.substr(0, 15), "Key 0 Value 0 K");
}

TEST(PageAssembly, ListsSideBySideAreReadOneListAfterTheOther) {
  // A slide's two bullet lists of short items in one region: their rows line up, yet unlike a
  // key-value list each list is read to its end before the next.
  const std::vector<TextLine> lines = side_by_side("\u2022 apples ", {40, 120}, "\u2022 pears ", {320, 400}, 14);
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {30, 90, 570, 170}, 0.9f}}));
  std::vector<std::string> items;
  for (const auto& b : blocks) {
    EXPECT_EQ(b.element.label, Label::list_item);
    items.push_back(b.element.text);
  }
  const std::vector<std::string> expected = {"apples 0", "apples 1", "apples 2", "apples 3",
                                             "pears 0",  "pears 1",  "pears 2",  "pears 3"};
  EXPECT_EQ(items, expected);
}

TEST(PageAssembly, BoxGlyphsAreCheckboxesNotListItems) {
  const auto blocks = assemble_page(page_with({line("\u2610 Not applicable", 72, 100, 300),
                                              line("\u2612 Applies to me", 72, 114, 300),
                                              line("\u2022 an ordinary bullet", 72, 128, 300)}));
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].element.label, Label::checkbox_unselected);
  EXPECT_EQ(blocks[0].element.text, "Not applicable");
  EXPECT_EQ(blocks[1].element.label, Label::checkbox_selected);
  EXPECT_EQ(blocks[1].element.text, "Applies to me");
  EXPECT_EQ(blocks[2].element.label, Label::list_item);
}

TEST(PageAssembly, EachOptionOfAFormsRowIsACheckboxOfItsOwn) {
  // A question with its options on its row; a row whose boxes follow their labels stays whole.
  const auto blocks = assemble_page(page_with({line("Does it amend a request? \u2610 Yes \u2612 No", 72, 100, 400),
                                              line("Yes \u2610 No \u2610", 72, 130, 200)}));
  std::vector<std::pair<Label, std::string>> got;
  for (const auto& b : blocks) got.emplace_back(b.element.label, b.element.text);
  const std::vector<std::pair<Label, std::string>> expected = {{Label::text, "Does it amend a request?"},
                                                               {Label::checkbox_unselected, "Yes"},
                                                               {Label::checkbox_selected, "No"},
                                                               {Label::text, "Yes \u2610 No \u2610"}};
  EXPECT_EQ(got, expected);
}

TEST(Checkboxes, BoxesOfARightToLeftLineStandBeforeTheirLabels) {
  // A Persian form's row, its words in reading order from the right: a label, then "yes" with an
  // empty drawn box right of it, then "no" with a box filled black right of it.
  TextLine row;
  row.words = {{"نام", {500, 100, 540, 112}}, {"بلی", {330, 100, 350, 112}}, {"خير", {280, 100, 300, 112}}};
  row.box = {280, 100, 540, 112};
  join_words(row);
  std::vector<TextLine> lines = {row};
  DrawnShapes shapes;
  shapes.squares = {{355, 102, 363, 110}};
  shapes.dark_squares = {{305, 102, 313, 110}};
  place_drawn_checkboxes(lines, shapes);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "نام \u2610 بلی \u2612 خير");
}

TEST(PageAssembly, AWordInATableGridIsNotWrittenAgainInText) {
  // The paragraph's first word sits inside the table region (its grid holds it); the paragraph
  // itself mostly lies below and belongs to the text region.
  Page page = page_with({line("Name", 72, 100, 92), line("apples", 72, 114, 92),
                         line("Total of all rows shown above", 72, 138, 330)},
                        {{Label::table, {70, 98, 95, 146}, 0.9f}, {Label::text, {70, 136, 340, 154}, 0.9f}});
  TableData grid;
  grid.rows = 3;
  grid.cols = 1;
  grid.cells = {{0, 0, 1, 1, true, "Name", {70, 98, 95, 112}}, {1, 0, 1, 1, false, "apples", {70, 112, 95, 126}},
                {2, 0, 1, 1, false, "Total", {70, 126, 95, 146}}};
  page.tables.push_back({{70, 98, 95, 146}, grid});
  const auto blocks = assemble_page(page);
  std::string text;
  for (const auto& b : blocks) {
    if (b.element.label == Label::text) text += b.element.text;
  }
  EXPECT_EQ(text, "of all rows shown above");
}

TEST(ReadingOrder, ColumnsUnderAFullWidthTitle) {
  const std::vector<Box> boxes = {
      {300, 100, 540, 300},  // right column, top
      {72, 40, 540, 70},     // title across both columns
      {72, 320, 290, 500},   // left column, bottom
      {72, 100, 290, 300},   // left column, top
      {300, 320, 540, 500},  // right column, bottom
  };
  EXPECT_EQ(reading_order(boxes), (std::vector<size_t>{1, 3, 2, 0, 4}));
  // A right-to-left page reads its columns from the right, each still from the top.
  EXPECT_EQ(reading_order(boxes, {.right_to_left = true}), (std::vector<size_t>{1, 0, 4, 3, 2}));
}

TEST(ReadingOrder, CentredAuthorRowsBeforeTheColumnsUnderThem) {
  // A paper's first page: the second author row's gap lines up with the body's gutter.
  const std::vector<Box> boxes = {
      {39, 197, 223, 403},   // 0 left column: abstract
      {251, 143, 331, 180},  // 1 author row 2, right of the gutter
      {81, 63, 379, 90},     // 2 title
      {237, 190, 421, 400},  // 3 right column: figure
      {128, 143, 208, 180},  // 4 author row 2, left of the gutter
      {67, 99, 147, 137},    // 5 author row 1
      {190, 99, 270, 136},   // 6
      {313, 99, 392, 137},   // 7
      {45, 410, 223, 500},   // 8 left column, list items indented a little
      {237, 412, 421, 500},  // 9 right column, below an aligned gap
  };
  EXPECT_EQ(reading_order(boxes), (std::vector<size_t>{2, 5, 6, 7, 4, 1, 0, 8, 3, 9}));
}

TEST(ReadingOrder, WithoutACleanCutAScansBoxesFollowTheBoxesAboveThem) {
  // A scanned newspaper page: a headline over two columns of unequal length, a third column beside it
  // from the top, and a box under the second and third columns. No gutter or row runs through
  // the whole page, yet each column is read down before the next and the box under two columns
  // after both.
  const std::vector<Box> boxes = {
      {410, 10, 600, 150},  // 0 third column, from the top
      {205, 50, 400, 200},  // 1 second column, short
      {10, 10, 400, 40},    // 2 headline over the first two
      {205, 210, 600, 300}, // 3 box under the second and third
      {10, 50, 195, 300},   // 4 first column, long
  };
  EXPECT_EQ(reading_order(boxes, {.scanned = true}), (std::vector<size_t>{2, 4, 1, 0, 3}));
  // The same page in right-to-left script, its columns mirrored: read from the right.
  std::vector<Box> mirrored;
  for (const Box& b : boxes) mirrored.push_back({610 - b.r, b.t, 610 - b.l, b.b});
  EXPECT_EQ(reading_order(mirrored, {.scanned = true, .right_to_left = true}), (std::vector<size_t>{2, 4, 1, 0, 3}));
}

TEST(Text, PunctuationIsFoldedAsDoclingFoldsIt) {
  EXPECT_EQ(fold_punctuation("\u201cDon\u2019t\u201d \u2013 x\u2212y \u201alow\u2018 zero\u200dwidth"),
            "'Don't' - x-y ,low' zerowidth");
  EXPECT_EQ(fold_punctuation("caf\u00e9 \u2022 \u2192"), "caf\u00e9 \u2022 \u2192");
}

TEST(Statistics, TheMedianIsAlwaysAValueMeasured) {
  EXPECT_EQ(median(std::vector<double>{}), 0.0);
  EXPECT_EQ(median(std::vector<double>{7.5}), 7.5);
  EXPECT_EQ(median(std::vector<double>{9, 1, 5}), 5.0);
  EXPECT_EQ(median(std::vector<int>{4, 1, 3, 2}), 3);  // the upper of the two middles
  std::vector<int> kept{3, 1, 2};
  median(kept);
  EXPECT_EQ(kept, (std::vector<int>{3, 1, 2}));  // the caller's order is left alone
}

TEST(PageAssembly, ParagraphsListsAndCodeWithoutALayoutModel) {
  Page page = page_with({
      line("First paragraph starts here and", 72, 100, 400),
      line("ends on this line.", 72, 112, 200),
      line("Second paragraph after a gap.", 72, 140, 300),
      line("• first item that wraps", 72, 170, 300),
      line("onto a second line", 84, 182, 300),
      line("• second item", 72, 194, 200),
      line("  ◦ nested item", 90, 206, 220),
  });
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 5u);
  EXPECT_EQ(blocks[0].element.text, "First paragraph starts here and ends on this line.");
  EXPECT_EQ(blocks[1].element.text, "Second paragraph after a gap.");
  EXPECT_EQ(blocks[2].element.label, Label::list_item);
  EXPECT_EQ(blocks[2].element.text, "first item that wraps onto a second line");
  EXPECT_EQ(blocks[2].element.marker, "•");
  EXPECT_EQ(blocks[3].element.text, "second item");
  EXPECT_EQ(blocks[4].element.level, 1);
  EXPECT_EQ(blocks[2].element.level, 0);
}

TEST(PageAssembly, ImagesNoRegionClaimsArePictures) {
  Page page = page_with({line("Body text of the section.", 72, 90, 300)},
                        {{Label::text, {70, 88, 310, 104}, 0.9f}, {Label::picture, {340, 100, 540, 200}, 0.8f}});
  page.image_boxes = {
      {480, 740, 550, 780},  // a logo in the foot: a picture
      {60, 85, 320, 110},    // a band behind the body text
      {350, 110, 530, 190},  // inside the detected picture
      {100, 300, 110, 310},  // an icon the size of a glyph
      {0, 0, 612, 792},      // the page's background
  };
  page.drawing_boxes = {
      {40, 20, 130, 70},   // an emblem drawn with paths: a picture
      {60, 80, 320, 120},  // a table's rules around the body text
  };
  std::vector<Box> pictures;
  for (const auto& b : assemble_page(page)) {
    if (b.element.label == Label::picture) pictures.push_back(b.element.box);
  }
  ASSERT_EQ(pictures.size(), 3u);
  EXPECT_EQ(pictures[0], (Box{40, 20, 130, 70}));
  EXPECT_EQ(pictures[1], (Box{340, 100, 540, 200}));
  EXPECT_EQ(pictures[2], (Box{480, 740, 550, 780}));
}

// A bar chart drawn with paths that the detector missed: its cluster of paths is the plot, and
// the tick values left of it, the categories under it and the legend right of it are set outside.
Page bar_chart_page(const std::vector<std::string>& axis_values) {
  std::vector<TextLine> lines;
  for (size_t k = 0; k < axis_values.size(); ++k) {
    lines.push_back(line(axis_values[k], 100, 200 + 40 * static_cast<double>(k), 112, 9, static_cast<int>(k)));
  }
  for (int k = 0; k < 4; ++k) lines.push_back(line("Q" + std::to_string(k + 1), 140 + 60 * k, 364, 152 + 60 * k, 9, 10 + k));
  lines.push_back(line("Revenue", 380, 250, 415, 9, 20));
  lines.push_back(line("Costs", 380, 262, 405, 9, 20));
  lines.push_back(line("Revenue grew in every quarter of the year, and costs fell in the last two of them.", 72, 420,
                       540, 10, 30));
  Page page = page_with(lines);
  page.drawing_boxes = {{116, 196, 364, 360}};
  return page;
}

TEST(PageAssembly, AChartDrawnWithPathsKeepsItsTickValuesCategoriesAndLegend) {
  const auto blocks = assemble_page(bar_chart_page({"300", "200", "100", "0"}));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.label, Label::picture);
  EXPECT_EQ(blocks[0].element.box, (Box{100, 196, 415, 374.8}));
  EXPECT_NE(blocks[0].element.text.find("Revenue"), std::string::npos);
  EXPECT_EQ(blocks[1].element.text.rfind("Revenue grew", 0), 0u);
}

TEST(PageAssembly, ADrawingWithoutAxisValuesLeavesTheTextBesideIt) {
  // The same drawing with words where the values were: a technical drawing's callouts.
  const auto blocks = assemble_page(bar_chart_page({"Pump", "Valve", "Tank", "Base"}));
  const auto picture = std::find_if(blocks.begin(), blocks.end(), [](const Block& b) { return b.element.label == Label::picture; });
  ASSERT_NE(picture, blocks.end());
  EXPECT_EQ(picture->element.box, (Box{116, 196, 364, 360}));
  EXPECT_TRUE(picture->element.text.empty());
  EXPECT_TRUE(std::any_of(blocks.begin(), blocks.end(), [](const Block& b) { return b.element.text == "Revenue Costs"; }));
}

TEST(PageAssembly, ADiagramDrawnWithPathsAndCaptionedKeepsItsText) {
  // A statement's clauses with a callout explaining each: far more text than a chart's labels.
  std::vector<TextLine> lines;
  for (int k = 0; k < 8; ++k) {
    lines.push_back(line("Names the part of the statement that follows below", 300, 110 + 36.0 * k, 540, 8));
    lines.push_back(line("CLAUSE " + std::to_string(k) + " <operand name>", 140, 124 + 36.0 * k, 290, 10, 0, true));
  }
  lines.push_back(line("Figure 3-1 The statement's syntax", 136, 412, 340, 8));
  Page page = page_with(lines, {{Label::picture, {130, 100, 552, 405}, 0.96f}});
  page.drawing_boxes = {{190, 104, 546, 400}};  // the callouts' lines and boxes
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.label, Label::picture);
  EXPECT_NE(blocks[0].element.text.find("CLAUSE 7"), std::string::npos);  // its text stays with it
  EXPECT_EQ(blocks[1].element.text, "Figure 3-1 The statement's syntax");
  // Without the drawing, or without the caption, so much text is a page the detector misread.
  page.drawing_boxes.clear();
  EXPECT_GT(assemble_page(page).size(), 2u);
  page.drawing_boxes = {{190, 104, 546, 400}};
  page.lines.back() = line("The statement's syntax is shown above", 136, 412, 340, 8);
  EXPECT_GT(assemble_page(page).size(), 2u);
}

TEST(PageAssembly, RegionsDecideLabelsAndTextInPicturesIsNotBody) {
  Page page = page_with(
      {line("Results", 72, 60, 140, 16), line("Body text of the section.", 72, 90, 300),
       line("axis label", 350, 120, 400), line("Figure 1: A chart.", 350, 210, 500)},
      {{Label::section_header, {70, 58, 150, 80}, 0.9f},
       {Label::text, {70, 88, 310, 104}, 0.9f},
       {Label::picture, {340, 100, 540, 200}, 0.8f},
       {Label::caption, {345, 205, 520, 225}, 0.7f}});
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[0].element.label, Label::section_header);
  EXPECT_TRUE(blocks[0].from_model_title);
  EXPECT_EQ(blocks[2].element.label, Label::picture);
  EXPECT_EQ(blocks[3].element.label, Label::caption);
  EXPECT_EQ(blocks[3].caption_target, 2);
  EXPECT_EQ(blocks[2].element.text, "axis label");  // kept with the picture, out of the body
  for (const auto& b : blocks) {
    if (b.element.label != Label::picture) {
      EXPECT_EQ(b.element.text.find("axis label"), std::string::npos);
    }
  }
}

TEST(PageAssembly, LinesNoRegionCoversAreKept) {
  Page page = page_with({line("Covered line.", 72, 100, 300), line("Missed by the model.", 72, 400, 300, 10, 3)},
                        {{Label::text, {70, 98, 310, 115}, 0.9f}});
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[1].element.text, "Missed by the model.");
}

TEST(PageAssembly, AnExampleInsideAParagraphRegionIsCode) {
  // The detector boxed a paragraph, the example it introduces and the sentence after it as one
  // text region. A lone monospaced line is a path or a name and stays in its paragraph; a
  // bulleted line in a monospaced font is a list item.
  std::vector<TextLine> lines = {line("The sequence is made by the call", 72, 100, 400),
                                 line("> s3 <- seq(-5, 5, by=.2)", 90, 114, 300),
                                 line("> s4 <- seq(length=51, from=-5)", 90, 126, 300),
                                 line("which gives the same vector in s4 as before.", 72, 140, 400),
                                 line("/usr/lib/R", 72, 152, 150),
                                 line("and more text after it.", 72, 164, 300),
                                 line("\u2022 INTEGER;", 72, 190, 150),
                                 line("\u2022 BOOLEAN;", 72, 202, 150)};
  for (size_t k : {1, 2, 4, 6, 7}) lines[k].monospace = true;
  const auto blocks = assemble_page(page_with(lines, {{Label::text, {70, 98, 410, 215}, 0.9f}}));
  ASSERT_EQ(blocks.size(), 5u);
  EXPECT_EQ(blocks[0].element.text, "The sequence is made by the call");
  EXPECT_EQ(blocks[1].element.label, Label::code);
  EXPECT_EQ(blocks[1].element.text, "> s3 <- seq(-5, 5, by=.2)\n> s4 <- seq(length=51, from=-5)");
  EXPECT_EQ(blocks[2].element.label, Label::text);
  EXPECT_EQ(blocks[2].element.text, "which gives the same vector in s4 as before. /usr/lib/R and more text after it.");
  EXPECT_EQ(blocks[3].element.label, Label::list_item);
  EXPECT_EQ(blocks[3].element.text, "INTEGER;");
  EXPECT_EQ(blocks[4].element.label, Label::list_item);
}

TEST(PageAssembly, AHeadingRegionThatStartsWithABulletIsAListItem) {
  Page page = page_with({line("\u2022 A glob-deleteall element, which indicates that patterns", 72, 100, 500, 10, 0, true),
                         line("1. Introduction", 72, 140, 200, 14, 0, true)},
                        {{Label::section_header, {70, 98, 510, 114}, 0.9f},
                         {Label::section_header, {70, 138, 210, 158}, 0.9f}});
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.label, Label::list_item);
  EXPECT_EQ(blocks[0].element.text, "A glob-deleteall element, which indicates that patterns");
  EXPECT_EQ(blocks[1].element.label, Label::section_header);  // a numbered heading stays one
}

TEST(PageAssembly, AListItemWhoseSentenceWrapsToTheMarginGoesOnThere) {
  // A book's numbered paragraph: the number indented as paragraphs are, the line full, the
  // sentence going on at the margin in lower case. After a full item line, a line at the margin
  // in capitals is a paragraph of its own.
  Page page = page_with({line("The rules below shall be observed for the scrapping of the vessels.", 72, 100, 500),
                         line("I. A vessel to be scrapped must be placed in such condition", 90, 114, 500),
                         line("that it cannot be put to combative use.", 72, 128, 300),
                         line("II. This result must be finally effected in any one of the", 90, 142, 500),
                         line("Following ways the treaty names in its second part below.", 72, 156, 480)},
                        {{Label::text, {70, 98, 510, 170}, 0.9f}});
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 4u);
  EXPECT_EQ(blocks[1].element.label, Label::list_item);
  EXPECT_EQ(blocks[1].element.text, "A vessel to be scrapped must be placed in such condition that it cannot be put to combative use.");
  EXPECT_EQ(blocks[2].element.text, "This result must be finally effected in any one of the");
  EXPECT_EQ(blocks[3].element.label, Label::text);
}

TEST(PageAssembly, ARunningTitleInsideAHeadingRegionIsABlockOfItsOwn) {
  // The detector's title box over a book page's running head (in the top margin band) and the
  // two lines under it: the running head stands apart, the two lines stay one block.
  Page page = page_with({line("62 THE PROBLEM OF THE PACIFIC", 72, 40, 400, 12),
                         line("copper mines with up-to-date technical equip-", 72, 70, 420, 12),
                         line("ment in various provinces of Central China:", 72, 84, 400, 12)},
                        {{Label::title, {70, 38, 430, 100}, 0.9f}});
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.text, "62 THE PROBLEM OF THE PACIFIC");
  EXPECT_EQ(blocks[1].element.text, "copper mines with up-to-date technical equipment in various provinces of Central China:");
  // Out of the margin band a heading's lines stay together, however far apart.
  page = page_with({line("Part One", 72, 200, 200, 12), line("The Pacific", 72, 222, 200, 12)},
                   {{Label::title, {70, 198, 210, 238}, 0.9f}});
  ASSERT_EQ(assemble_page(page).size(), 1u);
}

TEST(PageAssembly, AFormulaRegionOverFormAnswersOrProseIsText) {
  // The detector boxes a sparse form's answers, or a few lines of prose, as a formula.
  Page form = page_with({line("\u2610 Yes, at the national level", 72, 100, 300),
                         line("\u2612 No", 72, 120, 120)},
                        {{Label::formula, {70, 98, 310, 134}, 0.9f}});
  auto blocks = assemble_page(form);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.label, Label::checkbox_unselected);
  EXPECT_EQ(blocks[1].element.label, Label::checkbox_selected);
  Page prose = page_with({line("Other, please specify below the line", 72, 100, 300)},
                         {{Label::formula, {70, 98, 310, 114}, 0.9f}});
  blocks = assemble_page(prose);
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].element.label, Label::text);
  // Mathematics stays a formula, words in it or not.
  for (const char* maths : {"Precision = TP / (TP + FP)", "a2 + b2 + c2", "\u03b1 \u2264 \u03b2 for all x", "- x = y + 1"}) {
    Page formula = page_with({line(maths, 72, 100, 300)}, {{Label::formula, {70, 98, 310, 114}, 0.9f}});
    blocks = assemble_page(formula);
    ASSERT_EQ(blocks.size(), 1u);
    EXPECT_EQ(blocks[0].element.label, Label::formula) << maths;
  }
}

TEST(PageAssembly, MonospaceBlocksBecomeCodeWithIndentation) {
  auto a = line("int main() {", 72, 100, 200);
  auto b = line("return 0;", 84, 112, 200);
  auto c = line("}", 72, 124, 80);
  for (auto* l : {&a, &b, &c}) l->monospace = true;
  const auto blocks = assemble_page(page_with({a, b, c}));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].element.label, Label::code);
  EXPECT_EQ(blocks[0].element.text, "int main() {\n  return 0;\n}");
}

TEST(PageAssembly, AListingTheDetectorCalledAPictureIsCode) {
  // Four monospaced lines of a console session inside a "picture": no figure, code.
  std::vector<TextLine> lines = {line("> x <- c(1, 2)", 72, 100, 200), line("> x", 72, 112, 120),
                                 line("[1] 1 2", 72, 124, 140), line("> mean(x)", 72, 136, 150)};
  for (auto& l : lines) l.monospace = true;
  const auto blocks = assemble_page(page_with(lines, {{Label::picture, {70, 98, 210, 150}, 0.8f}}));
  ASSERT_EQ(blocks.size(), 1u);
  EXPECT_EQ(blocks[0].element.label, Label::code);
  EXPECT_EQ(blocks[0].element.text, "> x <- c(1, 2)\n> x\n[1] 1 2\n> mean(x)");
}

TEST(PageAssembly, AnIndentedLineAfterAShortOneOpensAParagraph) {
  // One region of evenly spaced lines (a scan's column): a paragraph's last line stops short and
  // the next paragraph's first line is indented. A reference list in a region of its own indents
  // the lines after each entry's full first line: no paragraph opens there.
  Page page = page_with({line("This paragraph runs over three lines of a column", 72, 100, 300),
                         line("set flush at the left and at the right edge of", 72, 112, 300),
                         line("its column, ending here.", 72, 124, 190),
                         line("A second paragraph, its first line indented,", 84, 136, 300),
                         line("goes on at the left edge for one line more and", 72, 148, 300),
                         line("ends here.", 72, 160, 130),
                         line("[1] A. Author. A title that takes all the width", 72, 300, 300),
                         line("of the column. A journal, 2020.", 84, 312, 250),
                         line("[2] B. Author. Another title running the full", 72, 324, 300),
                         line("width. Another journal, 2021.", 84, 336, 240),
                         line("[3] C. Author. A third entry, one line only.", 72, 348, 300)},
                        {{Label::text, {70, 98, 310, 175}, 0.9f}, {Label::text, {70, 298, 310, 362}, 0.9f}});
  const auto blocks = assemble_page(page);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].element.text,
            "This paragraph runs over three lines of a column set flush at the left and at the right edge of its "
            "column, ending here.");
  EXPECT_EQ(blocks[1].element.text,
            "A second paragraph, its first line indented, goes on at the left edge for one line more and ends here.");
  EXPECT_EQ(blocks[2].element.text.substr(0, 40), "[1] A. Author. A title that takes all th");
}

TEST(PageAssembly, AFigureTheDetectorTookTogetherWithTheTextBesideItIsItsInnerPicture) {
  // A scanned page: a column of prose at the left, an author's e-mail line at the right and under
  // it a figure with two labels. The detector's confident picture spans all of it (and so is
  // dissolved as text); its doubtful ones are the figure, its top edge grazing the e-mail line,
  // and the prose column.
  std::vector<TextLine> lines;
  for (int k = 0; k < 6; ++k) {
    lines.push_back(line("a line of running text in the left column number " + std::to_string(k), 72, 100 + 12.0 * k, 290));
  }
  lines.push_back(line("taa@zurich.ibm.com", 330, 96, 420));
  lines.push_back(line("X", 480, 130, 486));
  lines.push_back(line("Looking back on", 330, 160, 400));
  Page page = page_with(lines, {{Label::picture, {60, 90, 550, 210}, 0.7f}});
  page.needs_ocr = true;
  page.inner_pictures = {{320, 100, 540, 205}, {65, 95, 300, 180}};
  const auto blocks = assemble_page(page);
  std::string body;
  const Block* figure = nullptr;
  for (const auto& b : blocks) {
    if (b.element.label == Label::picture) {
      ASSERT_EQ(figure, nullptr) << "one picture";
      figure = &b;
    } else {
      body += b.element.text + "\n";
    }
  }
  ASSERT_NE(figure, nullptr);
  EXPECT_EQ(figure->element.text, "X Looking back on");
  EXPECT_GE(figure->element.box.t, lines[6].box.b);  // starts under the e-mail line it grazed
  EXPECT_NE(body.find("taa@zurich.ibm.com"), std::string::npos);
  EXPECT_NE(body.find("number 5"), std::string::npos);
  EXPECT_EQ(body.find("Looking"), std::string::npos);
}

TEST(PageAssembly, AChartTheDetectorMissedIsAPictureByItsSlantedLabels) {
  // A bar chart drawn with paths: its title, tick values down the left, slanted bar labels under
  // it, its caption below; a paragraph above. Then a watermark set at a slant across a paragraph.
  std::vector<TextLine> lines = {line("Body text of the report, a full paragraph line above the chart.", 72, 60, 500),
                                 line("Base Models", 250, 100, 310)};
  for (int k = 0; k < 4; ++k) lines.push_back(line(std::to_string(60 - 10 * k), 160, 115 + 16.0 * k, 170));
  for (int k = 0; k < 5; ++k) {
    TextLine label = line("Model-" + std::to_string(k), 180 + 40.0 * k, 180, 220 + 40.0 * k);
    label.box.b += 30;  // a 45-degree line's box is as tall as it is wide
    label.slanted = true;
    lines.push_back(label);
  }
  lines.push_back(line("Figure 1: Average performance of base models across tasks.", 150, 240, 460));
  const auto blocks = assemble_page(page_with(lines));
  ASSERT_EQ(blocks.size(), 3u);
  std::map<Label, std::string> text_of;
  for (const auto& b : blocks) text_of[b.element.label] = b.element.text;
  EXPECT_EQ(text_of[Label::text], "Body text of the report, a full paragraph line above the chart.");
  EXPECT_EQ(text_of[Label::picture], "Base Models 60 50 40 30 Model-0 Model-1 Model-2 Model-3 Model-4");
  EXPECT_EQ(text_of[Label::caption], "Figure 1: Average performance of base models across tasks.");

  std::vector<TextLine> watermarked = {line("A paragraph of running text that a watermark crosses here.", 72, 100, 500),
                                       line("and its second line, with more words in it.", 72, 112, 480)};
  for (int k = 0; k < 3; ++k) {
    TextLine mark = line("www.example.com", 100 + 60.0 * k, 90 + 10.0 * k, 180 + 60.0 * k);
    mark.slanted = true;
    watermarked.push_back(mark);
  }
  for (const auto& b : assemble_page(page_with(watermarked))) EXPECT_NE(b.element.label, Label::picture);
}

TEST(PageAssembly, ALineInASizeOfItsOwnStartsABlock) {
  // A heading set larger than the paragraph right under it, one block of the text layer, no region.
  const auto blocks = assemble_page(page_with({line("We build confident clients", 72, 100, 250, 9.4),
                                               line("No one else has the vast consulting experience", 72, 112, 300, 7.4),
                                               line("and skills to do what we can do for you.", 72, 121, 300, 7.4)}));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.text, "We build confident clients");
}

TEST(PageAssembly, ALineSpanningAGutterIsMarked) {
  // A form's label and its value strung into one line by the text layer (a gap of 20 type sizes),
  // and a heading whose words are set at ordinary spaces.
  TextLine field = line("Date of filing", 300, 100, 400, 10, 0, true);
  TextLine value = line("2024/12/19", 100, 100, 160);
  field.words.insert(field.words.begin(), value.words.begin(), value.words.end());
  field.text = "2024/12/19 Date of filing";
  field.box.l = 100;
  const auto blocks = assemble_page(page_with({field, line("Results", 72, 200, 140, 10, 1, true)}));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_TRUE(blocks[0].spans_gutter);
  EXPECT_FALSE(blocks[1].spans_gutter);
}

Block block(Label label, const std::string& text, int page, Box box, double size = 10, bool bold = false) {
  Block b;
  b.element.label = label;
  b.element.text = text;
  b.element.page = page;
  b.element.box = box;
  b.font_size = size;
  b.bold = bold;
  return b;
}

PageResult letter_page(int number) {
  PageResult r;
  r.number = number;
  r.width = 612;
  r.height = 792;
  return r;
}

TEST(DocumentAssembly, HeadersFootersHeadingsAndFootnotes) {
  Document doc;
  std::vector<std::vector<Block>> pages;
  for (int p = 1; p <= 3; ++p) {
    doc.pages.push_back(letter_page(p));
    std::vector<Block> blocks;
    blocks.push_back(block(Label::text, "Annual Report 2024", p, {72, 20, 300, 32}));
    if (p == 1) blocks.push_back(block(Label::text, "A Big Title", p, {72, 80, 400, 110}, 24));
    blocks.push_back(block(Label::text, "Methods", p, {72, 130, 200, 146}, 14));
    blocks.push_back(block(Label::text, "Bold Run-in Heading", p, {72, 150, 300, 162}, 10, true));
    blocks.push_back(block(Label::text, "Body text that is long enough to be a paragraph of the document.", p,
                           {72, 170, 540, 300}));
    const char* source[] = {"", "Census data.", "Survey of users.", "Interviews."};
    blocks.push_back(block(Label::text, std::string("1 ") + source[p], p, {72, 700, 540, 710}, 7));
    blocks.push_back(block(Label::text, std::to_string(p), p, {300, 760, 310, 770}));
    if (p == 1) {
      Block note = block(Label::list_item, "Research office, 02-788-4582", p, {72, 730, 400, 740}, 7);
      note.element.marker = "*";
      blocks.push_back(note);
    }
    pages.push_back(std::move(blocks));
  }
  assemble_document(doc, pages);
  std::map<std::string, std::vector<const Element*>> by_text;
  for (const auto& e : doc.elements) by_text[e.text].push_back(&e);
  EXPECT_EQ(by_text["Annual Report 2024"][0]->label, Label::page_header);
  EXPECT_EQ(by_text["2"][0]->label, Label::page_footer);
  EXPECT_EQ(by_text["A Big Title"][0]->label, Label::title);
  EXPECT_EQ(by_text["Methods"][0]->label, Label::section_header);
  EXPECT_EQ(by_text["Methods"][0]->level, 1);
  EXPECT_EQ(by_text["Bold Run-in Heading"][0]->label, Label::section_header);
  EXPECT_EQ(by_text["Bold Run-in Heading"][0]->level, 2);
  EXPECT_EQ(by_text["1 Survey of users."][0]->label, Label::footnote);
  ASSERT_EQ(by_text["* Research office, 02-788-4582"].size(), 1u);  // an author's note, not a list
  EXPECT_EQ(by_text["* Research office, 02-788-4582"][0]->label, Label::footnote);
  EXPECT_EQ(by_text["Body text that is long enough to be a paragraph of the document."][0]->label, Label::text);
}

TEST(DocumentAssembly, ADetectorHeadingThatCarriesASentenceOverIsText) {
  // The detector calls the top lines of a book's page a heading: the end of a sentence from the
  // page before, in the body's type. A lettered heading and a larger one stay headings.
  Document doc;
  doc.pages.push_back(letter_page(1));
  std::vector<Block> blocks;
  for (const auto& [text, size, top] : {std::tuple{"copper mines with up-to-date equipment in various provinces:", 10.0, 60.0},
                                        std::tuple{"a) Provinces of the north", 10.0, 200.0},
                                        std::tuple{"iron and coal", 14.0, 400.0}}) {
    blocks.push_back(block(Label::section_header, text, 1, {72, top, 400, top + 24}, size));
    blocks.push_back(block(Label::text, "Body text that is long enough to be a paragraph of the document.", 1,
                           {72, top + 30, 540, top + 120}));
  }
  std::vector<std::vector<Block>> pages = {std::move(blocks)};
  assemble_document(doc, pages);
  std::map<std::string, Label> label_of;
  for (const auto& e : doc.elements) label_of[e.text] = e.label;
  EXPECT_EQ(label_of["copper mines with up-to-date equipment in various provinces:"], Label::text);
  EXPECT_EQ(label_of["a) Provinces of the north"], Label::section_header);
  EXPECT_EQ(label_of["iron and coal"], Label::section_header);
}

// Pages of parts in large type, each over body text; `title` first on page 1 when given.
std::vector<std::vector<Block>> part_pages(Document& doc, const std::string& title) {
  std::vector<std::vector<Block>> pages;
  const char* parts[] = {"PART I - TERMS", "PART II - DUTIES", "PART III - OTHER MATTERS"};
  for (int p = 1; p <= 3; ++p) {
    doc.pages.push_back(letter_page(p));
    std::vector<Block> blocks;
    if (p == 1 && !title.empty()) blocks.push_back(block(Label::text, title, p, {72, 60, 400, 90}, 24));
    blocks.push_back(block(Label::text, parts[p - 1], p, {72, 100, 400, 118}, 18));
    blocks.push_back(block(Label::text, "Schedule of payments", p, {72, 130, 300, 142}));
    blocks.push_back(block(Label::text, "Body text that is long enough to be a paragraph of the agreement.", p,
                           {72, 150, 540, 300}));
    pages.push_back(std::move(blocks));
  }
  return pages;
}

TEST(DocumentAssembly, TheFirstOfSeveralPartsIsNoTitle) {
  Document doc;
  auto pages = part_pages(doc, "");
  assemble_document(doc, pages);
  for (const auto& e : doc.elements) {
    if (e.text.starts_with("PART")) {
      EXPECT_EQ(e.label, Label::section_header) << e.text;
      EXPECT_EQ(e.level, 1) << e.text;
    }
  }
}

TEST(DocumentAssembly, BookmarksSetLevelsAndKeepTheOneTopEntryTheTitle) {
  Document doc;
  auto pages = part_pages(doc, "Service Agreement");
  doc.outline = {{"Service Agreement", 0, 1, 60}, {"Part I Terms", 1, 1, 100},
                 {"Schedule of payments", 2, 1, 130}, {"PART II - DUTIES", 1, 2, 100},
                 {"PART III", 3, 3, -1},  // cut short, no position, deeper
                 {"Body text", 2, 2, 150}};  // words of a paragraph: no heading
  assemble_document(doc, pages);
  std::map<std::string, std::vector<const Element*>> by_text;
  for (const auto& e : doc.elements) by_text[e.text].push_back(&e);
  EXPECT_EQ(by_text["Service Agreement"][0]->label, Label::title);
  for (const char* part : {"PART I - TERMS", "PART II - DUTIES"}) {
    EXPECT_EQ(by_text[part][0]->label, Label::section_header) << part;
    EXPECT_EQ(by_text[part][0]->level, 1) << part;
  }
  EXPECT_EQ(by_text["PART III - OTHER MATTERS"][0]->level, 3);  // as its bookmark says
  // In body type, but bookmarked on page 1 only.
  const auto& schedules = by_text["Schedule of payments"];
  ASSERT_EQ(schedules.size(), 3u);
  EXPECT_EQ(schedules[0]->label, Label::section_header);
  EXPECT_EQ(schedules[0]->level, 2);
  EXPECT_EQ(schedules[1]->label, Label::text);
  for (const auto* e : by_text["Body text that is long enough to be a paragraph of the agreement."]) {
    EXPECT_EQ(e->label, Label::text);
  }
}

TEST(DocumentAssembly, NumberingFormulasColophonAndFooterLines) {
  Document doc;
  doc.pages.push_back(letter_page(1));
  std::vector<std::vector<Block>> pages(1);
  auto& b = pages[0];
  const std::string body = "Body text long enough to be a paragraph, in the body size of the document.";
  b.push_back(block(Label::section_header, "(2) Second numbered heading", 1, {72, 100, 300, 112}));
  b.back().from_model_title = true;
  b.push_back(block(Label::text, body, 1, {72, 120, 540, 200}));
  b.push_back(block(Label::section_header, "(3) Third numbered heading", 1, {72, 210, 300, 222}));
  b.push_back(block(Label::text, body, 1, {72, 230, 540, 300}));
  // The first sibling the detector missed reads like an enumerated list item.
  Block first = block(Label::list_item, "First numbered heading", 1, {72, 310, 300, 322});
  first.element.marker = "(1)";
  first.element.ordered = true;
  b.push_back(first);
  b.push_back(block(Label::text, body, 1, {72, 330, 540, 400}));
  b.push_back(block(Label::section_header, "a2 + 8 = 12", 1, {72, 410, 200, 424}, 12, true));
  b.push_back(block(Label::section_header, "ISSN 2005-744X 31-9735045-001338", 1, {72, 430, 300, 442}));
  b.push_back(block(Label::section_header, "5) a note in small type", 1, {72, 450, 300, 458}, 7));
  b.push_back(block(Label::text, "Global Study on Legal Aid - Annex 209", 1, {72, 760, 400, 770}));
  assemble_document(doc, pages);
  std::map<std::string, const Element*> by_text;
  for (const auto& e : doc.elements) by_text[e.text] = &e;
  ASSERT_TRUE(by_text.count("(1) First numbered heading"));
  EXPECT_EQ(by_text["(1) First numbered heading"]->label, Label::section_header);
  EXPECT_EQ(by_text["(1) First numbered heading"]->level, by_text["(2) Second numbered heading"]->level);
  EXPECT_EQ(by_text["a2 + 8 = 12"]->label, Label::formula);
  EXPECT_EQ(by_text["ISSN 2005-744X 31-9735045-001338"]->label, Label::text);
  EXPECT_EQ(by_text["5) a note in small type"]->label, Label::text);
  EXPECT_EQ(by_text["Global Study on Legal Aid - Annex 209"]->label, Label::page_footer);
}

const std::string kBody = "Body text long enough to be a paragraph, in the body size of the document.";

TEST(DocumentAssembly, SectionNumbersSetTheLevelsOfHeadingsInOneType) {
  // A specification sets "1." and "1.1." headings in one size: the numbering tells the levels;
  // an unnumbered heading of that size keeps the shallowest.
  Document doc;
  doc.pages.push_back(letter_page(1));
  std::vector<std::vector<Block>> pages(1);
  auto& b = pages[0];
  b.push_back(block(Label::section_header, "A Specification", 1, {72, 60, 400, 84}, 24, true));
  b.push_back(block(Label::section_header, "1. Introduction", 1, {72, 100, 300, 114}, 14, true));
  b.push_back(block(Label::section_header, "1.1. Version", 1, {72, 120, 300, 134}, 14, true));
  b.push_back(block(Label::text, kBody, 1, {72, 140, 540, 200}));
  b.push_back(block(Label::section_header, "1.2.1. Language used in this specification", 1, {72, 210, 400, 224}, 14, true));
  b.push_back(block(Label::text, kBody, 1, {72, 230, 540, 300}));
  b.push_back(block(Label::section_header, "Appendix", 1, {72, 310, 300, 324}, 14, true));
  assemble_document(doc, pages);
  std::map<std::string, const Element*> by_text;
  for (const auto& e : doc.elements) by_text[e.text] = &e;
  EXPECT_EQ(by_text["A Specification"]->label, Label::title);
  const int top = by_text["1. Introduction"]->level;
  EXPECT_EQ(top, 1);
  EXPECT_EQ(by_text["1.1. Version"]->level, top + 1);
  EXPECT_EQ(by_text["1.2.1. Language used in this specification"]->level, top + 2);
  EXPECT_EQ(by_text["Appendix"]->level, top);
}

TEST(DocumentAssembly, AKickerOverATitleIsNoHeadingAChapterNumberIs) {
  // A cover: a "Front cover" band at the head of the page right over the title; a later page: a
  // chapter's number over its title; the last page: a heading at its head far from the next one.
  Document doc;
  std::vector<std::vector<Block>> pages(3);
  for (int p = 1; p <= 3; ++p) doc.pages.push_back(letter_page(p));
  pages[0].push_back(block(Label::section_header, "Front cover", 1, {288, 23, 419, 51}, 24, true));
  pages[0].push_back(block(Label::section_header, "Access Control in Databases", 1, {36, 74, 588, 168}, 43, true));
  pages[0].push_back(block(Label::text, kBody, 1, {72, 200, 540, 300}));
  pages[1].push_back(block(Label::section_header, "Chapter 1", 2, {72, 40, 200, 60}, 20, true));
  pages[1].push_back(block(Label::section_header, "Securing the data", 2, {72, 70, 500, 110}, 36, true));
  pages[1].push_back(block(Label::text, kBody, 2, {72, 130, 540, 300}));
  pages[2].push_back(block(Label::section_header, "About the series", 3, {72, 30, 200, 42}, 10.5, true));
  pages[2].push_back(block(Label::text, kBody, 3, {72, 50, 540, 300}));
  pages[2].push_back(block(Label::section_header, "Secret", 3, {72, 400, 300, 460}, 40, true));
  assemble_document(doc, pages);
  std::map<std::string, const Element*> by_text;
  for (const auto& e : doc.elements) by_text[e.text] = &e;
  EXPECT_EQ(by_text["Front cover"]->label, Label::text);
  EXPECT_EQ(by_text["Access Control in Databases"]->label, Label::title);
  EXPECT_EQ(by_text["Chapter 1"]->label, Label::section_header);
  EXPECT_EQ(by_text["About the series"]->label, Label::section_header);
}

TEST(DocumentAssembly, NumberedQuestionsSetLikeTheHeadingsAreHeadings) {
  // An FAQ: the detector found some of its numbered questions as headings and missed others in
  // the same type; a question in body type stays text, as form questions do.
  Document doc;
  doc.pages.push_back(letter_page(1));
  std::vector<std::vector<Block>> pages(1);
  auto& b = pages[0];
  b.push_back(block(Label::section_header, "7.1 How can I set components of a list?", 1, {72, 100, 400, 112}, 12, true));
  b.push_back(block(Label::text, kBody, 1, {72, 120, 540, 200}));
  b.push_back(block(Label::section_header, "7.2 Why is read.table() so slow?", 1, {72, 210, 400, 222}, 12, true));
  b.push_back(block(Label::text, kBody, 1, {72, 230, 540, 300}));
  b.push_back(block(Label::text, "7.3 What is the difference between package and library?", 1, {72, 310, 500, 322}, 12, true));
  b.push_back(block(Label::text, kBody, 1, {72, 330, 540, 400}));
  b.push_back(block(Label::text, "7.4 What is your name?", 1, {72, 410, 300, 420}));
  b.push_back(block(Label::text, "7.5 Is this an answer.", 1, {72, 430, 300, 442}, 12, true));
  assemble_document(doc, pages);
  std::map<std::string, const Element*> by_text;
  for (const auto& e : doc.elements) by_text[e.text] = &e;
  EXPECT_EQ(by_text["7.3 What is the difference between package and library?"]->label, Label::section_header);
  EXPECT_EQ(by_text["7.3 What is the difference between package and library?"]->level,
            by_text["7.1 How can I set components of a list?"]->level);
  EXPECT_EQ(by_text["7.4 What is your name?"]->label, Label::text);
  EXPECT_EQ(by_text["7.5 Is this an answer."]->label, Label::text);
}

// One letter page of `blocks` through document assembly: the elements' labels by their text.
// One letter page of `blocks` through document assembly.
Document one_page_document(std::vector<Block> blocks) {
  Document doc;
  doc.pages.push_back(letter_page(1));
  std::vector<std::vector<Block>> pages = {std::move(blocks)};
  assemble_document(doc, pages);
  return doc;
}

std::map<std::string, Label> labels_on_one_page(std::vector<Block> blocks) {
  std::map<std::string, Label> label;
  for (const auto& e : one_page_document(std::move(blocks)).elements) label[e.text] = e.label;
  return label;
}

TEST(DocumentAssembly, ANumberedLineSetAsAHeadingOverItsParagraphIsOne) {
  // A licence's and a contract's sections, "2. VERBATIM COPYING" in body type and "3. Payment"
  // in larger bold type, each above its paragraph, read as items of lists of one; a list of
  // items in capitals stays a list.
  auto item = [](const std::string& marker, const std::string& text, double top, double size = 10, bool bold = false) {
    Block b = block(Label::list_item, text, 1, {72, top, 300, top + 12}, size, bold);
    b.element.marker = marker;
    b.element.ordered = true;
    return b;
  };
  const auto label = labels_on_one_page({block(Label::text, kBody, 1, {72, 100, 540, 180}),
                                         item("2.", "VERBATIM COPYING", 190),
                                         block(Label::text, kBody, 1, {72, 210, 540, 290}),
                                         item("3.", "Payment", 300, 12, true),
                                         block(Label::text, kBody, 1, {72, 320, 540, 400}),
                                         item("1.", "RED APPLES", 410), item("2.", "GREEN PEARS", 424)});
  EXPECT_EQ(label.at("2. VERBATIM COPYING"), Label::section_header);
  EXPECT_EQ(label.at("3. Payment"), Label::section_header);
  EXPECT_EQ(label.at("RED APPLES"), Label::list_item);
  EXPECT_EQ(label.at("GREEN PEARS"), Label::list_item);
}

TEST(DocumentAssembly, AHeadingMayEndInEtc) {
  const auto label =
      labels_on_one_page({block(Label::text, "Commands, case sensitivity, etc.", 1, {72, 100, 400, 114}, 12, true),
                          block(Label::text, kBody, 1, {72, 120, 540, 200}),
                          block(Label::text, "A bold sentence ends here.", 1, {72, 210, 400, 224}, 12, true),
                          block(Label::text, kBody, 1, {72, 230, 540, 300})});
  EXPECT_EQ(label.at("Commands, case sensitivity, etc."), Label::section_header);
  EXPECT_EQ(label.at("A bold sentence ends here."), Label::text);
}

TEST(DocumentAssembly, AFormsLabelsAreNotHeadings) {
  // Bold labels each with its value on the row where its reading ends (to the right; to the left
  // in Persian), and a bold heading that has its row to itself, beside which a paragraph of the
  // other column passes; a bold label whose line holds its value across a gutter.
  std::vector<Block> b;
  b.push_back(block(Label::text, "Applicant", 1, {72, 100, 160, 112}, 10, true));
  b.push_back(block(Label::text, "Jane Doe", 1, {200, 100, 260, 112}));
  b.push_back(block(Label::text, "Standard number", 1, {72, 120, 180, 132}, 10, true));
  b.push_back(block(Label::text, "20300", 1, {200, 120, 240, 132}));
  b.push_back(block(Label::section_header, "\u062a\u0627\u0631\u064a\u062e", 1, {460, 140, 540, 152}, 10, true));
  b.push_back(block(Label::text, "1403/09/19", 1, {300, 140, 360, 152}));
  b.push_back(block(Label::section_header, "\u0634\u0645\u0627\u0631\u0647", 1, {460, 160, 540, 172}, 10, true));
  b.push_back(block(Label::text, "436", 1, {300, 160, 330, 172}));
  b.push_back(block(Label::text, "Results", 1, {72, 300, 140, 312}, 10, true));
  b.push_back(block(Label::text, "A paragraph of the right-hand column that runs on for lines.", 1, {320, 280, 540, 400}));
  Block gutter = block(Label::section_header, "Date of filing 2024/12/19", 1, {72, 420, 400, 432}, 10, true);
  gutter.spans_gutter = true;
  b.push_back(gutter);
  std::map<std::string, Label> label = labels_on_one_page(std::move(b));
  EXPECT_EQ(label["Applicant"], Label::text);
  EXPECT_EQ(label["Standard number"], Label::text);
  EXPECT_EQ(label["\u062a\u0627\u0631\u064a\u062e"], Label::text);
  EXPECT_EQ(label["\u0634\u0645\u0627\u0631\u0647"], Label::text);
  EXPECT_EQ(label["Results"], Label::section_header);
  EXPECT_EQ(label["Date of filing 2024/12/19"], Label::text);
}

TEST(DocumentAssembly, HeadingsOfOneSizeOcrMeasuredApartShareALevel) {
  // A scan's section headings in one type, measured 14, 13.2 and 12.6 pt on the glyphs, and a
  // larger chapter heading; the same sizes from a text layer are four sizes.
  const auto levels = [](bool from_ocr) {
    std::vector<Block> b;
    double top = 100;
    for (const auto& [text, size] : std::vector<std::pair<std::string, double>>{
             {"Chapter Two", 20}, {"Early Machines", 14}, {"Magnetic Tape", 13.2}, {"Personal Computers", 12.6}}) {
      b.push_back(block(Label::section_header, text, 1, {72, top, 300, top + size}, size, true));
      b.push_back(block(Label::text, kBody, 1, {72, top + 30, 540, top + 90}));
      top += 120;
    }
    for (auto& x : b) x.element.from_ocr = from_ocr;
    std::map<std::string, int> level;
    for (const auto& e : one_page_document(std::move(b)).elements) level[e.text] = e.level;
    return level;
  };
  auto ocr = levels(true);
  EXPECT_LT(ocr["Chapter Two"], ocr["Early Machines"]);
  EXPECT_EQ(ocr["Early Machines"], ocr["Magnetic Tape"]);
  EXPECT_EQ(ocr["Early Machines"], ocr["Personal Computers"]);
  auto text_layer = levels(false);
  EXPECT_LT(text_layer["Early Machines"], text_layer["Magnetic Tape"]);
  EXPECT_LT(text_layer["Magnetic Tape"], text_layer["Personal Computers"]);
}

TEST(DocumentAssembly, AnItalicTitleCaseLineAloneIsARunInHeading) {
  std::vector<Block> b;
  b.push_back(block(Label::text, "Boots Self-Locking Nut", 1, {72, 100, 170, 112}));
  b.push_back(block(Label::text, "The nut is of one piece, all-metal construction designed to hold tight.", 1,
                    {72, 114, 310, 160}));
  b.push_back(block(Label::text, "an italic remark in lower case", 1, {72, 170, 250, 182}));
  b.push_back(block(Label::text, "Figure 3. Spring Washers Compared.", 1, {72, 190, 250, 202}));
  for (size_t k : {0, 2, 3}) b[k].italic = true;
  std::map<std::string, Label> label = labels_on_one_page(std::move(b));
  EXPECT_EQ(label["Boots Self-Locking Nut"], Label::section_header);
  EXPECT_EQ(label["an italic remark in lower case"], Label::text);
  EXPECT_EQ(label["Figure 3. Spring Washers Compared."], Label::text);
}

// Two letter pages of the blocks `blocks_of` gives for each, through document assembly: the
// elements by their text.
std::map<std::string, Element> assemble_two_pages(const std::function<std::vector<Block>(int)>& blocks_of) {
  Document doc;
  std::vector<std::vector<Block>> pages;
  for (int p = 1; p <= 2; ++p) {
    doc.pages.push_back(letter_page(p));
    pages.push_back(blocks_of(p));
  }
  assemble_document(doc, pages);
  std::map<std::string, Element> by_text;
  for (const auto& e : doc.elements) by_text[e.text] = e;
  return by_text;
}

TEST(DocumentAssembly, RunningTitlesEchoingAHeadingAndCopyrightLinesAreFurniture) {
  auto by_text = assemble_two_pages([](int p) {
    std::vector<Block> blocks;
    if (p == 1) blocks.push_back(block(Label::section_header, "9 Loops and conditions", p, {72, 200, 300, 216}, 14));
    if (p == 2) blocks.push_back(block(Label::text, "Chapter 9: Loops and conditions", p, {72, 30, 300, 40}));
    blocks.push_back(block(Label::text, kBody, p, {72, 230, 540, 300}));
    if (p == 2) blocks.push_back(block(Label::text, "\u00a9 2024 Example Corp. All rights reserved", p, {72, 770, 300, 780}));
    return blocks;
  });
  EXPECT_FALSE(by_text["9 Loops and conditions"].furniture());  // the heading itself stays
  EXPECT_EQ(by_text["Chapter 9: Loops and conditions"].label, Label::page_header);
  EXPECT_EQ(by_text["\u00a9 2024 Example Corp. All rights reserved"].label, Label::page_footer);
}

TEST(DocumentAssembly, AnOcrRunningTitleInSmallTypeAndItsRowAreFurniture) {
  auto by_text = assemble_two_pages([](int p) {
    std::vector<Block> blocks;
    if (p == 1) blocks.push_back(block(Label::section_header, "DocLayNet:A Large Dataset for Layout Analysis", p, {72, 80, 500, 100}, 16));
    // Read by OCR: a space and the last letter lost; below the narrow band, in small type.
    if (p == 2) {
      blocks.push_back(block(Label::text, "DocLayNet: A Large Dataset for Layout Analysi", p, {40, 70, 300, 80}, 7));
      blocks.push_back(block(Label::text, "KDD '22, Washington, DC, USA", p, {320, 70, 520, 80}, 7));
    }
    blocks.push_back(block(Label::text, kBody, p, {72, 130, 540, 300}));
    return blocks;
  });
  EXPECT_FALSE(by_text["DocLayNet:A Large Dataset for Layout Analysis"].furniture());
  EXPECT_EQ(by_text["DocLayNet: A Large Dataset for Layout Analysi"].label, Label::page_header);
  EXPECT_EQ(by_text["KDD '22, Washington, DC, USA"].label, Label::page_header);
}

TEST(DocumentAssembly, AHeadingAtTheFootOfAPageWithNothingUnderItIsItsFooter) {
  auto by_text = assemble_two_pages([](int p) {
    std::vector<Block> blocks;
    blocks.push_back(block(Label::text, kBody, p, {72, 100, 540, 200}));
    // Page 1 ends with the report's name, page 2 with a heading whose section starts under it.
    blocks.push_back(block(Label::section_header, p == 1 ? "Global Report Annex" : "Methods", p, {72, 740, 300, 752}));
    if (p == 2) blocks.push_back(block(Label::text, kBody, p, {72, 758, 540, 775}));
    return blocks;
  });
  EXPECT_EQ(by_text["Global Report Annex"].label, Label::page_footer);
  EXPECT_EQ(by_text["Methods"].label, Label::section_header);
}

TEST(PageAssembly, SectionNumberBesideItsHeadingJoinsIt) {
  const auto blocks = assemble_page(page_with(
      {line("1", 73, 100, 81, 13), line("Introduction", 99, 100, 190, 13), line(std::string(60, 'x') + " body", 72, 130, 540)},
      {{Label::text, {70, 98, 84, 118}, 0.9f}, {Label::section_header, {97, 98, 195, 118}, 0.9f},
       {Label::text, {70, 128, 545, 145}, 0.9f}}));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].element.text, "1 Introduction");
  EXPECT_EQ(blocks[0].element.label, Label::section_header);
}

}  // namespace
}  // namespace pageflow
