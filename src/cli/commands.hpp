#pragma once
// Each subcommand registers its options on the parser and runs from the parsed values. The
// commands hold no measurement logic: they call the library and map failures to exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "sensors/source.hpp"

namespace powerfit::cli {

// Exit status for bad input, as documented in the README.
inline constexpr int kUsageError = 2;

struct GlobalOptions {
  sensors::Roots roots;
  bool quiet = false;
  bool color = false;
};

// Registers the subcommand and returns the action to run when it was chosen.
using Action = std::function<int()>;
Action add_sensors_command(CLI::App& app, const GlobalOptions& global);
Action add_run_command(CLI::App& app, const GlobalOptions& global);
Action add_export_command(CLI::App& app, const GlobalOptions& global);
Action add_score_command(CLI::App& app, const GlobalOptions& global);
Action add_bench_command(CLI::App& app, const GlobalOptions& global);
Action add_demo_command(CLI::App& app, const GlobalOptions& global);
Action add_merge_command(CLI::App& app, const GlobalOptions& global);
Action add_fit_command(CLI::App& app, const GlobalOptions& global);
Action add_report_command(CLI::App& app, const GlobalOptions& global);
Action add_serve_command(CLI::App& app, const GlobalOptions& global);

// "powerfit: error: MESSAGE" on stderr; returns kUsageError.
int usage_error(const std::string& message);

// What `score` and `fit` say of databases where no run reported inferences.
inline constexpr const char* kNoScoredRun =
    "no run in these databases reported inferences; record scored runs with `powerfit bench`, or have a workload "
    "under `powerfit run` write its counts to the file $POWERFIT_REPORT_FILE names (see README)";

}  // namespace powerfit::cli
