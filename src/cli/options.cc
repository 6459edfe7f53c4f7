#include "cli/options.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <tuple>
#include <sstream>

namespace pageflow::cli {

namespace {

long parse_integer(const std::string& option, const std::string& value, long min, long max) {
  size_t used = 0;
  long n = 0;
  try {
    n = std::stol(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty() || n < min || n > max) {
    throw UsageError(option + ": expected a whole number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", got '" + value + "'");
  }
  return n;
}

// "WIDTHxHEIGHT" in pixels, each side a multiple of 32 (what convolutional detectors take).
std::pair<int, int> parse_input_size(const std::string& option, const std::string& value) {
  const size_t x = value.find('x');
  if (x == std::string::npos) throw UsageError(option + ": expected WIDTHxHEIGHT, e.g. 544x704, got '" + value + "'");
  const int width = static_cast<int>(parse_integer(option, value.substr(0, x), 64, 4096));
  const int height = static_cast<int>(parse_integer(option, value.substr(x + 1), 64, 4096));
  if (width % 32 || height % 32) throw UsageError(option + ": sides must be multiples of 32, got '" + value + "'");
  return {width, height};
}

std::string non_empty(const std::string& option, const std::string& value) {
  if (value.empty()) throw UsageError(option + ": empty value");
  return value;
}

// A model file or folder named on the command line: a typo is a usage error, found before any
// model is loaded.
std::string existing(const std::string& option, const std::string& path, bool folder) {
  std::error_code ec;
  const bool found = folder ? std::filesystem::is_directory(path, ec) : std::filesystem::is_regular_file(path, ec);
  if (!found) throw UsageError(option + ": no such " + (folder ? "folder" : "file") + " '" + path + "'");
  return path;
}

// The trace is written at the end of a run (its folder created then, as the output folder is);
// a path that cannot be written is said at the start: the nearest existing folder on its way must
// be writable.
std::string writable(const std::string& option, const std::string& path) {
  std::filesystem::path p(non_empty(option, path));
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec)) throw UsageError(option + ": cannot write '" + path + "': is a folder");
  std::filesystem::path folder = p.parent_path();
  while (!folder.empty() && !std::filesystem::exists(folder, ec) && folder != folder.parent_path()) {
    folder = folder.parent_path();
  }
  if (folder.empty()) folder = ".";
  if (!std::filesystem::is_directory(folder, ec) || ::access(folder.c_str(), W_OK) != 0) {
    throw UsageError(option + ": cannot write '" + path + "': " +
                     (std::filesystem::is_directory(folder, ec) ? std::strerror(errno) : "no folder to hold it"));
  }
  return path;
}

// One path per line (a batch too large for a command line); '-' reads standard input.
void read_input_list(const std::string& source, std::vector<std::string>& inputs) {
  std::ifstream file;
  if (source != "-") {
    file.open(source);
    if (!file) throw UsageError("--inputs-from: cannot read '" + source + "': " + std::strerror(errno));
  }
  std::istream& in = source == "-" ? std::cin : file;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) inputs.push_back(line);
  }
}

std::vector<std::string> split_commas(const std::string& value) {
  std::vector<std::string> parts;
  std::stringstream stream(value);
  for (std::string part; std::getline(stream, part, ',');) parts.push_back(part);
  return parts;
}

}  // namespace

Schedule parse_schedule(const std::string& name) {
  if (name == "concurrent") return Schedule::concurrent;
  if (name == "batched") return Schedule::batched;
  if (name == "sequential") return Schedule::sequential;
  throw UsageError("unknown mode '" + name + "' (concurrent, batched, sequential)");
}

std::string schedule_name(Schedule schedule) {
  switch (schedule) {
    case Schedule::concurrent: return "concurrent";
    case Schedule::batched: return "batched";
    case Schedule::sequential: return "sequential";
  }
  return "?";
}

