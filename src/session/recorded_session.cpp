#include "session/recorded_session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>
#include <utility>

#include "analysis/series_values.hpp"
#include "analysis/settle.hpp"
#include "analysis/summary.hpp"
#include "analysis/window.hpp"
#include "core/clock.hpp"
#include "core/interruption.hpp"
#include "core/joined.hpp"
#include "sensors/catalog.hpp"
#include "sensors/host_info.hpp"
#include "session/live_meter.hpp"

namespace powerfit::session {
namespace {

// The process's CPU seconds since the last run of this process to take its own (since the
// process started, for the first): each of `run -r`'s runs takes its own share, the first with
// the start-up, rather than all the runs' before it too.
double process_cpu_seconds_since_last_run() {
  static std::mutex mutex;
  static double counted_s = 0.0;
  const double now_s = static_cast<double>(clock_ns(CLOCK_PROCESS_CPUTIME_ID)) * 1e-9;
  const std::lock_guard lock(mutex);
  return now_s - std::exchange(counted_s, now_s);
}

std::optional<double> less_idle(const std::optional<double>& energy, const std::optional<double>& power, double seconds) {
  return energy && power ? std::optional<double>(*energy - *power * seconds) : std::nullopt;
}

// Sleeps in slices until `end` or a signal to stop, calling `each` (which may end it early by
// returning true) after every slice.
template <typename Each>
void wait_until(std::chrono::steady_clock::time_point end, Each each) {
  while (interruption() == 0 && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(std::chrono::milliseconds(20), end - std::chrono::steady_clock::now()));
    if (each()) return;
  }
}

// The GPUs the caller named, as given ("0,GPU-8a1f").
std::string named_gpus(const SessionOptions& options) { return joined(options.gpus.value_or(std::vector<std::string>{}), ","); }

// GPUs named by the caller that cannot be counted are bad input, as a source named is.
std::vector<sensors::CatalogEntry> chosen_sources(const SessionOptions& options) {
  const auto sampled = [&](const char* name) { return std::find(options.sources.begin(), options.sources.end(), name) != options.sources.end(); };
  if (options.gpus_named && !options.sources.empty() && !sampled("nvml") && !sampled("nvml.slow")) {
    throw SourceChoiceError("the GPUs chosen (" + named_gpus(options) +
                            ") would count nothing: --sources samples no NVML source; add nvml to the sources, or leave the GPU choice out");
  }
  auto catalog = sensors::open_catalog({.roots = options.roots,
                                       .process_root = options.process_root,
                                       .loopback_in_total = options.loopback_in_total,
                                       .estimate = options.estimate,
                                       .cpu_tdp_w = options.cpu_tdp_w,
                                       .gpus = options.gpus,
                                       .host_channels = options.host_channels,
                                       .wanted = options.sources});
  // A named nvml source that cannot be had is refused here, with NVML's reason.
  if (const auto problem = sensors::choose_sources(catalog, options.sources)) throw SourceChoiceError(*problem);
  if (options.gpus_named && options.sources.empty()) {
    for (const auto& entry : catalog) {
      if (entry.source->name() != "nvml" || entry.availability.available) continue;
      throw SourceChoiceError("the GPUs chosen (" + named_gpus(options) + ") cannot be counted: " + entry.availability.detail +
                              "; choose among NVML's GPUs by index or UUID (or a UUID's start from GPU-), or leave the choice out");
    }
  }
  return catalog;
}

}  // namespace

RecordedSession::RecordedSession(const SessionOptions& options) : RecordedSession(options, chosen_sources(options)) {}

RecordedSession::RecordedSession(const SessionOptions& options, std::vector<sensors::CatalogEntry> catalog)
    : options_(options),
      database_(recording::Database::open(options.database, recording::Database::Mode::read_write)) {
  host_ = sensors::read_host_info(options.roots);
  for (const auto& entry : catalog) {
    if (entry.availability.available) entry.source->describe_host(host_);
  }
  sampler_ = std::make_unique<Sampler>(sensors::available_sources(catalog), SamplerOptions{.interval = options.interval});
}

RecordedSession::~RecordedSession() {
  if (sampling_) sampler_->stop();
  if (writer_) writer_->stop();
}

