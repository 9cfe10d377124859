#pragma once
// Measures one command from start to end: opens the sources, starts the command held before
// exec, samples and records while it runs, and summarizes. The `run` subcommand is a thin client.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/duration.hpp"
#include "core/summary.hpp"
#include "core/workload_report.hpp"
#include "sensors/source.hpp"

namespace powerfit::session {

struct CommandRunOptions {
  std::vector<std::string> command;
  std::string label;
  Nanoseconds interval = std::chrono::milliseconds(100);
  std::filesystem::path database = "powerfit.db";
  sensors::Roots roots;
  bool loopback_in_total = false;
  bool estimate = true;
  std::optional<double> cpu_tdp_w;
  // Idle time measured before the command starts (0: none), for idle power and dynamic energy.
  Nanoseconds baseline{0};
};

struct CommandRunResult {
  std::int64_t run_id = 0;
  RunSummary summary;
  std::optional<std::string> exec_error;     // the command could not be started
  std::optional<std::string> storage_error;  // recording failed part-way; the summary stands
  std::optional<WorkloadReport> report;      // the counts the command reported, if any
  std::optional<std::string> report_error;   // it wrote a report that could not be used
  // The energy of the reported inference window, measured and estimated apart.
  std::optional<double> window_measured_energy_j;
  std::optional<double> window_estimated_energy_j;
  std::optional<std::string> window_warning;
};

// Throws recording::RecordingError when the database cannot be used (nothing is started then).
CommandRunResult run_command(const CommandRunOptions& options);

}  // namespace powerfit::session
