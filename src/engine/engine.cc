#include "pageflow/engine.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "assemble/assemble_stage.h"
#include "engine/job.h"
#include "engine/models.h"
#include "layout/detector.h"
#include "ocr/ocr_stage.h"
#include "pdf/render_stage.h"
#include "pipeline/scheduler.h"
#include "tables/tables_stage.h"

namespace pageflow {

namespace {

pipeline::Mode to_mode(Schedule schedule) {
  switch (schedule) {
    case Schedule::concurrent: return pipeline::Mode::concurrent;
    case Schedule::batched: return pipeline::Mode::batched;
    case Schedule::sequential: return pipeline::Mode::sequential;
  }
  return pipeline::Mode::concurrent;
}

// Adds up the time each stage spends in its calls (for EngineStats) and gives each page its share
// (PageResult::timings), around the real stage.
class TimedStage : public pipeline::Stage {
 public:
  explicit TimedStage(pipeline::Stage& inner) : inner_(inner), name_(inner.name()) {}
  std::string name() const override { return name_; }
  void open(int workers) override { inner_.open(workers); }
  void process(std::span<pipeline::Item* const> batch, int worker) override {
    const auto start = std::chrono::steady_clock::now();
    struct AddTime {
      std::atomic<long long>& total;
      std::chrono::steady_clock::time_point start;
      std::span<pipeline::Item* const> batch;
      const std::string& stage;
      ~AddTime() {
        const auto elapsed = std::chrono::steady_clock::now() - start;
        total += elapsed.count();
        const double share = std::chrono::duration<double>(elapsed).count() / static_cast<double>(batch.size());
        for (pipeline::Item* item : batch) static_cast<Page*>(item)->timings.push_back({stage, share});
      }
    } add{busy_ns_, start, batch, name_};
    inner_.process(batch, worker);
  }
  bool wants(const pipeline::Item& item) const override { return inner_.wants(item); }
  int preferred_batch() const override { return inner_.preferred_batch(); }
  bool releases_scratch(const pipeline::Item& item) const override { return inner_.releases_scratch(item); }
  double busy_seconds() const { return static_cast<double>(busy_ns_.load()) * 1e-9; }

 private:
  pipeline::Stage& inner_;
  const std::string name_;
  std::atomic<long long> busy_ns_{0};
};

// One pipeline's stage objects over the engine's models (stages keep per-worker state, so each
// pipeline has its own).
struct StageSet {
  explicit StageSet(Models& models) {
    const Options& o = models.options;
    pdf::RenderRequest request;
    request.dpi = o.dpi;
    request.max_pixels = static_cast<long long>(o.max_megapixels * 1e6);
    request.render = o.layout;
    if (models.detector) {
      const layout::Manifest& input = models.detector->manifest();
      request.min_width = input.input_width;
      request.min_height = input.input_height;
      request.min_either_side = input.keep_aspect;
    }
    render = std::make_unique<pdf::RenderStage>(models.mupdf, request);
    add(*render, o.render_workers);
    if (models.paddle) {
      ocr = std::make_unique<ocr::OcrStage>(*models.paddle);
      add(*ocr, o.ocr_workers);
    }
    if (models.detector) {
      // Table regions come from the layout model; the tables stage then frees the raster.
      layout = std::make_unique<layout::LayoutStage>(*models.detector, o.skip_layout_on_plain_pages);
      add(*layout, o.layout_workers);
      tables = std::make_unique<tables::TablesStage>(models.table_model.get());
      add(*tables, 1);
    }
    assemble = std::make_unique<AssembleStage>();
    add(*assemble, 1);
  }

  void add(pipeline::Stage& stage, int workers) {
    timed.push_back(std::make_unique<TimedStage>(stage));
    specs.push_back({timed.back().get(), workers});
  }

  int workers() const {
    int n = 0;
    for (const auto& s : specs) n += s.workers;
    return n;
  }

  std::unique_ptr<pdf::RenderStage> render;
  std::unique_ptr<ocr::OcrStage> ocr;
  std::unique_ptr<layout::LayoutStage> layout;
  std::unique_ptr<tables::TablesStage> tables;
  std::unique_ptr<AssembleStage> assemble;
  std::vector<std::unique_ptr<TimedStage>> timed;
  std::vector<pipeline::StageSpec> specs;
};

// The pipeline's source over all jobs: admits their pages round-robin, one page per job in turn,
// and gives each job's pages priorities that put a newly arrived job's first pages ahead of the
// backlog already admitted (at most a window's worth) for the others.
class JobQueue : public pipeline::Source {
 public:
  explicit JobQueue(size_t window) : window_(window) {}

  void add(std::shared_ptr<JobState> job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back({std::move(job), 0});
    }
    cv_.notify_all();
  }

  // No more jobs: next() returns nullptr once the last one has admitted its pages.
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }

  // Wakes next() to see its stop token (under the lock, so the wake cannot fall between its
  // check and its wait).
  void wake() {
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }

