// libFuzzer target: arbitrary bytes through PDF open, text extraction, rendering and assembly,
// the path every untrusted input takes. Crashes, leaks and hangs are bugs; PdfError is fine.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "assemble/page_assembler.h"
#include "pdf/mupdf.h"

using namespace pageflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pdf::MupdfEngine engine(512u << 20);
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  pdf::PdfReader reader(engine);
  try {
    reader.open({"fuzz.pdf", bytes}, "", 1);
    const int pages = reader.page_count();
    for (int number = 1; number <= std::min(pages, 3); ++number) {
      Page page;
      page.number = number;
      pdf::RenderRequest request;
      request.dpi = 36;
      request.max_pixels = 1'000'000;
      try {
        reader.load(number, request, page);
      } catch (const pdf::PdfError&) {
        continue;
      }
      const auto blocks = assemble_page(page);
      (void)blocks;
    }
  } catch (const pdf::PdfError&) {
  }
  return 0;
}
