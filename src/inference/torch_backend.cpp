
#include <ATen/Parallel.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/record_function.h>
#include <torch/cuda.h>
#include <torch/script.h>
#include <torch/version.h>

#include <numeric>
#include <string_view>
#include <unordered_set>

#include "inference/plugin_abi.hpp"

namespace powerfit::inference {
namespace {

// c10 errors carry a backtrace: their first line says what failed.
std::string first_line(const c10::Error& error) {
  const std::string text = error.what_without_backtrace();
  return text.substr(0, text.find('\n'));
}

// The interpreter's errors lead with the TorchScript call stack: the cause is the last line.
std::string last_line(const std::exception& error) {
  std::string text = error.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
}

// Multiply-accumulates of the operators the graph runs, taken from their tensors' shapes as they
// execute. Composite operators call others (linear calls addmm, conv2d calls _convolution and a
// kernel): only the outermost counted operator on the stack counts, so no product counts twice.
class MacCounter {
 public:
  MacCounter() {
    handle_ = at::addThreadLocalCallback(
        at::RecordFunctionCallback(&MacCounter::on_start, &MacCounter::on_end).needsInputs(true).needsOutputs(true));
    active_ = this;
  }
  ~MacCounter() {
    at::removeCallback(handle_);
    active_ = nullptr;
  }
  MacCounter(const MacCounter&) = delete;
  MacCounter& operator=(const MacCounter&) = delete;
  std::int64_t macs() const { return macs_; }

 private:
  enum class Op { none, convolution, transposed_convolution, linear, addmm, mm, bmm, baddbmm, matmul };
  struct Context : at::ObserverContext {
    bool counted = false;
    std::int64_t per_output = 0;  // MACs per output element, where only the output tells the count
  };

  static Op classify(std::string_view name) {
    if (name.starts_with("aten::conv_transpose")) return Op::transposed_convolution;
    static const std::unordered_set<std::string_view> convolutions{
        "aten::conv1d", "aten::conv2d", "aten::conv3d", "aten::convolution", "aten::_convolution",
        "aten::mkldnn_convolution", "aten::cudnn_convolution", "aten::thnn_conv2d", "aten::_convolution_mode",
        "aten::slow_conv_dilated2d", "aten::_nnpack_spatial_convolution", "aten::slow_conv3d"};
    if (convolutions.contains(name)) return Op::convolution;
    if (name == "aten::linear") return Op::linear;
    if (name == "aten::addmm") return Op::addmm;
    if (name == "aten::mm") return Op::mm;
    if (name == "aten::bmm") return Op::bmm;
    if (name == "aten::baddbmm") return Op::baddbmm;
    if (name == "aten::matmul") return Op::matmul;
    return Op::none;
  }

  static std::int64_t product(c10::IntArrayRef sizes, std::size_t from) {
    std::int64_t result = 1;
    for (std::size_t i = from; i < sizes.size(); ++i) result *= sizes[i];
    return result;
  }

  // The operator's arguments by schema name. The inputs a callback sees can carry extra values
  // ahead of the operator's own (the interpreter's stack), so they are matched from the end.
  class Arguments {
   public:
    explicit Arguments(const at::RecordFunction& fn) : inputs_(fn.inputs()) {
      if (const auto name = fn.operator_name()) {
        if (const auto handle = c10::Dispatcher::singleton().findSchema(*name)) schema_ = &handle->schema();
      }
    }
    const c10::IValue* operator[](std::string_view name) const {
      if (schema_ == nullptr) return nullptr;
      const auto& arguments = schema_->arguments();
      if (inputs_.size() < arguments.size()) return nullptr;
      const std::size_t offset = inputs_.size() - arguments.size();
      for (std::size_t i = 0; i < arguments.size(); ++i) {
        if (arguments[i].name() == name) return &inputs_[offset + i];
      }
      return nullptr;
    }
    c10::IntArrayRef sizes(std::string_view name) const {
      const auto* value = (*this)[name];
      return value != nullptr && value->isTensor() ? value->toTensor().sizes() : c10::IntArrayRef();
    }

   private:
    c10::ArrayRef<const c10::IValue> inputs_;
    const c10::FunctionSchema* schema_ = nullptr;
  };

  static std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
    const Op op = classify(fn.name());
    if (op == Op::none || active_ == nullptr) return nullptr;
    auto context = std::make_unique<Context>();
    if (active_->depth_++ > 0) return context;
    context->counted = true;
    const Arguments arguments(fn);
    const auto numel = [](c10::IntArrayRef sizes) { return product(sizes, 0); };
    std::int64_t& macs = active_->macs_;
    switch (op) {
      case Op::convolution: {
        const auto weight = arguments.sizes("weight");
        const auto* transposed = arguments["transposed"];
        if (weight.size() < 2) return context;
        if (transposed != nullptr && transposed->isBool() && transposed->toBool()) {
          macs += numel(arguments.sizes("input")) * product(weight, 1);
        } else {
          // weight [out, in / groups, kernel...]: one MAC per weight of a group per output element.
          context->per_output = product(weight, 1);
        }
        return context;
      }
      case Op::transposed_convolution: {
        // weight [in, out / groups, kernel...]: each input element meets out / groups × kernel weights.
        const auto weight = arguments.sizes("weight");
        if (weight.size() >= 2) macs += numel(arguments.sizes("input")) * product(weight, 1);
        return context;
      }
      case Op::linear: {
        const auto weight = arguments.sizes("weight");
        if (weight.size() == 2) macs += numel(arguments.sizes("input")) * weight[0];
        return context;
      }
      case Op::addmm:
      case Op::baddbmm: {
        const auto a = arguments.sizes(op == Op::addmm ? "mat1" : "batch1");
        const auto b = arguments.sizes(op == Op::addmm ? "mat2" : "batch2");
        if (!a.empty() && !b.empty()) macs += numel(a) * b.back();
        return context;
      }
      case Op::mm:
      case Op::bmm: {
        const auto a = arguments.sizes("self");
        const auto b = arguments.sizes("mat2");
        if (!a.empty() && !b.empty()) macs += numel(a) * b.back();
        return context;
      }
      case Op::matmul: {
        const auto a = arguments.sizes("self");
        if (!a.empty()) context->per_output = a.back();
        return context;
      }
      case Op::none: break;
    }
    return context;
  }

