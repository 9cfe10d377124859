#pragma once
// The options every measuring subcommand shares (interval, database, label, what counts in the
// energy total), registered once and turned into the API's session options once.

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "powerfit/session.hpp"

namespace powerfit::cli {

// CO2e and cost: --carbon-intensity and --price, else POWERFIT_CARBON_INTENSITY and
// POWERFIT_ENERGY_PRICE.
struct TariffFlags {
  std::optional<double> carbon_g_per_kwh, price_per_kwh;
};
void add_tariff_options(CLI::App& command, TariffFlags& flags);
// --cpu-tdp, checked against kMostCpuTdpW.
void add_cpu_tdp_option(CLI::App& command, std::optional<double>& cpu_tdp);
// --live and --no-live: the live line forced on or off (unset: on where stderr is a terminal).
void add_live_option(CLI::App& command, std::optional<bool>& live);
// The tariff, or the one-line message for an environment variable that is not a number in range.
std::variant<Tariff, std::string> tariff_of(const TariffFlags& flags);

struct MeasurementFlags {
  std::string interval = "100ms";
  std::string output = "powerfit.db";
  std::string label;
  std::string machine;
  bool include_loopback = false;
  bool no_estimate = false;
  std::optional<double> cpu_tdp;
  std::vector<std::string> sources;
  std::vector<std::string> gpus;  // empty: as the job's layout says
  TariffFlags tariff;
};

// A check that an option is a finite number above 0 and at most `most`; `expected` says what
// is expected when it is not ("watts between 0 and 10000 are expected, e.g. 65").
CLI::Validator positive_at_most(double most, std::string expected, std::string type);

void add_measurement_options(CLI::App& command, MeasurementFlags& flags);

// Expands Slurm's filename patterns (%j, %N, %t, %a, %A, %n; core/job_pattern.hpp) in a value as
// it is parsed, so that every use of the option sees the expanded name.
CLI::Validator job_pattern();

// What bench and demo both take: the idle baseline before measuring, and the least duration of
// each measured pass.
struct BenchTimingFlags {
  std::string baseline;
  std::string settle = SessionOptions{}.settle;
  std::string min_time = "1s";
};
struct BenchTiming {
  std::string baseline;  // checked (the checked --settle is the session's)
  double min_seconds = 0.0;
};
// --settle: the longest wait, before an idle baseline, for the measured power to stop falling.
void add_settle_option(CLI::App& command, std::string& settle);
// The one-line message for a --settle that is not a duration, or nothing.
std::optional<std::string> settle_problem(const std::string& settle);
void add_bench_timing_options(CLI::App& command, BenchTimingFlags& flags, const std::string& baseline_help);

// An -o that names another format than the SQLite database written there (out.csv, x.json):
// the message pointing to `powerfit export`, or nothing.
std::optional<std::string> database_name_problem(const std::string& output);

// The session options, or the one-line message for a bad value.
std::variant<SessionOptions, std::string> session_options(const MeasurementFlags& flags, const GlobalOptions& global);

// What bench and demo measure with: the session options (waiting up to --settle before a
// baseline) and the parsed durations, or the one-line message naming the bad option.
struct BenchSetup {
  SessionOptions session;
  BenchTiming timing;
};
std::variant<BenchSetup, std::string> bench_setup(const MeasurementFlags& measurement, const BenchTimingFlags& timing,
                                                  const GlobalOptions& global);

}  // namespace powerfit::cli
