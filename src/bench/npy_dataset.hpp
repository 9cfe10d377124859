#pragma once
// A labelled data set stored as a directory holding inputs.npy (float32, one sample per row of
// the first dimension) and labels.npy (integers, one per sample).

#include <cstdint>
#include <filesystem>
#include <variant>
#include <vector>

#include "bench/npy.hpp"

namespace powerfit::bench {

struct NpyDataset {
  std::vector<std::size_t> sample_shape;  // the input shape without the sample dimension
  std::size_t samples = 0;
  std::vector<float> inputs;
  std::vector<std::int64_t> labels;
  std::int64_t classes = 0;  // the largest label + 1
  std::size_t sample_size() const { return samples == 0 ? 0 : inputs.size() / samples; }
};

std::variant<NpyDataset, NpyError> load_npy_dataset(const std::filesystem::path& directory);

}  // namespace powerfit::bench
