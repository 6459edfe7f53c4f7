// libFuzzer target: arbitrary bytes through opening and page enumeration alone, under a tight
// memory budget (run with a short -timeout): a declared page count, a page tree or an xref that
// lies must cost neither memory nor time in proportion to the lie.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pdf/mupdf.h"

using namespace pageflow;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pdf::MupdfEngine engine(64u << 20);
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  pdf::PdfReader reader(engine);
  try {
    reader.open({"fuzz.pdf", bytes}, "", 1);
    const int pages = reader.page_count();
    pdf::RenderRequest text_only;
    text_only.render = false;
    for (int number = 1; number <= pages; ++number) {
      Page page;
      try {
        reader.load(number, text_only, page);
      } catch (const pdf::PdfError&) {
      }
    }
  } catch (const pdf::PdfError&) {
  }
  return 0;
}
