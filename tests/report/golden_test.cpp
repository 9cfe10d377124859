// Golden outputs: what people and programs read (the run summary, score, fit and export, as
// text, JSON and CSV) from fixed inputs, compared byte for byte with tests/golden. A change to any
// of them shows up here as a diff to review; after reviewing it, POWERFIT_UPDATE_GOLDEN=1 rewrites
// the files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis/fit.hpp"
#include "recording/database.hpp"
#include "recording/export.hpp"
#include "report/fit_report.hpp"
#include "report/prometheus.hpp"
#include "report/score_report.hpp"
#include "report/summary_report.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::report {
namespace {

void expect_golden(const std::string& name, const std::string& actual) {
  const std::filesystem::path path = std::filesystem::path(POWERFIT_GOLDEN) / name;
  if (const char* update = std::getenv("POWERFIT_UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; run with POWERFIT_UPDATE_GOLDEN=1 to write it, then review it";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(actual, expected.str()) << name << " differs from " << path
                                    << "; review the change, then POWERFIT_UPDATE_GOLDEN=1 rewrites it";
}

ChannelInfo channel(std::string name, Unit unit, ChannelKind kind, bool in_total = false,
                    Provenance provenance = Provenance::measured) {
  return {.name = std::move(name), .source = "golden", .unit = unit, .kind = kind, .provenance = provenance,
          .in_energy_total = in_total};
}

// A run with a measured package, a GPU whose counter failed and was counted on from its gauge, a
// DRAM zone that stopped early (a partial total), an estimate, utilization, memory and I/O.
Summary golden_summary() {
  Summary session{.run_id = 7, .run_uuid = "0b5e4f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", .database = "runs.db",
                  .command = {"python3", "infer.py", "--batch", "32"}, .label = "golden", .interval_s = 0.1};
  auto& run = session.run;
  run.duration_s = 12.5;
  run.samples = 126;
  run.max_lateness_s = 0.0012;
  run.sampler_cpu_s = 0.031;
  run.sampler_overhead_percent = 0.25;
  run.writer_cpu_s = 0.012;
  run.process_cpu_s = 0.09;
  run.process_overhead_percent = 0.72;
  run.child_cpu_s = 11.8;
  ChannelSummary package{.info = channel("rapl.package-0.energy", Unit::joule, ChannelKind::energy_counter, true),
                         .samples = 126, .total = 812.5, .mean = 65.0, .max = 88.25, .energy_j = 812.5, .last = 812.5};
  package.glitches = 1;
  ChannelSummary dram{.info = channel("rapl.dram-0.energy", Unit::joule, ChannelKind::energy_counter, true),
                      .samples = 40, .total = 31.0, .mean = 7.75, .energy_j = 31.0, .last = 31.0,
                      .failure = "read error", .failed_at_s = 4.0};
  ChannelSummary gpu{.info = channel("gpu0.energy", Unit::joule, ChannelKind::energy_counter, true), .samples = 126,
                     .total = 2500.0, .mean = 200.0, .energy_j = 2500.0, .last = 2500.0, .failure = "read error",
                     .failed_at_s = 6.5, .counted_from_gauge = true};
  gpu.info.gauge = "gpu0.power";
  gpu.info.source = "nvml; energy from gpu0.power since 6.50 s (the counter failed: read error)";
  ChannelSummary estimate{.info = channel("cpu.power.estimated", Unit::watt, ChannelKind::power_gauge, true, Provenance::estimated),
                          .samples = 126, .mean = 40.0, .min = 12.0, .max = 55.0, .energy_j = 500.0, .last = 41.0};
  ChannelSummary utilization{.info = channel("cpu.utilization", Unit::percent, ChannelKind::utilization), .samples = 126,
                             .mean = 93.5, .min = 2.0, .max = 100.0, .last = 97.0};
  ChannelSummary memory{.info = channel("memory.used", Unit::byte, ChannelKind::gauge), .samples = 126, .mean = 6.5e9,
                        .min = 6.1e9, .max = 7.25e9, .last = 7.0e9};
  ChannelSummary disk{.info = channel("disk.read_bytes", Unit::byte, ChannelKind::byte_counter), .samples = 126,
                      .total = 1.5e8, .mean = 1.2e7, .max = 9.0e7, .last = 1.5e8};
  run.channels = {package, dram, gpu, estimate, utilization, memory, disk};
  run.measured_energy_j = 812.5 + 31.0 + 2500.0;
  run.estimated_energy_j = 500.0;
  run.measured_energy_partial = true;
  run.partial_channels = {"rapl.dram-0.energy (read error at 4.00 s)"};
  run.baseline = RunSummary::Baseline{.duration_s = 3.0, .command_duration_s = 9.5, .measured_power_w = 110.0,
                                      .estimated_power_w = 12.0, .command_measured_energy_j = 2900.0,
                                      .command_estimated_energy_j = 420.0, .dynamic_measured_energy_j = 1855.0,
                                      .dynamic_estimated_energy_j = 306.0};
  session.regions = {{.name = "inference", .seconds = 8.0, .thread_cpu_s = 7.5, .measured_energy_j = 2400.0, .estimated_energy_j = 350.0,
                      .partial_channels = {"rapl.dram-0.energy (read error at 4.00 s)"}}};
  session.counts = WorkloadCounts{.inferences = 10000, .correct = 9512, .correct_top5 = 9950, .model = "resnet18",
                                  .device = "cuda:0", .batch_size = 32, .dataset = "imagenet-val-10k", .parameters = 11.7e6,
                                  .macs = 1.82e9};
  session.window_measured_energy_j = 2400.0;
  session.window_estimated_energy_j = 350.0;
  session.window_channels = {{"rapl.package-0.energy", false, 520.0}, {"gpu0.energy", false, 1880.0}, {"cpu.power.estimated", true, 350.0}};
  session.window_partial_channels = {"rapl.dram-0.energy (read error at 4.00 s)"};
  session.scores = analysis::compute_scores({.inferences = 10000, .correct = 9512, .correct_top5 = 9950.0, .parameters = 11.7e6,
                                             .macs = 1.82e9},
                                            2400.0, {});
  session.scored_on = "inference window";
  session.tariff = {.carbon_g_per_kwh = 56.0, .price_per_kwh = 0.25};
  session.warnings = {"rapl.package-0.energy: 1 reading discarded as a glitch"};
  return session;
}

TEST(Golden, Summary) {
  const auto session = golden_summary();
  std::ostringstream text;
  print_summary(text, session, false);
  print_run_scores(text, session);
  expect_golden("summary.txt", text.str());
  expect_golden("summary.json", summary_json(session).dump(2) + "\n");
}

TEST(Golden, Repeats) {
  std::vector<RunSummary> runs(3, golden_summary().run);
  runs[1].duration_s = 12.0;
  runs[1].measured_energy_j = 3300.0;
  runs[2].duration_s = 13.25;
  runs[2].measured_energy_j = 3410.0;
  std::ostringstream text;
  print_repeats(text, runs);
  expect_golden("repeats.txt", text.str());
  expect_golden("repeats.json", repeats_json(runs).dump(2) + "\n");
}

// Three repeats of one model, two of another, on two machines; one unscored, one partial, one
// scored on estimated energy.
std::vector<recording::ReportedRun> golden_runs() {
  std::vector<recording::ReportedRun> runs;
  const auto add = [&](std::string model, std::string host, std::string device, double joules, std::int64_t correct,
                       bool estimated = false) {
    recording::ReportedRun run;
    run.run_id = static_cast<std::int64_t>(runs.size()) + 1;
    run.uuid = "00000000-0000-4000-8000-00000000000" + std::to_string(runs.size());
    run.hostname = std::move(host);
    run.start_time = "2026-11-25T08:00:0" + std::to_string(runs.size()) + ".000000Z";
    run.counts = {.inferences = 1000, .correct = correct, .model = std::move(model), .device = std::move(device),
                  .batch_size = 8, .parameters = 1.0e6, .macs = 2.0e8, .backend = "libtorch 2.1.0"};
    (estimated ? run.estimated_energy_j : run.measured_energy_j) = joules;
    run.duration_s = 10.0;
    // A model is its name and its file: the laptop's mlp is another file of the same name.
    run.counts.model_sha256 = std::string(64, run.counts.model == "lenet" ? '1' : run.hostname == "laptop" ? '3' : '2');
    // Hosts are not machines: the two GPU hosts are one type and pool; the laptop is another.
    if (run.hostname.starts_with("gpu-box")) {
      run.cpu_model = "AMD EPYC 9454 48-Core Processor";
      run.cpu_cores = 96;
      run.gpu_models = R"(["NVIDIA H100 80GB HBM3"])";
      run.gpu_power_limits_w = "[700.0]";
    } else {
      run.cpu_model = "11th Gen Intel(R) Core(TM) i7-1185G7 @ 3.00GHz";
      run.cpu_cores = 8;
    }
    runs.push_back(std::move(run));
  };
  add("lenet", "gpu-box", "cuda:0", 50.0, 990);
  add("lenet", "gpu-box", "cuda:0", 52.0, 990);
  add("lenet", "gpu-box-2", "cuda:0", 49.0, 991);
  runs.back().scheduler = R"({"SLURM_JOB_ID":"4242","SLURMD_NODENAME":"gpu-box-2","SLURM_PROCID":"0"})";
  add("mlp", "gpu-box", "cuda:0", 30.0, 950);
  add("mlp", "gpu-box", "cuda:0", 33.0, 951);
  add("lenet", "laptop", "cpu", 120.0, 990, true);
  add("mlp", "laptop", "cpu", 80.0, 950);
  runs.back().stopped.push_back({.channel = "rapl.dram-0.energy", .failure = "read error", .at_s = 2.5});
  add("mlp", "laptop", "cpu", 0.0, 0);
  runs.back().error = "the command's report (POWERFIT_REPORT_FILE) is unusable: correct exceeds inferences";
  return runs;
}

TEST(ScoreTable, RunsWithoutAModelNameAreNamedByLabelThenCommand) {
  // They were all pooled as "(unnamed)", whatever the command.
  std::vector<recording::ReportedRun> runs(3);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i].run_id = static_cast<std::int64_t>(i) + 1;
    runs[i].uuid = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
    runs[i].counts = {.inferences = 100, .correct = 90};
    runs[i].measured_energy_j = 10.0 + static_cast<double>(i);
  }
  runs[0].command = R"(["python3","train.py"])";
  runs[1].command = R"(["python3","infer.py","--batch","32"])";
  runs[2].command = R"(["python3","infer.py"])";
  runs[2].label = "baseline-infer";
  EXPECT_EQ(model_of(runs[0]), "`python3 train.py`");
  EXPECT_EQ(model_of(runs[1]), "`python3 infer.py --batch 32`");
  EXPECT_EQ(model_of(runs[2]), "baseline-infer");
  std::ostringstream table;
  print_score_table(table, runs, {}, false);
  for (const char* name : {"`python3 train.py`", "`python3 infer.py --batch 32`", "baseline-infer"}) {
    EXPECT_NE(table.str().find(name), std::string::npos) << table.str();
  }
  EXPECT_EQ(table.str().find("(unnamed)"), std::string::npos);
}

TEST(ScoreTable, ALongNameNeitherShiftsTheColumnsNorCutsItsLine) {
  // A model named by a long command line (a run without a name) or a long host name pushed the
  // columns after it out of line, and past 511 characters the row was cut, its line end with it.
  std::vector<recording::ReportedRun> runs(2);
  for (std::size_t i = 0; i < runs.size(); ++i) {
    runs[i].run_id = static_cast<std::int64_t>(i) + 1;
    runs[i].uuid = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
    runs[i].counts = {.inferences = 100, .correct = 90, .model = i == 0 ? "m" : "mobilenetv3_small_100_" + std::string(600, 'x')};
    runs[i].hostname = i == 0 ? "h" : "node-0042.cluster.example.org";
    runs[i].measured_energy_j = 10.0 + static_cast<double>(i);
  }
  std::ostringstream table;
  print_score_table(table, runs, {}, false);
  std::istringstream lines(table.str());
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line) && rows.size() < 3;) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[2].find(runs[1].counts.model + " "), std::string::npos);  // whole
  // The last column, energy, starts at the same place on every row.
  const auto energy = rows[0].rfind("energy");
  EXPECT_EQ(rows[1].find("measured"), energy) << table.str();
  EXPECT_EQ(rows[2].find("measured"), energy) << table.str();
}

