#pragma once
// A labelled data set stored as a directory holding inputs.npy (float32, one sample per row of
// the first dimension) and labels.npy (integers, one per sample).

#include <filesystem>
#include <variant>

#include "bench/dataset.hpp"
#include "bench/npy.hpp"

namespace powerfit::bench {

std::variant<Dataset, NpyError> load_npy_dataset(const std::filesystem::path& directory);

}  // namespace powerfit::bench