void RecordedSession::start() {
  sampler_->start();
  sampling_ = true;
  uuid_ = recording::new_run_uuid();
  run_id_ = database_.begin_run({.uuid = uuid_,
                                 .command = options_.command,
                                 .label = options_.label,
                                 .start_wall_ns = sampler_->start_wall_ns(),
                                 .interval_s = static_cast<double>(options_.interval.count()) * 1e-9,
                                 .host = host_,
                                 .machine = options_.machine});
  channel_ids_ = database_.add_channels(run_id_, sampler_->channels());
  writer_ = std::make_unique<recording::RunWriter>(database_, *sampler_, run_id_, channel_ids_,
                                                   recording::batch_period_for(options_.interval));
  writer_->start();
}

void RecordedSession::mark(const std::string& name) { sampler_->mark(name); }

std::int64_t RecordedSession::elapsed_ns() const { return monotonic_now_ns() - sampler_->start_monotonic_ns(); }

void RecordedSession::wait_for_ticks(int count) {
  const auto interval = options_.interval.count();
  const auto now = elapsed_ns();
  // Ticks fall on whole multiples of the interval from the start; a quarter interval (at least
  // 2 ms) of slack lets the tick finish reading before the caller goes on.
  const auto target = (now / interval + count) * interval + std::max<std::int64_t>(interval / 4, 2'000'000);
  std::this_thread::sleep_for(std::chrono::nanoseconds(target - now));
}

void RecordedSession::measure_idle_baseline(Nanoseconds length, Nanoseconds settle_limit) {
  if (length.count() <= 0) return;
  // Measured power settles as hardware cools and clocks come down; an estimate follows the CPU's
  // utilization at once, so there is nothing to wait for without a measurement.
  LiveMeter meter(*sampler_);
  if (settle_limit.count() > 0 && meter.counts(Provenance::measured)) {
    mark("settle:start");
    const auto settle_start_ns = elapsed_ns();
    analysis::SettleCheck check;
    settled_ = false;
    wait_until(std::chrono::steady_clock::now() + settle_limit, [&] {
      if (!meter.update()) return false;
      const auto watts = meter.watts(Provenance::measured);
      if (!watts) return false;
      check.add(meter.elapsed_s(), *watts);
      return settled_ = check.settled();
    });
    settle_s_ = static_cast<double>(elapsed_ns() - settle_start_ns) * 1e-9;
  }
  baseline_start_ns_ = elapsed_ns();
  mark("baseline:start");
  wait_until(std::chrono::steady_clock::now() + length, [] { return false; });
  baseline_end_ns_ = elapsed_ns();
  mark("baseline:end");
}

void RecordedSession::reuse_idle_baseline(const RunSummary::Baseline& earlier, std::string earlier_run_uuid) {
  reused_baseline_ = earlier;
  reused_from_ = std::move(earlier_run_uuid);
}

void RecordedSession::stop_sampling() {
  if (!sampling_) return;
  sampler_->stop();
  sampling_ = false;
}