  static void on_end(const at::RecordFunction& fn, at::ObserverContext* base) {
    if (base == nullptr || active_ == nullptr) return;
    --active_->depth_;
    auto* context = static_cast<Context*>(base);
    if (!context->counted || context->per_output == 0) return;
    const auto outputs = fn.outputs();
    if (!outputs.empty() && outputs[0].isTensor()) active_->macs_ += outputs[0].toTensor().numel() * context->per_output;
  }

  static thread_local MacCounter* active_;
  at::CallbackHandle handle_ = 0;
  int depth_ = 0;
  std::int64_t macs_ = 0;
};
thread_local MacCounter* MacCounter::active_ = nullptr;

class TorchBackend final : public Backend {
 public:
  TorchBackend(const std::filesystem::path& path, const BackendOptions& options) : device_name_(options.device) {
    check_device_name(options.device);
    if (options.device.starts_with("cuda") && !torch::cuda::is_available()) {
      throw BackendError("--device " + options.device +
                         ": this LibTorch has no usable CUDA (a CPU-only build, or no GPU); use --device cpu or a CUDA build (README: Building with CUDA)");
    }
    try {
      device_ = torch::Device(options.device);
    } catch (const c10::Error&) {
      throw BackendError("--device " + options.device + " is not a device; use cpu, cuda or cuda:N");
    }
    if (options.threads > 0) at::set_num_threads(options.threads);
    try {
      module_ = torch::jit::load(path.string(), device_);
    } catch (const c10::Error& error) {
      throw BackendError("cannot load '" + path.string() + "' as a TorchScript model (" + first_line(error) +
                         "); give a file saved with torch.jit.save");
    } catch (const std::exception& error) {
      throw BackendError("cannot load '" + path.string() + "' as a TorchScript model (" + last_line(error) +
                         "); give a file saved with torch.jit.save");
    }
    module_.eval();
  }

  std::string name() const override { return "libtorch"; }
  std::string version() const override { return TORCH_VERSION; }
  std::string device() const override { return device_name_; }

  Logits infer(const float* inputs, const std::vector<std::int64_t>& shape) override {
    c10::InferenceMode inference;
    try {
      auto batch = torch::from_blob(const_cast<float*>(inputs), shape, torch::kFloat32).to(device_);
      auto output = module_.forward({batch});
      if (output.isTuple()) output = output.toTupleRef().elements().at(0);
      if (!output.isTensor()) throw BackendError("the model returned no tensor; bench needs one row of scores per sample");
      // The copy to the host waits for the device, so the batch is finished when infer returns.
      auto scores = output.toTensor().to(torch::kCPU, torch::kFloat32).contiguous();
      if (scores.dim() == 0 || scores.size(0) != shape.front()) {
        throw BackendError("the model's output has shape " + c10::str(scores.sizes()) +
                           "; bench needs one row of scores per sample of the batch");
      }
      Logits logits{.rows = static_cast<std::size_t>(scores.size(0))};
      logits.columns = logits.rows == 0 ? 0 : static_cast<std::size_t>(scores.numel()) / logits.rows;
      logits.values.assign(scores.data_ptr<float>(), scores.data_ptr<float>() + scores.numel());
      return logits;
    } catch (const BackendError&) {
      throw;
    } catch (const c10::Error& error) {
      throw BackendError("the model does not run on inputs of shape " + c10::str(c10::IntArrayRef(shape)) + " (" +
                         first_line(error) + "); check that the data set fits the model");
    } catch (const std::exception& error) {
      throw BackendError("the model does not run on inputs of shape " + c10::str(c10::IntArrayRef(shape)) + " (" +
                         last_line(error) + "); check that the data set fits the model");
    }
  }

  std::optional<std::int64_t> parameter_count() override {
    std::int64_t total = 0;
    for (const auto& parameter : module_.parameters()) total += parameter.numel();
    return total;
  }

  std::optional<std::int64_t> count_macs(const std::vector<std::int64_t>& sample_shape) override {
    std::vector<std::int64_t> shape{1};
    shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
    const std::vector<float> zeros(static_cast<std::size_t>(
        std::accumulate(sample_shape.begin(), sample_shape.end(), std::int64_t{1}, std::multiplies<>())));
    MacCounter counter;
    infer(zeros.data(), shape);
    return counter.macs();
  }

 private:
  std::string device_name_;
  torch::Device device_{torch::kCPU};
  torch::jit::Module module_;
};

}  // namespace
}  // namespace powerfit::inference

POWERFIT_PLUGIN_ABI_VERSION

POWERFIT_PLUGIN_EXPORT powerfit::inference::Backend* powerfit_plugin_open_backend(
    const std::string& model, const powerfit::inference::BackendOptions& options) {
  return new powerfit::inference::TorchBackend(model, options);
}
