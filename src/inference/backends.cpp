#include <algorithm>

#include "inference/backend.hpp"
#ifdef POWERFIT_WITH_TORCH
#include "inference/torch_backend.hpp"
#endif
#ifdef POWERFIT_WITH_OPENCV
#include "inference/opencv_backend.hpp"
#endif

namespace powerfit::inference {

std::vector<BackendKind> available_backends() {
  std::vector<BackendKind> kinds;
#ifdef POWERFIT_WITH_TORCH
  kinds.push_back({"libtorch", ".pt"});
#endif
#ifdef POWERFIT_WITH_OPENCV
  kinds.push_back({"opencv-dnn", ".onnx"});
#endif
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
#ifdef POWERFIT_WITH_TORCH
  if (name == "libtorch") return open_torch_backend(model, options);
#endif
#ifdef POWERFIT_WITH_OPENCV
  if (name == "opencv-dnn") return open_opencv_backend(model, options);
#endif
  std::string built;
  for (const auto& kind : available_backends()) built += (built.empty() ? "" : ", ") + kind.name;
  throw BackendError("backend '" + name + "' is not in this build (it has: " + (built.empty() ? "none" : built) +
                     "); install its development package and rebuild (README: Building)");
}

}  // namespace powerfit::inference
