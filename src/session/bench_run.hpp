#pragma once
// `powerfit bench`: a model over a data set while the sampler records. Each repeat is a run of
// its own (idle baseline, warm-up, the measured inference pass, each between markers), stored
// with the counts, timings and model figures that make it a scored run.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/latency.hpp"
#include "bench/bench_loop.hpp"
#include "bench/dataset.hpp"
#include "powerfit/run_summary.hpp"
#include "powerfit/workload_report.hpp"
#include "inference/backend.hpp"
#include "session/recorded_session.hpp"

namespace powerfit::session {

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
  bench::DatasetOptions dataset_options;
  std::size_t batch = 1;
  std::size_t warmup_batches = 10;
  int repeat = 1;
  double min_seconds = 0.0;  // each measured pass lasts at least this long (whole passes)
  Nanoseconds baseline = std::chrono::seconds(3);  // measured once, before the first repeat
  // Idle power measured by an earlier bench (and that run's id), used instead of a new baseline.
  std::optional<std::pair<RunSummary::Baseline, std::string>> idle;
  std::optional<double> declared_accuracy_percent;
  SessionOptions session;  // command and label are filled in when left empty
  // Called before each repeat's measured pass, and with its progress.
  std::function<void(int repeat)> on_repeat;
  bench::Progress progress;
};

struct BenchRepeat {
  std::int64_t run_id = 0;
  RunSummary summary;
  bench::PassResult pass;
  analysis::LatencyStats latency;
  double inference_s = 0.0;  // the measured pass, warm-up and baseline left out
  StretchEnergy energy;      // of the inference pass
  std::optional<std::string> storage_error;
};

struct BenchResult {
  WorkloadReport model;  // the figures common to every repeat: model, device, parameters, MACs ...
  std::size_t scores_per_sample = 0;
  std::vector<BenchRepeat> repeats;
  // The idle power the repeats were measured against, and the run that measured it.
  std::optional<std::pair<RunSummary::Baseline, std::string>> idle;
};

// Throws BenchInputError before anything is measured when the input is unusable, and
// recording::RecordingError when the database cannot be opened.
BenchResult run_bench(const BenchOptions& options);

}  // namespace powerfit::session
