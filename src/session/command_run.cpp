#include "session/command_run.hpp"

#include <time.h>

#include <cstring>

#include "analysis/summary.hpp"
#include "recording/database.hpp"
#include "recording/writer.hpp"
#include "sampler/sampler.hpp"
#include "sensors/catalog.hpp"
#include "sensors/host_info.hpp"
#include "workload/child_process.hpp"

namespace powerfit::session {
namespace {

std::int64_t wall_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

CommandRunResult run_command(const CommandRunOptions& options) {
  auto database = recording::Database::open(options.database, recording::Database::Mode::read_write);

  workload::ChildProcess child(options.command, {});
  auto catalog = sensors::open_catalog(
      {.roots = options.roots, .process_root = child.pid(), .loopback_in_total = options.loopback_in_total});
  Sampler sampler(sensors::available_sources(catalog), {.interval = options.interval});

  CommandRunResult result;
  const recording::RunStart start{.uuid = recording::new_run_uuid(),
                                  .command = options.command,
                                  .label = options.label,
                                  .start_wall_ns = wall_now_ns(),
                                  .interval_s = static_cast<double>(options.interval.count()) * 1e-9,
                                  .host = sensors::read_host_info(options.roots)};
  result.run_id = database.begin_run(start);
  const auto channel_ids = database.add_channels(result.run_id, sampler.channels());

  recording::RunWriter writer(database, sampler, result.run_id, channel_ids);
  writer.start();
  sampler.start();
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
  summary.channels = analysis::summarize_channels(sampler.channels(), sampler.tracks());

  if (!writer.error().empty()) result.storage_error = writer.error();
  try {
    database.finish_run(result.run_id, wall_now_ns(), summary, channel_ids);
  } catch (const recording::RecordingError& error) {
    result.storage_error = error.what();
  }
  return result;
}

}  // namespace powerfit::session
