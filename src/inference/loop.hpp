#pragma once
// The inference loop of `powerfit bench`: batches of a data set through a backend, each batch
// timed from the host's hand-over to the scores coming back, the answers checked against the
// labels. Knows nothing of sampling; the session around it measures the energy.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "dataset/dataset.hpp"
#include "inference/backend.hpp"

namespace powerfit::inference {

struct PassResult {
  std::int64_t inferences = 0;
  std::int64_t correct = 0;                  // top-1; counted only for a labelled data set
  std::optional<std::int64_t> correct_top5;  // where the model gives at least five scores
  std::vector<double> batch_latency_s;
  double elapsed_s = 0.0;
};

// Runs one sample through the model before anything is measured, so that a model that does not
// fit the data fails at once. Returns the number of scores the model gives per sample; throws
// BackendError naming the mismatch (shape, or labels beyond the model's classes).
std::size_t check_model_fits(Backend& backend, const dataset::Dataset& dataset);

// Runs `batches` batches from the start of the data set (wrapping round), answers unchecked.
void warm_up(Backend& backend, const dataset::Dataset& dataset, std::size_t batch_size, std::size_t batches);

using Progress = std::function<void(std::size_t done, std::size_t total)>;

// Whole passes over the data set until `min_seconds` have gone by (at least one), so that a short
// data set still gives a run long enough for stable joules while the counts stay exact multiples
// of one pass. The last batch of a pass is smaller when the batch size does not divide the set.
PassResult run_passes(Backend& backend, const dataset::Dataset& dataset, std::size_t batch_size,
                      double min_seconds = 0.0, const Progress& progress = {});

// The scores' rank of the true label, ties broken by index as argmax and topk do: 0 is top-1.
std::size_t rank_of_label(const float* scores, std::size_t columns, std::int64_t label);

}  // namespace powerfit::inference
