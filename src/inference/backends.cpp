#include <algorithm>
#include <memory>

#include "inference/backend.hpp"
#include "inference/plugins.hpp"

namespace powerfit::inference {

std::vector<BackendKind> available_backends() {
  std::vector<BackendKind> kinds;
  if (plugin_present("libtorch")) kinds.push_back({"libtorch", ".pt"});
  if (plugin_present("opencv-dnn")) kinds.push_back({"opencv-dnn", ".onnx"});
  return kinds;
}

std::unique_ptr<Backend> open_backend(const std::filesystem::path& model, const std::string& backend_name,
                                      const BackendOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(model, ec)) {
    throw BackendError("model '" + model.string() + "' does not exist or is not a file; check the path");
  }
  std::string name = backend_name;
  if (name.empty()) {
    auto extension = model.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    if (extension == ".pt" || extension == ".pth" || extension == ".ts") name = "libtorch";
    if (extension == ".onnx") name = "opencv-dnn";
    if (name.empty()) {
      throw BackendError("cannot tell the format of '" + model.string() +
                         "' from its name; use a .pt (TorchScript) or .onnx file, or --backend");
    }
  }
  if (name != "libtorch" && name != "opencv-dnn") {
    throw BackendError("--backend " + name + " is not a backend; use libtorch or opencv-dnn");
  }
  return std::unique_ptr<Backend>(load_plugin(name).open_backend(model.string(), options));
}

}  // namespace powerfit::inference