  pipeline::ItemPtr next(std::stop_token stop) override {
    std::stop_callback on_stop(stop, [this] { wake(); });
    std::unique_lock lock(mu_);
    for (;;) {
      std::erase_if(jobs_, [](const Entry& e) { return !e.job->admitting(); });
      if (stop.stop_requested() || (closed_ && jobs_.empty())) return nullptr;
      if (jobs_.empty()) {
        cv_.wait(lock);
        continue;
      }
      const size_t turn = turn_++ % jobs_.size();
      const std::shared_ptr<JobState> job = jobs_[turn].job;
      lock.unlock();
      pipeline::ItemPtr item = job->admit_next();
      lock.lock();
      if (!item) continue;
      // Only this thread removes entries (add() appends), so the job is still at `turn`.
      Entry& entry = jobs_[turn];
      const uint64_t order = static_cast<Page&>(*item).order;
      if (order == 0) entry.base = highest_ > window_ ? highest_ - window_ : 0;
      item->priority = entry.base + order;
      highest_ = std::max(highest_, item->priority);
      return item;
    }
  }

 private:
  struct Entry {
    std::shared_ptr<JobState> job;
    uint64_t base = 0;  // priority of the job's first page
  };
  const size_t window_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Entry> jobs_;
  size_t turn_ = 0;
  uint64_t highest_ = 0;
  bool closed_ = false;
};

// The pipeline's sink: hands each finished page back to its job.
class JobRouter : public pipeline::Sink {
 public:
  void add(const std::shared_ptr<JobState>& job) {
    std::lock_guard lock(mu_);
    jobs_[job->id()] = job;
  }
  void remove(uint64_t id) {
    std::lock_guard lock(mu_);
    jobs_.erase(id);
  }
  void consume(pipeline::ItemPtr item) override {
    std::shared_ptr<JobState> job;
    {
      std::lock_guard lock(mu_);
      job = jobs_.at(static_cast<Page&>(*item).doc->job);
    }
    job->take_back(std::move(item));
  }

 private:
  std::mutex mu_;
  std::map<uint64_t, std::shared_ptr<JobState>> jobs_;
};

// Cancels jobs whose time is up. Its thread starts with the first job that has a time limit.
class Deadlines {
 public:
  ~Deadlines() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void add(const std::shared_ptr<JobState>& job, std::chrono::milliseconds timeout) {
    {
      std::lock_guard lock(mu_);
      if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
      due_.emplace(std::chrono::steady_clock::now() + timeout,
                   Due{job, "run timed out after " + std::to_string(timeout.count()) + " ms"});
    }
    cv_.notify_all();
  }

 private:
  struct Due {
    std::weak_ptr<JobState> job;
    std::string reason;
  };
  void loop() {
    std::unique_lock lock(mu_);
    while (!done_) {
      if (due_.empty()) {
        cv_.wait(lock);
        continue;
      }
      const auto when = due_.begin()->first;
      if (std::chrono::steady_clock::now() < when) {
        cv_.wait_until(lock, when);
        continue;
      }
      Due due = std::move(due_.begin()->second);
      due_.erase(due_.begin());
      lock.unlock();
      if (auto job = due.job.lock()) job->cancel(due.reason);
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, Due> due_;
  bool done_ = false;
  std::thread thread_;
};

std::atomic<uint64_t> g_next_job_id{1};

pipeline::RunOptions run_options(const Options& o, const StageSet& stages) {
  pipeline::RunOptions run;
  run.batch_size = o.batch_size;
  run.window = o.window > 0 ? o.window : static_cast<size_t>(2 * stages.workers() + o.batch_size);
  run.max_running = static_cast<size_t>(o.cores);
  run.item_timeout = o.page_timeout;
  return run;
}

}  // namespace

struct Engine::Impl {
  explicit Impl(Options options) : models(std::move(options)) {}

  ~Impl() {
    std::thread running;
    {
      std::lock_guard lock(mu);
      closed = true;
      running = std::move(thread);
    }
    if (!running.joinable()) return;
    queue->close();
    for (const auto& job : active_jobs()) job->cancel("the engine shut down");
    running.join();
  }

  std::vector<std::shared_ptr<JobState>> active_jobs() {
    std::lock_guard lock(mu);
    return {active.begin(), active.end()};
  }

  std::shared_ptr<JobState> make_job(std::vector<Input> inputs, JobCallbacks callbacks, const JobOptions& job) {
    Options o = models.job_options(job);
    auto settings = models.settings(o, job);
    if (settings->tesseract && settings->ocr != OcrMode::off) {
      // Loaded before the job's first page can reach the OCR stage.
      stage_sets_use_tesseract(models.tesseract());
    }
    PageSelection selection = PageSelection::parse(o.pages);
    const uint64_t id = g_next_job_id.fetch_add(1);
    return std::make_shared<JobState>(id, std::move(inputs), std::move(o), std::move(selection),
                                      std::move(settings), std::move(callbacks), models.mupdf);
  }

  void stage_sets_use_tesseract(ocr::TesseractOcr& tesseract) {
    std::lock_guard lock(mu);
    tesseract_loaded = &tesseract;
    if (stages && stages->ocr) stages->ocr->use_tesseract(&tesseract);
  }

