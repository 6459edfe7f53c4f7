// libFuzzer target: arbitrary bytes as an image input (PNG, JPEG, TIFF, BMP, GIF through MuPDF;
// WebP through OpenCV, then MuPDF),
// then the OCR policy that inspects every rendered page.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ocr/policy.h"
#include "pdf/mupdf.h"

using namespace pageflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pdf::MupdfEngine engine(512u << 20);
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  // Only image formats: the PDF path has its own target.
  if (pdf::sniff_format(bytes->substr(0, 1024)) == "pdf") return 0;
  pdf::PdfReader reader(engine);
  try {
    reader.open({"fuzz.img", bytes}, "", 1);
    Page page;
    page.number = 1;
    pdf::RenderRequest request;
    request.max_pixels = 1'000'000;
    reader.load(1, request, page);
    (void)ocr::needs_ocr(page);
  } catch (const pdf::PdfError&) {
  }
  return 0;
}
