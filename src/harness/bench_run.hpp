#pragma once
// `powerfit bench`: a model over a data set, measured through the public Session. Each repeat is
// a run of its own (idle baseline, warm-up, the measured inference pass, each between markers),
// stored with the counts, timings and model figures that make it a scored run.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "inference/loop.hpp"
#include "inference/bench_result.hpp"
#include "dataset/dataset.hpp"
#include "inference/backend.hpp"
#include "harness/live_line.hpp"
#include "powerfit/session.hpp"

namespace powerfit::harness {

// Input that cannot be benched (model, data, device); the message is one line naming the fix.
class BenchInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct BenchOptions {
  std::filesystem::path model;
  std::string model_name;  // default: the file's name without extension
  std::string backend;     // default: chosen by the file's extension
  inference::BackendOptions backend_options;
  std::string data;
  dataset::DatasetOptions dataset_options;
  std::size_t batch = 1;
  std::size_t warmup_batches = 10;
  int repeat = 1;
  double min_seconds = 0.0;  // each measured pass lasts at least this long (whole passes)
  std::string baseline = "3s";  // idle time measured once, before the first repeat
  // An earlier run whose idle power is used instead of a new baseline (an earlier bench's idle).
  std::optional<Summary> idle;
  std::optional<double> declared_accuracy_percent;
  SessionOptions session;  // command and label are filled in when left empty
  // Called before each repeat's measured pass, and with its progress.
  std::function<void(int repeat)> on_repeat;
  inference::Progress progress;
  LiveLineOptions live;  // the live line during each repeat
};

// Throws BenchInputError before anything is measured when the input is unusable, and
// powerfit::Error when the session cannot start (the database cannot be opened).
inference::BenchResult run_bench(const BenchOptions& options);

}  // namespace powerfit::harness
