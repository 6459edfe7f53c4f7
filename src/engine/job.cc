#include "engine/job.h"

#include "pipeline/exceptions.h"

namespace pageflow {

using pipeline::current_exception_message;

JobState::JobState(uint64_t id, std::vector<Input> inputs, Options options, PageSelection selection,
                   std::shared_ptr<const DocumentSettings> settings, JobCallbacks callbacks,
                   const pdf::MupdfEngine& mupdf)
    : id_(id),
      inputs_(std::move(inputs)),
      input_count_(static_cast<int>(inputs_.size())),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      source_(std::make_unique<DocumentSource>(inputs_, options_, std::move(selection), std::move(settings), id, mupdf)),
      collector_(callbacks_.on_document, callbacks_.on_document_pages, [this](int done) {
        {
          std::lock_guard lock(mu_);
          pages_done_ = done;
        }
        if (callbacks_.on_progress) callbacks_.on_progress(done, source_->known_pages());
      }) {}

bool JobState::admitting() const {
  std::lock_guard lock(mu_);
  return admitting_;
}

long long JobState::in_flight() const {
  std::lock_guard lock(mu_);
  return static_cast<long long>(admitted_ - returned_);
}

pipeline::ItemPtr JobState::admit_next() {
  {
    std::lock_guard lock(mu_);
    if (!admitting_) return nullptr;
    in_source_ = true;
  }
  pipeline::ItemPtr item;
  std::string source_error;
  try {
    item = source_->next(stop_.get_token());
  } catch (...) {
    source_error = current_exception_message();
  }
  std::unique_lock lock(mu_);
  in_source_ = false;
  if (!source_error.empty() && result_.error.empty()) result_.error = "source: " + source_error;
  // After a cancel, a page is not admitted (the collector reports it missing with the rest), but a
  // file that failed to open, its opening cut short by the cancel, still says so.
  if (item && (cancel_reason_.empty() || static_cast<Page&>(*item).number == 0)) {
    static_cast<Page&>(*item).order = admitted_++;
    in_flight_.insert(item.get());
    return item;
  }
  admitting_ = false;
  finish_if_done(lock);
  return nullptr;
}

void JobState::take_back(pipeline::ItemPtr item) {
  std::unique_lock lock(mu_);
  in_flight_.erase(item.get());
  const uint64_t order = static_cast<Page&>(*item).order;
  waiting_.emplace(order, std::move(item));
  // Pages are delivered in the job's order; only this thread delivers while the job runs.
  while (!waiting_.empty() && waiting_.begin()->first == next_delivery_) {
    pipeline::ItemPtr ready = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    ++next_delivery_;
    lock.unlock();
    deliver(std::move(ready));
    lock.lock();
    ++returned_;
  }
  finish_if_done(lock);
}

void JobState::deliver(pipeline::ItemPtr item) {
  if (!callback_error_.empty()) return;
  const Page& page = static_cast<const Page&>(*item);
  const bool document_done = page.last_of_document;
  try {
    if (callbacks_.on_page && page.number > 0 && !page.cancelled) {
      PageOutput out;
      out.source = page.doc->input.path;
      out.input_index = page.doc->index;
      out.page = page_result(page);
      for (const Block& block : page.blocks) out.elements.push_back(block.element);
      callbacks_.on_page(out);
    }
    collector_.consume(std::move(item));
  } catch (...) {
    const std::string error = "sink: " + current_exception_message();
    {
      std::lock_guard lock(mu_);
      callback_error_ = error;
    }
    cancel("run aborted: " + error);
    return;
  }
  if (document_done) {
    std::lock_guard lock(mu_);
    ++documents_done_;
  }
}

void JobState::cancel(const std::string& reason) {
  std::unique_lock lock(mu_);
  if (finished_ || !cancel_reason_.empty()) return;
  cancel_reason_ = reason;
  admitting_ = false;
  stop_.request_stop();
  for (pipeline::Item* item : in_flight_) item->cancel(reason);
  finish_if_done(lock);
}

void JobState::finish_if_done(std::unique_lock<std::mutex>& lock) {
  if (admitting_ || in_source_ || finishing_ || returned_ != admitted_) return;
  finishing_ = true;
  const std::string reason = cancel_reason_.empty() ? "not converted" : cancel_reason_;
  const bool callbacks_ok = callback_error_.empty();
  lock.unlock();
  // No page of this job is in flight and none will come: the collector is this thread's alone.
  if (callbacks_ok) {
    try {
      collector_.finish(reason);
    } catch (...) {
      std::lock_guard relock(mu_);
      callback_error_ = "sink: " + current_exception_message();
    }
  }
  lock.lock();
  RunResult result = collector_.result();
  result.cancelled = !cancel_reason_.empty();
  if (!callback_error_.empty()) {
    result.error = callback_error_;
  } else if (result.cancelled) {
    result.error = cancel_reason_;
  } else {
    result.error = result_.error;
  }
  result_ = result;
  documents_done_ = result.documents;
  pages_known_ = source_->known_pages();
  source_.reset();
  inputs_.clear();
  lock.unlock();
  // The engine's books are closed before a waiter wakes, so what it reads then adds up.
  if (on_finished) on_finished(*this, result);
  lock.lock();
  finished_ = true;
  finished_cv_.notify_all();
}

RunResult JobState::wait() {
  std::unique_lock lock(mu_);
  finished_cv_.wait(lock, [&] { return finished_; });
  return result_;
}

bool JobState::wait_for(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return finished_cv_.wait_for(lock, timeout, [&] { return finished_; });
}

JobProgress JobState::progress() const {
  std::lock_guard lock(mu_);
  JobProgress p;
  p.documents = input_count_;
  p.documents_done = documents_done_;
  p.pages_done = pages_done_;
  p.pages_known = source_ ? source_->known_pages() : pages_known_;
  p.finished = finished_;
  return p;
}

}  // namespace pageflow
