#include <gtest/gtest.h>

#include "cli/options.h"

namespace pageflow::cli {
namespace {

CliOptions parse(std::vector<std::string> args) { return parse_arguments(args); }

std::string usage_error(std::vector<std::string> args) {
  try {
    parse_arguments(args);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(CliOptions, ParsesEveryConvertOption) {
  const auto o = parse({"convert", "a.pdf", "b.png", "-o", "out", "--to", "md,json,html,text", "--mode",
                        "batched", "--render-workers", "3", "--threads", "2", "--batch-size", "4", "--pages",
                        "1-3,7", "--password", "pw", "--trace", "t.json", "--quiet", "--no-layout",
                        "--page-timeout", "500", "--timeout", "9000", "--dpi", "100", "--window", "5",
                        "--layout-input", "608x800", "--layout-every-page"});
  EXPECT_EQ(o.command, "convert");
  EXPECT_EQ(o.inputs, (std::vector<std::string>{"a.pdf", "b.png"}));
  EXPECT_EQ(o.out_dir, "out");
  EXPECT_EQ(o.formats.size(), 4u);
  EXPECT_EQ(o.convert.schedule, Schedule::batched);
  EXPECT_EQ(o.convert.render_workers, 3);
  EXPECT_EQ(o.convert.threads, 2);
  EXPECT_EQ(o.convert.batch_size, 4);
  EXPECT_EQ(o.convert.pages, "1-3,7");
  EXPECT_EQ(o.convert.password, "pw");
  EXPECT_EQ(o.trace_path, "t.json");
  EXPECT_TRUE(o.quiet);
  EXPECT_FALSE(o.convert.layout);
  EXPECT_EQ(o.convert.page_timeout.count(), 500);
  EXPECT_EQ(o.convert.document_timeout.count(), 9000);
  EXPECT_EQ(o.convert.dpi, 100);
  EXPECT_EQ(o.convert.window, 5u);
  EXPECT_EQ(o.convert.layout_width, 608);
  EXPECT_EQ(o.convert.layout_height, 800);
  EXPECT_FALSE(o.convert.skip_layout_on_plain_pages);
}

TEST(CliOptions, RejectsBadInputNamingTheCulprit) {
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--frobnicate"}), "unknown option '--frobnicate'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--mode", "fast"}),
            "unknown mode 'fast' (concurrent, batched, sequential)");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--to", "pdf"}), "--to: unknown format 'pdf' (md, json, html, text, doctags, jsonl)");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--batch-size", "0"}),
            "--batch-size: expected a whole number from 1 to 4096, got '0'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--threads", "two"}),
            "--threads: expected a whole number from 1 to 256, got 'two'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--layout-input", "544"}),
            "--layout-input: expected WIDTHxHEIGHT, e.g. 544x704, got '544'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--layout-input", "550x704"}),
            "--layout-input: sides must be multiples of 32, got '550x704'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--pages", "3-1"}), "--pages: bad page range '3-1'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--pages", "x"}), "--pages: bad page selection 'x'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--password"}), "--password: missing value");
  EXPECT_EQ(usage_error({"convert"}), "convert: no input files given");
  EXPECT_EQ(usage_error({"explode"}), "unknown command 'explode'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--repeat", "3"}), "unknown option '--repeat' (bench only)");
  EXPECT_EQ(usage_error({}), "missing command (convert, bench, serve, worker, submit or queue); see --help");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "-o", "-"}), "-o -: only --to jsonl can go to standard output");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "-o", "-", "--to", "jsonl,md"}), "-o -: only --to jsonl can go to standard output");
}

TEST(CliOptions, ServeOptions) {
  const auto o = parse({"serve", "--host", "0.0.0.0", "--port", "0", "--api-key", "k", "--result-ttl", "60",
                        "--max-tasks", "3", "--max-file-size", "5", "--max-sync-wait", "9", "--drain-timeout", "7",
                        "--fetch-timeout", "4", "--http-threads", "8", "--ocr", "off", "--cores", "1"});
  EXPECT_EQ(o.command, "serve");
  EXPECT_EQ(o.serve.host, "0.0.0.0");
  EXPECT_EQ(o.serve.port, 0);
  EXPECT_EQ(o.serve.api_key, "k");
  EXPECT_EQ(o.serve.result_ttl.count(), 60);
  EXPECT_EQ(o.serve.max_tasks, 3u);
  EXPECT_EQ(o.serve.max_file_mb, 5);
  EXPECT_EQ(o.serve.max_sync_wait.count(), 9);
  EXPECT_EQ(o.serve.drain_timeout.count(), 7);
  EXPECT_EQ(o.serve.fetch_timeout.count(), 4);
  EXPECT_EQ(o.serve.http_threads, 8);
  EXPECT_EQ(o.convert.ocr, "off");
  EXPECT_EQ(usage_error({"serve", "a.pdf"}), "serve: takes no input files ('a.pdf')");
  EXPECT_EQ(usage_error({"serve", "--port", "70000"}), "--port: expected a whole number from 0 to 65535, got '70000'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--port", "1"}), "unknown option '--port' (serve only)");
  const auto jsonl = parse({"convert", "a.pdf", "--to", "jsonl", "-o", "-"});
  EXPECT_TRUE(jsonl.jsonl);
  EXPECT_TRUE(jsonl.formats.empty());
}

