// The long-lived engine: jobs submitted at any time share one pipeline, fairly, each with its own
// results, options, cancellation and timeout.
#include "pageflow/engine.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "export/export.h"
#include "test_util.h"

namespace pageflow {
namespace {

using testing::ScratchDir;
using testing::make_pages;

Options text_only() {
  Options options;
  options.ocr = "off";
  options.layout = false;
  return options;
}

// Pages that take MuPDF about a second each to draw for the layout model.
Options drawing() {
  Options options;
  options.ocr = "off";
  return options;
}

// Collects a job's documents and the order in which its pages came out.
struct Collected {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Document> docs;
  std::vector<int> pages;
  int done = 0;

  JobCallbacks callbacks() {
    JobCallbacks c;
    c.on_document = [this](Document&& d) {
      std::lock_guard lock(mu);
      docs.push_back(std::move(d));
    };
    c.on_page = [this](const PageOutput& p) {
      std::lock_guard lock(mu);
      pages.push_back(p.page.number);
    };
    c.on_progress = [this](int d, int) {
      {
        std::lock_guard lock(mu);
        done = d;
      }
      cv.notify_all();
    };
    return c;
  }
  void wait_for_pages(int n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return done >= n; });
  }
  int pages_done() {
    std::lock_guard lock(mu);
    return done;
  }
};

TEST(Engine, ASmallJobIsNotStuckBehindALargeOne) {
  ScratchDir dir;
  Options options;
  options.ocr = "off";  // the layout model makes each page cost real time
  // Set, not derived from the machine's cores, so the bound below means the same everywhere.
  options.window = 10;
  options.batch_size = 4;
  Engine engine(options);
  Collected big, small;
  auto big_job = engine.submit({{dir.file("big.pdf", make_pages(80)), nullptr}}, big.callbacks());
  big.wait_for_pages(4);
  const int before = big.pages_done();
  auto small_job = engine.submit({{dir.file("small.pdf", make_pages(1)), nullptr}}, small.callbacks());
  const RunResult small_result = small_job->wait();
  const int after = big.pages_done();
  EXPECT_EQ(small_result.pages, 1);
  EXPECT_FALSE(big_job->progress().finished);
  // The small job's page overtakes the big job's backlog: what finishes first is at most the
  // window of pages admitted ahead of it, the batch a model stage had already taken when the page
  // reached it, and the round-robin turn plus a page emitted as the wait returned; never the 76
  // behind. (An idle machine lets fewer through: only those inside a stage call.)
  const int bound = static_cast<int>(options.window) + options.batch_size + 2;
  EXPECT_LE(after - before, bound) << "big job pages finished while the 1-page job waited";
  const RunResult big_result = big_job->wait();
  EXPECT_EQ(big_result.pages, 80);
  ASSERT_EQ(big.docs.size(), 1u);
  EXPECT_TRUE(big.docs[0].ok());
  // Pages come out in each job's own order.
  for (size_t i = 0; i < big.pages.size(); ++i) EXPECT_EQ(big.pages[i], static_cast<int>(i) + 1);
}

TEST(Engine, CancellingOneJobLeavesTheOthersWhole) {
  ScratchDir dir;
  Engine engine(drawing());
  Collected doomed, other;
  const std::string pages = dir.file("flood.pdf", make_pages(30, testing::rectangle_flood()));
  auto doomed_job = engine.submit({{pages, nullptr}}, doomed.callbacks());
  auto other_job = engine.submit({{dir.file("ten.pdf", make_pages(10)), nullptr}}, other.callbacks());
  doomed.wait_for_pages(1);
  doomed_job->cancel("client went away");
  const RunResult cancelled = doomed_job->wait();
  EXPECT_TRUE(cancelled.cancelled);
  EXPECT_EQ(cancelled.error, "client went away");
  ASSERT_EQ(doomed.docs.size(), 1u);
  EXPECT_EQ(doomed.docs[0].status(), Status::partial_success);
  ASSERT_FALSE(doomed.docs[0].missing.empty());
  EXPECT_EQ(doomed.docs[0].missing.back().reason, "client went away");
  EXPECT_EQ(doomed.docs[0].missing.back().pages.last, 30);

  const RunResult fine = other_job->wait();
  EXPECT_FALSE(fine.cancelled);
  ASSERT_EQ(other.docs.size(), 1u);
  EXPECT_TRUE(other.docs[0].ok());
  EXPECT_EQ(other.docs[0].pages.size(), 10u);
}

