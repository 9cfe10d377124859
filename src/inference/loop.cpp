#include "inference/loop.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "core/interruption.hpp"

namespace powerfit::inference {
namespace {

std::vector<std::int64_t> batch_shape(const dataset::Dataset& dataset, std::size_t batch) {
  std::vector<std::int64_t> shape{static_cast<std::int64_t>(batch)};
  for (const auto size : dataset.sample_shape) shape.push_back(static_cast<std::int64_t>(size));
  return shape;
}

}  // namespace

std::size_t rank_of_label(const float* scores, std::size_t columns, std::int64_t label) {
  const auto truth = static_cast<std::size_t>(label);
  std::size_t rank = 0;
  for (std::size_t i = 0; i < columns; ++i) {
    if (scores[i] > scores[truth] || (scores[i] == scores[truth] && i < truth)) ++rank;
  }
  return rank;
}

std::size_t check_model_fits(Backend& backend, const dataset::Dataset& dataset) {
  const auto logits = backend.infer(dataset.inputs.data(), batch_shape(dataset, 1));
  if (logits.columns == 0) throw BackendError("the model gives no scores; bench needs a classifier");
  if (dataset.labelled() && dataset.classes > static_cast<std::int64_t>(logits.columns)) {
    throw BackendError("labels out of range: the data set has label " + std::to_string(dataset.classes - 1) +
                                  " but the model gives " + std::to_string(logits.columns) +
                                  " scores per sample; check that labels and model belong together");
  }
  return logits.columns;
}

void warm_up(Backend& backend, const dataset::Dataset& dataset, std::size_t batch_size, std::size_t batches) {
  const std::size_t size = std::min(batch_size, dataset.samples);
  const std::size_t stride = dataset.sample_size();
  for (std::size_t b = 0, start = 0; b < batches && interruption() == 0; ++b) {
    if (start + size > dataset.samples) start = 0;
    backend.infer(dataset.inputs.data() + start * stride, batch_shape(dataset, size));
    start += size;
  }
}

PassResult run_passes(Backend& backend, const dataset::Dataset& dataset, std::size_t batch_size, double min_seconds,
                      const Progress& progress) {
  PassResult result;
  const std::size_t stride = dataset.sample_size();
  const std::size_t batches = (dataset.samples + batch_size - 1) / batch_size;
  std::int64_t top5 = 0;
  bool five_scores = false;
  const auto start_ns = monotonic_now_ns();
  const auto elapsed = [&] { return static_cast<double>(monotonic_now_ns() - start_ns) * 1e-9; };
  do {
    for (std::size_t b = 0; b < batches && interruption() == 0; ++b) {
      const std::size_t first = b * batch_size;
      const std::size_t size = std::min(batch_size, dataset.samples - first);
      const auto batch_start = monotonic_now_ns();
      const auto logits = backend.infer(dataset.inputs.data() + first * stride, batch_shape(dataset, size));
      result.batch_latency_s.push_back(static_cast<double>(monotonic_now_ns() - batch_start) * 1e-9);
      result.inferences += static_cast<std::int64_t>(size);
      if (dataset.labelled()) {
        five_scores = logits.columns >= 5;
        for (std::size_t row = 0; row < logits.rows; ++row) {
          const auto rank =
              rank_of_label(logits.values.data() + row * logits.columns, logits.columns, dataset.labels[first + row]);
          if (rank == 0) ++result.correct;
          if (rank < 5) ++top5;
        }
      }
      if (progress) {
        // Progress in batches, or in time while the minimum duration is what keeps the run going.
        const double done_by_time = min_seconds > 0 ? std::min(1.0, elapsed() / min_seconds) : 1.0;
        const double done_by_count = static_cast<double>(b + 1) / static_cast<double>(batches);
        const double done = result.batch_latency_s.size() > batches ? done_by_time : std::min(done_by_time, done_by_count);
        progress(static_cast<std::size_t>(done * 1000.0), 1000);
      }
    }
  } while (elapsed() < min_seconds && interruption() == 0);
  result.elapsed_s = elapsed();
  if (five_scores) result.correct_top5 = top5;
  return result;
}

}  // namespace powerfit::inference