TEST(CliOptions, BenchOptionsAndHelp) {
  const auto o = parse({"bench", "a.pdf", "--modes", "concurrent,batched", "--repeat", "5", "--warmup", "0",
                        "--json", "r.json", "--timeline", "t.svg"});
  EXPECT_EQ(o.modes, (std::vector<Schedule>{Schedule::concurrent, Schedule::batched}));
  EXPECT_EQ(o.repeat, 5);
  EXPECT_EQ(o.warmup, 0);
  EXPECT_EQ(o.json_path, "r.json");
  EXPECT_EQ(o.timeline_path, "t.svg");
  EXPECT_EQ(parse({"--help"}).command, "help");
  EXPECT_EQ(parse({"--version"}).command, "version");
  EXPECT_NE(usage().find("--render-workers"), std::string::npos);
}

TEST(PageSelection, ParsesRangesWithinTheDocument) {
  using Ranges = std::vector<PageRange>;
  EXPECT_EQ(PageSelection::parse("").resolve(3), (Ranges{{1, 3}}));
  EXPECT_EQ(PageSelection::parse("1-3,7").resolve(10), (Ranges{{1, 3}, {7, 7}}));
  EXPECT_EQ(PageSelection::parse("8-").resolve(10), (Ranges{{8, 10}}));
  EXPECT_EQ(PageSelection::parse("-2,2,5").resolve(4), (Ranges{{1, 2}}));
  EXPECT_EQ(PageSelection::parse("5,1-2,3").resolve(9), (Ranges{{1, 3}, {5, 5}}));  // sorted, merged
  EXPECT_THROW(PageSelection::parse("0"), std::invalid_argument);
  EXPECT_THROW(PageSelection::parse("1,,2"), std::invalid_argument);
  EXPECT_THROW(PageSelection::parse("5-3"), std::invalid_argument);
}

TEST(PageSelection, OpenRangesCostNothingWhateverTheNumbers) {
  // The selection stays two ranges; only the real page count closes them.
  const PageSelection huge = PageSelection::parse("2-,999999999");
  EXPECT_EQ(huge.ranges(), (std::vector<PageRange>{{2, PageSelection::kOpenEnd}}));
  EXPECT_EQ(huge.resolve(3), (std::vector<PageRange>{{2, 3}}));
  EXPECT_EQ(count_pages(huge.resolve(2000000000)), 1999999999LL);
}

TEST(PageSelection, SplitsAtThePageLimit) {
  std::vector<PageRange> pages{{1, 3}, {7, 10}};
  EXPECT_EQ(split_pages(pages, 5), (std::vector<PageRange>{{9, 10}}));
  EXPECT_EQ(pages, (std::vector<PageRange>{{1, 3}, {7, 8}}));
  EXPECT_EQ(describe_pages(pages), "1-3,7-8");
}

TEST(CliOptions, PageSelectionIsCheckedWithoutExpandingIt) {
  EXPECT_EQ(parse({"convert", "--pages", "2-", "a.pdf"}).convert.pages, "2-");
  EXPECT_THROW(parse({"convert", "--pages", "", "a.pdf"}), UsageError);
}

TEST(CliOptions, ConversionOptionsAloneAsThePythonPackageGivesThem) {
  const Options o = parse_conversion_options({"--cores", "3", "--no-layout", "--ocr", "force"});
  EXPECT_EQ(o.cores, 3);
  EXPECT_FALSE(o.layout);
  EXPECT_EQ(o.ocr, "force");
  EXPECT_EQ(parse_conversion_options({}).ocr, "auto");
  try {
    parse_conversion_options({"--cores", "many"});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--cores:", 0), 0u) << e.what();
  }
  EXPECT_THROW(parse_conversion_options({"--", "a.pdf"}), UsageError);
}

TEST(CliOptions, ScaleOutOptions) {
  const auto w = parse({"worker", "--redis", "redis://127.0.0.1:6380/2", "--lease", "5", "--max-deliveries", "2",
                        "--name", "w1", "--cores", "1"});
  EXPECT_EQ(w.command, "worker");
  EXPECT_EQ(w.scale.redis_url, "redis://127.0.0.1:6380/2");
  EXPECT_EQ(w.scale.lease, std::chrono::seconds(5));
  EXPECT_EQ(w.scale.max_deliveries, 2);
  EXPECT_EQ(w.scale.worker_name, "w1");
  const auto s = parse({"submit", "--redis", "redis://h", "a.pdf", "-o", "out", "--slice-pages", "16",
                        "--max-source-size", "8", "--ttl", "600"});
  EXPECT_EQ(s.inputs, std::vector<std::string>{"a.pdf"});
  EXPECT_EQ(s.scale.slice_pages, 16);
  EXPECT_EQ(s.scale.max_source_mb, 8);
  EXPECT_EQ(s.scale.ttl, std::chrono::seconds(600));
  EXPECT_EQ(usage_error({"worker", "--cores", "1"}), "worker: --redis URL is required");
  EXPECT_EQ(usage_error({"worker", "--redis", "redis://h", "a.pdf"}), "worker: takes no input files ('a.pdf')");
  EXPECT_EQ(usage_error({"submit", "--redis", "redis://h"}), "submit: no input files given");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--lease", "3"}), "unknown option '--lease' (worker, submit, queue)");
}

}  // namespace
}  // namespace pageflow::cli
