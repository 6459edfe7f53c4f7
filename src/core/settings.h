// What one submission asks of the pipeline for its documents. Every page carries its document's
// settings (DocumentInput::settings), so submissions with different options share one running
// pipeline: the stages read the page's settings, never a run-wide copy.
#pragma once

#include <string>

namespace pageflow {

enum class OcrMode { off, automatic, force };
enum class TableEngine { automatic, rules, model };  // automatic: rules for ruled tables, else the model

struct DocumentSettings {
  std::string password;
  OcrMode ocr = OcrMode::automatic;
  double ocr_dpi = 200;
  bool ocr_pictures = false;   // automatic mode: read bitmaps inside digital pages too
  bool tesseract = false;      // recognise with Tesseract instead of PP-OCR
  bool tables = true;          // recognise the structure of table regions
  TableEngine table_engine = TableEngine::automatic;
  bool picture_images = false; // keep each picture's pixels: the raster lives until assembly
  double picture_dpi = 0;      // with picture_images: the page raster's resolution (0: the engine's)
};

}  // namespace pageflow