const RunSummary& RecordedSession::finish(int exit_status, std::optional<double> child_cpu_s) {
  const std::int64_t finish_cpu_start = thread_cpu_ns();
  stop_sampling();
  writer_->stop();
  const auto stats = sampler_->stats();
  summary_.duration_s = stats.wall_s;
  summary_.exit_status = exit_status;
  summary_.samples = stats.ticks;
  summary_.missed_deadlines = stats.missed_deadlines;
  summary_.dropped_ticks = stats.dropped_ticks;
  summary_.max_lateness_s = stats.max_lateness_s;
  summary_.sampler_cpu_s = stats.thread_cpu_s;
  summary_.sampler_overhead_percent = stats.overhead_percent();
  summary_.writer_cpu_s = writer_->cpu_seconds();
  summary_.child_cpu_s = child_cpu_s;
  // Where powerfit shares its process with the measured program (the APIs, bench), the process's
  // CPU is mostly the program's: powerfit's own is that of its threads and of the calls it made
  // on the program's thread.
  summary_.process_cpu_s = options_.process_root == ::getpid()
                               ? caller_cpu_s_ + static_cast<double>(thread_cpu_ns() - finish_cpu_start) * 1e-9 +
                                     stats.thread_cpu_s + stats.source_threads_cpu_s + summary_.writer_cpu_s
                               : process_cpu_seconds_since_last_run();
  summary_.process_overhead_percent = stats.wall_s > 0 ? 100.0 * summary_.process_cpu_s / stats.wall_s : 0.0;
  summary_.channels = analysis::summarize_channels(sampler_->channels(), sampler_->totals());
  analysis::add_energy_totals(summary_);
  // The first error is the one that tells what went wrong; later ones follow from it.
  if (!writer_->error().empty() && !storage_error_) {
    char when[64];
    std::snprintf(when, sizeof when, "samples from %.2f s on were not stored: ", static_cast<double>(writer_->lost_from_ns()) * 1e-9);
    storage_error_ = when + writer_->error();
    // The run's row tells what the file holds.
    summary_.samples = writer_->stored_ticks();
  }
  try {
    split_at_baseline(stats.end_ns);
    database_.finish_run(run_id_, sampler_->start_wall_ns() + stats.end_ns, summary_, channel_ids_);
  } catch (const recording::RecordingError& error) {
    if (!storage_error_) storage_error_ = error.what();
    // A full disk failed the batches; the run's end (its row: end, status, what the file holds)
    // is small, and may fit once the write-ahead log is folded into the file.
    try {
      if (database_.make_room()) database_.finish_run(run_id_, sampler_->start_wall_ns() + stats.end_ns, summary_, channel_ids_);
    } catch (const recording::RecordingError&) {
    }
  }
  return summary_;
}

analysis::Series RecordedSession::gauge_series(std::size_t channel) {
  const auto gauge = sampler_->gauge_of(channel);
  return gauge ? database_.channel_series(channel_ids_[*gauge]) : analysis::Series{};
}

StretchEnergy RecordedSession::energy_between(std::int64_t from_ns, std::int64_t to_ns) {
  StretchEnergy result;
  // Channels of the totals whose samples do not cover the stretch, not already noted as stopped.
  std::vector<std::string> silent;
  const auto& channels = sampler_->channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i].in_energy_total) continue;
    const bool stopped_inside = i < summary_.channels.size() && summary_.channels[i].incomplete() &&
                                summary_.channels[i].failed_at_s * 1e9 < static_cast<double>(to_ns);
    if (stopped_inside) {
      const auto& stopped = summary_.channels[i];
      result.partial_channels.push_back(analysis::partial_note(channels[i].name, *stopped.failure, stopped.failed_at_s));
    }
    const auto gauge = gauge_series(i);
    const auto joules = analysis::energy_in_window(database_.channel_series(channel_ids_[i]), channels[i].kind, from_ns,
                                                   to_ns, options_.interval.count(), &gauge);
    if (!joules) {
      if (!stopped_inside) silent.push_back(channels[i].name);
      continue;
    }
    result.channels.push_back({channels[i].name, channels[i].provenance, *joules});
    auto& total = channels[i].provenance == Provenance::measured ? result.measured_j : result.estimated_j;
    total = total.value_or(0.0) + *joules;
  }
  // Where others counted the stretch, the sums lack these (a stretch outside every channel's
  // samples has no sums at all, and its caller says so).
  if (result.measured_j || result.estimated_j) {
    for (const auto& name : silent) result.partial_channels.push_back(analysis::unsampled_note(name));
  }
  return result;
}

StretchEnergy RecordedSession::record_inference_window(std::int64_t from_ns, std::int64_t to_ns, bool mark_edges) {
  auto energy = energy_between(from_ns, to_ns);
  if (!energy.measured_j && !energy.estimated_j) return energy;
  database_.save_window_energy(run_id_, static_cast<double>(from_ns) * 1e-9, static_cast<double>(to_ns) * 1e-9,
                               energy.measured_j, energy.estimated_j);
  const auto& channels = sampler_->channels();
  for (const auto& channel : energy.channels) {
    for (std::size_t i = 0; i < channels.size(); ++i) {
      if (channels[i].name == channel.name) database_.save_window_channel_energy(run_id_, channel_ids_[i], channel.joules);
    }
  }
  if (mark_edges) {
    database_.insert_marker(run_id_, {.time_ns = from_ns, .name = "inference:start"});
    database_.insert_marker(run_id_, {.time_ns = to_ns, .name = "inference:end"});
  }
  return energy;
}

