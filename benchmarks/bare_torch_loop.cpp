// The floor `powerfit bench` is compared against: the same TorchScript model, the same batches of
// the same data, in a loop with nothing else (no sampler, no scoring, no recording).
// usage: bare_torch_loop MODEL DATA_DIR BATCH MIN_SECONDS THREADS [DEVICE]  -> prints inferences/s

#include <ATen/Parallel.h>
#include <torch/script.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <variant>

#include "dataset/npy_dataset.hpp"

int main(int argc, char** argv) {
  if (argc != 6 && argc != 7) {
    std::fprintf(stderr, "usage: bare_torch_loop MODEL DATA_DIR BATCH MIN_SECONDS THREADS [DEVICE]\n");
    return 2;
  }
  auto loaded = powerfit::dataset::load_npy_dataset(argv[2]);
  if (auto* error = std::get_if<powerfit::dataset::NpyError>(&loaded)) {
    std::fprintf(stderr, "%s\n", error->message.c_str());
    return 2;
  }
  const auto& data = std::get<powerfit::dataset::Dataset>(loaded);
  const auto batch = std::stoul(argv[3]);
  const double min_seconds = std::stod(argv[4]);
  if (std::stoi(argv[5]) > 0) at::set_num_threads(std::stoi(argv[5]));
  const torch::Device device(argc == 7 ? argv[6] : "cpu");
  auto module = torch::jit::load(argv[1], device);
  module.eval();
  c10::InferenceMode inference;
  const auto shape_of = [&](std::size_t size) {
    std::vector<std::int64_t> shape{static_cast<std::int64_t>(size)};
    for (auto d : data.sample_shape) shape.push_back(static_cast<std::int64_t>(d));
    return shape;
  };
  const auto run_pass = [&] {
    for (std::size_t first = 0; first < data.samples; first += batch) {
      const auto size = std::min(batch, data.samples - first);
      auto input = torch::from_blob(const_cast<float*>(data.inputs.data() + first * data.sample_size()), shape_of(size)).to(device);
      auto scores = module.forward({input}).toTensor().to(torch::kCPU).contiguous();
      if (scores.size(0) != static_cast<std::int64_t>(size)) return false;
    }
    return true;
  };
  for (int i = 0; i < 10; ++i) run_pass();  // warm-up, as bench does before measuring
  std::size_t inferences = 0;
  const auto start = std::chrono::steady_clock::now();
  double elapsed = 0.0;
  do {
    if (!run_pass()) return 1;
    inferences += data.samples;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < min_seconds);
  std::printf("%.3f\n", static_cast<double>(inferences) / elapsed);
  return 0;
}