  // Starts the long-lived pipeline on first use.
  void start_locked() {
    if (thread.joinable()) return;
    stages = std::make_unique<StageSet>(models);
    if (stages->ocr && tesseract_loaded) stages->ocr->use_tesseract(tesseract_loaded);
    run = run_options(models.options, *stages);
    run.ordered = false;
    queue = std::make_unique<JobQueue>(run.window);
    thread = std::thread([this] { pipeline::run_pipeline(*queue, stages->specs, router, run); });
  }

  void finished(JobState& job, const RunResult& r) {
    router.remove(job.id());
    bool idle;
    {
      std::lock_guard lock(mu);
      active.erase(std::find_if(active.begin(), active.end(), [&](const auto& j) { return j.get() == &job; }));
      idle = active.empty();
      documents_done += r.documents;
      documents_failed += r.failed_documents;
      pages_done += r.pages;
      pages_failed += r.failed_pages;
    }
    idle_cv.notify_all();
#ifdef __GLIBC__
    // The finished pages and buffers are freed by now; hand the heap they used back to the
    // system, so a long-lived process does not keep the peak.
    if (idle) malloc_trim(0);
#endif
  }

  Models models;
  JobRouter router;
  Deadlines deadlines;
  std::unique_ptr<StageSet> stages;
  pipeline::RunOptions run;
  std::unique_ptr<JobQueue> queue;

  mutable std::mutex mu;
  std::condition_variable idle_cv;
  std::thread thread;
  bool closed = false;
  ocr::TesseractOcr* tesseract_loaded = nullptr;
  std::list<std::shared_ptr<JobState>> active;
  long long documents_done = 0, documents_failed = 0, pages_done = 0, pages_failed = 0;
};

Engine::Engine(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Engine::~Engine() = default;

const Options& Engine::options() const { return impl_->models.options; }

std::shared_ptr<Job> Engine::submit(std::vector<Input> inputs, JobCallbacks callbacks, JobOptions options) {
  Impl& impl = *impl_;
  auto job = impl.make_job(std::move(inputs), std::move(callbacks), options);
  job->on_finished = [&impl](JobState& j, const RunResult& r) { impl.finished(j, r); };
  {
    std::lock_guard lock(impl.mu);
    if (impl.closed) throw std::runtime_error("the engine is shutting down");
    impl.start_locked();
    impl.active.push_back(job);
  }
  impl.router.add(job);
  if (job->options().document_timeout.count() > 0) impl.deadlines.add(job, job->options().document_timeout);
  impl.queue->add(job);
  return job;
}

bool Engine::drain(std::chrono::milliseconds timeout) {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mu);
  impl.closed = true;
  const bool done = impl.idle_cv.wait_for(lock, timeout, [&] { return impl.active.empty(); });
  lock.unlock();
  if (!done) {
    for (const auto& job : impl.active_jobs()) job->cancel("the engine shut down");
  }
  return done;
}

EngineStats Engine::stats() const {
  const Impl& impl = *impl_;
  std::lock_guard lock(impl.mu);
  EngineStats s;
  s.jobs_active = static_cast<int>(impl.active.size());
  s.documents_done = impl.documents_done;
  s.documents_failed = impl.documents_failed;
  s.pages_done = impl.pages_done;
  s.pages_failed = impl.pages_failed;
  for (const auto& job : impl.active) {
    const JobProgress p = job->progress();
    s.pages_done += p.pages_done;
    s.pages_in_flight += job->in_flight();
  }
  if (impl.stages) {
    for (const auto& stage : impl.stages->timed) s.stage_busy_seconds.emplace_back(stage->name(), stage->busy_seconds());
  }
  return s;
}

RunResult Engine::run_dedicated(std::vector<Input> inputs, JobCallbacks callbacks, Schedule schedule,
                                pipeline::Trace* trace, std::stop_token stop, JobOptions options) {
  Impl& impl = *impl_;
  auto job = impl.make_job(std::move(inputs), std::move(callbacks), options);
  StageSet stages(impl.models);
  {
    std::lock_guard lock(impl.mu);
    if (stages.ocr && impl.tesseract_loaded) stages.ocr->use_tesseract(impl.tesseract_loaded);
  }
  pipeline::RunOptions run = run_options(impl.models.options, stages);
  run.mode = to_mode(schedule);
  run.run_timeout = job->options().document_timeout;
  run.stop = stop;
  run.trace = trace;
  JobQueue queue(run.window);
  queue.add(job);
  queue.close();
  JobRouter router;
  router.add(job);
  const pipeline::RunStatus status = pipeline::run_pipeline(queue, stages.specs, router, run);
  // The run's own stop (cancelled, timed out, aborted) ends the job with the run's reason.
  if (status.stopped || !status.ok) job->cancel(status.ok ? status.error : "run aborted: " + status.error);
  RunResult result = job->wait();
  if (status.stopped) result.cancelled = true;
  if (!status.ok || status.stopped) result.error = status.error;
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  return result;
}

}  // namespace pageflow
