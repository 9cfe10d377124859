#pragma once
// One interface for every inference engine powerfit can bench: a model is opened once, then
// run batch after batch with the device synchronized at the end of each, so that a batch's
// latency and the energy of the run belong to the work really done. Backends live behind this
// interface so that another engine (ONNX Runtime, TensorRT) is one more file.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace powerfit::inference {

// A model that cannot be opened or run as asked; the message is one line naming the fix.
class BackendError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BackendOptions {
  std::string device = "cpu";  // "cpu", "cuda", "cuda:N"
  int threads = 0;             // intra-op threads; 0: the engine's default
};

// Throws BackendError unless `device` is written "cpu", "cuda" or "cuda:N": checked before an
// engine is asked whether it has CUDA, so that a misspelt device is named as such.
inline void check_device_name(const std::string& device) {
  if (device == "cpu" || device == "cuda") return;
  const std::string index = device.starts_with("cuda:") ? device.substr(5) : "";
  if (!index.empty() && index.size() <= 4 && index.find_first_not_of("0123456789") == std::string::npos) return;
  throw BackendError("--device " + device + " is not a device; use cpu, cuda or cuda:N");
}

// Row-major scores, one row per sample of the batch.
struct Logits {
  std::vector<float> values;
  std::size_t rows = 0;
  std::size_t columns = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;     // "libtorch", "opencv-dnn"
  virtual std::string version() const = 0;  // the engine's own version
  virtual std::string device() const = 0;   // the device it runs on, as given
  // Runs one batch; `shape` includes the batch dimension. Returns when the device is done.
  virtual Logits infer(const float* inputs, const std::vector<std::int64_t>& shape) = 0;
  // Learnable parameters (weights and biases), as the model stores them.
  virtual std::optional<std::int64_t> parameter_count() = 0;
  // Multiply-accumulates of one inference of a single sample of `sample_shape`, counted over the
  // convolutions (grouped and depthwise included), fully connected layers and matrix products the
  // model's graph executes at that input size.
  virtual std::optional<std::int64_t> count_macs(const std::vector<std::int64_t>& sample_shape) = 0;
};

// Opens a model with the backend its file calls for (.pt/.pth/.ts: LibTorch; .onnx: OpenCV DNN),
// or the one named ("libtorch", "opencv-dnn"). Throws BackendError.
std::unique_ptr<Backend> open_backend(const std::filesystem::path& model, const std::string& backend_name,
                                      const BackendOptions& options);

// The backends this build has, for the model files they read: {"libtorch", ".pt"}, ...
struct BackendKind {
  std::string name;
  std::string extension;
};
std::vector<BackendKind> available_backends();

}  // namespace powerfit::inference
