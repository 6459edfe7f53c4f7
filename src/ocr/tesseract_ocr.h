// Tesseract through its C++ API. An API object is not thread-safe: each read() borrows one from a
// pool (grown on demand, so any number of pipelines may share the engine).
// Languages are Tesseract's traineddata names joined with '+', e.g. "eng" or "eng+deu".
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ocr/engine.h"

namespace tesseract {
class TessBaseAPI;
}

namespace pageflow::ocr {

class TesseractOcr : public Engine {
 public:
  explicit TesseractOcr(std::string languages);  // throws if the languages are not installed
  ~TesseractOcr() override;

  std::string name() const override { return "tesseract"; }
  std::vector<TextLine> read(const cv::Mat& bgr, double scale, double detail, std::span<const Quad> lines,
                             int worker) override;

 private:
  std::unique_ptr<tesseract::TessBaseAPI> make_api() const;
  std::unique_ptr<tesseract::TessBaseAPI> borrow();
  void give_back(std::unique_ptr<tesseract::TessBaseAPI> api);
  std::string languages_;
  std::mutex mu_;
  std::vector<std::unique_ptr<tesseract::TessBaseAPI>> idle_;
};

}  // namespace pageflow::ocr