TEST(ScoreTable, ARankWithinTheIntervalOfTheRowAboveIsMarked) {
  // The ranks read as an order where the intervals left it open: 101.38 ±1.52 above 100.60 ±0.50.
  std::vector<recording::ReportedRun> runs;
  const auto add = [&](const std::string& model, double joules) {
    recording::ReportedRun run;
    run.run_id = static_cast<std::int64_t>(runs.size()) + 1;
    run.uuid = "00000000-0000-4000-8000-0000000000" + std::to_string(10 + runs.size());
    run.counts = {.inferences = 100, .correct = 90, .model = model};
    run.measured_energy_j = joules;
    runs.push_back(std::move(run));
  };
  for (const double joules : {10.0, 10.2, 10.4}) add("first", joules);
  for (const double joules : {10.1, 10.3, 10.6}) add("tied", joules);
  for (const double joules : {30.0, 31.0, 32.0}) add("apart", joules);
  std::ostringstream table;
  print_score_table(table, runs, {}, false);
  const auto text = table.str();
  EXPECT_NE(text.find("\n1    first "), std::string::npos) << text;
  EXPECT_NE(text.find("\n2=   tied "), std::string::npos) << text;
  EXPECT_NE(text.find("\n3    apart "), std::string::npos) << text;
  EXPECT_NE(text.find("=: the composite's 95% interval overlaps the row above"), std::string::npos) << text;
}

