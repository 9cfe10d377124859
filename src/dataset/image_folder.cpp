#include "dataset/image_folder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace powerfit::dataset {
namespace {

namespace fs = std::filesystem;

// Decoders print their own complaints ("libpng error: Read Error") straight to stderr, before
// powerfit's one line about the same file: while one decodes, stderr goes nowhere.
class QuietStderr {
 public:
  QuietStderr() {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    const int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved_ >= 0 && null >= 0) ::dup2(null, STDERR_FILENO);
    if (null >= 0) ::close(null);
  }
  ~QuietStderr() {
    if (saved_ < 0) return;
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
  }
  QuietStderr(const QuietStderr&) = delete;
  QuietStderr& operator=(const QuietStderr&) = delete;

 private:
  int saved_ = -1;
};

bool is_image(const fs::path& path) {
  static const std::set<std::string> extensions{".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff", ".ppm", ".pgm"};
  auto extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  return extensions.contains(extension);
}

// Resize the shorter side, crop the centre, and write channels first into `out`.
void preprocess(const cv::Mat& image, const ImagePreprocessing& how, float* out) {
  const double scale = static_cast<double>(how.resize) / std::min(image.cols, image.rows);
  cv::Mat resized;
  cv::resize(image, resized,
             cv::Size(std::max(how.crop, static_cast<int>(std::lround(image.cols * scale))),
                      std::max(how.crop, static_cast<int>(std::lround(image.rows * scale)))),
             0, 0, cv::INTER_LINEAR);
  const cv::Rect centre((resized.cols - how.crop) / 2, (resized.rows - how.crop) / 2, how.crop, how.crop);
  cv::Mat crop = resized(centre);
  if (!how.bgr) cv::cvtColor(crop, crop, cv::COLOR_BGR2RGB);
  const std::size_t plane = static_cast<std::size_t>(how.crop) * static_cast<std::size_t>(how.crop);
  for (int y = 0; y < how.crop; ++y) {
    const auto* row = crop.ptr<cv::Vec3b>(y);
    for (int x = 0; x < how.crop; ++x) {
      const std::size_t at = static_cast<std::size_t>(y) * static_cast<std::size_t>(how.crop) + static_cast<std::size_t>(x);
      for (std::size_t c = 0; c < 3; ++c) {
        out[c * plane + at] = (static_cast<float>(row[x][static_cast<int>(c)]) / 255.0f - how.mean[c]) / how.std[c];
      }
    }
  }
}

}  // namespace

std::variant<Dataset, DataError> load_image_folder(const fs::path& directory, const DatasetOptions& options) {
  const auto& how = options.images;
  const std::string where = directory.string();
  // NaN passes `s <= 0`: every input would be NaN, and the accuracy whatever a model makes of them.
  if (how.crop <= 0 || how.resize < how.crop || how.mean.size() != 3 || how.std.size() != 3 ||
      !std::all_of(how.mean.begin(), how.mean.end(), [](float m) { return std::isfinite(m); }) ||
      !std::all_of(how.std.begin(), how.std.end(), [](float s) { return std::isfinite(s) && s > 0.0f; })) {
    return DataError{where + ": preprocessing needs --crop above 0, --resize at least --crop, three finite --mean and three finite --std above 0"};
  }
  std::vector<fs::path> classes;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.is_directory()) classes.push_back(entry.path());
  }
  std::sort(classes.begin(), classes.end());
  std::vector<std::vector<fs::path>> files(classes.size());
  std::size_t found = 0;
  for (std::size_t c = 0; c < classes.size(); ++c) {
    for (const auto& entry : fs::directory_iterator(classes[c])) {
      if (entry.is_regular_file() && is_image(entry.path())) files[c].push_back(entry.path());
    }
    std::sort(files[c].begin(), files[c].end());
    found += files[c].size();
  }
  if (found == 0) {
    return DataError{where + ": no images found; give a folder with one sub-folder of images per class, or inputs.npy and labels.npy"};
  }
  // Round-robin over the classes, so that --limit keeps every class in the sample.
  std::vector<std::pair<fs::path, std::int64_t>> order;
  for (std::size_t round = 0; order.size() < found; ++round) {
    for (std::size_t c = 0; c < classes.size(); ++c) {
      if (round < files[c].size()) order.emplace_back(files[c][round], static_cast<std::int64_t>(c));
    }
  }
  if (options.limit > 0 && order.size() > options.limit) order.resize(options.limit);
  const std::size_t sample_size = 3 * static_cast<std::size_t>(how.crop) * static_cast<std::size_t>(how.crop);
  const std::size_t bytes = order.size() * sample_size * sizeof(float);
  if (bytes > options.max_bytes) {
    return DataError{where + ": " + std::to_string(order.size()) + " images need " + std::to_string(bytes >> 20) +
                     " MiB once decoded, more than the " + std::to_string(options.max_bytes >> 20) +
                     " MiB allowed; use --limit N to bench a subset"};
  }
  Dataset dataset{.name = where,
                  .sample_shape = {3, static_cast<std::size_t>(how.crop), static_cast<std::size_t>(how.crop)},
                  .samples = order.size(),
                  .classes = static_cast<std::int64_t>(classes.size())};
  dataset.inputs.resize(order.size() * sample_size);
  dataset.labels.reserve(order.size());
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);  // powerfit says it, once
  for (std::size_t i = 0; i < order.size(); ++i) {
    cv::Mat image;
    {
      const QuietStderr quiet;
      image = cv::imread(order[i].first.string(), cv::IMREAD_COLOR);
    }
    if (image.empty()) {
      return DataError{order[i].first.string() + ": not a readable image; remove it or convert it to JPEG or PNG"};
    }
    preprocess(image, how, dataset.inputs.data() + i * sample_size);
    dataset.labels.push_back(order[i].second);
  }
  return dataset;
}

}  // namespace powerfit::dataset
