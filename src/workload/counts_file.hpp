#pragma once
// Reads the JSON report a workload may leave in the file named by POWERFIT_REPORT_FILE.

#include <filesystem>
#include <optional>
#include <string>
#include <variant>

#include "powerfit/workload_counts.hpp"

namespace powerfit::workload {

struct CountsError {
  std::string message;
};

// nullopt: the workload wrote no report (the file is absent or empty).
std::optional<std::variant<WorkloadCounts, CountsError>> read_counts_file(const std::filesystem::path& path);

std::variant<WorkloadCounts, CountsError> parse_counts(const std::string& json_text);

}  // namespace powerfit::workload
