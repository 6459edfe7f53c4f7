#include "ocr/tesseract_ocr.h"

#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/resultiterator.h>

#include "pipeline/cancel.h"

namespace pageflow::ocr {

TesseractOcr::TesseractOcr(std::string languages) : languages_(std::move(languages)) {
  idle_.push_back(make_api());  // fail early, in the constructor, for a missing language
}

TesseractOcr::~TesseractOcr() {
  for (auto& api : idle_) api->End();
}

std::unique_ptr<tesseract::TessBaseAPI> TesseractOcr::make_api() const {
  auto api = std::make_unique<tesseract::TessBaseAPI>();
  if (api->Init(nullptr, languages_.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
    throw std::runtime_error("Tesseract cannot load language '" + languages_ +
                             "' (install tesseract-ocr-<lang>)");
  }
  api->SetPageSegMode(tesseract::PSM_AUTO);
  return api;
}

std::unique_ptr<tesseract::TessBaseAPI> TesseractOcr::borrow() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      auto api = std::move(idle_.back());
      idle_.pop_back();
      return api;
    }
  }
  return make_api();
}

void TesseractOcr::give_back(std::unique_ptr<tesseract::TessBaseAPI> api) {
  api->Clear();
  std::lock_guard lock(mu_);
  idle_.push_back(std::move(api));
}

std::vector<TextLine> TesseractOcr::read(const cv::Mat& bgr, double scale, double, std::span<const Quad>, int) {
  struct Borrowed {
    TesseractOcr* owner;
    std::unique_ptr<tesseract::TessBaseAPI> api;
    ~Borrowed() { owner->give_back(std::move(api)); }
  } borrowed{this, borrow()};
  tesseract::TessBaseAPI& api = *borrowed.api;
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  api.SetImage(gray.data, gray.cols, gray.rows, 1, static_cast<int>(gray.step));
  api.SetSourceResolution(static_cast<int>(scale * 72));
  std::vector<TextLine> lines;
  // Tesseract asks the monitor between words whether to give up: an abandoned page stops there.
  std::stop_token stop = pipeline::current_call_stop();
  tesseract::ETEXT_DESC monitor;
  monitor.cancel = [](void* token, int) { return static_cast<std::stop_token*>(token)->stop_requested(); };
  monitor.cancel_this = &stop;
  if (api.Recognize(&monitor) != 0 || stop.stop_requested()) {
    throw std::runtime_error(stop.stop_requested() ? "aborted" : "Tesseract could not recognise the page");
  }
  std::unique_ptr<tesseract::ResultIterator> it(api.GetIterator());
  int block = 0;
  if (it) {
    do {
      if (it->IsAtBeginningOf(tesseract::RIL_PARA) && !lines.empty()) ++block;
      if (it->IsAtBeginningOf(tesseract::RIL_TEXTLINE)) {
        TextLine line;
        line.from_ocr = true;
        line.block = block;
        lines.push_back(std::move(line));
      }
      if (lines.empty()) continue;
      std::unique_ptr<char[]> text(it->GetUTF8Text(tesseract::RIL_WORD));
      int l, t, r, b;
      if (!text || !it->BoundingBox(tesseract::RIL_WORD, &l, &t, &r, &b)) continue;
      TextLine& line = lines.back();
      Word word{text.get(), {l / scale, t / scale, r / scale, b / scale}};
      if (word.text.empty()) continue;
      line.box = line.words.empty() ? word.box
                                    : Box{std::min(line.box.l, word.box.l), std::min(line.box.t, word.box.t),
                                          std::max(line.box.r, word.box.r), std::max(line.box.b, word.box.b)};
      line.text += (line.text.empty() ? "" : " ") + word.text;
      // Line confidence: the least confident word, as a 0..1 value.
      const float confidence = it->Confidence(tesseract::RIL_WORD) / 100.0f;
      line.confidence = line.words.empty() ? confidence : std::min(line.confidence, confidence);
      line.words.push_back(std::move(word));
    } while (it->Next(tesseract::RIL_WORD));
  }
  std::erase_if(lines, [](const TextLine& l) { return l.words.empty(); });
  for (auto& line : lines) line.font_size = line.box.height() * 0.8;
  return lines;
}

}  // namespace pageflow::ocr
