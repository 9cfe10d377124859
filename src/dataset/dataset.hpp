#pragma once
// A data set as the bench loop sees it: every sample already decoded and preprocessed into one
// float32 buffer, so that reading files never falls inside the measured inference.

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace powerfit::dataset {

struct Dataset {
  std::string name;                       // what it is, for the record: a path, or "synthetic:3x224x224"
  std::vector<std::size_t> sample_shape;  // the input shape without the sample dimension
  std::size_t samples = 0;
  std::vector<float> inputs;
  std::vector<std::int64_t> labels;  // one per sample; empty when the data set has none (synthetic)
  std::int64_t classes = 0;          // the largest label + 1
  std::size_t sample_size() const { return samples == 0 ? 0 : inputs.size() / samples; }
  bool labelled() const { return !labels.empty(); }
  // Keeps the first `count` samples.
  void truncate(std::size_t count);
};

// How images become model inputs: the shorter side resized to `resize` (bilinear), a centre
// crop of `crop` × `crop`, channels in RGB order (or BGR), scaled to [0, 1], then (x − mean) / std
// per channel, laid out channels first (N × 3 × crop × crop). Defaults: the usual ImageNet ones.
struct ImagePreprocessing {
  int resize = 256;
  int crop = 224;
  bool bgr = false;
  std::vector<float> mean{0.485f, 0.456f, 0.406f};
  std::vector<float> std{0.229f, 0.224f, 0.225f};
};

struct DatasetOptions {
  std::size_t limit = 0;  // at most this many samples (0: all); synthetic sets default to 256
  ImagePreprocessing images;
  // Decoded images are held in memory; a folder that would need more is refused with the fix.
  std::size_t max_bytes = std::size_t{4} << 30;
};

struct DataError {
  std::string message;  // one line: the data set, the problem and the fix
};

// Decodes an image folder into a data set (as image_folder.hpp states). Decoding needs OpenCV, so
// the engines' layer supplies it (inference::image_folder_loader) and a build without OpenCV has none.
using ImageFolderLoader = std::function<std::variant<Dataset, DataError>(const std::string& directory, const DatasetOptions& options)>;

// `spec` is one of: a directory holding inputs.npy and labels.npy; an image folder with one
// sub-folder per class (the ILSVRC2012 validation layout); "synthetic:CxHxW" (random inputs, no
// labels, for measuring energy where accuracy is declared).
std::variant<Dataset, DataError> load_dataset(const std::string& spec, const DatasetOptions& options,
                                              const ImageFolderLoader& images = {});

std::variant<Dataset, DataError> synthetic_dataset(const std::string& shape_text, std::size_t samples);

}  // namespace powerfit::dataset
