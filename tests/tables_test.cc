#include <gtest/gtest.h>

#include <tuple>

#include <opencv2/imgproc.hpp>

#include "core/ruled_frames.h"
#include "core/text.h"
#include "export/export.h"
#include "pageflow/converter.h"
#include "tables/slanet.h"
#include "tables/table_structure.h"
#include "tables/tables_stage.h"
#include "test_util.h"

namespace pageflow::tables {
namespace {

TextLine line_of_words(std::vector<std::pair<std::string, double>> words, double top, double height = 10,
                       bool bold = false) {
  TextLine line;
  line.bold = bold;
  line.font_size = height;
  for (const auto& [text, left] : words) {
    const double width = 5.0 * static_cast<double>(text.size());
    line.words.push_back({text, {left, top, left + width, top + height}});
    line.text += (line.text.empty() ? "" : " ") + text;
  }
  line.box = {line.words.front().box.l, top, line.words.back().box.r, top + height};
  return line;
}

const TableCell& cell(const TableData& t, int row, int col) {
  for (const auto& c : t.cells) {
    if (c.row <= row && row < c.row + c.row_span && c.col <= col && col < c.col + c.col_span) return c;
  }
  throw std::out_of_range("no cell");
}

TEST(Tables, StreamColumnsFromGuttersAndContinuationLines) {
  const Box region{50, 100, 400, 200};
  const std::vector<TextLine> lines = {
      line_of_words({{"Name", 60}, {"Count", 200}, {"Share", 300}}, 105, 10, true),
      line_of_words({{"apples", 60}, {"12", 200}, {"40%", 300}}, 125),
      line_of_words({{"pears", 60}, {"and", 95}, {"7", 200}, {"23%", 300}}, 145),
      line_of_words({{"quinces", 95}}, 157),  // wraps in the first column's text, indented
      line_of_words({{"plums", 60}, {"11", 200}, {"37%", 300}}, 175),
  };
  const Recognised r = recognise(region, lines, cv::Mat(), 1);
  EXPECT_EQ(r.method, "stream");
  ASSERT_EQ(r.table.cols, 3);
  ASSERT_EQ(r.table.rows, 4);
  EXPECT_EQ(cell(r.table, 0, 0).text, "Name");
  EXPECT_TRUE(cell(r.table, 0, 1).header);
  EXPECT_FALSE(cell(r.table, 1, 1).header);
  EXPECT_EQ(cell(r.table, 2, 0).text, "pears and quinces");
  EXPECT_EQ(cell(r.table, 3, 2).text, "37%");
}

TEST(Tables, AScannedRowWithALabelOfItsOwnIsARowThoughItFillsFewerCells) {
  // Rows set a line apart, as a scanned statistical table sets them: the dashes for "none" were
  // not read, so some rows fill fewer cells than the row above; each has its own label, so each
  // is a row. A label's wrapped line alone stays in its row.
  const Box region{50, 100, 400, 210};
  const std::vector<TextLine> lines = {
      line_of_words({{"Province", 60}, {"Iron", 200}, {"Coal", 250}, {"Copper", 320}}, 104, 10, true),
      line_of_words({{"Shensi", 60}, {"9", 200}, {"34", 250}, {"3", 320}}, 115),
      line_of_words({{"Shantung", 60}, {"8", 200}, {"29", 250}}, 124),
      line_of_words({{"Hupeh", 60}, {"2", 200}, {"10", 250}, {"7", 320}}, 134),
      line_of_words({{"Ho-Han", 60}, {"28", 250}}, 144),
      line_of_words({{"Sze-chwan", 60}, {"1", 250}, {"3", 320}}, 156),
      line_of_words({{"province", 66}}, 165),
      line_of_words({{"Yunnan", 60}, {"44", 320}}, 178),
  };
  const Recognised r = recognise(region, lines, cv::Mat(), 1);
  EXPECT_EQ(r.method, "stream");
  ASSERT_EQ(r.table.cols, 4);
  ASSERT_EQ(r.table.rows, 7);
  EXPECT_EQ(cell(r.table, 2, 0).text, "Shantung");
  EXPECT_EQ(cell(r.table, 2, 2).text, "29");
  EXPECT_EQ(cell(r.table, 4, 0).text, "Ho-Han");
  EXPECT_EQ(cell(r.table, 5, 0).text, "Sze-chwan province");
  EXPECT_EQ(cell(r.table, 6, 3).text, "44");
}

TEST(Tables, ACodeListingIsNoTable) {
  // Keywords and operands of an SQL statement lined up like two columns.
  const Box region{50, 100, 400, 200};
  std::vector<TextLine> lines = {
      line_of_words({{"SELECT", 60}, {"function_id,", 200}}, 105),
      line_of_words({{"FROM", 60}, {"function_usage", 200}}, 125),
      line_of_words({{"WHERE", 60}, {"function_id='QIBM_DB_SECADM'", 200}}, 145),
      line_of_words({{"ORDER", 60}, {"BY", 95}, {"user_name;", 200}}, 165),
  };
  EXPECT_TRUE(recognise(region, lines, cv::Mat(), 1).earned);  // in a proportional face: a grid
  for (auto& line : lines) line.monospace = true;
  EXPECT_FALSE(recognise(region, lines, cv::Mat(), 1).earned);
}

TEST(Tables, AParagraphBesideASidebarIsNoTable) {
  // A cover's blurb (one cell spanning the rows) beside a column of short lines that a ruled grid
  // cuts into rows: the rows come from the sidebar's lines, the blurb is one cell of prose.
  const double scale = 2;
  cv::Mat raster(500, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  const int xs[] = {100, 560, 800};
  for (int x : xs) cv::line(raster, {x, 200}, {x, 440}, cv::Scalar(0, 0, 0), 1);
  cv::line(raster, {xs[0], 200}, {xs[2], 200}, cv::Scalar(0, 0, 0), 1);
  cv::line(raster, {xs[0], 440}, {xs[2], 440}, cv::Scalar(0, 0, 0), 1);
  for (int y = 240; y < 440; y += 40) cv::line(raster, {xs[1], y}, {xs[2], y}, cv::Scalar(0, 0, 0), 1);
  std::vector<TextLine> lines;
  const std::vector<std::string> blurb = {"This", "paper", "tells", "how", "to", "control", "access"};
  for (int k = 0; k < 5; ++k) {
    std::vector<std::pair<std::string, double>> words;
    for (size_t w = 0; w < blurb.size(); ++w) words.push_back({blurb[w], 60.0 + 30 * static_cast<double>(w)});
    words.push_back({"Row " + std::to_string(k + 1), 290});
    lines.push_back(line_of_words(words, 105 + 20.0 * k));
  }
  const Recognised r = recognise({45, 95, 405, 225}, lines, raster, scale);
  EXPECT_EQ(r.method, "lattice");
  EXPECT_GE(cell(r.table, 0, 0).row_span, 5);
  EXPECT_FALSE(r.earned);
  EXPECT_TRUE(earns_grid(r.table, {45, 95, 405, 225}, lines));  // no word space cut: the cell's prose condemns it
}

TEST(Tables, AGridWhoseOneCellHoldsTheTextIsNoTable) {
  // A ruled box whose top row, one cell across both columns, holds three lines of prose, and two
  // rows of two short cells under it: a framed paragraph, not a table.
  const double scale = 2;
  cv::Mat raster(500, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int y : {200, 300, 340, 380}) cv::line(raster, {100, y}, {700, y}, cv::Scalar(0, 0, 0), 1);
  for (int x : {100, 700}) cv::line(raster, {x, 200}, {x, 380}, cv::Scalar(0, 0, 0), 1);
  cv::line(raster, {400, 300}, {400, 380}, cv::Scalar(0, 0, 0), 1);
  std::vector<TextLine> lines;
  const std::vector<std::string> prose = {"The", "framed", "note", "tells", "the", "reader", "how", "to", "go", "on"};
  for (int k = 0; k < 3; ++k) {
    std::vector<std::pair<std::string, double>> words;
    for (size_t w = 0; w < prose.size(); ++w) words.push_back({prose[w], 60.0 + 28 * static_cast<double>(w)});
    lines.push_back(line_of_words(words, 105 + 14.0 * k));
  }
  lines.push_back(line_of_words({{"Left", 60}, {"Right", 210}}, 155));
  lines.push_back(line_of_words({{"Down", 60}, {"Under", 210}}, 175));
  const Recognised r = recognise({45, 95, 355, 195}, lines, raster, scale);
  EXPECT_EQ(r.method, "lattice");
  EXPECT_FALSE(r.earned);
}

TEST(Tables, ProseTakenForATableDoesNotEarnItsGrid) {
  // A four-column grid (as a table model may propose it) over lines of running text: the column
  // edges fall on the ordinary spaces between the words of each line.
  const Box region{50, 100, 400, 200};
  TableData grid;
  grid.rows = 5;
  grid.cols = 4;
  const double edges[] = {50, 78, 108, 138, 400};
  for (int r = 0; r < 5; ++r) {
    for (int c = 0; c < 4; ++c) {
      grid.cells.push_back({r, c, 1, 1, false, "", {edges[c], 100 + 20.0 * r, edges[c + 1], 120 + 20.0 * r}});
    }
  }
  std::vector<TextLine> prose, table;
  for (int k = 0; k < 5; ++k) {
    prose.push_back(line_of_words({{"the", 60}, {"quick", 80}, {"brown", 110}, {"fox", 140}, {"runs", 160}},
                                  105 + 20.0 * k));
    // The same grid over words set apart by gutters: a table.
    table.push_back(line_of_words({{"a", 55}, {"b", 90}, {"c", 120}, {"d", 200}}, 105 + 20.0 * k));
  }
  EXPECT_FALSE(earns_grid(grid, region, prose));
  EXPECT_TRUE(earns_grid(grid, region, table));
}

TEST(Tables, ARegionRunningPastItsTableLeavesTheParagraphOut) {
  const Box region{50, 100, 400, 230};
  std::vector<TextLine> lines = {
      line_of_words({{"Name", 60}, {"Count", 200}, {"Share", 300}}, 105, 10, true),
      line_of_words({{"apples", 60}, {"12", 200}, {"40%", 300}}, 125),
      line_of_words({{"plums", 60}, {"11", 200}, {"37%", 300}}, 145),
  };
  // The paragraph under the table, inside the detector's box: its words cross every gutter.
  for (double top : {185.0, 199.0}) {
    std::vector<std::pair<std::string, double>> words;
    for (int k = 0; k < 10; ++k) words.push_back({"words", 60 + 33.0 * k});
    lines.push_back(line_of_words(words, top));
  }
  const Recognised r = recognise(region, lines, cv::Mat(), 1);
  ASSERT_TRUE(r.region.has_value());
  EXPECT_LT(r.region->b, 185);
  EXPECT_EQ(r.table.cols, 3);
  EXPECT_EQ(r.table.rows, 3);
  EXPECT_EQ(cell(r.table, 2, 2).text, "37%");
}

// A letter page of `lines` and layout `regions`, through the tables stage.
// `drawn_rules`: a digital page's ruling strokes; their tables' rows are found as rendering does.
Page tables_of(std::vector<TextLine> lines, std::vector<Region> regions = {}, std::vector<Box> drawn_rules = {}) {
  auto doc = std::make_shared<DocumentInput>();
  doc->settings = std::make_shared<DocumentSettings>();
  Page page;
  page.doc = doc;
  page.number = 1;
  page.width = 612;
  page.height = 792;
  page.lines = std::move(lines);
  page.regions = std::move(regions);
  page.frames = find_ruled_layout(drawn_rules, page.width, page.height).grid_rows;
  page.drawn_rules = std::move(drawn_rules);
  TablesStage stage(nullptr);
  EXPECT_TRUE(stage.wants(page));
  pipeline::Item* items[] = {&page};
  stage.process(items, 0);
  return page;
}

TEST(Tables, APictureHoldingAGridOfTextIsATable) {
  const Box grid{50, 100, 400, 200};
  std::vector<TextLine> lines = {line_of_words({{"Group", 60}, {"State", 200}, {"CSOs", 300}}, 105),
                                 line_of_words({{"Children", 60}, {"yes", 200}, {"no", 300}}, 125),
                                 line_of_words({{"Women", 60}, {"no", 200}, {"yes", 300}}, 145),
                                 line_of_words({{"Migrants", 60}, {"yes", 200}, {"yes", 300}}, 165)};
  // A chart: a few labels scattered over a picture.
  const Box chart{50, 300, 400, 500};
  for (double top : {310.0, 380.0, 450.0, 480.0}) lines.push_back(line_of_words({{"label", 60 + top / 3}}, top));
  const Page page = tables_of(lines, {{Label::picture, grid, 0.8f}, {Label::picture, chart, 0.8f}});
  EXPECT_EQ(page.regions[0].label, Label::table);
  ASSERT_EQ(page.tables.size(), 1u);
  EXPECT_EQ(page.tables[0].second.rows, 4);
  EXPECT_EQ(page.tables[0].second.cols, 3);
  EXPECT_EQ(page.regions[1].label, Label::picture);
}

// Words set one space (3 points) apart from `left`, as line_of_words sizes them.
std::vector<std::pair<std::string, double>> spaced(const std::vector<std::string>& words, double left) {
  std::vector<std::pair<std::string, double>> placed;
  for (const auto& word : words) {
    placed.push_back({word, left});
    left += 5.0 * static_cast<double>(word.size()) + 3;
  }
  return placed;
}

// As a text layer gives a table with no rules: a paragraph, a two-line column header, then each
// cell of a row as a line of its own; `shift` points to the right.
std::vector<TextLine> unmarked_table(double shift) {
  std::vector<TextLine> lines = {
      line_of_words(spaced({"Which", "groups", "are", "served", "and", "by", "whom?"}, 50 + shift), 80),
      line_of_words(spaced({"State", "funded"}, 285 + shift), 110), line_of_words({{"CSOs", 398 + shift}}, 110),
      line_of_words(spaced({"legal", "aid"}, 290 + shift), 122)};
  const char* groups[] = {"Children", "Women", "Migrants", "Refugees", "Elderly"};
  for (int r = 0; r < 5; ++r) {
    const double top = 140 + 18.0 * r;
    lines.push_back(line_of_words({{"y", 50 + shift}}, top));
    lines.push_back(line_of_words(spaced({groups[r], "persons"}, 70 + shift), top));
    lines.push_back(line_of_words({{"*", 310 + shift}}, top));
    lines.push_back(line_of_words({{"*", 405 + shift}}, top));
  }
  return lines;
}

void expect_unmarked_table_found(const Page& page) {
  ASSERT_EQ(page.tables.size(), 1u);
  ASSERT_EQ(page.regions.size(), 1u);
  EXPECT_EQ(page.regions[0].label, Label::table);
  EXPECT_GT(page.regions[0].box.t, 90);  // the paragraph stays out
  const TableData& table = page.tables[0].second;
  EXPECT_EQ(table.cols, 4);
  EXPECT_EQ(table.rows, 6);
  EXPECT_EQ(cell(table, 0, 2).text, "State funded legal aid");
  EXPECT_EQ(cell(table, 5, 1).text, "Elderly persons");
}

TEST(Tables, RowsInAlignedColumnsAreATableTheLayoutModelMissed) {
  expect_unmarked_table_found(tables_of(unmarked_table(0)));
}

TEST(Tables, AnUnmarkedTableBesideAColumnOfTextKeepsItsColumns) {
  // The other page of a two-page spread: running text at the heights of the table's rows.
  std::vector<TextLine> lines = unmarked_table(500);
  for (int r = 0; r < 12; ++r) {
    lines.push_back(line_of_words(spaced({"running", "text", "of", "the", "left", "page"}, 40), 80 + 13.0 * r));
  }
  expect_unmarked_table_found(tables_of(lines));
}

TEST(Tables, ASpreadsheetsHeaderSetFlushLeftHeadsItsFiguresSetFlushRight) {
  // As a spreadsheet prints a sheet: the header's cells start at their cells' left edges, the
  // figures end at their right edges, so "Year" stands over nothing and "Freshwater Ducks" runs
  // on from the end of the years to the end of the counts.
  std::vector<TextLine> lines = {line_of_words({{"Year", 122}}, 100, 10, true),
                                 line_of_words(spaced({"Freshwater", "Ducks"}, 186), 100, 10, true)};
  for (int r = 0; r < 6; ++r) {
    const double top = 114 + 12.0 * r;
    lines.push_back(line_of_words({{std::to_string(2019 + r), 163}, {std::to_string(120 + 10 * r), 258}}, top));
  }
  const Page sheet = tables_of(lines);
  ASSERT_EQ(sheet.tables.size(), 1u);
  const TableData& grid = sheet.tables.front().second;
  EXPECT_EQ(std::make_pair(grid.rows, grid.cols), std::make_pair(7, 2));
  EXPECT_EQ(cell(grid, 0, 0).text, "Year");
  EXPECT_EQ(cell(grid, 0, 1).text, "Freshwater Ducks");
  EXPECT_EQ(cell(grid, 6, 0).text, "2024");
  EXPECT_EQ(cell(grid, 6, 1).text, "170");
}

TEST(Tables, AnInvoiceKeepsItsEmptyCellsAndItsTotals) {
  // A scanned invoice: each cell its own OCR line, rows set as close as the lines of a paragraph,
  // an amount the recogniser missed, and totals under the last two columns only.
  const std::vector<std::vector<std::pair<std::string, double>>> rows = {
      {{"Item", 50}, {"Description", 90}, {"Amount", 220}, {"Price", 300}, {"Total", 435}},
      {{"1", 50}, {"Garden work", 90}, {"28", 220}, {"120.00", 300}, {"3360.00", 425}},
      {{"2", 50}, {"Disposal", 90}, {"307.35", 300}, {"307.35", 430}},
      {{"sum", 300}, {"3667.35", 425}},
      {{"VAT rate", 300}, {"7.7 %", 435}},
      {{"VAT amount", 300}, {"282.40", 430}},
      {{"Bill amount", 300}, {"3949.75", 425}}};
  std::vector<TextLine> lines;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (const auto& [text, left] : rows[r]) {
      lines.push_back(line_of_words(spaced(split_words(text), left), 100 + 14.0 * static_cast<double>(r)));
    }
  }
  lines.push_back(line_of_words(spaced({"Thank", "you", "for", "the", "assignment,", "please", "pay", "within", "thirty", "days."}, 50), 220));
  const Page invoice = tables_of(lines);
  ASSERT_EQ(invoice.tables.size(), 1u);
  const auto& [box, grid] = invoice.tables.front();
  EXPECT_EQ(std::make_pair(grid.rows, grid.cols), std::make_pair(7, 5));
  const std::vector<std::tuple<int, int, std::string>> expected = {
      {1, 1, "Garden work"}, {2, 2, ""}, {3, 3, "sum"}, {6, 4, "3949.75"}};
  for (const auto& [row, col, text] : expected) EXPECT_EQ(cell(grid, row, col).text, text) << row << ", " << col;
  EXPECT_LT(box.b, 220);  // the sentence under it stays text
}

TEST(Tables, ColumnsOfProseAndTwoColumnFormsAreNoTable) {
  std::vector<TextLine> prose, form;
  for (int r = 0; r < 8; ++r) {
    const double top = 100 + 14.0 * r;
    // Three newspaper columns: aligned, but whole lines of running text.
    for (double left : {50.0, 230.0, 410.0}) {
      prose.push_back(line_of_words(spaced({"words", "of", "running", "text", "in", "columns"}, left), top));
    }
    form.push_back(line_of_words({{"Field", 50}}, top));
    form.push_back(line_of_words({{"value", 250}}, top));
  }
  for (const auto& lines : {prose, form}) {
    const Page page = tables_of(lines);
    EXPECT_TRUE(page.tables.empty());
    EXPECT_TRUE(page.regions.empty());
  }
}

// A contents entry as a text layer gives it: the section number a line of its own, the leader
// one word per dot.
std::vector<TextLine> contents_entry(const std::string& number, const std::vector<std::string>& title, int page,
                                     double top) {
  std::vector<std::string> words = title;
  for (int k = 0; k < 8; ++k) words.push_back(".");
  words.push_back(std::to_string(page));
  return {line_of_words({{number, 50}}, top), line_of_words(spaced(words, 80), top)};
}

TEST(Tables, TwoColumnsOfLabelsAndFiguresAreATable) {
  // Years and counts, as a spreadsheet prints them: a table. A form's fields with their values
  // in words (ColumnsOfProseAndTwoColumnFormsAreNoTable) or three rows of figures are not.
  std::vector<TextLine> counts, short_run;
  for (int r = 0; r < 6; ++r) {
    const double top = 100 + 14.0 * r;
    counts.push_back(line_of_words({{std::to_string(2019 + r), 112}, {std::to_string(120 + 15 * r), 240}}, top));
    if (r < 3) short_run.push_back(counts.back());
  }
  const Page page = tables_of(counts);
  ASSERT_EQ(page.tables.size(), 1u);
  const TableData& table = page.tables[0].second;
  EXPECT_EQ(table.rows, 6);
  EXPECT_EQ(table.cols, 2);
  EXPECT_EQ(cell(table, 2, 1).text, "150");
  short_run.push_back(line_of_words(spaced({"A", "sentence", "of", "running", "text", "below"}, 50), 200));
  EXPECT_TRUE(tables_of(short_run).tables.empty());
}

TEST(Tables, ATableOfContentsIsATableOfEntries) {
  std::vector<TextLine> lines = {line_of_words({{"Preface.........", 50}, {"1", 200}}, 80)};
  double top = 95;
  for (const auto& [number, title, page] : {std::tuple{"1", std::vector<std::string>{"Introduction"}, 2},
                                            std::tuple{"1.1", std::vector<std::string>{"The", "environment"}, 2},
                                            std::tuple{"1.2", std::vector<std::string>{"Related", "software"}, 3}}) {
    for (auto& line : contents_entry(number, title, page, top)) lines.push_back(line);
    top += 15;
  }
  // A title that wraps onto a second line, the leader on the second.
  lines.push_back(line_of_words(spaced({"1.3", "Executing", "commands", "from", "or"}, 50), top));
  for (auto& line : contents_entry("", {"diverting", "output", "to", "a", "file"}, 6, top + 11)) {
    if (!line.text.empty()) lines.push_back(line);
  }
  // Running text after the contents, ending in a number: no entry.
  lines.push_back(line_of_words(spaced({"This", "manual", "has", "chapters", "and", "pages", "12"}, 50), top + 60));
  const Page page = tables_of(lines);
  ASSERT_EQ(page.tables.size(), 1u);
  const TableData& table = page.tables[0].second;
  EXPECT_EQ(table.cols, 2);
  ASSERT_EQ(table.rows, 5);
  // Titles keep their leaders as printed (docling's cells do too); the page number is a cell.
  EXPECT_EQ(cell(table, 0, 0).text, "Preface.........");
  EXPECT_EQ(cell(table, 0, 1).text, "1");
  EXPECT_EQ(cell(table, 2, 0).text, "1.1 The environment . . . . . . . .");
  EXPECT_EQ(cell(table, 3, 1).text, "3");
  EXPECT_EQ(cell(table, 4, 0).text, "1.3 Executing commands from or diverting output to a file . . . . . . . .");
  EXPECT_LT(page.tables[0].first.b, top + 60);  // the paragraph stays out
}

TEST(Tables, AListOfNamesLedByDotsToFiguresIsATableAsContentsAre) {
  // A scanned book's fleet list: the recogniser reads the spaced dots as "..", "·." or "•", and
  // the figures carry thousands separators. The header over both columns, on two lines, is the
  // table's header row, not the start of the first entry's name.
  std::vector<TextLine> lines = {line_of_words({{"Tonnage", 250}}, 86),
                                 line_of_words({{"Name.", 110}, {"(metric", 240}, {"tons).", 275}}, 98)};
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"Mutsu", "33,800"}, {"Nagato", "33,800"}, {"Hiuga", "31,260"}, {"Total", "301,320"}};
  for (size_t r = 0; r < rows.size(); ++r) {
    lines.push_back(line_of_words({{rows[r].first, 96}, {"..", 160}, {r == 1 ? "\u2022" : "..", 190},
                                   {r == 2 ? "\u00b7." : "..", 215}, {rows[r].second, 263}},
                                  110 + 10.0 * r));
  }
  // Running text ending in a figure after a single dot: no entry.
  lines.push_back(line_of_words(spaced({"The", "fleet", "totals", ".", "301,320"}, 60), 170));
  Page page = tables_of(lines);
  ASSERT_EQ(page.tables.size(), 1u);
  const TableData& table = page.tables[0].second;
  ASSERT_EQ(table.rows, 5);
  EXPECT_TRUE(cell(table, 0, 0).header);
  EXPECT_EQ(cell(table, 0, 0).text, "Name.");
  EXPECT_EQ(cell(table, 0, 1).text, "Tonnage (metric tons).");
  EXPECT_EQ(cell(table, 1, 0).text, "Mutsu .. .. ..");
  EXPECT_FALSE(cell(table, 1, 0).header);
  EXPECT_EQ(cell(table, 2, 0).text, "Nagato .. \u2022 ..");
  EXPECT_EQ(cell(table, 2, 1).text, "33,800");
  EXPECT_EQ(cell(table, 4, 1).text, "301,320");
  // A title over the list in one piece is no header.
  lines[0] = line_of_words(spaced({"Ships", "of", "the", "fleet"}, 110), 80);
  lines[1] = line_of_words(spaced({"Ships", "retained", "by", "Japan"}, 110), 92);
  page = tables_of(lines);
  ASSERT_EQ(page.tables.size(), 1u);
  EXPECT_EQ(page.tables[0].second.rows, 4);
  EXPECT_FALSE(cell(page.tables[0].second, 0, 0).header);
  EXPECT_EQ(cell(page.tables[0].second, 0, 0).text, "Mutsu .. .. ..");
}

