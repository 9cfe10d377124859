#pragma once
// A labelled data set stored as a directory holding inputs.npy (float32, one sample per row of
// the first dimension) and labels.npy (integers, one per sample).

#include <filesystem>
#include <variant>

#include "dataset/dataset.hpp"
#include "dataset/npy.hpp"

namespace powerfit::dataset {

std::variant<Dataset, NpyError> load_npy_dataset(const std::filesystem::path& directory);

}  // namespace powerfit::dataset
