#pragma once
// TorchScript models (.pt) through LibTorch, on the CPU or, where the LibTorch linked has it, CUDA.

#include <filesystem>
#include <memory>

#include "inference/backend.hpp"

namespace powerfit::inference {

std::unique_ptr<Backend> open_torch_backend(const std::filesystem::path& model, const BackendOptions& options);

}  // namespace powerfit::inference
