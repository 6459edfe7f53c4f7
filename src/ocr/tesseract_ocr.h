// Tesseract through its C++ API, one TessBaseAPI per worker (the API object is not thread-safe).
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
  void open(int workers) override;
  std::vector<TextLine> read(const cv::Mat& bgr, double scale, std::span<const Quad> lines, int worker) override;

 private:
  std::unique_ptr<tesseract::TessBaseAPI> make_api() const;
  std::string languages_;
  std::vector<std::unique_ptr<tesseract::TessBaseAPI>> apis_;
};

}  // namespace pageflow::ocr