std::string usage() {
  return R"(pageflow: PDFs and page images to Markdown, JSON, HTML and text, page by page.

Usage:
  pageflow convert INPUT... [options]      convert PDFs and page images (PNG, JPEG, TIFF, WebP...)
  pageflow bench INPUT... [bench options]  compare schedules on the same inputs
  pageflow serve [serve options]           HTTP service shaped like docling-serve's v1 API
  pageflow worker --redis URL [options]    convert slices from a Redis queue (scaling out)
  pageflow submit --redis URL INPUT... -o DIR   queue files for the workers, write results
  pageflow queue --redis URL               the queue's state: pending, in flight, dead, workers
  pageflow --help | --version

Convert options:
  -o, --output DIR        folder for the outputs (default: current folder)
  --to FORMATS            comma-separated: md, json, html, text, doctags, jsonl (default: md);
                          jsonl: one JSON line per page the moment it is done (with -o -, on
                          standard output)
  --mode MODE             concurrent (default), batched or sequential
  --cores N               cores to use: default workers per stage and, in concurrent mode,
                          stage calls running at once (default: the cores this process may use)
  --render-workers N      MuPDF render workers (default: --cores)
  --layout-workers N      pages in layout detection at once (default: --cores)
  --threads N             ONNX Runtime threads per model run (default: cores / workers)
  --batch-size N          pages per stage call in batched mode (default: 8)
  --window N              pages in flight at most in concurrent mode (default: automatic)
  --pages LIST            pages to convert, e.g. 1-3,7,10- (default: all)
  --password PW           password for encrypted PDFs
  --dpi N                 raster resolution for layout detection (default: 72)
  --no-layout             skip the neural layout detector (text layer blocks only)
  --layout-every-page     run the detector on every page; by default pages of one column of
                          running text without images, drawings or side-by-side lines (most of
                          a manual's pages) are read from their text layer alone
  --picture-images        embed each picture's pixels (PNG at --dpi; try --dpi 144)
  --table-engine NAME     auto (default: ruling lines, else the SLANet-plus model), rules, model
  --layout-model PATH     another layout model (.onnx) or its manifest (.json)
  --layout-input WxH      layout model input in pixels, multiples of 32 (default: the
                          manifest's; bundled model 544x704, 608x800 as trained)
  --models DIR            where scripts/setup.sh put the models
  --ocr MODE              auto (default: pages without a usable text layer), off, force
  --ocr-engine NAME       paddle (default: PP-OCRv4 via ONNX Runtime) or tesseract
  --ocr-lang LANGS        Tesseract languages, e.g. eng+deu (default: eng)
  --ocr-pictures          with --ocr auto, also read images inside digital pages
  --ocr-dpi N             raster resolution for OCR (default: 200)
  --ocr-workers N         pages in OCR at once (default: --cores)
  --page-timeout MS       fail a page that takes longer; its work stops (default: no limit)
  --max-pages N           convert at most N pages per file, report the rest (default: 100000)
  --max-file-size MB      refuse larger files (default: no limit)
  --max-megapixels N      largest page raster; bigger pages render at lower resolution (default: 40)
  --memory-limit MB       budget for all of MuPDF's allocations; no single one may take over a
                          quarter of it, nor may an image's pixels (default: 2048)
  --timeout MS            stop the whole run after MS; documents cut short are written, marked
                          partial, with their missing pages listed (default: no limit)
  --trace FILE            write a Chrome trace (chrome://tracing, Perfetto) and print a summary
  --inputs-from FILE      read input paths from FILE, one per line ('-' for standard input)
  -q, --quiet             no progress bar, errors only

Bench options (plus the convert options above):
  --modes LIST            schedules to compare (default: concurrent,batched,sequential)
  --repeat N              measured runs per mode, interleaved (default: 3)
  --warmup N              unmeasured runs per mode first (default: 1)
  --json FILE             write all figures as JSON
  --timeline FILE         write a timeline picture (.svg or .html), one lane per worker

Serve options (plus the convert options, which set the engine's defaults):
  --host ADDR             address to listen on (default: 127.0.0.1)
  --port N                port (default: 5001; 0 = any free port, printed at start)
  --api-key KEY           require this X-Api-Key header on every request but /health
  --result-ttl S          keep finished results this long unless fetched (default: 3600)
  --max-tasks N           unfinished tasks at most; more get 429 with Retry-After (default: 64)
  --max-file-size MB      largest upload or download; larger get 413 (default: 100)
  --max-sync-wait S       synchronous requests wait this long, then 504 and the task is
                          cancelled (default: 120)
  --drain-timeout S       on SIGTERM, let running tasks finish this long (default: 60)
  --fetch-timeout S       time limit for downloading an http source (default: 30)
  --http-threads N        connections served at once (default: 32)

Scale-out options (worker, submit, queue; serve --redis keeps its tasks in Redis):
  --redis URL             redis://HOST[:PORT][/DB] (with :PASSWORD@ before HOST if needed)
  --slice-pages N         pages per work item: a large file spreads over workers (default: 24)
  --shared-root DIR       files live under DIR, which every worker mounts (its own path to it
                          given to the worker): only their paths travel; default: file bytes
                          travel through Redis
  --max-source-size MB    largest file that may travel through Redis (default: 64)
  --ttl S                 how long tasks, files and results stay in Redis (default: 86400)
  --lease S               worker: a slice idle this long in a dead worker's hands is claimed
                          by another (default: 60; live workers keep theirs fresh)
  --max-deliveries N      worker: a slice delivered more often goes to the dead-letter stream
                          and its document fails (default: 3)
  --name NAME             worker: consumer name (default: HOST-PID)

Exit status: 0 all converted, 1 some files or pages failed, 2 usage error, 3 stopped early
(Ctrl-C, SIGTERM or --timeout): documents cut short were written and marked partial. A second
Ctrl-C exits at once (status 130).
)";
}

CliOptions parse_arguments(const std::vector<std::string>& args) {
  CliOptions o;
  if (args.empty()) throw UsageError("missing command (convert, bench, serve, worker, submit or queue); see --help");
  size_t i = 0;
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || first == "help") {
    o.command = "help";
    return o;
  }
  if (first == "--version") {
    o.command = "version";
    return o;
  }
  static const std::set<std::string> commands = {"convert", "bench", "serve", "worker", "submit", "queue"};
  if (!commands.count(first)) throw UsageError("unknown command '" + first + "'");
  o.command = first;
  ++i;
  const bool bench = o.command == "bench";
  const bool serve = o.command == "serve";
  const bool scale = o.command == "worker" || o.command == "submit" || o.command == "queue";
  const bool takes_no_inputs = serve || o.command == "worker" || o.command == "queue";

  auto value = [&](const std::string& option) -> std::string {
    if (i + 1 >= args.size()) throw UsageError(option + ": missing value");
    return args[++i];
  };
  using Handler = std::function<void(const std::string&)>;
  const std::map<std::string, Handler> handlers = {
      {"-o", [&](auto& opt) { o.out_dir = non_empty(opt, value(opt)); }},
      {"--output", [&](auto& opt) { o.out_dir = non_empty(opt, value(opt)); }},
      {"--inputs-from", [&](auto& opt) { read_input_list(non_empty(opt, value(opt)), o.inputs); }},
      {"--to", [&](auto& opt) {
         o.formats.clear();
         o.jsonl = false;
         for (const auto& name : split_commas(value(opt))) {
           if (name == "jsonl") {
             o.jsonl = true;
             continue;
           }
           auto f = parse_format(name);
           if (!f) throw UsageError("--to: unknown format '" + name + "' (md, json, html, text, doctags, jsonl)");
           if (std::find(o.formats.begin(), o.formats.end(), *f) == o.formats.end()) o.formats.push_back(*f);
         }
         if (o.formats.empty() && !o.jsonl) throw UsageError("--to: no format given");
       }},
      {"--mode", [&](auto& opt) { o.convert.schedule = parse_schedule(value(opt)); }},
      {"--cores", [&](auto& opt) { o.convert.cores = static_cast<int>(parse_integer(opt, value(opt), 1, 1024)); }},
      {"--render-workers", [&](auto& opt) { o.convert.render_workers = static_cast<int>(parse_integer(opt, value(opt), 1, 256)); }},
      {"--layout-workers", [&](auto& opt) { o.convert.layout_workers = static_cast<int>(parse_integer(opt, value(opt), 1, 256)); }},
      {"--threads", [&](auto& opt) { o.convert.threads = static_cast<int>(parse_integer(opt, value(opt), 1, 256)); }},
      {"--batch-size", [&](auto& opt) { o.convert.batch_size = static_cast<int>(parse_integer(opt, value(opt), 1, 4096)); }},
      {"--window", [&](auto& opt) { o.convert.window = static_cast<size_t>(parse_integer(opt, value(opt), 1, 1 << 20)); }},
      {"--pages", [&](auto& opt) {
         o.convert.pages = value(opt);
         if (o.convert.pages.empty()) throw UsageError(opt + ": empty page selection");
         try {
           PageSelection::parse(o.convert.pages);
         } catch (const std::invalid_argument& e) {
           throw UsageError(opt + ": " + e.what());
         }
       }},
      {"--password", [&](auto& opt) { o.convert.password = value(opt); }},
      {"--dpi", [&](auto& opt) { o.convert.dpi = static_cast<double>(parse_integer(opt, value(opt), 18, 1200)); }},
      {"--no-layout", [&](auto&) { o.convert.layout = false; }},
      {"--layout-every-page", [&](auto&) { o.convert.skip_layout_on_plain_pages = false; }},
      {"--picture-images", [&](auto&) { o.convert.picture_images = true; }},
      {"--table-engine", [&](auto& opt) {
         o.convert.table_engine = value(opt);
         if (o.convert.table_engine != "auto" && o.convert.table_engine != "rules" && o.convert.table_engine != "model") {
           throw UsageError("--table-engine: unknown engine '" + o.convert.table_engine + "' (auto, rules, model)");
         }
       }},
      {"--layout-model", [&](auto& opt) { o.convert.layout_model = existing(opt, value(opt), false); }},
      {"--layout-input", [&](auto& opt) {
         std::tie(o.convert.layout_width, o.convert.layout_height) = parse_input_size(opt, value(opt));
       }},
      {"--ocr", [&](auto& opt) {
         o.convert.ocr = value(opt);
         if (o.convert.ocr != "auto" && o.convert.ocr != "off" && o.convert.ocr != "force") {
           throw UsageError("--ocr: unknown mode '" + o.convert.ocr + "' (auto, off, force)");
         }
       }},
      {"--ocr-engine", [&](auto& opt) {
         o.convert.ocr_engine = value(opt);
         if (o.convert.ocr_engine != "paddle" && o.convert.ocr_engine != "tesseract") {
           throw UsageError("--ocr-engine: unknown engine '" + o.convert.ocr_engine + "' (paddle, tesseract)");
         }
       }},
      {"--ocr-lang", [&](auto& opt) { o.convert.ocr_languages = value(opt); }},
      {"--ocr-pictures", [&](auto&) { o.convert.ocr_pictures = true; }},
      {"--ocr-dpi", [&](auto& opt) { o.convert.ocr_dpi = static_cast<double>(parse_integer(opt, value(opt), 50, 600)); }},
      {"--ocr-workers", [&](auto& opt) { o.convert.ocr_workers = static_cast<int>(parse_integer(opt, value(opt), 1, 256)); }},
      {"--models", [&](auto& opt) { o.convert.models_dir = existing(opt, value(opt), true); }},
      {"--max-pages", [&](auto& opt) { o.convert.max_pages = static_cast<int>(parse_integer(opt, value(opt), 1, 1 << 30)); }},
      {"--max-file-size", [&](auto& opt) {
         o.convert.max_file_mb = static_cast<double>(parse_integer(opt, value(opt), 1, 1 << 30));
         o.serve.max_file_mb = o.convert.max_file_mb;
       }},
      {"--max-megapixels", [&](auto& opt) { o.convert.max_megapixels = static_cast<double>(parse_integer(opt, value(opt), 1, 1000)); }},
      {"--memory-limit", [&](auto& opt) { o.convert.memory_limit_mb = static_cast<size_t>(parse_integer(opt, value(opt), 64, 1 << 20)); }},
      {"--page-timeout", [&](auto& opt) { o.convert.page_timeout = std::chrono::milliseconds(parse_integer(opt, value(opt), 1, 1L << 40)); }},
      {"--timeout", [&](auto& opt) { o.convert.document_timeout = std::chrono::milliseconds(parse_integer(opt, value(opt), 1, 1L << 40)); }},
      {"--trace", [&](auto& opt) { o.trace_path = writable(opt, value(opt)); }},
      {"-q", [&](auto&) { o.quiet = true; }},
      {"--quiet", [&](auto&) { o.quiet = true; }},
  };
  const std::map<std::string, Handler> bench_handlers = {
      {"--modes", [&](auto& opt) {
         o.modes.clear();
         for (const auto& name : split_commas(value(opt))) o.modes.push_back(parse_schedule(name));
         if (o.modes.empty()) throw UsageError("--modes: no mode given");
       }},
      {"--repeat", [&](auto& opt) { o.repeat = static_cast<int>(parse_integer(opt, value(opt), 1, 1000)); }},
      {"--warmup", [&](auto& opt) { o.warmup = static_cast<int>(parse_integer(opt, value(opt), 0, 1000)); }},
      {"--json", [&](auto& opt) { o.json_path = value(opt); }},
      {"--timeline", [&](auto& opt) { o.timeline_path = value(opt); }},
  };
  const auto seconds = [&](const std::string& opt) {
    return std::chrono::seconds(parse_integer(opt, value(opt), 1, 1L << 31));
  };
  const std::map<std::string, Handler> serve_handlers = {
      {"--host", [&](auto& opt) { o.serve.host = non_empty(opt, value(opt)); }},
      {"--port", [&](auto& opt) { o.serve.port = static_cast<int>(parse_integer(opt, value(opt), 0, 65535)); }},
      {"--api-key", [&](auto& opt) { o.serve.api_key = non_empty(opt, value(opt)); }},
      {"--result-ttl", [&](auto& opt) { o.serve.result_ttl = seconds(opt); }},
      {"--max-tasks", [&](auto& opt) { o.serve.max_tasks = static_cast<size_t>(parse_integer(opt, value(opt), 1, 1 << 20)); }},
      {"--max-sync-wait", [&](auto& opt) { o.serve.max_sync_wait = seconds(opt); }},
      {"--drain-timeout", [&](auto& opt) { o.serve.drain_timeout = seconds(opt); }},
      {"--fetch-timeout", [&](auto& opt) { o.serve.fetch_timeout = seconds(opt); }},
      {"--http-threads", [&](auto& opt) { o.serve.http_threads = static_cast<int>(parse_integer(opt, value(opt), 4, 1024)); }},
  };
  const std::map<std::string, Handler> scale_handlers = {
      {"--redis", [&](auto& opt) { o.scale.redis_url = non_empty(opt, value(opt)); }},
      {"--slice-pages", [&](auto& opt) { o.scale.slice_pages = static_cast<int>(parse_integer(opt, value(opt), 1, 100000)); }},
      {"--shared-root", [&](auto& opt) { o.scale.shared_root = existing(opt, value(opt), true); }},
      {"--max-source-size", [&](auto& opt) { o.scale.max_source_mb = static_cast<double>(parse_integer(opt, value(opt), 1, 512)); }},
      {"--ttl", [&](auto& opt) { o.scale.ttl = seconds(opt); }},
      {"--lease", [&](auto& opt) { o.scale.lease = seconds(opt); }},
      {"--max-deliveries", [&](auto& opt) { o.scale.max_deliveries = static_cast<int>(parse_integer(opt, value(opt), 1, 1000)); }},
      {"--name", [&](auto& opt) { o.scale.worker_name = non_empty(opt, value(opt)); }},
  };
  for (; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      o.inputs.insert(o.inputs.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      auto h = handlers.find(arg);
      if (h != handlers.end()) {
        h->second(arg);
        continue;
      }
      auto b = bench_handlers.find(arg);
      if (bench && b != bench_handlers.end()) {
        b->second(arg);
        continue;
      }
      auto s = serve_handlers.find(arg);
      if (serve && s != serve_handlers.end()) {
        s->second(arg);
        continue;
      }
      auto r = scale_handlers.find(arg);
      if ((scale || (serve && (arg == "--redis" || arg == "--slice-pages"))) && r != scale_handlers.end()) {
        r->second(arg);
        continue;
      }
      throw UsageError("unknown option '" + arg + "'" + (b != bench_handlers.end()   ? " (bench only)"
                                                         : s != serve_handlers.end() ? " (serve only)"
                                                         : r != scale_handlers.end() ? " (worker, submit, queue)"
                                                                                     : ""));
    }
    if (takes_no_inputs) throw UsageError(o.command + ": takes no input files ('" + arg + "')");
    o.inputs.push_back(arg);
  }
  if (o.inputs.empty() && !takes_no_inputs) throw UsageError(o.command + ": no input files given");
  if (scale && o.scale.redis_url.empty()) throw UsageError(o.command + ": --redis URL is required");
  if (o.out_dir == "-" && (!o.jsonl || !o.formats.empty())) {
    throw UsageError("-o -: only --to jsonl can go to standard output");
  }
  return o;
}

Options parse_conversion_options(const std::vector<std::string>& flags) {
  std::vector<std::string> args = {"convert"};
  for (const auto& flag : flags) {
    if (flag == "--") throw UsageError("unexpected '--'");
    args.push_back(flag);
  }
  args.insert(args.end(), {"--", "(none)"});  // convert wants an input; this one is never read
  return parse_arguments(args).convert;
}

}  // namespace pageflow::cli