TEST(Golden, Score) {
  const auto runs = golden_runs();
  std::ostringstream text;
  print_score_table(text, runs, {}, false);
  expect_golden("score.txt", text.str());
  expect_golden("score.json", scored_runs_json(runs, {}, false).dump(2) + "\n");
}

TEST(Golden, Fit) {
  std::vector<std::string> unscored, warnings;
  const auto observations = fit_observations(golden_runs(), {}, false, &unscored, &warnings);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "2 different model files are named 'mlp'; they are kept apart by their SHA-256, not pooled");
  const auto fit = analysis::fit_test(observations, analysis::FitMetric::composite, 95.0);
  std::ostringstream text, csv;
  print_fit_table(text, fit, unscored);
  const Tariff tariff{.carbon_g_per_kwh = 56.0};
  write_fit_csv(csv, fit, tariff);
  expect_golden("fit.txt", text.str());
  expect_golden("fit.json", fit_json(fit, unscored, tariff).dump(2) + "\n");
  expect_golden("fit.csv", csv.str());
}

TEST(Golden, Export) {
  testing::TempTree tree;
  auto database = recording::Database::open(tree.path("runs.db"), recording::Database::Mode::read_write);
  const recording::RunStart start{.uuid = "0b5e4f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", .command = {"true"}, .label = "golden",
                                  .start_wall_ns = 1'795'000'000'000'000'000, .interval_s = 0.1};
  const auto run = database.begin_run(start);
  const std::vector<ChannelInfo> channels{channel("rapl.package-0.energy", Unit::joule, ChannelKind::energy_counter, true),
                                          channel("cpu.power.estimated", Unit::watt, ChannelKind::power_gauge, true,
                                                  Provenance::estimated),
                                          channel("cpu.utilization", Unit::percent, ChannelKind::utilization)};
  const auto ids = database.add_channels(run, channels);
  {
    auto transaction = database.transaction();
    for (int tick = 0; tick < 3; ++tick) {
      database.insert_sample(run, ids[0], tick * 100'000'000LL, 6.5 * tick);
      database.insert_sample(run, ids[1], tick * 100'000'000LL, 40.0 + tick);
      database.insert_sample(run, ids[2], tick * 100'000'000LL, 12.5 * tick);
    }
    transaction.commit();
  }
  std::ostringstream csv, json;
  recording::export_samples(database, run, recording::ExportFormat::csv, csv);
  recording::export_samples(database, run, recording::ExportFormat::json, json);
  expect_golden("export.csv", csv.str());
  expect_golden("export.json", json.str());
}

