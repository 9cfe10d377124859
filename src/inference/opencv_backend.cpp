
#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>

#include <algorithm>
#include <sstream>

#include "dataset/image_folder.hpp"
#include "inference/plugin_abi.hpp"

namespace powerfit::inference {
namespace {

std::string describe(const cv::Exception& error) {
  std::string text = error.err.empty() ? error.what() : error.err;
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

std::int64_t total(const cv::dnn::MatShape& shape, std::size_t from = 0) {
  std::int64_t result = 1;
  for (std::size_t i = from; i < shape.size(); ++i) result *= shape[i];
  return result;
}

cv::dnn::MatShape blob_shape(const cv::Mat& blob) { return cv::dnn::MatShape(blob.size.p, blob.size.p + blob.dims); }

class OpenCvBackend final : public Backend {
 public:
  OpenCvBackend(const std::filesystem::path& path, const BackendOptions& options) : device_name_(options.device) {
    check_device_name(options.device);
    const bool cuda = options.device.starts_with("cuda");
    if (cuda && cv::dnn::getAvailableTargets(cv::dnn::DNN_BACKEND_CUDA).empty()) {
      throw BackendError("--device " + options.device +
                         ": this OpenCV has no CUDA backend for its DNN module; use --device cpu, or a TorchScript model with a CUDA LibTorch");
    }
    if (options.threads > 0) cv::setNumThreads(options.threads);
    // OpenCV's own "[ERROR:0@0.002] global ... getMemoryShapes" lines came before powerfit's one
    // line about the same failure: its errors reach the user as powerfit's, once.
    cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    try {
      net_ = cv::dnn::readNetFromONNX(path.string());
    } catch (const cv::Exception& error) {
      throw BackendError("cannot load '" + path.string() + "' as an ONNX model (" + describe(error) +
                         "); give a file written by an ONNX exporter");
    }
    if (net_.empty()) throw BackendError("'" + path.string() + "' holds no network; give an ONNX model file");
    net_.setPreferableBackend(cuda ? cv::dnn::DNN_BACKEND_CUDA : cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cuda ? cv::dnn::DNN_TARGET_CUDA : cv::dnn::DNN_TARGET_CPU);
  }

  // OpenCV runs a convolution of K input channels on an input of C = n·K channels as n groups,
  // where LibTorch refuses it: a 1-channel network given 3-channel images was scored (14% top-1).
  // The first convolution's channels must be the input's.
  void check_channels(const std::vector<std::int64_t>& shape) {
    if (channels_checked_ || shape.size() != 4) return;
    for (const auto& name : net_.getLayerNames()) {
      const auto layer = net_.getLayer(name);
      if (layer->type != "Convolution" || layer->blobs.empty() || layer->blobs[0].dims != 4) continue;
      const std::int64_t per_group = layer->blobs[0].size[1];
      if (per_group != shape[1]) {
        throw BackendError("the model's first convolution takes " + std::to_string(per_group) + " input channel(s) but the data has " +
                           std::to_string(shape[1]) + " (shape " + shape_text(shape) + "); check that the data set fits the model");
      }
      break;
    }
    channels_checked_ = true;
  }

  std::string name() const override { return "opencv-dnn"; }
  std::string version() const override { return CV_VERSION; }
  std::string device() const override { return device_name_; }

  Logits infer(const float* inputs, const std::vector<std::int64_t>& shape) override {
    check_channels(shape);
    const std::vector<int> sizes(shape.begin(), shape.end());
    // OpenCV reads the caller's buffer without copying it; it does not write to an input.
    const cv::Mat blob(static_cast<int>(sizes.size()), sizes.data(), CV_32F, const_cast<float*>(inputs));
    cv::Mat output;
    try {
      net_.setInput(blob);
      output = net_.forward();  // synchronous: returns when the target is done
    } catch (const cv::Exception& error) {
      throw BackendError("the model does not run on inputs of shape " + shape_text(shape) + " (" + describe(error) +
                         "); check that the data set fits the model");
    }
    if (output.dims < 1 || output.size[0] != shape.front() || output.type() != CV_32F) {
      throw BackendError("the model's output does not have one row of scores per sample of the batch");
    }
    Logits logits{.rows = static_cast<std::size_t>(output.size[0])};
    logits.columns = output.total() / logits.rows;
    const cv::Mat dense = output.isContinuous() ? output : output.clone();
    logits.values.assign(dense.ptr<float>(), dense.ptr<float>() + dense.total());
    return logits;
  }

  std::optional<std::int64_t> parameter_count() override {
    std::int64_t count = 0;
    for (const auto& name : net_.getLayerNames()) {
      const auto layer = net_.getLayer(net_.getLayerId(name));
      if (layer->type == "Const") continue;  // folded constants (shapes, axes) are not learned
      // Batch normalisation keeps its running mean and variance first: statistics, not parameters.
      const std::size_t first = layer->type == "BatchNorm" ? 2 : 0;
      for (std::size_t i = first; i < layer->blobs.size(); ++i) count += static_cast<std::int64_t>(layer->blobs[i].total());
    }
    return count;
  }

  std::optional<std::int64_t> count_macs(const std::vector<std::int64_t>& sample_shape) override {
    cv::dnn::MatShape input{1};
    input.insert(input.end(), sample_shape.begin(), sample_shape.end());
    std::vector<int> ids;
    std::vector<std::vector<cv::dnn::MatShape>> in_shapes, out_shapes;
    try {
      net_.getLayersShapes(input, ids, in_shapes, out_shapes);
    } catch (const cv::Exception& error) {
      throw BackendError("the model does not take inputs of shape " + shape_text({input.begin(), input.end()}) +
                         " (" + describe(error) + "); check that the data set fits the model");
    }
    std::int64_t macs = 0;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (ids[i] == 0 || out_shapes[i].empty()) continue;  // the input layer
      const auto layer = net_.getLayer(ids[i]);
      const auto& out = out_shapes[i].front();
      const auto& weights = layer->blobs;
      if (layer->type == "Convolution" && !weights.empty()) {
        // weights [out, in / groups, kernel...]: one MAC per weight of a group per output element.
        macs += total(out) * total(blob_shape(weights[0]), 1);
      } else if (layer->type == "Deconvolution" && !weights.empty() && !in_shapes[i].empty()) {
        macs += total(in_shapes[i].front()) * total(blob_shape(weights[0]), 1);
      } else if (layer->type == "InnerProduct" || layer->type == "MatMul" || layer->type == "Gemm") {
        // Each output element is one dot product as long as the inputs' last dimension.
        const std::int64_t depth = !weights.empty() ? blob_shape(weights[0]).back()
                                   : !in_shapes[i].empty() ? in_shapes[i].front().back()
                                                           : 0;
        macs += total(out) * depth;
      }
    }
    return macs;
  }

 private:
  std::string device_name_;
  cv::dnn::Net net_;
  bool channels_checked_ = false;
};

}  // namespace
}  // namespace powerfit::inference

POWERFIT_PLUGIN_ABI_VERSION

POWERFIT_PLUGIN_EXPORT powerfit::inference::Backend* powerfit_plugin_open_backend(
    const std::string& model, const powerfit::inference::BackendOptions& options) {
  return new powerfit::inference::OpenCvBackend(model, options);
}

POWERFIT_PLUGIN_EXPORT bool powerfit_plugin_load_image_folder(const std::string& directory,
                                                              const powerfit::dataset::DatasetOptions& options,
                                                              powerfit::dataset::Dataset& dataset, std::string& error) {
  auto loaded = powerfit::dataset::load_image_folder(directory, options);
  if (auto* problem = std::get_if<powerfit::dataset::DataError>(&loaded)) {
    error = problem->message;
    return false;
  }
  dataset = std::move(std::get<powerfit::dataset::Dataset>(loaded));
  return true;
}
