#include "session/command_run.hpp"

#include <sys/resource.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "analysis/summary.hpp"
#include "analysis/window.hpp"
#include "recording/database.hpp"
#include "recording/writer.hpp"
#include "sampler/sampler.hpp"
#include "sensors/catalog.hpp"
#include "sensors/host_info.hpp"
#include "workload/child_process.hpp"
#include "workload/report_file.hpp"

namespace powerfit::session {
namespace {

// The energy inside the workload's inference window, from the recorded samples of the channels
// that count in the totals; stored with the report.
void measure_window(recording::Database& database, const Sampler& sampler, const std::vector<std::int64_t>& channel_ids,
                    CommandRunResult& result) {
  const auto [start_unix_s, end_unix_s] = *result.report->inference_window;
  const auto t0 = static_cast<std::int64_t>(start_unix_s * 1e9) - sampler.start_wall_ns();
  const auto t1 = static_cast<std::int64_t>(end_unix_s * 1e9) - sampler.start_wall_ns();
  const auto& channels = sampler.channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i].in_energy_total) continue;
    const auto joules = analysis::energy_in_window(database.channel_series(channel_ids[i]), channels[i].kind, t0, t1);
    if (!joules) continue;
    auto& total = channels[i].provenance == Provenance::measured ? result.window_measured_energy_j
                                                                 : result.window_estimated_energy_j;
    total = total.value_or(0.0) + *joules;
  }
  if (!result.window_measured_energy_j && !result.window_estimated_energy_j) {
    result.window_warning = "the reported inference_window does not lie inside the run's samples; scored on the whole run";
    return;
  }
  database.save_window_energy(result.run_id, static_cast<double>(t0) * 1e-9, static_cast<double>(t1) * 1e-9,
                              result.window_measured_energy_j, result.window_estimated_energy_j);
  database.insert_marker(result.run_id, {.time_ns = t0, .name = "inference:start"});
  database.insert_marker(result.run_id, {.time_ns = t1, .name = "inference:end"});
}

// Splits each energy channel's recording at the baseline's end: idle power before, the command's
// energy after, and the difference that is the command's own (dynamic) energy.
RunSummary::Baseline measure_baseline(recording::Database& database, const Sampler& sampler,
                                      const std::vector<std::int64_t>& channel_ids, std::int64_t baseline_end_ns,
                                      std::int64_t run_end_ns) {
  RunSummary::Baseline baseline{.duration_s = static_cast<double>(baseline_end_ns) * 1e-9,
                                .command_duration_s = static_cast<double>(run_end_ns - baseline_end_ns) * 1e-9};
  const auto& channels = sampler.channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i].in_energy_total) continue;
    const auto series = database.channel_series(channel_ids[i]);
    if (series.empty()) continue;
    // A utilization-based estimate has no value at the first tick, nor at a last tick that came
    // too soon after the one before for the jiffy counters to move: each channel's split uses
    // the stretch its samples cover.
    const std::int64_t idle_start = series.front().first;
    const std::int64_t command_end = std::min(run_end_ns, series.back().first);
    const auto idle = analysis::energy_in_window(series, channels[i].kind, idle_start, baseline_end_ns);
    const auto command = analysis::energy_in_window(series, channels[i].kind, baseline_end_ns, command_end);
    if (!idle || !command) continue;
    const bool measured = channels[i].provenance == Provenance::measured;
    auto& power = measured ? baseline.measured_power_w : baseline.estimated_power_w;
    auto& energy = measured ? baseline.command_measured_energy_j : baseline.command_estimated_energy_j;
    power = power.value_or(0.0) + *idle / (static_cast<double>(baseline_end_ns - idle_start) * 1e-9);
    energy = energy.value_or(0.0) + *command;
  }
  const auto dynamic = [&](const std::optional<double>& energy, const std::optional<double>& power) {
    return energy && power ? std::optional<double>(*energy - *power * baseline.command_duration_s) : std::nullopt;
  };
  baseline.dynamic_measured_energy_j = dynamic(baseline.command_measured_energy_j, baseline.measured_power_w);
  baseline.dynamic_estimated_energy_j = dynamic(baseline.command_estimated_energy_j, baseline.estimated_power_w);
  return baseline;
}

}  // namespace

