#pragma once
// Image folders with one sub-folder per class, as the ILSVRC2012 validation set is usually laid
// out: class indices follow the sub-folders' names in sorted order. Images are decoded with
// OpenCV and preprocessed as ImagePreprocessing states.

#include <filesystem>
#include <variant>

#include "dataset/dataset.hpp"

namespace powerfit::dataset {

std::variant<Dataset, DataError> load_image_folder(const std::filesystem::path& directory, const DatasetOptions& options);

}  // namespace powerfit::dataset
