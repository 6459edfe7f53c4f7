// Hostile use of the command line and the file system: the pageflow binary under odd arguments,
// planted links, pipes, a full disk and cut-short runs.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "export/export.h"
#include "test_util.h"

namespace pageflow {
namespace {

using testing::corpus;
using testing::read_file;
using testing::ScratchDir;

struct Outcome {
  int status = -1;
  std::string err;
  double seconds = 0;
};

// Runs `pageflow ARGS` through the shell (so ARGS may use redirections), capturing stderr.
Outcome run(const ScratchDir& dir, const std::string& args, const std::string& prefix = "") {
  const std::string err = dir.path("stderr.txt");
  const auto start = std::chrono::steady_clock::now();
  const int status =
      std::system((prefix + std::string(PAGEFLOW_CLI) + " " + args + " 2>" + err).c_str());
  Outcome o;
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  o.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.err = read_file(err);
  return o;
}

// Runs pageflow with these arguments directly (no shell: a single shell command string may not
// exceed 128 KB), stderr to /dev/null.
int run_direct(const std::vector<std::string>& args) {
  std::vector<char*> argv{const_cast<char*>(PAGEFLOW_CLI)};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen("/dev/null", "w", stderr);
    ::execv(PAGEFLOW_CLI, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool built_with_sanitizers() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return true;
#else
  return false;
#endif
}

TEST(CliHostile, OpenPageRangesCostNoMemory) {
  ScratchDir dir;
  const std::string pdf = corpus("pdf/multi_page.pdf");
  // Under a 512 MB address-space cap "2-" once expanded to 2^30 pages and died of bad_alloc.
  // (Sanitizers reserve terabytes of address space, so the cap is left out under them.)
  const std::string cap = built_with_sanitizers() ? "" : "ulimit -v 524288; ";
  const Outcome o = run(dir, "convert -q --no-layout --ocr off --pages 2- -o " + dir.path("out") + " " + pdf, cap);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(run(dir, "convert -q --pages '' " + pdf).status, 2);
}

TEST(CliHostile, LongCommandLinesAndInputLists) {
  ScratchDir dir;
  // A 330 KB command line: three 100 KB passwords (the last one counts) and ten inputs of 3,000
  // characters (the ONNX Runtime telemetry that parsed it overflowed the stack at 29 KB).
  std::string padded = "/";
  while (padded.size() < 3000) padded += "./";
  std::vector<std::string> args = {"convert", "-q", "--pages", "1", "-o", dir.path("many")};
  for (int i = 0; i < 3; ++i) args.insert(args.end(), {"--password", std::string(100000, 'p')});
  for (int i = 0; i < 10; ++i) args.push_back(padded + corpus("pdf/multi_page.pdf"));
  EXPECT_EQ(run_direct(args), 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path("many/multi_page-10.md")));

  const std::string list = dir.file("inputs.txt", corpus("pdf/multi_page.pdf") + "\n\n" + corpus("pdf/normal_4pages.pdf") + "\n");
  Outcome o = run(dir, "convert -q --no-layout --inputs-from " + list + " -o " + dir.path("listed"));
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path("listed/normal_4pages.md")));
  o = run(dir, "convert -q --no-layout --inputs-from - -o " + dir.path("stdin") + " < " + list);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path("stdin/multi_page.md")));
}

TEST(CliHostile, OutputsNeverFollowPlantedLinks) {
  ScratchDir dir;
  const std::string victim = dir.file("victim.txt", "precious");
  std::filesystem::create_directories(dir.path("out"));
  // Links at the final name and at every name the old scheme could have used.
  std::filesystem::create_symlink(victim, dir.path("out/multi_page.md"));
  for (int pid = 1; pid < 4096; ++pid) {
    std::filesystem::create_symlink(victim, dir.path("out/.multi_page.md.tmp-" + std::to_string(pid)));
  }
  const Outcome o = run(dir, "convert -q --no-layout -o " + dir.path("out") + " " + corpus("pdf/multi_page.pdf"));
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_FALSE(std::filesystem::is_symlink(dir.path("out/multi_page.md")));  // replaced, not followed
  EXPECT_NE(read_file(dir.path("out/multi_page.md")).find("Word Processor"), std::string::npos);
  // The same through the library call, and the file is readable by others as usual.
  std::filesystem::create_symlink(victim, dir.path("out/other.md"));
  write_file_atomically(dir.path("out/other.md"), "new");
  EXPECT_EQ(read_file(victim), "precious");
  EXPECT_EQ(read_file(dir.path("out/other.md")), "new");
  EXPECT_NE(std::filesystem::status(dir.path("out/other.md")).permissions() & std::filesystem::perms::others_read,
            std::filesystem::perms::none);
}

