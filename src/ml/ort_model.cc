#include "ml/ort_model.h"

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "pipeline/cancel.h"

namespace pageflow::ml {

namespace {
// The npm build of ONNX Runtime carries a telemetry client that, unless this variable is set when
// the first Ort::Env is made, reads /etc/machine-id and /proc/self/cmdline, writes
// /tmp/mat-debug-PID.log and would upload events: pageflow never touches the network at run
// time. It also parses the command line with a recursive matcher that overflows the stack on a
// long one (a few hundred paths). Set here, during static initialisation, before any thread
// exists that could read the environment concurrently.
const bool kTelemetryDisabled = setenv("ORT_DISABLE_TELEMETRY", "1", 1) == 0;
}  // namespace

Ort::Env& OrtModel::env() {
  static Ort::Env instance = [] {
    (void)kTelemetryDisabled;
    Ort::Env e(ORT_LOGGING_LEVEL_ERROR, "pageflow");
    e.DisableTelemetryEvents();
    // One arena for every session in the process: the models run on different pages at
    // different moments, so their peaks share memory instead of adding up.
    const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
    const Ort::ArenaCfg arena(0, -1, -1, -1);
    e.CreateAndRegisterAllocator(memory, arena);
    return e;
  }();
  return instance;
}

OrtModel::OrtModel(const std::string& path, int intra_threads) : path_(path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw std::runtime_error("model not found: " + path + " (run scripts/setup.sh)");
  }
  try {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(intra_threads);
    options.SetInterOpNumThreads(1);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
    options.AddConfigEntry("session.use_env_allocators", "1");
    session_ = Ort::Session(env(), path.c_str(), options);
    Ort::AllocatorWithDefaultOptions allocator;
    input_name_ = session_.GetInputNameAllocated(0, allocator).get();
    input_shape_ = session_.GetInputTypeInfo(0).GetTensorTypeAndShapeInfo().GetShape();
    for (size_t i = 0; i < session_.GetOutputCount(); ++i) {
      output_names_.push_back(session_.GetOutputNameAllocated(i, allocator).get());
    }
  } catch (const Ort::Exception& e) {
    throw std::runtime_error("cannot load model " + path + ": " + e.what());
  }
}

std::vector<Tensor> OrtModel::run(const float* input, const std::vector<int64_t>& shape) const {
  size_t count = 1;
  for (int64_t d : shape) count *= static_cast<size_t>(d);
  const auto memory = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  Ort::Value tensor = Ort::Value::CreateTensor<float>(memory, const_cast<float*>(input), count,
                                                      shape.data(), shape.size());
  const char* input_names[] = {input_name_.c_str()};
  std::vector<const char*> output_names;
  for (const auto& n : output_names_) output_names.push_back(n.c_str());
  std::vector<Ort::Value> outputs;
  // A run whose page was abandoned stops at ONNX Runtime's next check of the terminate flag.
  Ort::RunOptions run_options;
  const std::stop_callback terminate(pipeline::current_call_stop(), [&run_options] { run_options.SetTerminate(); });
  try {
    outputs = session_.Run(run_options, input_names, &tensor, 1, output_names.data(), output_names.size());
  } catch (const Ort::Exception& e) {
    if (pipeline::current_call_stop().stop_requested()) throw std::runtime_error("aborted");
    throw std::runtime_error("inference failed (" + path_ + "): " + e.what());
  }
  std::vector<Tensor> result;
  for (auto& value : outputs) {
    auto info = value.GetTensorTypeAndShapeInfo();
    Tensor t;
    t.shape = info.GetShape();
    const float* data = value.GetTensorData<float>();
    t.data.assign(data, data + info.GetElementCount());
    result.push_back(std::move(t));
  }
  return result;
}

std::string runtime_version() { return OrtGetApiBase()->GetVersionString(); }

LazyModel::LazyModel(std::string path, int threads) : path_(std::move(path)), threads_(threads) {
  if (!std::filesystem::is_regular_file(path_)) {
    throw std::runtime_error("model not found: " + path_ + " (run scripts/setup.sh)");
  }
}

const OrtModel& LazyModel::get() const {
  std::call_once(once_, [this] { model_ = std::make_unique<OrtModel>(path_, threads_); });
  return *model_;
}

std::optional<std::string> OrtModel::metadata(const std::string& key) const {
  Ort::AllocatorWithDefaultOptions allocator;
  auto value = session_.GetModelMetadata().LookupCustomMetadataMapAllocated(key.c_str(), allocator);
  if (!value) return std::nullopt;
  return std::string(value.get());
}

}  // namespace pageflow::ml