TEST(Golden, Prometheus) {
  // Live: every kind of channel, one not read yet, an estimate beside a measurement.
  const std::vector<ChannelInfo> channels{
      channel("rapl.package-0.energy", Unit::joule, ChannelKind::energy_counter, true),
      channel("gpu0.power", Unit::watt, ChannelKind::power_gauge),
      channel("cpu.power.estimated", Unit::watt, ChannelKind::power_gauge, true, Provenance::estimated),
      channel("cpu.utilization", Unit::percent, ChannelKind::utilization),
      channel("disk.read_bytes", Unit::byte, ChannelKind::byte_counter),
      channel("process.cpu_time", Unit::second, ChannelKind::counter),
      channel("memory.used", Unit::byte, ChannelKind::gauge),
      channel("gpu0.temperature", Unit::celsius, ChannelKind::gauge),
      channel("gpu0.sm_clock", Unit::hertz, ChannelKind::gauge),
      channel("gpu0.pcie_rx", Unit::byte_per_second, ChannelKind::gauge),
      channel("not.yet", Unit::watt, ChannelKind::power_gauge)};
  const std::vector<double> values{812.5, 301.25, 40.0, 93.5, 1.5e8, 11.8, 6.5e9, 61.0, 1.98e9, 2.5e9, 0.0};
  const std::vector<std::uint8_t> present{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  auto families = live_families(channels, values, present, {{"machine", "gpu-box"}});
  auto own = exporter_families({.process_cpu_s = 0.125, .ticks = 600, .interval_s = 1.0, .last_tick_unix_s = 1795000600.0},
                               {{"machine", "gpu-box"}});
  families.insert(families.end(), own.begin(), own.end());
  expect_golden("serve.prom", exposition_text(families));

  recording::RunRow run{.id = 3, .uuid = "0b5e4f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b", .label = "golden", .duration_s = 12.5,
                        .hostname = "gpu-box"};
  std::vector<recording::ChannelRow> rows(3);
  rows[0] = {.name = "rapl.package-0.energy", .unit = "J", .kind = "energy_counter", .scope = "package:0", .in_energy_total = true,
             .energy_j = 812.5};
  rows[1] = {.name = "gpu0.energy", .unit = "J", .kind = "energy_counter", .scope = "gpu:0", .in_energy_total = true, .energy_j = 2500.0};
  rows[2] = {.name = "cpu.power.estimated", .unit = "W", .kind = "power_gauge", .scope = "system", .estimated = true,
             .in_energy_total = true, .energy_j = 500.0};
  expect_golden("export.prom", exposition_text(run_families(run, rows)));
}

}  // namespace
}  // namespace powerfit::report