TEST(Tables, ATwoColumnIndexIsATableForEachColumn) {
  // An index in two columns under a heading across both; an entry lists several pages. Rows of the
  // two columns line up: they must not merge into one row.
  std::vector<TextLine> lines = {line_of_words(spaced({"Environment", "variable", "index"}, 50), 60)};
  for (int r = 0; r < 4; ++r) {
    const double top = 80 + 12.0 * r;
    lines.push_back(line_of_words({{"LEFT_" + std::to_string(r), 50}, {".", 120}, {".", 130}, {".", 140},
                                   {"3,", 170}, {"4" + std::to_string(r), 185}},
                                  top));
    lines.push_back(line_of_words({{"RIGHT_" + std::to_string(r), 250}, {".", 320}, {".", 330}, {".", 340},
                                   {"5" + std::to_string(r), 380}},
                                  top));
  }
  const Page page = tables_of(lines);
  ASSERT_EQ(page.tables.size(), 2u);
  std::vector<TableData> tables = {page.tables[0].second, page.tables[1].second};
  if (page.tables[0].first.l > page.tables[1].first.l) std::swap(tables[0], tables[1]);
  for (const TableData& table : tables) {
    EXPECT_EQ(table.rows, 4);
    EXPECT_EQ(table.cols, 2);
  }
  EXPECT_EQ(cell(tables[0], 1, 0).text, "LEFT_1 . . .");
  EXPECT_EQ(cell(tables[0], 1, 1).text, "3, 41");
  EXPECT_EQ(cell(tables[1], 2, 0).text, "RIGHT_2 . . .");
  EXPECT_EQ(cell(tables[1], 2, 1).text, "52");
}

