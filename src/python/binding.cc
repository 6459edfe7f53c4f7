// The extension module under the Python package (python/pageflow): one Engine per Converter and
// one Job per submission. The engine's callbacks run on pipeline threads that never hold the GIL,
// so they only queue C++ values; the caller's thread renders them and makes Python objects when
// it takes them, and waits for them with the GIL released so other Python threads run meanwhile.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "cli/options.h"
#include "export/export.h"
#include "pageflow/engine.h"

namespace nb = nanobind;

namespace pageflow::python {
namespace {

// time.monotonic()'s clock (CLOCK_MONOTONIC), so Python can compare our timestamps with its own.
double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

nb::dict page_dict(const PageResult& page) {
  nb::dict timings;
  for (const StageTime& t : page.timings) timings[nb::str(t.stage.c_str())] = t.seconds;
  nb::dict d;
  d["number"] = page.number;
  d["ok"] = page.ok;
  d["error"] = page.error;
  d["warning"] = page.warning;
  d["width"] = page.width;
  d["height"] = page.height;
  d["ocr"] = page.ocr;
  d["rotation"] = page.rotation;
  d["timings"] = timings;
  return d;
}

// What left the engine, in the order it did, with when.
struct Event {
  std::optional<Document> document;
  std::optional<PageOutput> page;
  double at = 0;
};

// The same event with its text rendered, made on the caller's thread without the GIL.
struct RenderedEvent {
  Event event;
  std::string json;
  std::string markdown;
};

class EventQueue {
 public:
  void push(Event event) {
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(event));
    }
    ready_.notify_one();
  }
  std::optional<Event> pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    if (!ready_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
    Event event = std::move(events_.front());
    events_.pop_front();
    return event;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Event> events_;
};

// One submitted input. Dropping it (a Python iterator closed early, a result abandoned) cancels
// what is left of its conversion.
class PyJob {
 public:
  PyJob(std::shared_ptr<Engine> engine, Input input, JobOptions options, bool stream_pages)
      : engine_(std::move(engine)), events_(std::make_shared<EventQueue>()) {
    JobCallbacks callbacks;
    callbacks.on_document = [events = events_](Document&& doc) {
      events->push({std::move(doc), std::nullopt, monotonic_seconds()});
    };
    if (stream_pages) {
      callbacks.on_page = [events = events_](const PageOutput& page) {
        events->push({std::nullopt, page, monotonic_seconds()});
      };
    }
    job_ = engine_->submit({std::move(input)}, std::move(callbacks), std::move(options));
  }
  ~PyJob() { job_->cancel("abandoned by the caller"); }
  PyJob(const PyJob&) = delete;
  PyJob& operator=(const PyJob&) = delete;

  // The next page or document as a dict, None when nothing came within `timeout` seconds (the
  // caller loops, so Ctrl-C is seen between waits), or a dict of kind "end" once all is out.
  nb::object next_event(double timeout) {
    std::optional<RenderedEvent> rendered;
    bool finished = false;
    {
      nb::gil_scoped_release release;
      const auto wait = std::chrono::milliseconds(static_cast<long long>(std::max(0.0, timeout) * 1000));
      // Every event is queued before the job counts as finished, so a queue found empty after
      // the job was seen finished has nothing more to give.
      const auto now = std::chrono::milliseconds(0);
      finished = job_->wait_for(now);
      std::optional<Event> event = events_->pop(finished ? now : wait);
      if (!event && !finished) {
        finished = job_->wait_for(now);
        if (finished) event = events_->pop(now);
      }
      if (event) rendered = render(std::move(*event));
    }
    if (rendered) return to_python(*rendered);
    if (!finished) return nb::none();
    nb::dict end;
    end["kind"] = "end";
    return end;
  }

  void cancel(const std::string& reason) { job_->cancel(reason); }

  nb::dict progress() const {
    const JobProgress p = job_->progress();
    nb::dict d;
    d["pages_done"] = p.pages_done;
    d["pages_known"] = p.pages_known;
    d["finished"] = p.finished;
    return d;
  }