// The system's mean CPU utilization during the baseline, where it was sampled.
std::optional<double> RecordedSession::baseline_cpu_utilization() {
  const auto& channels = sampler_->channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (channels[i].name != "cpu.utilization") continue;
    // Weighted by time: a utilization that stands still is stored where it stops and moves again.
    return analysis::mean_between(database_.channel_series(channel_ids_[i]), baseline_start_ns_, baseline_end_ns_);
  }
  return std::nullopt;
}

// Idle power before the baseline's end, the measured work's energy after it, and the difference
// that is the work's own (dynamic) energy, per channel and summed by provenance.
void RecordedSession::split_at_baseline(std::int64_t run_end_ns) {
  if (reused_baseline_) {
    auto baseline = *reused_baseline_;
    baseline.from_run_uuid = reused_from_;
    baseline.command_duration_s = summary_.duration_s;
    baseline.command_measured_energy_j = summary_.measured_energy_j;
    baseline.command_estimated_energy_j = summary_.estimated_energy_j;
    baseline.dynamic_measured_energy_j = less_idle(summary_.measured_energy_j, baseline.measured_power_w, summary_.duration_s);
    baseline.dynamic_estimated_energy_j = less_idle(summary_.estimated_energy_j, baseline.estimated_power_w, summary_.duration_s);
    analysis::check_baseline(baseline, std::nullopt);
    summary_.baseline = baseline;
    return;
  }
  if (baseline_end_ns_ <= 0) return;
  RunSummary::Baseline baseline{.duration_s = static_cast<double>(baseline_end_ns_ - baseline_start_ns_) * 1e-9,
                                .command_duration_s = static_cast<double>(run_end_ns - baseline_end_ns_) * 1e-9,
                                .settle_s = settle_s_};
  const auto& channels = sampler_->channels();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (!channels[i].in_energy_total) continue;
    const auto series = database_.channel_series(channel_ids_[i]);
    if (series.empty()) continue;
    // A utilization-based estimate has no value at the first tick, nor at a last tick that came
    // too soon after the one before for the jiffy counters to move; a counter's last reading is
    // dated at the refresh it came from, which can fall before the baseline's end when the run
    // ends with it (`run --baseline 5s -- true`): each channel's split uses the stretch its
    // samples cover.
    const std::int64_t idle_start = std::max(series.front().first, baseline_start_ns_);
    const std::int64_t idle_end = std::min(series.back().first, baseline_end_ns_);
    const std::int64_t work_end = std::min(run_end_ns, series.back().first);
    const auto gauge = gauge_series(i);
    const auto idle = analysis::energy_in_window(series, channels[i].kind, idle_start, idle_end, 0, &gauge);
    const auto work = analysis::energy_in_window(series, channels[i].kind, baseline_end_ns_, work_end, 0, &gauge);
    // An idle floor measured alone (bench's, before its model loads) has no command to speak of.
    if (!idle) continue;
    const bool measured = channels[i].provenance == Provenance::measured;
    auto& power = measured ? baseline.measured_power_w : baseline.estimated_power_w;
    auto& energy = measured ? baseline.command_measured_energy_j : baseline.command_estimated_energy_j;
    power = power.value_or(0.0) + *idle / (static_cast<double>(idle_end - idle_start) * 1e-9);
    if (work) energy = energy.value_or(0.0) + *work;
  }
  baseline.dynamic_measured_energy_j =
      less_idle(baseline.command_measured_energy_j, baseline.measured_power_w, baseline.command_duration_s);
  baseline.dynamic_estimated_energy_j =
      less_idle(baseline.command_estimated_energy_j, baseline.estimated_power_w, baseline.command_duration_s);
  if (!settled_) {
    char text[160];
    std::snprintf(text, sizeof text, "its power had not settled when the %.0f s allowed ran out (allow longer with --settle)", settle_s_);
    baseline.not_idle = text;
  }
  analysis::check_baseline(baseline, baseline_cpu_utilization());
  summary_.baseline = baseline;
}

}  // namespace powerfit::session
