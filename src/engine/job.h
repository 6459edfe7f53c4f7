// The engine's side of a submission: its inputs and settings, the source that walks its pages,
// the collector that gathers them back into documents, and the bookkeeping that decides when it
// is finished. A job is finished once it admits no more pages (its source is exhausted or it was
// cancelled) and every page it admitted has come back; exactly one thread then delivers the
// documents still open and wakes the waiters.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/page.h"
#include "engine/collector.h"
#include "engine/document_source.h"
#include "pageflow/engine.h"

namespace pageflow {

class JobState : public Job, public std::enable_shared_from_this<JobState> {
 public:
  JobState(uint64_t id, std::vector<Input> inputs, Options options, PageSelection selection,
           std::shared_ptr<const DocumentSettings> settings, JobCallbacks callbacks, const pdf::MupdfEngine& mupdf);

  void cancel(const std::string& reason) override;
  RunResult wait() override;
  bool wait_for(std::chrono::milliseconds timeout) override;
  JobProgress progress() const override;
  uint64_t id() const override { return id_; }

  const Options& options() const { return options_; }

  // Called by the engine's source (one thread): the job's next page, numbered in the job's order
  // and registered as in flight; nullptr once the job admits no more.
  pipeline::ItemPtr admit_next();
  bool admitting() const;
  long long in_flight() const;

  // Called by the engine's sink (one thread at a time) with each finished page, in any order.
  void take_back(pipeline::ItemPtr item);

  // Called once, after the documents were delivered and before waiters wake (engine bookkeeping).
  std::function<void(JobState&, const RunResult&)> on_finished;

 private:
  void finish_if_done(std::unique_lock<std::mutex>& lock);
  void deliver(pipeline::ItemPtr page);

  const uint64_t id_;
  // The inputs (bytes an HTTP client uploaded, say) and the source's open document are released
  // when the job finishes, though its handle may be kept for its results.
  std::vector<Input> inputs_;
  const int input_count_;
  const Options options_;
  JobCallbacks callbacks_;
  std::stop_source stop_;  // cancels the source's opening of a file
  std::unique_ptr<DocumentSource> source_;
  int pages_known_ = 0;    // once the source is released
  DocumentCollector collector_;

  mutable std::mutex mu_;
  std::condition_variable finished_cv_;
  bool admitting_ = true;
  bool in_source_ = false;
  bool finishing_ = false, finished_ = false;
  std::string cancel_reason_;
  std::string callback_error_;
  uint64_t admitted_ = 0, returned_ = 0;
  std::set<pipeline::Item*> in_flight_;
  std::map<uint64_t, pipeline::ItemPtr> waiting_;  // returned out of order, by Page::order
  uint64_t next_delivery_ = 0;
  int documents_done_ = 0;
  int pages_done_ = 0;
  RunResult result_;
};

}  // namespace pageflow
