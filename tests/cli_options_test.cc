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
                        "--page-timeout", "500", "--timeout", "9000", "--dpi", "100", "--window", "5"});
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
}

TEST(CliOptions, RejectsBadInputNamingTheCulprit) {
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--frobnicate"}), "unknown option '--frobnicate'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--mode", "fast"}),
            "unknown mode 'fast' (concurrent, batched, sequential)");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--to", "pdf"}), "--to: unknown format 'pdf' (md, json, html, text)");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--batch-size", "0"}),
            "--batch-size: expected a whole number from 1 to 4096, got '0'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--threads", "two"}),
            "--threads: expected a whole number from 1 to 256, got 'two'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--pages", "3-1"}), "--pages: bad page range '3-1'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--pages", "x"}), "--pages: bad page selection 'x'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--password"}), "--password: missing value");
  EXPECT_EQ(usage_error({"convert"}), "convert: no input files given");
  EXPECT_EQ(usage_error({"explode"}), "unknown command 'explode'");
  EXPECT_EQ(usage_error({"convert", "a.pdf", "--repeat", "3"}), "unknown option '--repeat' (bench only)");
  EXPECT_EQ(usage_error({}), "missing command (convert or bench); see --help");
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
  EXPECT_EQ(parse_page_selection("", 3), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(parse_page_selection("1-3,7", 10), (std::vector<int>{1, 2, 3, 7}));
  EXPECT_EQ(parse_page_selection("8-", 10), (std::vector<int>{8, 9, 10}));
  EXPECT_EQ(parse_page_selection("-2,2,5", 4), (std::vector<int>{1, 2}));
  EXPECT_THROW(parse_page_selection("0", 4), std::invalid_argument);
  EXPECT_THROW(parse_page_selection("1,,2", 4), std::invalid_argument);
}

}  // namespace
}  // namespace pageflow::cli