TEST(Engine, AJobTimeoutAbandonsItsRemainingPages) {
  ScratchDir dir;
  Engine engine(drawing());
  Collected slow;
  JobOptions job;
  job.timeout = std::chrono::milliseconds(1500);
  auto handle = engine.submit({{dir.file("flood.pdf", make_pages(40, testing::rectangle_flood())), nullptr}},
                              slow.callbacks(), job);
  const auto start = std::chrono::steady_clock::now();
  const RunResult result = handle->wait();
  EXPECT_TRUE(result.cancelled);
  EXPECT_EQ(result.error, "run timed out after 1500 ms");
  ASSERT_EQ(slow.docs.size(), 1u);
  EXPECT_GT(slow.docs[0].missing_pages(), 0);
  // Its work stopped with it: the engine is free for the next job at once.
  Collected next;
  EXPECT_EQ(engine.submit({{dir.file("one.pdf", make_pages(1)), nullptr}}, next.callbacks())->wait().pages, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(Engine, JobsCarryTheirOwnOptions) {
  ScratchDir dir;
  Engine engine(text_only());
  const std::string file = dir.file("ten.pdf", make_pages(10));
  Collected all, some;
  JobOptions pick;
  pick.pages = "2-3,9-";
  auto a = engine.submit({{file, nullptr}}, all.callbacks());
  auto b = engine.submit({{file, nullptr}}, some.callbacks(), pick);
  a->wait();
  b->wait();
  ASSERT_EQ(all.docs.size(), 1u);
  ASSERT_EQ(some.docs.size(), 1u);
  EXPECT_EQ(all.docs[0].pages.size(), 10u);
  ASSERT_EQ(some.docs[0].pages.size(), 4u);
  EXPECT_EQ(some.docs[0].pages[0].number, 2);
  EXPECT_EQ(some.docs[0].pages[3].number, 10);
  // Each page says how long each stage that worked on it took (layout is off in this engine).
  for (const PageResult& page : all.docs[0].pages) {
    std::vector<std::string> stages;
    for (const StageTime& t : page.timings) {
      stages.push_back(t.stage);
      EXPECT_GE(t.seconds, 0);
    }
    EXPECT_EQ(stages, (std::vector<std::string>{"render", "assemble"})) << "page " << page.number;
  }

  JobOptions bad;
  bad.ocr = "sometimes";
  EXPECT_THROW(engine.submit({{file, nullptr}}, {}, bad), std::invalid_argument);
  bad = {};
  bad.ocr = "force";  // this engine was started with OCR off
  EXPECT_THROW(engine.submit({{file, nullptr}}, {}, bad), std::invalid_argument);
}

TEST(Engine, ManyThreadsSubmitToOneEngine) {
  ScratchDir dir;
  Engine engine(text_only());
  const std::string file = dir.file("three.pdf", make_pages(3));
  const std::string expected = [&] {
    Collected c;
    engine.submit({{file, nullptr}}, c.callbacks())->wait();
    return to_markdown(c.docs.at(0));
  }();
  std::vector<std::thread> threads;
  std::atomic<int> matches{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        Collected c;
        engine.submit({{file, nullptr}}, c.callbacks())->wait();
        if (c.docs.size() == 1 && to_markdown(c.docs[0]) == expected) ++matches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(matches.load(), 40);
  const EngineStats stats = engine.stats();
  EXPECT_EQ(stats.jobs_active, 0);
  EXPECT_EQ(stats.documents_done, 41);
  EXPECT_EQ(stats.pages_done, 123);
}

TEST(Engine, SameOutputAsTheBatchedBaseline) {
  Options options;
  options.ocr = "off";
  Engine engine(options);
  const std::vector<Input> inputs{{testing::corpus("pdf/multi_page.pdf"), nullptr},
                                  {testing::corpus("pdf/normal_4pages.pdf"), nullptr}};
  Collected shared, batched;
  engine.submit(inputs, shared.callbacks())->wait();
  engine.run_dedicated(inputs, batched.callbacks(), Schedule::batched, nullptr, {});
  ASSERT_EQ(shared.docs.size(), 2u);
  ASSERT_EQ(batched.docs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) EXPECT_EQ(to_docling_json(shared.docs[i]), to_docling_json(batched.docs[i]));
}

TEST(Engine, DrainLetsRunningJobsFinishAndRefusesNewOnes) {
  ScratchDir dir;
  Engine engine(text_only());
  Collected c;
  auto job = engine.submit({{dir.file("five.pdf", make_pages(5)), nullptr}}, c.callbacks());
  EXPECT_TRUE(engine.drain(std::chrono::seconds(60)));
  EXPECT_EQ(job->wait().pages, 5);
  EXPECT_THROW(engine.submit({{dir.file("one.pdf", make_pages(1)), nullptr}}, {}), std::runtime_error);
}

}  // namespace
}  // namespace pageflow
