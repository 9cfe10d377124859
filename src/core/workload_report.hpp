#pragma once
// What a measured workload says it did, written as JSON to the file named by
// POWERFIT_REPORT_FILE: the counts that turn joules into scores.

#include <cstdint>
#include <optional>
#include <string>

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
  std::string raw;             // the JSON as written, kept whole
};

}  // namespace powerfit