CommandRunResult run_command(const CommandRunOptions& options) {
  auto database = recording::Database::open(options.database, recording::Database::Mode::read_write);

  // The command may write its counts (inferences, correct answers) to this file.
  std::string report_path = (std::filesystem::temp_directory_path() / "powerfit-report-XXXXXX").string();
  const int report_fd = ::mkstemp(report_path.data());
  if (report_fd >= 0) ::close(report_fd);
  struct RemoveReport {
    std::string path;
    ~RemoveReport() { std::remove(path.c_str()); }
  } remove_report{report_path};

  workload::ChildProcess child(options.command, {{kReportFileVariable, report_path}});
  auto catalog = sensors::open_catalog({.roots = options.roots,
                                       .process_root = child.pid(),
                                       .loopback_in_total = options.loopback_in_total,
                                       .estimate = options.estimate,
                                       .cpu_tdp_w = options.cpu_tdp_w});
  auto host = sensors::read_host_info(options.roots);
  for (const auto& entry : catalog) {
    if (entry.availability.available) entry.source->describe_host(host);
  }
  Sampler sampler(sensors::available_sources(catalog), {.interval = options.interval});

  CommandRunResult result;
  // Sampling starts before the command is released, so its first instant is measured; the
  // command stays held (and never runs) if recording fails to begin.
  sampler.start();
  const recording::RunStart start{.uuid = recording::new_run_uuid(),
                                  .command = options.command,
                                  .label = options.label,
                                  .start_wall_ns = sampler.start_wall_ns(),
                                  .interval_s = static_cast<double>(options.interval.count()) * 1e-9,
                                  .host = std::move(host)};
  result.run_id = database.begin_run(start);
  const auto channel_ids = database.add_channels(result.run_id, sampler.channels());
  recording::RunWriter writer(database, sampler, result.run_id, channel_ids,
                              recording::batch_period_for(options.interval));
  writer.start();
  // The idle baseline: the machine as it is, the command still held before exec.
  std::int64_t baseline_end_ns = 0;
  if (options.baseline.count() > 0) {
    sampler.mark("baseline:start");
    std::this_thread::sleep_for(options.baseline);
    baseline_end_ns = monotonic_now_ns() - sampler.start_monotonic_ns();
    sampler.mark("baseline:end");
  }
  workload::ExitInfo exit;
  {
    workload::SignalForwarder forwarder(child.pid());
    if (const int exec_errno = child.release(); exec_errno != 0) {
      result.exec_error = options.command.front() + ": " + std::strerror(exec_errno);
    }
    child.wait_for_exit();
    sampler.stop();  // the last tick still sees the exited command's /proc entries
    exit = child.reap();
  }
  writer.stop();

  const auto stats = sampler.stats();
  RunSummary& summary = result.summary;
  summary.duration_s = stats.wall_s;
  summary.exit_status = exit.status;
  summary.samples = stats.ticks;
  summary.missed_deadlines = stats.missed_deadlines;
  summary.dropped_ticks = stats.dropped_ticks;
  summary.max_lateness_s = stats.max_lateness_s;
  summary.sampler_cpu_s = stats.thread_cpu_s;
  summary.sampler_overhead_percent = stats.overhead_percent();
  summary.writer_cpu_s = writer.cpu_seconds();
  summary.child_cpu_s = exit.cpu_s;
  rusage own{};
  ::getrusage(RUSAGE_SELF, &own);
  summary.process_cpu_s = static_cast<double>(own.ru_utime.tv_sec + own.ru_stime.tv_sec) +
                          static_cast<double>(own.ru_utime.tv_usec + own.ru_stime.tv_usec) * 1e-6;
  summary.process_overhead_percent = stats.wall_s > 0 ? 100.0 * summary.process_cpu_s / stats.wall_s : 0.0;
  summary.channels = analysis::summarize_channels(sampler.channels(), sampler.tracks());
  analysis::add_energy_totals(summary);

  if (!writer.error().empty()) result.storage_error = writer.error();
  if (auto report = workload::read_report_file(report_path)) {
    if (auto* counts = std::get_if<WorkloadReport>(&*report)) {
      result.report = std::move(*counts);
    } else {
      result.report_error = "the command's report (" + std::string(kReportFileVariable) + ") is unusable: " +
                            std::get<workload::ReportError>(*report).message + "; the run is kept unscored";
    }
  }
  try {
    const auto end_wall_ns = sampler.start_wall_ns() + stats.end_ns;
    if (baseline_end_ns > 0) {
      summary.baseline = measure_baseline(database, sampler, channel_ids, baseline_end_ns, stats.end_ns);
    }
    database.finish_run(result.run_id, end_wall_ns, summary, channel_ids);
    if (result.report) {
      database.save_workload_report(result.run_id, *result.report);
      if (result.report->inference_window) measure_window(database, sampler, channel_ids, result);
    }
    if (result.report_error) database.save_workload_report_error(result.run_id, *result.report_error);
  } catch (const recording::RecordingError& error) {
    result.storage_error = error.what();
  }
  return result;
}

}  // namespace powerfit::session
