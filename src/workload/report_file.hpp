#pragma once
// Reads the JSON report a workload may leave in the file named by POWERFIT_REPORT_FILE.

#include <filesystem>
#include <optional>
#include <string>
#include <variant>

#include "powerfit/workload_report.hpp"

namespace powerfit::workload {

struct ReportError {
  std::string message;
};

// nullopt: the workload wrote no report (the file is absent or empty).
std::optional<std::variant<WorkloadReport, ReportError>> read_report_file(const std::filesystem::path& path);

std::variant<WorkloadReport, ReportError> parse_report(const std::string& json_text);

}  // namespace powerfit::workload