 private:
  static RenderedEvent render(Event event) {
    RenderedEvent out{std::move(event), {}, {}};
    if (out.event.document) {
      out.json = to_docling_json(*out.event.document);
      out.markdown = to_markdown(*out.event.document);
      out.event.document->elements.clear();  // the rendered text is all Python gets
    } else {
      out.json = to_page_json(*out.event.page);
      Document page_only;
      page_only.elements = out.event.page->elements;
      out.markdown = to_markdown(page_only);
    }
    return out;
  }

  static nb::object to_python(const RenderedEvent& r) {
    nb::dict d;
    d["at"] = r.event.at;
    d["json"] = nb::str(r.json.data(), r.json.size());
    d["markdown"] = nb::str(r.markdown.data(), r.markdown.size());
    if (r.event.page) {
      d["kind"] = "page";
      d["page"] = page_dict(r.event.page->page);
      return d;
    }
    const Document& doc = *r.event.document;
    d["kind"] = "document";
    d["source"] = doc.source;
    d["name"] = doc.name;
    d["status"] = std::string(status_name(doc.status()));
    d["page_count"] = doc.page_count;
    nb::list pages;
    for (const PageResult& page : doc.pages) pages.append(page_dict(page));
    d["pages"] = pages;
    nb::list problems;
    for (const Problem& p : doc.problems()) problems.append(nb::make_tuple(p.component, p.message, p.page));
    d["problems"] = problems;
    return d;
  }

  std::shared_ptr<Engine> engine_;  // outlives the job, whatever Python releases first
  std::shared_ptr<EventQueue> events_;
  std::shared_ptr<Job> job_;
};

class PyEngine {
 public:
  explicit PyEngine(const Options& options) : engine_(std::make_shared<Engine>(options)) {}

  // `bytes`, when given, is the input's content and `source` only its name.
  std::shared_ptr<PyJob> submit(const std::string& source, std::optional<nb::bytes> bytes,
                                std::optional<std::string> pages, std::optional<std::string> password,
                                std::optional<double> timeout, std::optional<bool> tables, bool stream_pages) {
    Input input{source, nullptr};
    if (bytes) input.bytes = std::make_shared<const std::string>(bytes->c_str(), bytes->size());
    JobOptions options;
    options.pages = std::move(pages);
    options.password = std::move(password);
    options.tables = tables;
    if (timeout) {
      if (*timeout <= 0) throw std::invalid_argument("timeout: must be more than 0 seconds");
      options.timeout = std::chrono::milliseconds(static_cast<long long>(*timeout * 1000));
    }
    nb::gil_scoped_release release;
    return std::make_shared<PyJob>(engine_, std::move(input), std::move(options), stream_pages);
  }

  int cores() const { return engine_->options().cores; }

 private:
  std::shared_ptr<Engine> engine_;
};

}  // namespace

NB_MODULE(_pageflow, m) {
  m.doc() = "pageflow's engine; use the pageflow package, not this module.";
  m.attr("__version__") = PAGEFLOW_VERSION;

  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const cli::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });

  nb::class_<PyJob>(m, "Job")
      .def("next_event", &PyJob::next_event, nb::arg("timeout"))
      .def("cancel", &PyJob::cancel, nb::arg("reason") = "cancelled")
      .def("progress", &PyJob::progress);

  nb::class_<PyEngine>(m, "Engine")
      .def("__init__",
           [](PyEngine* self, const std::vector<std::string>& flags) {
             const Options options = cli::parse_conversion_options(flags);
             nb::gil_scoped_release release;  // loading the models takes a while
             new (self) PyEngine(options);
           },
           nb::arg("flags"))
      .def("submit", &PyEngine::submit, nb::arg("source"), nb::arg("data").none(), nb::arg("pages").none(),
           nb::arg("password").none(), nb::arg("timeout").none(), nb::arg("tables").none(), nb::arg("stream_pages"))
      .def_prop_ro("cores", &PyEngine::cores);
}

}  // namespace pageflow::python
