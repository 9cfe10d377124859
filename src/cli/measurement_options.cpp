#include "cli/measurement_options.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/duration.hpp"
#include "core/job_pattern.hpp"
#include "report/format.hpp"

namespace powerfit::cli {

CLI::Validator positive_at_most(double most, std::string expected, std::string type) {
  return CLI::Validator(
      [most, expected = std::move(expected)](const std::string& text) {
        const double value = std::strtod(text.c_str(), nullptr);
        return std::isfinite(value) && value > 0.0 && value <= most ? std::string() : expected;
      },
      std::move(type));
}

std::optional<std::string> database_name_problem(const std::string& output) {
  const auto extension = std::filesystem::path(output).extension().string();
  for (const char* other : {".csv", ".json", ".html", ".txt", ".prom", ".parquet"}) {
    if (extension == other) {
      return "-o " + output + ": powerfit records into a SQLite database, not " + extension.substr(1) +
             "; give a database name (e.g. -o runs.db), then `powerfit export runs.db -o " + output + "`";
    }
  }
  return std::nullopt;
}

CLI::Validator job_pattern() {
  return CLI::Validator(
      [](std::string& value) {
        value = expand_job_pattern(value);
        return std::string();
      },
      "", "");
}

void add_cpu_tdp_option(CLI::App& command, std::optional<double>& cpu_tdp) {
  command.add_option("--cpu-tdp", cpu_tdp, "CPU power at full load in watts, for the estimate")
      ->check(positive_at_most(kMostCpuTdpW, "watts between 0 and " + report::format("%g", kMostCpuTdpW) + " are expected, e.g. 65",
                               "WATTS"));
}

void add_tariff_options(CLI::App& command, TariffFlags& flags) {
  command.add_option("--carbon-intensity", flags.carbon_g_per_kwh,
                     "Grams of CO2e per kWh, for CO2e beside the joules (or POWERFIT_CARBON_INTENSITY)")
      ->check(positive_at_most(Tariff::kMostCarbonGPerKwh,
                               "grams of CO2e per kWh between 0 and " + report::format("%g", Tariff::kMostCarbonGPerKwh) +
                                   " are expected, e.g. 56",
                               "G_PER_KWH"));
  command.add_option("--price", flags.price_per_kwh, "Energy price per kWh, for cost beside the joules (or POWERFIT_ENERGY_PRICE)")
      ->check(positive_at_most(Tariff::kMostPricePerKwh,
                               "a price per kWh between 0 and " + report::format("%g", Tariff::kMostPricePerKwh) +
                                   " is expected, e.g. 0.25",
                               "PER_KWH"));
}

void add_live_option(CLI::App& command, std::optional<bool>& live) {
  command.add_flag_callback("--live", [&live] { live = true; },
                            "A line a second on stderr while it runs: power per source, energy so far (default on a terminal)");
  command.add_flag_callback("--no-live", [&live] { live = false; }, "No live line");
}

std::variant<Tariff, std::string> tariff_of(const TariffFlags& flags) {
  Tariff tariff{.carbon_g_per_kwh = flags.carbon_g_per_kwh, .price_per_kwh = flags.price_per_kwh};
  const auto from_environment = [](const char* variable, double most, std::optional<double>& value) -> std::optional<std::string> {
    const char* text = std::getenv(variable);
    if (value || text == nullptr || *text == '\0') return std::nullopt;
    char* end = nullptr;
    const double number = std::strtod(text, &end);
    if (*end != '\0' || !(number > 0.0 && number <= most)) {
      return std::string(variable) + "='" + text + "' is not a number above 0 and at most " + report::format("%g", most) +
             "; fix it or unset it";
    }
    value = number;
    return std::nullopt;
  };
  if (auto problem = from_environment("POWERFIT_CARBON_INTENSITY", Tariff::kMostCarbonGPerKwh, tariff.carbon_g_per_kwh)) return *problem;
  if (auto problem = from_environment("POWERFIT_ENERGY_PRICE", Tariff::kMostPricePerKwh, tariff.price_per_kwh)) return *problem;
  return tariff;
}

void add_measurement_options(CLI::App& command, MeasurementFlags& flags) {
  add_tariff_options(command, flags.tariff);
  command.add_option("-i,--interval", flags.interval, "Sampling interval, 1ms to 60s (e.g. 50ms, 2s)")->capture_default_str();
  command.add_option("-o,--output", flags.output, "SQLite database to append the runs to (Slurm patterns allowed: %j, %N, %t ...)")
      ->capture_default_str()
      ->transform(job_pattern());
  command.add_option("--label", flags.label, "Free text stored with the run");
  command.add_option("--machine", flags.machine,
                     "The machine's name in the fit test (Slurm patterns allowed, e.g. %N); default: its hardware names it")
      ->transform(job_pattern());
  command.add_flag("--include-loopback", flags.include_loopback, "Count loopback traffic in the network total");
  command.add_flag("--no-estimate", flags.no_estimate, "No estimated CPU power where nothing measures it");
  add_cpu_tdp_option(command, flags.cpu_tdp);
  command.add_option("--sources", flags.sources, "Sample only these sources, as `powerfit sensors` names them (e.g. procfs.cpu,rapl)")
      ->delimiter(',');
  command.add_option("--gpus", flags.gpus,
                     "Count only these GPUs, by NVML index or UUID (default: this rank's GPU in a job of one process per GPU, "
                     "else those CUDA_VISIBLE_DEVICES shows, else all)")
      ->delimiter(',');
}

std::variant<SessionOptions, std::string> session_options(const MeasurementFlags& flags, const GlobalOptions& global) {
  const auto interval = parse_interval(flags.interval);
  if (const auto* error = std::get_if<DurationError>(&interval)) return error->message;
  if (flags.output.empty()) return "-o: an empty database name; name the file to record into (e.g. -o runs.db)";
  if (const auto problem = database_name_problem(flags.output)) return *problem;
  const auto tariff = tariff_of(flags.tariff);
  if (const auto* problem = std::get_if<std::string>(&tariff)) return *problem;
  return SessionOptions{.output = flags.output,
                        .interval = flags.interval,
                        .label = flags.label,
                        .machine = flags.machine,
                        .tariff = std::get<Tariff>(tariff),
                        .estimate = !flags.no_estimate,
                        .cpu_tdp_w = flags.cpu_tdp,
                        .include_loopback = flags.include_loopback,
                        .sources = flags.sources,
                        .gpus = flags.gpus.empty() ? std::nullopt : std::optional(flags.gpus),
                        .proc_root = global.roots.proc.string(),
                        .sys_root = global.roots.sys.string()};
}

void add_settle_option(CLI::App& command, std::string& settle) {
  command.add_option("--settle", settle,
                     "Before the idle baseline, wait at most this long for the measured power to stop falling "
                     "(a GPU that has just worked draws above idle for seconds); 0: no wait")
      ->capture_default_str();
}

std::optional<std::string> settle_problem(const std::string& settle) {
  const auto parsed = parse_duration(settle);
  if (const auto* error = std::get_if<DurationError>(&parsed)) return "--settle: " + error->message;
  if (std::get<Nanoseconds>(parsed) > std::chrono::hours(1)) return "--settle: '" + settle + "' is longer than 1h; give e.g. 30s";
  return std::nullopt;
}

void add_bench_timing_options(CLI::App& command, BenchTimingFlags& flags, const std::string& baseline_help) {
  command.add_option("--min-time", flags.min_time, "Repeat whole passes over the data until the pass lasts this long (e.g. 10s)")
      ->capture_default_str();
  command.add_option("--baseline", flags.baseline, baseline_help)->capture_default_str();
  add_settle_option(command, flags.settle);
}

std::variant<BenchSetup, std::string> bench_setup(const MeasurementFlags& measurement, const BenchTimingFlags& timing,
                                                  const GlobalOptions& global) {
  auto session = session_options(measurement, global);
  if (auto* error = std::get_if<std::string>(&session)) return std::move(*error);
  const auto baseline = parse_duration(timing.baseline);
  if (const auto* error = std::get_if<DurationError>(&baseline)) return "--baseline: " + error->message;
  if (auto problem = settle_problem(timing.settle)) return *problem;
  const auto min_time = parse_duration(timing.min_time);
  if (const auto* error = std::get_if<DurationError>(&min_time)) return "--min-time: " + error->message;
  BenchSetup setup{.session = std::move(std::get<SessionOptions>(session)),
                   .timing = {.baseline = timing.baseline,
                              .min_seconds = static_cast<double>(std::get<Nanoseconds>(min_time).count()) * 1e-9}};
  setup.session.settle = timing.settle;
  return setup;
}

}  // namespace powerfit::cli