TEST(Tables, ARotatedHeaderReadsAlongItsLine) {
  // A ruled 2x3 grid at 2 px per point; the third header is set vertically, read bottom to top:
  // its first word lies below its second.
  const double scale = 2;
  cv::Mat raster(600, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  const int xs[] = {100, 300, 500, 700}, ys[] = {200, 360, 420};
  for (int y : ys) cv::line(raster, {xs[0], y}, {xs[3], y}, cv::Scalar(0, 0, 0), 1);
  for (int x : xs) cv::line(raster, {x, ys[0]}, {x, ys[2]}, cv::Scalar(0, 0, 0), 1);
  TextLine rotated;
  rotated.font_size = 10;
  rotated.words = {{"No", {295, 160, 305, 175}}, {"Authority", {295, 110, 305, 155}}};
  rotated.text = "No Authority";
  rotated.box = {295, 110, 305, 175};
  const std::vector<TextLine> lines = {
      line_of_words({{"Action", 60}, {"Role", 160}}, 150), rotated,
      line_of_words({{"SET", 60}, {"X", 160}, {"-", 260}}, 190),
  };
  const Recognised r = recognise({45, 95, 355, 215}, lines, raster, scale);
  EXPECT_EQ(r.method, "lattice");
  ASSERT_EQ(r.table.cols, 3);
  EXPECT_EQ(cell(r.table, 0, 2).text, "No Authority");
}

TEST(Tables, ARuleBetweenTwoWordsAtAWordSpacePartsTheirCells) {
  // A ruled 3x4 grid at 2 px per point whose text layer strings each row into one line: a figure
  // set flush right against the rule, the next column's label just past it, a word space apart.
  const double scale = 2;
  cv::Mat raster(600, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  const int xs[] = {100, 300, 420, 700}, ys[] = {200, 240, 280, 320, 360};
  for (int y : ys) cv::line(raster, {xs[0], y}, {xs[3], y}, cv::Scalar(0, 0, 0), 1);
  for (int x : xs) cv::line(raster, {x, ys[0]}, {x, ys[4]}, cv::Scalar(0, 0, 0), 1);
  std::vector<TextLine> lines;
  const char* labels[] = {"Name", "Felora", "Zalgar", "Vindara"};
  const char* figures[] = {"Height", "3,850", "4,200", "5,150"};
  const char* countries[] = {"Country", "Austria", "Japan", "Nepal"};
  for (int r = 0; r < 4; ++r) {
    const double top = 105 + 20.0 * r;
    const double figure_left = 208 - 5.0 * static_cast<double>(std::string(figures[r]).size());
    lines.push_back(line_of_words({{labels[r], 55}, {figures[r], figure_left}, {countries[r], 212}}, top));
  }
  const Recognised r = recognise({45, 95, 355, 185}, lines, raster, scale);
  EXPECT_EQ(r.method, "lattice");
  EXPECT_TRUE(r.earned);
  ASSERT_EQ(r.table.rows, 4);
  ASSERT_EQ(r.table.cols, 3);
  EXPECT_EQ(cell(r.table, 2, 1).text, "4,200");
  EXPECT_EQ(cell(r.table, 2, 2).text, "Japan");
}

TEST(Tables, RulesDrawnOnlyAroundBandsOfRowsDoNotMakeTheGrid) {
  // A booktabs table: rules above and below the header and at the bottom, one rule between the
  // label column and the figures. The rules make a 2x2 grid whose body cells hold four rows
  // each; the rows and the figures' columns come from the text.
  const double scale = 2;
  cv::Mat raster(600, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int y : {200, 240, 400}) cv::line(raster, {100, y}, {700, y}, cv::Scalar(0, 0, 0), 1);
  cv::line(raster, {300, 200}, {300, 400}, cv::Scalar(0, 0, 0), 1);
  std::vector<TextLine> lines = {line_of_words({{"Model", 60}, {"2B", 200}, {"8B", 260}}, 105)};
  const char* labels[] = {"Layers", "Heads", "Width", "Experts"};
  for (int k = 0; k < 4; ++k) {
    lines.push_back(line_of_words({{labels[k], 60}, {std::to_string(10 + k), 200}, {std::to_string(20 + k), 260}},
                                  125 + 18.0 * k));
  }
  const Recognised r = recognise({45, 95, 355, 205}, lines, raster, scale);
  EXPECT_NE(r.method, "lattice");
  ASSERT_EQ(r.table.rows, 5);
  ASSERT_EQ(r.table.cols, 3);
  EXPECT_EQ(cell(r.table, 3, 0).text, "Width");
  EXPECT_EQ(cell(r.table, 3, 2).text, "22");
}

TEST(Tables, LatticeGridWithASpannedCell) {
  // A 3x3 ruled grid at 2 px per point whose top row has no rule between columns 1 and 2.
  const double scale = 2;
  cv::Mat raster(600, 900, CV_8UC3, cv::Scalar(255, 255, 255));
  const int xs[] = {100, 300, 500, 700}, ys[] = {200, 260, 320, 380};
  for (int y : ys) cv::line(raster, {xs[0], y}, {xs[3], y}, cv::Scalar(0, 0, 0), 1);
  for (int i = 0; i < 4; ++i) {
    const int top = i == 2 ? ys[1] : ys[0];  // no rule between the 2nd and 3rd cells of row 0
    cv::line(raster, {xs[i], top}, {xs[i], ys[3]}, cv::Scalar(0, 0, 0), 1);
  }
  const Box region{45, 95, 355, 195};
  const std::vector<TextLine> lines = {
      line_of_words({{"Item", 60}, {"Spanning", 190}}, 105),
      line_of_words({{"a", 60}, {"1", 160}, {"2", 260}}, 135),
      line_of_words({{"b", 60}, {"3", 160}, {"4", 260}}, 165),
  };
  const Recognised r = recognise(region, lines, raster, scale);
  EXPECT_EQ(r.method, "lattice");
  ASSERT_EQ(r.table.rows, 3);
  ASSERT_EQ(r.table.cols, 3);
  EXPECT_EQ(cell(r.table, 0, 1).col_span, 2);
  EXPECT_EQ(cell(r.table, 0, 1).text, "Spanning");
  EXPECT_EQ(cell(r.table, 2, 2).text, "4");
  EXPECT_EQ(r.table.cells.size(), 8u);
  const Rules rules = find_rules(region, raster, scale);
  EXPECT_EQ(rules.rows.size(), 4u);
  EXPECT_EQ(rules.columns.size(), 4u);
}

// Strokes ruling a grid: rules across at each of `ys` from the first of `xs` to the last, and
// down at each of `xs` from the first of `ys` to the last.
std::vector<Box> grid_rules(const std::vector<double>& xs, const std::vector<double>& ys) {
  std::vector<Box> rules;
  for (double y : ys) rules.push_back({xs.front(), y, xs.back(), y});
  for (double x : xs) rules.push_back({x, ys.front(), x, ys.back()});
  return rules;
}

TEST(Tables, AHairlineGridIsReadFromItsDrawnRulesAndATableNestedInACellStaysInIt) {
  // No raster (a page the detector skipped, or hairlines too faint at 72 dpi): the page's drawn
  // strokes give the grid. The lower left cell holds a ruled 2x3 table of its own.
  std::vector<Box> rules = grid_rules({50, 200, 350}, {100, 120, 200});
  const std::vector<Box> nested = grid_rules({60, 100, 140, 190}, {130, 150, 180});
  rules.insert(rules.end(), nested.begin(), nested.end());
  const std::vector<TextLine> lines = {
      line_of_words({{"Column", 55}, {"A", 95}, {"Column", 205}, {"B", 245}}, 105),
      line_of_words({{"x", 65}, {"y", 105}, {"z", 145}, {"Rich", 205}, {"cell", 230}}, 135),
      line_of_words({{"1", 65}, {"2", 105}, {"3", 145}}, 160)};
  const Recognised r =
      recognise({45, 95, 355, 205}, lines, cv::Mat(), 1, nullptr, TableEngine::automatic, rules);
  EXPECT_EQ(r.method, "lattice");
  ASSERT_EQ(r.table.rows, 2);
  ASSERT_EQ(r.table.cols, 2);
  EXPECT_EQ(cell(r.table, 0, 1).text, "Column B");
  EXPECT_EQ(cell(r.table, 1, 0).text, "x y z 1 2 3");
  EXPECT_EQ(cell(r.table, 1, 1).text, "Rich cell");
}

TEST(Tables, BulletListsSideBySideInRuledCellsAreNoHiddenRows) {
  // Two items in each cell of a row, each bullet set a little higher than its text: the cells
  // share two lines, not four, so their rows are no table's rows hidden in a cell.
  const std::vector<Box> rules = grid_rules({50, 200, 350}, {100, 140, 180});
  std::vector<TextLine> lines;
  for (double left : {55.0, 205.0}) {
    for (double top : {105.0, 120.0, 145.0, 160.0}) {
      lines.push_back(line_of_words({{"\u2022", left}}, top - 1.5, 6));
      lines.push_back(line_of_words({{"an", left + 10}, {"item", left + 25}}, top));
    }
  }
  const Recognised r =
      recognise({45, 95, 355, 185}, lines, cv::Mat(), 1, nullptr, TableEngine::automatic, rules);
  EXPECT_EQ(r.method, "lattice");
  EXPECT_EQ(r.table.rows, 2);
  EXPECT_EQ(r.table.cols, 2);
}

TEST(Tables, ARuledGridTheLayoutModelMissedIsATableButARuledFormIsNot) {
  const std::vector<Box> rules = grid_rules({50, 200, 350}, {100, 120, 140, 160});
  std::vector<TextLine> lines = {line_of_words({{"Name", 55}, {"Value", 205}}, 105),
                                 line_of_words({{"alpha", 55}, {"first", 205}}, 125),
                                 line_of_words({{"beta", 55}, {"second", 205}}, 145),
                                 line_of_words(spaced({"A", "paragraph", "under", "the", "grid"}, 50), 180)};
  const Page page = tables_of(lines, {}, rules);
  ASSERT_EQ(page.tables.size(), 1u);
  ASSERT_EQ(page.regions.size(), 1u);
  EXPECT_EQ(page.regions[0].label, Label::table);
  const TableData& table = page.tables[0].second;
  EXPECT_EQ(table.rows, 3);
  EXPECT_EQ(table.cols, 2);
  EXPECT_EQ(cell(table, 2, 1).text, "second");
  // The same grid holding a form's boxes: read as a form, its options as checkbox items.
  lines[2] = line_of_words({{"beta", 55}, {"\u2610", 205}, {"yes", 215}}, 145);
  EXPECT_TRUE(tables_of(lines, {}, rules).tables.empty());
}

TEST(Tables, ModelTokensBecomeAGridWithSpans) {
  // <thead><tr><td colspan="2"></td><td></td></tr></thead>
  // <tbody><tr><td rowspan="2"></td><td></td><td></td></tr><tr><td></td><td></td></tr></tbody>
  const std::vector<std::string> tokens = {"<thead>", "<tr>", "<td", " colspan=\"2\"", ">", "</td>", "<td></td>",
                                           "</tr>", "</thead>", "<tbody>", "<tr>", "<td", " rowspan=\"2\"", ">",
                                           "</td>", "<td></td>", "<td></td>", "</tr>", "<tr>", "<td></td>",
                                           "<td></td>", "</tr>", "</tbody>"};
  std::vector<Box> boxes;
  for (int i = 0; i < 7; ++i) boxes.push_back({double(i), 0, double(i) + 1, 1});
  const auto grid = TableModel::grid_from_tokens(tokens, boxes);
  ASSERT_TRUE(grid);
  EXPECT_EQ(grid->rows, 3);
  EXPECT_EQ(grid->cols, 3);
  ASSERT_EQ(grid->cells.size(), 7u);
  EXPECT_EQ(grid->cells[0].col_span, 2);
  EXPECT_TRUE(grid->cells[0].header);
  EXPECT_EQ(grid->cells[1].col, 2);
  EXPECT_EQ(grid->cells[2].row_span, 2);
  EXPECT_FALSE(grid->cells[2].header);
  EXPECT_EQ(grid->cells[5].row, 2);
  EXPECT_EQ(grid->cells[5].col, 1);  // column 0 is still taken by the row-spanning cell
  EXPECT_DOUBLE_EQ(grid->cells[6].box.l, 6);
  EXPECT_FALSE(TableModel::grid_from_tokens({"<tr>", "</tr>"}, {}));
}

TEST(Tables, EveryEngineReadsTheRuledTableOfARealDocument) {
  for (const char* engine : {"rules", "model"}) {
    Options options;
    options.table_engine = engine;
    Converter converter(options);
    Document doc;
    converter.convert({{testing::corpus("pdf/normal_4pages.pdf"), nullptr}}, [&](Document&& d) { doc = std::move(d); });
    const Element* table = nullptr;
    for (const auto& e : doc.elements) {
      if (e.label == Label::table && e.table) table = &e;
    }
    ASSERT_NE(table, nullptr) << engine;
    EXPECT_EQ(table->table->cols, 3) << engine;
    EXPECT_EQ(cell(*table->table, 1, 2).text, "1급 감염병") << engine;
  }
}

TEST(Tables, RuledTableOfARealDocument) {
  Converter converter{Options{}};
  Document doc;
  converter.convert({{testing::corpus("pdf/normal_4pages.pdf"), nullptr}}, [&](Document&& d) { doc = std::move(d); });
  const Element* table = nullptr;
  for (const auto& e : doc.elements) {
    if (e.label == Label::table && e.table) table = &e;
  }
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->table->cols, 3);
  EXPECT_GE(table->table->rows, 5);
  EXPECT_EQ(cell(*table->table, 0, 0).text, "구분");
  EXPECT_EQ(cell(*table->table, 1, 2).text, "1급 감염병");
  const std::string md = markdown_table(*table->table);
  EXPECT_EQ(md.rfind("| 구분 | 개정전 | 개정후 |\n|---|---|---|\n", 0), 0u) << md;
}

}  // namespace
}  // namespace pageflow::tables