TEST(CliHostile, LongNamesAndWriteErrorsNameTheirCause) {
  ScratchDir dir;
  const std::string stem(250, 'n');  // NAME.md fits in 255 bytes; a longer temporary name did not
  std::filesystem::create_directories(dir.path("in"));
  std::filesystem::copy_file(corpus("pdf/multi_page.pdf"), dir.path("in/" + stem + ".pdf"));
  Outcome o = run(dir, "convert -q --no-layout -o " + dir.path("out") + " " + dir.path("in/" + stem + ".pdf"));
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir.path("out/" + stem + ".md")));

  // A full disk: a 64 KB tmpfs (where this machine lets the test mount one).
  std::filesystem::create_directories(dir.path("full"));
  if (::mount("tmpfs", dir.path("full").c_str(), "tmpfs", 0, "size=64k") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  dir.file("full/filler", std::string(60 * 1024, 'x'));
  o = run(dir, "convert -q --no-layout --to json -o " + dir.path("full") + " " + corpus("pdf/multi_page.pdf"));
  ::umount(dir.path("full").c_str());
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find(corpus("pdf/multi_page.pdf") + ": cannot write " + dir.path("full") + "/multi_page.json: No space left on device"),
            std::string::npos)
      << o.err;
}

TEST(CliHostile, BadOptionValuesAreUsageErrors) {
  ScratchDir dir;
  const std::string pdf = corpus("pdf/multi_page.pdf");
  EXPECT_EQ(run(dir, "convert -o '' " + pdf).status, 2);
  EXPECT_EQ(run(dir, "convert --layout-model /nonexistent.onnx " + pdf).status, 2);
  EXPECT_EQ(run(dir, "convert --models /nonexistent " + pdf).status, 2);
  const std::string file = dir.file("a-file", "");  // a path under a file can never be written
  const Outcome o = run(dir, "convert --trace " + file + "/t.json " + pdf);
  EXPECT_EQ(o.status, 2);
  EXPECT_NE(o.err.find("--trace: cannot write '" + file + "/t.json': no folder to hold it"), std::string::npos) << o.err;
  EXPECT_EQ(run(dir, "convert --inputs-from /nonexistent.txt").status, 2);
}

TEST(CliHostile, PipesAreReadOnceAndFoldersRefused) {
  ScratchDir dir;
  // Process substitution needs bash, not the sh behind std::system.
  const std::string script = dir.file("pipe.sh", std::string(PAGEFLOW_CLI) + " convert -q --no-layout -o " +
                                                     dir.path("out") + " <(cat " + corpus("pdf/multi_page.pdf") +
                                                     ") " + dir.path("out") + " 2>" + dir.path("err.txt") + "\n");
  const int status = std::system(("timeout 60 bash " + script).c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);  // the folder fails; the pipe converts
  const std::string err = read_file(dir.path("err.txt"));
  EXPECT_NE(err.find(dir.path("out") + ": is a directory, not a file"), std::string::npos) << err;
  size_t outputs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path("out"))) {
    outputs += entry.path().extension() == ".md" && read_file(entry.path()).find("Word Processor") != std::string::npos;
  }
  EXPECT_EQ(outputs, 1u);
}

TEST(CliHostile, CutShortRunsSayWhatIsMissingOnceAndExitThree) {
  ScratchDir dir;
  // 60 pages that take MuPDF about a second each to draw: the run timeout lands mid-document.
  const std::string pdf = testing::make_pages(60, testing::rectangle_flood());
  const std::string slow = dir.file("slow.pdf", pdf);
  const Outcome o = run(dir, "convert -q --no-layout --timeout 3000 --to md,json -o " + dir.path("out") + " " +
                                 slow + " " + corpus("pdf/multi_page.pdf"));
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_LT(o.seconds, 60) << "the pages in flight kept running after the timeout";
  // One line for the pages not converted, one for the file never started; none per page.
  size_t lines = 0;
  for (char c : o.err) lines += c == '\n';
  EXPECT_LE(lines, 3u) << o.err;
  EXPECT_NE(o.err.find("not converted (run timed out after 3000 ms)"), std::string::npos) << o.err;
  const std::string md = read_file(dir.path("out/slow.md"));
  EXPECT_EQ(md.rfind("<!-- pageflow: partial_success", 0), 0u) << md.substr(0, 300);
  EXPECT_NE(md.find("-60 not converted (run timed out after 3000 ms)"), std::string::npos);
  EXPECT_NE(read_file(dir.path("out/slow.json")).find("\"pageflow__conversion\""), std::string::npos);
}

}  // namespace
}  // namespace pageflow

namespace pageflow {
namespace {

TEST(CliHostile, JsonlStreamsEachPageOnStandardOutput) {
  ScratchDir dir;
  const std::string pdf = corpus("pdf/multi_page.pdf");
  const Outcome o = run(dir, "convert -q --no-layout --ocr off --to jsonl -o - " + pdf + " > " + dir.path("pages.jsonl"));
  ASSERT_EQ(o.status, 0) << o.err;
  std::istringstream lines(read_file(dir.path("pages.jsonl")));
  int expected = 1;
  for (std::string line; std::getline(lines, line); ++expected) {
    const auto page = nlohmann::json::parse(line);
    EXPECT_EQ(page["page_no"], expected);
    EXPECT_EQ(page["status"], "success");
    EXPECT_FALSE(page["elements"].empty());
  }
  EXPECT_EQ(expected, 6);
  // Into a folder: one .jsonl per document beside the other formats.
  ASSERT_EQ(run(dir, "convert -q --no-layout --ocr off --to md,jsonl -o " + dir.path("out") + " " + pdf).status, 0);
  const std::string file = read_file(dir.path("out/multi_page.jsonl"));
  EXPECT_EQ(std::count(file.begin(), file.end(), '\n'), 5);
  EXPECT_FALSE(read_file(dir.path("out/multi_page.md")).empty());
}

}  // namespace
}  // namespace pageflow
