#include "dataset/npy_dataset.hpp"

#include <algorithm>

namespace powerfit::dataset {

std::variant<Dataset, NpyError> load_npy_dataset(const std::filesystem::path& directory) {
  auto inputs = read_npy_float32(directory / "inputs.npy");
  if (auto* error = std::get_if<NpyError>(&inputs)) return *error;
  auto labels = read_npy_integers(directory / "labels.npy");
  if (auto* error = std::get_if<NpyError>(&labels)) return *error;
  auto& array = std::get<FloatArray>(inputs);
  auto& label_values = std::get<std::vector<std::int64_t>>(labels);
  const std::string where = directory.string();
  if (array.shape.empty() || array.shape.front() == 0 || label_values.empty()) {
    return NpyError{where + ": the data set is empty; inputs.npy and labels.npy need at least one sample"};
  }
  if (array.shape.front() != label_values.size()) {
    return NpyError{where + ": inputs.npy holds " + std::to_string(array.shape.front()) + " samples but labels.npy " +
                    std::to_string(label_values.size()) + " labels; they must match one to one"};
  }
  const auto lowest = *std::min_element(label_values.begin(), label_values.end());
  if (lowest < 0) {
    return NpyError{where + ": labels.npy holds the negative label " + std::to_string(lowest) +
                    "; labels are class indices from 0"};
  }
  Dataset dataset{.name = where,
                  .sample_shape = std::vector<std::size_t>(array.shape.begin() + 1, array.shape.end()),
                  .samples = array.shape.front(),
                  .inputs = std::move(array.values),
                  .labels = std::move(label_values)};
  dataset.classes = *std::max_element(dataset.labels.begin(), dataset.labels.end()) + 1;
  return dataset;
}

}  // namespace powerfit::dataset
