#pragma once
// What a measured workload says it did, written as JSON to the file named by
// POWERFIT_REPORT_FILE: the counts that turn joules into scores.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace powerfit {

inline constexpr const char* kReportFileVariable = "POWERFIT_REPORT_FILE";

struct WorkloadReport {
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
  std::string raw;             // the JSON as written, kept whole
};

}  // namespace powerfit
