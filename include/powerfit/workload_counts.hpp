#pragma once
// What a measured workload says it did, written as JSON to the file named by
// POWERFIT_REPORT_FILE (the file it reports to): the counts that turn joules into scores. The
// database keeps them in the table workload_reports.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace powerfit {

inline constexpr const char* kCountsFileVariable = "POWERFIT_REPORT_FILE";

struct WorkloadCounts {
  std::int64_t inferences = 0;
  std::int64_t correct = 0;  // top-1
  std::optional<std::int64_t> correct_top5;
  std::string model;
  std::string device;
  std::optional<std::int64_t> batch_size;
  std::string dataset;
  std::optional<double> parameters;
  std::optional<double> macs;  // multiply-accumulates per inference
  // When the inference ran, in UNIX seconds (Python's time.time()): scores then rest on the
  // energy of this window alone, without start-up, loading or training.
  std::optional<std::pair<double, double>> inference_window;
  // The top-1 accuracy given by the user rather than measured (random weights on synthetic
  // inputs cost what the trained network costs): shown as declared wherever it is used.
  std::optional<double> declared_accuracy_percent;
  std::string backend;        // the inference engine and its version: "libtorch 1.13.0"
  std::string model_sha256;   // of the model file, so runs of one model match across machines
  std::optional<std::int64_t> dataset_size;
  // Timings of a `powerfit bench` pass: per-batch latency percentiles and throughput.
  std::optional<double> latency_p50_s, latency_p90_s, latency_p99_s, throughput_per_s;
  std::optional<std::int64_t> warmup_batches, threads;
  std::string raw;             // the JSON as written, kept whole
};

}  // namespace powerfit
