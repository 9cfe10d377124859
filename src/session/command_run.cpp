#include "session/command_run.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "session/recorded_session.hpp"
#include "workload/child_process.hpp"
#include "workload/report_file.hpp"

namespace powerfit::session {
namespace {

// The energy inside the workload's inference window, stored with its report and marked.
void measure_window(RecordedSession& session, CommandRunResult& result) {
  const auto [start_unix_s, end_unix_s] = *result.report->inference_window;
  const auto t0 = static_cast<std::int64_t>(start_unix_s * 1e9) - session.start_wall_ns();
  const auto t1 = static_cast<std::int64_t>(end_unix_s * 1e9) - session.start_wall_ns();
  const auto energy = session.energy_between(t0, t1);
  result.window_measured_energy_j = energy.measured_j;
  result.window_estimated_energy_j = energy.estimated_j;
  if (!energy.measured_j && !energy.estimated_j) {
    result.window_warning = "the reported inference_window does not lie inside the run's samples; scored on the whole run";
    return;
  }
  auto& database = session.database();
  database.save_window_energy(session.run_id(), static_cast<double>(t0) * 1e-9, static_cast<double>(t1) * 1e-9,
                              energy.measured_j, energy.estimated_j);
  database.insert_marker(session.run_id(), {.time_ns = t0, .name = "inference:start"});
  database.insert_marker(session.run_id(), {.time_ns = t1, .name = "inference:end"});
}

}  // namespace

CommandRunResult run_command(const CommandRunOptions& options) {
  // The command may write its counts (inferences, correct answers) to this file.
  std::string report_path = (std::filesystem::temp_directory_path() / "powerfit-report-XXXXXX").string();
  const int report_fd = ::mkstemp(report_path.data());
  if (report_fd >= 0) ::close(report_fd);
  struct RemoveReport {
    std::string path;
    ~RemoveReport() { std::remove(path.c_str()); }
  } remove_report{report_path};

  workload::ChildProcess child(options.command, {{kReportFileVariable, report_path}});
  RecordedSession session({.command = options.command,
                           .label = options.label,
                           .interval = options.interval,
                           .database = options.database,
                           .roots = options.roots,
                           .process_root = child.pid(),
                           .loopback_in_total = options.loopback_in_total,
                           .estimate = options.estimate,
                           .cpu_tdp_w = options.cpu_tdp_w});
  CommandRunResult result;
  // Sampling starts before the command is released, so its first instant is measured; the
  // command stays held (and never runs) if recording fails to begin.
  session.start();
  result.run_id = session.run_id();
  // The idle baseline: the machine as it is, the command still held before exec.
  session.measure_idle_baseline(options.baseline);
  workload::ExitInfo exit;
  {
    workload::SignalForwarder forwarder(child.pid());
    if (const int exec_errno = child.release(); exec_errno != 0) {
      result.exec_error = options.command.front() + ": " + std::strerror(exec_errno);
    }
    child.wait_for_exit();
    session.stop_sampling();  // the last tick still sees the exited command's /proc entries
    exit = child.reap();
  }
  result.summary = session.finish(exit.status, exit.cpu_s);
  result.storage_error = session.storage_error();

  if (auto report = workload::read_report_file(report_path)) {
    if (auto* counts = std::get_if<WorkloadReport>(&*report)) {
      result.report = std::move(*counts);
    } else {
      result.report_error = "the command's report (" + std::string(kReportFileVariable) + ") is unusable: " +
                            std::get<workload::ReportError>(*report).message + "; the run is kept unscored";
    }
  }
  try {
    auto& database = session.database();
    if (result.report) {
      database.save_workload_report(result.run_id, *result.report);
      if (result.report->inference_window) measure_window(session, result);
    }
    if (result.report_error) database.save_workload_report_error(result.run_id, *result.report_error);
  } catch (const recording::RecordingError& error) {
    result.storage_error = error.what();
  }
  return result;
}

}  // namespace powerfit::session
