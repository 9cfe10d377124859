#include "dataset/dataset.hpp"

#include <filesystem>
#include <random>

#include "dataset/npy_dataset.hpp"

namespace powerfit::dataset {

void Dataset::truncate(std::size_t count) {
  if (count == 0 || count >= samples) return;
  inputs.resize(count * sample_size());
  if (!labels.empty()) labels.resize(count);
  samples = count;
}

std::variant<Dataset, DataError> synthetic_dataset(const std::string& shape_text, std::size_t samples, std::size_t max_bytes) {
  Dataset dataset{.name = "synthetic:" + shape_text, .samples = samples};
  std::size_t start = 0;
  while (start <= shape_text.size()) {
    const auto end = std::min(shape_text.find('x', start), shape_text.size());
    const std::string part = shape_text.substr(start, end - start);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || std::stoul(part) == 0 ||
        std::stoul(part) > 100000) {
      return DataError{"synthetic:" + shape_text + ": the shape must be sizes joined by x, e.g. synthetic:3x224x224"};
    }
    dataset.sample_shape.push_back(std::stoul(part));
    start = end + 1;
  }
  // Sizes are checked against the memory allowed before anything is allocated (each factor is at
  // most 100000, so the products below cannot overflow before the check stops them).
  std::size_t size = 1;
  for (const auto dimension : dataset.sample_shape) {
    size *= dimension;
    if (size * sizeof(float) > max_bytes) break;
  }
  const double bytes = static_cast<double>(size) * static_cast<double>(samples) * sizeof(float);
  if (bytes > static_cast<double>(max_bytes)) {
    return DataError{"synthetic:" + shape_text + " with " + std::to_string(samples) + " samples needs " +
                     std::to_string(static_cast<long long>(bytes / (1 << 20))) + " MiB, more than the " +
                     std::to_string(max_bytes >> 20) + " MiB allowed; give a smaller shape or --limit"};
  }
  // Inference costs the same on any values of the right shape; a fixed seed keeps runs identical.
  std::mt19937 generator(0);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  dataset.inputs.resize(samples * size);
  for (auto& value : dataset.inputs) value = uniform(generator);
  return dataset;
}

std::variant<Dataset, DataError> load_dataset(const std::string& spec, const DatasetOptions& options,
                                              const ImageFolderLoader& images) {
  namespace fs = std::filesystem;
  if (spec.starts_with("synthetic:")) {
    return synthetic_dataset(spec.substr(std::string("synthetic:").size()), options.limit > 0 ? options.limit : 256,
                             options.max_bytes);
  }
  std::error_code ec;
  if (!fs::is_directory(spec, ec)) {
    return DataError{"data set '" + spec +
                     "' is not a directory; give a folder with inputs.npy and labels.npy, an image folder, or synthetic:CxHxW"};
  }
  if (fs::exists(fs::path(spec) / "inputs.npy", ec)) {
    auto loaded = load_npy_dataset(spec);
    if (auto* error = std::get_if<NpyError>(&loaded)) return DataError{error->message};
    auto& dataset = std::get<Dataset>(loaded);
    dataset.truncate(options.limit);
    return std::move(dataset);
  }
  // Decoding images needs OpenCV, which the engines' layer loads only for a bench over images.
  if (!images) return DataError{"'" + spec + "' holds no inputs.npy, and this build cannot decode image folders"};
  return images(spec, options);  // which keeps to options.limit itself
}

}  // namespace powerfit::dataset
