// Report generation on a run of one million samples (target: under 2 s, page under 5 MB) and the
// fit test over 10,000 scored runs (target: under 1 s), both read from a database as the CLI does.

#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>

#include "analysis/fit.hpp"
#include "recording/database.hpp"
#include "report/fit_report.hpp"
#include "report/html_report.hpp"

namespace powerfit {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const char* name) { return fs::temp_directory_path() / name; }

// One run: 20 channels (power, utilization, memory, I/O) × 50,000 ticks = 1,000,000 samples.
const fs::path& million_sample_database() {
  static const fs::path path = [] {
    const auto file = scratch("powerfit-bench-million.db");
    fs::remove(file);
    auto database = recording::Database::open(file, recording::Database::Mode::read_write);
    const auto run = database.begin_run({.uuid = recording::new_run_uuid(), .command = {"bench"}, .label = "million",
                                         .start_wall_ns = 1'700'000'000'000'000'000, .interval_s = 0.1,
                                         .host = {.hostname = "box"}});
    std::vector<ChannelInfo> channels;
    for (int i = 0; i < 20; ++i) {
      const int kind = i % 4;
      channels.push_back({.name = "channel" + std::to_string(i),
                          .unit = kind == 0 ? Unit::watt : kind == 1 ? Unit::percent : Unit::byte,
                          .kind = kind == 0 ? ChannelKind::power_gauge : kind == 1 ? ChannelKind::utilization
                                  : kind == 2 ? ChannelKind::gauge : ChannelKind::byte_counter,
                          .in_energy_total = kind == 0});
    }
    const auto ids = database.add_channels(run, channels);
    auto transaction = database.transaction();
    for (int tick = 0; tick < 50'000; ++tick) {
      for (std::size_t c = 0; c < ids.size(); ++c) {
        const double t = tick * 0.1;
        database.insert_sample(run, ids[c], tick * 100'000'000LL, 50.0 + 40.0 * std::sin(t * 0.01 + static_cast<double>(c)) + tick * 1e-3);
      }
    }
    database.insert_marker(run, {.time_ns = 0, .name = "inference:start"});
    database.insert_marker(run, {.time_ns = 4'999'900'000'000LL, .name = "inference:end"});
    transaction.commit();
    RunSummary summary{.duration_s = 5000.0, .samples = 50'000};
    for (const auto& channel : channels) summary.channels.push_back({.info = channel, .samples = 50'000, .energy_j = 1.0});
    database.finish_run(run, 1'700'000'000'000'000'000 + 5'000'000'000'000LL, summary, ids);
    return file;
  }();
  return path;
}

void BM_ReportOfOneMillionSamples(benchmark::State& state) {
  auto database = recording::Database::open(million_sample_database(), recording::Database::Mode::read_only);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto page = report::render_html_report({{"million.db", &database}}, {});
    bytes = page.size();
    benchmark::DoNotOptimize(page.data());
  }
  state.counters["html_MB"] = static_cast<double>(bytes) / 1e6;
}
BENCHMARK(BM_ReportOfOneMillionSamples)->Unit(benchmark::kMillisecond)->Iterations(5)->Repetitions(3)->ReportAggregatesOnly(true);

// 10,000 scored runs: 50 architectures × 20 machines × 10 repeats.
const fs::path& ten_thousand_runs_database() {
  static const fs::path path = [] {
    const auto file = scratch("powerfit-bench-fit.db");
    fs::remove(file);
    auto database = recording::Database::open(file, recording::Database::Mode::read_write);
    for (int i = 0; i < 10'000; ++i) {
      const int architecture = i % 50, machine = (i / 50) % 20;
      const auto run = database.begin_run({.uuid = recording::new_run_uuid(), .command = {"bench"}, .label = "fit",
                                           .start_wall_ns = 1'700'000'000'000'000'000, .interval_s = 0.1,
                                           .host = {.hostname = "machine" + std::to_string(machine)}});
      const std::vector<ChannelInfo> channels{{.name = "gpu0.energy", .unit = Unit::joule, .kind = ChannelKind::energy_counter,
                                               .in_energy_total = true}};
      const auto ids = database.add_channels(run, channels);
      RunSummary summary{.duration_s = 10.0, .samples = 100};
      summary.channels = {{.info = channels[0], .samples = 100, .energy_j = 100.0 + architecture * 10.0 + machine + (i % 7)}};
      database.finish_run(run, 1'700'000'000'000'000'000 + 10'000'000'000LL, summary, ids);
      database.save_workload_report(run, {.inferences = 10'000, .correct = 9'000 + architecture * 10, .model = "net" + std::to_string(architecture),
                                          .device = "cuda:0", .parameters = 1e6 + architecture, .macs = 1e8});
    }
    return file;
  }();
  return path;
}

void BM_FitOfTenThousandRuns(benchmark::State& state) {
  auto database = recording::Database::open(ten_thousand_runs_database(), recording::Database::Mode::read_only);
  for (auto _ : state) {
    const auto runs = database.reported_runs();
    const auto observations = report::fit_observations(runs, {}, false);
    const auto fit = analysis::fit_test(observations, analysis::FitMetric::composite, 90.0);
    benchmark::DoNotOptimize(fit.cells.data());
    if (fit.cells.size() != 1000) state.SkipWithError("expected 1000 cells");
  }
}
BENCHMARK(BM_FitOfTenThousandRuns)->Unit(benchmark::kMillisecond)->Iterations(5)->Repetitions(3)->ReportAggregatesOnly(true);

}  // namespace
}  // namespace powerfit
