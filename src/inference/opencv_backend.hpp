#pragma once
// ONNX models through OpenCV's DNN module, on the CPU (or CUDA where OpenCV was built with it).

#include <filesystem>
#include <memory>

#include "inference/backend.hpp"

namespace powerfit::inference {

std::unique_ptr<Backend> open_opencv_backend(const std::filesystem::path& model, const BackendOptions& options);

}  // namespace powerfit::inference
