// Scale-out without Redis: a document converted as slices, each encoded for the wire and decoded,
// then joined, is the document one run over the whole file gives.
#include <gtest/gtest.h>

#include "core/blocks.h"
#include "export/export.h"
#include "pageflow/engine.h"
#include "scale/queue.h"
#include "scale/wire.h"
#include "test_util.h"

namespace pageflow {
namespace {

TEST(Scale, SlicesThroughTheWireJoinToTheWholeDocument) {
  Options options;
  options.ocr = "off";
  options.picture_images = true;  // PNG bytes must survive the wire too
  Engine engine(options);
  const Input input{testing::corpus("pdf/multi_page.pdf"), nullptr};

  Document whole;
  engine.submit({input}, {.on_document = [&](Document&& d) { whole = std::move(d); }})->wait();
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole.page_count, 5);

  std::vector<DocumentPages> slices;
  for (const std::string& pages : scale::plan_slices({{1, 5}}, 2)) {
    JobCallbacks callbacks;
    callbacks.on_document_pages = [&](DocumentPages&& p) { slices.push_back(scale::decode_document_pages(scale::encode(p))); };
    JobOptions job;
    job.pages = pages;
    engine.submit({input}, std::move(callbacks), job)->wait();
  }
  ASSERT_EQ(slices.size(), 3u);  // 1-2, 3-4, 5
  EXPECT_TRUE(slices[0].document.elements.empty());  // the document-level pass has not run
  Document skeleton;
  skeleton.source = whole.source;
  skeleton.name = whole.name;
  skeleton.page_count = 5;
  const Document joined = scale::decode_document(scale::encode(scale::join_slices(skeleton, std::move(slices))));
  for (Format f : {Format::json, Format::markdown, Format::doctags}) EXPECT_EQ(render(joined, f), render(whole, f));
  ASSERT_EQ(joined.pages.size(), whole.pages.size());
  EXPECT_EQ(joined.pages[4].timings.size(), whole.pages[4].timings.size());
}

TEST(Scale, AFailedSliceFailsTheDocumentWithItsReason) {
  Document skeleton;
  skeleton.name = "a";
  skeleton.page_count = 4;
  DocumentPages ok, dead;
  ok.document.pages = {PageResult{.number = 1}, PageResult{.number = 2}};
  ok.blocks.resize(2);
  dead.document.error = "pages 3-4 given up after 3 deliveries";
  const Document joined = scale::join_slices(skeleton, {ok, dead});
  EXPECT_EQ(joined.status(), Status::failure);
  EXPECT_EQ(joined.error, "pages 3-4 given up after 3 deliveries");
  EXPECT_TRUE(joined.pages.empty());
}

TEST(Scale, WireRejectsBytesThatAreNotAnEncoding) {
  EXPECT_THROW(scale::decode_document("not cbor"), std::runtime_error);
  EXPECT_THROW(scale::decode_document_pages(scale::encode(Document{})), std::runtime_error);
  EXPECT_THROW(scale::decode_job_options("[]"), std::runtime_error);
  JobOptions job;
  job.pages = "3-9";
  job.ocr = "force";
  job.timeout = std::chrono::milliseconds(1500);
  const JobOptions back = scale::decode_job_options(scale::encode(job));
  EXPECT_EQ(back.pages, job.pages);
  EXPECT_EQ(back.ocr, job.ocr);
  EXPECT_EQ(back.timeout, job.timeout);
  EXPECT_FALSE(back.password);
}

TEST(Scale, PlansSlicesOverTheSelectedPagesOnly) {
  EXPECT_EQ(scale::plan_slices({{1, 3}, {7, 7}, {10, 12}}, 3), (std::vector<std::string>{"1-3", "7,10-11", "12"}));
  EXPECT_EQ(scale::plan_slices({{1, 1}}, 24), (std::vector<std::string>{"1"}));
}

}  // namespace
}  // namespace pageflow
