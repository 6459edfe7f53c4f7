// One ONNX Runtime session for one model file. The process shares a single Ort::Env; a session
// is loaded once and shared by all workers of a stage (Session::Run is thread-safe).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <onnxruntime_cxx_api.h>

namespace pageflow::ml {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
  int64_t dim(size_t i) const { return i < shape.size() ? shape[i] : 1; }
};

class OrtModel {
 public:
  // intra_threads: ONNX Runtime's intra-op pool size (0 = its default, all cores).
  // Throws std::runtime_error naming the file when it cannot be loaded.
  OrtModel(const std::string& path, int intra_threads);

  // Runs the model on one float input tensor; returns every output as float tensors.
  std::vector<Tensor> run(const float* input, const std::vector<int64_t>& shape) const;

  const std::vector<std::string>& output_names() const { return output_names_; }
  // The model's declared input shape (-1 for dynamic dimensions).
  const std::vector<int64_t>& input_shape() const { return input_shape_; }
  std::optional<std::string> metadata(const std::string& key) const;

 private:
  static Ort::Env& env();
  std::string path_;
  mutable Ort::Session session_{nullptr};  // Run() is thread-safe but not const in the C++ API
  std::string input_name_;
  std::vector<int64_t> input_shape_;
  std::vector<std::string> output_names_;
};

// The ONNX Runtime library's version ("1.30.0"), for benchmark reports.
std::string runtime_version();

// A model loaded on first use, for stages that most inputs never reach (OCR of digital PDFs
// needs no OCR models in memory). The file is checked at construction, so a missing model is
// still reported up front. get() is thread-safe.
class LazyModel {
 public:
  LazyModel(std::string path, int threads);
  const OrtModel& get() const;

 private:
  std::string path_;
  int threads_;
  mutable std::once_flag once_;
  mutable std::unique_ptr<OrtModel> model_;
};

}  // namespace pageflow::ml
