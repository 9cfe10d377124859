#include "sampler/sampler.hpp"
#include "core/thread_name.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <utility>

namespace powerfit {
namespace {


std::size_t count_channels(const std::vector<std::unique_ptr<sensors::Source>>& sources) {
  std::size_t count = 0;
  for (const auto& source : sources) count += source->channels().size();
  return count;
}

// The channels whose values are polled in the background and dated when read.
std::vector<std::size_t> dated_channels(const std::vector<std::unique_ptr<sensors::Source>>& sources) {
  std::vector<std::size_t> dated;
  std::size_t index = 0;
  for (const auto& source : sources) {
    for (const auto& channel : source->channels()) {
      if (channel.refreshed_in_background) dated.push_back(index);
      ++index;
    }
  }
  return dated;
}

}  // namespace


Sampler::Sampler(std::vector<std::unique_ptr<sensors::Source>> sources, SamplerOptions options)
    : sources_(std::move(sources)),
      options_(options),
      queue_(count_channels(sources_), options.queue_ticks, dated_channels(sources_)) {
  for (const auto& source : sources_) {
    const std::size_t offset = channels_.size();
    source_offsets_.push_back(offset);
    for (const auto& channel : source->channels()) {
      channels_.push_back(channel);
      tracks_.emplace_back(channel.kind, channel.wrap_at, channel.refreshed_in_background, channel.max_rate);
      std::size_t gauge = kNoGauge;
      for (std::size_t j = 0; j < source->channels().size(); ++j) {
        if (!channel.gauge.empty() && source->channels()[j].name == channel.gauge) gauge = offset + j;
      }
      gauges_.push_back(gauge);
    }
  }
  source_offsets_.push_back(channels_.size());
  readings_.resize(channels_.size());
  values_.resize(channels_.size());
  present_.resize(channels_.size());
  latest_.values.resize(channels_.size());
  latest_.present.resize(channels_.size());
  latest_.energy_j.assign(channels_.size(), std::numeric_limits<double>::quiet_NaN());
  latest_.stopped.assign(channels_.size(), 0);
  counter_anchor_j_.assign(channels_.size(), std::numeric_limits<double>::quiet_NaN());
  gauge_at_anchor_j_.assign(channels_.size(), std::numeric_limits<double>::quiet_NaN());
  times_.resize(channels_.size());
}

Sampler::~Sampler() { stop(); }

void Sampler::start() {
  if (thread_.joinable()) return;
  for (auto& source : sources_) source->before_first_read();
  start_monotonic_ns_ = monotonic_now_ns();
  start_wall_ns_ = wall_now_ns();
  stop_requested_ = false;
  std::promise<void> first_tick;
  auto first_tick_taken = first_tick.get_future();
  thread_ = std::thread([this, &first_tick] {
    name_this_thread("pf-sampler");
    run(first_tick);
  });
  // Return only once the first tick is taken, so that nothing the caller starts next (the
  // measured command) can run before the run's first reading.
  first_tick_taken.wait();
}

void Sampler::stop() {
  if (!thread_.joinable()) return;
  stop_requested_ = true;
  sleeper_.wake();
  thread_.join();
  for (auto& source : sources_) stats_.source_threads_cpu_s += source->threads_cpu_s();
}

void Sampler::mark(std::string_view name) {
  const std::int64_t now = monotonic_now_ns() - start_monotonic_ns_;
  {
    std::lock_guard lock(markers_mutex_);
    markers_.push_back({now, std::string(name)});
  }
  for (auto& source : sources_) source->on_mark();
}

std::vector<Marker> Sampler::take_markers() {
  std::lock_guard lock(markers_mutex_);
  return std::exchange(markers_, {});
}

void Sampler::sample_at(std::int64_t time_ns, bool last) {
  const double t = static_cast<double>(time_ns) * 1e-9;
  for (std::size_t s = 0; s < sources_.size(); ++s) {
    const std::size_t begin = source_offsets_[s];
    const std::size_t end = source_offsets_[s + 1];
    const bool all_failed = std::all_of(tracks_.begin() + static_cast<std::ptrdiff_t>(begin),
                                        tracks_.begin() + static_cast<std::ptrdiff_t>(end),
                                        [](const ChannelTrack& track) { return track.failed(); });
    if (all_failed) continue;
    sources_[s]->read(std::span<sensors::Reading>(readings_.data() + begin, end - begin));
  }
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    present_[i] = 0;
    times_[i] = time_ns;
    ChannelTrack& track = tracks_[i];
    if (!track.failed()) {
      const sensors::Reading& reading = readings_[i];
      if (reading.status == sensors::ReadStatus::ok) {
        std::optional<double> taken;
        if (reading.taken_ns != 0) {
          times_[i] = reading.taken_ns - start_monotonic_ns_;
          taken = static_cast<double>(times_[i]) * 1e-9;
        }
        if (const auto value = track.observe(t, previous_tick_s_, reading.value, taken)) {
          values_[i] = *value;
          present_[i] = 1;
        }
      } else if (sensors::is_failure(reading.status)) {
        // The last tick's read is final: a counter read seconds apart that fails there (tried
        // twice by NVML's source) would otherwise stop at its last good reading, unflagged.
        track.fail(t, reading.status, last);
      }
      if (!track.failed()) continue;
    }
    // A failed energy counter is counted on from its consumer's power gauge, from the tick it fails.
    const std::size_t gauge = gauges_[i];
    if (gauge != kNoGauge && track.kind() == ChannelKind::energy_counter && !tracks_[gauge].failed() &&
        readings_[gauge].status == sensors::ReadStatus::ok) {
      values_[i] = track.observe_gauge(t, readings_[gauge].value, gauge_since_reading(i, t));
      present_[i] = 1;
    }
  }
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    const std::size_t gauge = gauges_[i];
    if (present_[i] == 0 || gauge == kNoGauge || channels_[i].kind != ChannelKind::energy_counter || tracks_[i].failed()) continue;
    // A new reading of the counter: the gauge's integral when it was taken, from the gauge's
    // last reading and its power then (the two are dated a refresh apart at most).
    const ChannelTrack& g = tracks_[gauge];
    if (g.samples() == 0) continue;
    const double taken_s = static_cast<double>(times_[i]) * 1e-9;
    counter_anchor_j_[i] = values_[i];
    gauge_at_anchor_j_[i] = g.integral() + g.last_value() * (taken_s - g.last_time());
  }
  previous_tick_s_ = t;
  ++stats_.ticks;
  queue_.try_push(time_ns, values_, present_, times_);
  const std::lock_guard lock(latest_mutex_);
  for (std::size_t i = 0; i < channels_.size(); ++i) {
    // Stopped: failed, or a counter read seconds apart whose gauge, which counts on between its
    // readings, failed (it stands at its last reading until its next).
    const auto gauge = channels_[i].kind == ChannelKind::energy_counter ? gauge_of(i) : std::nullopt;
    const bool gauge_failed = gauge && tracks_[*gauge].failed();
    latest_.stopped[i] = (tracks_[i].failed() && (!gauge || gauge_failed)) || (gauge_failed && present_[i] == 0) ? 1 : 0;
    // A counter counted on by its gauge moves on every tick, a new reading of its own or not,
    // and never back (a gauge reading high ran ahead of the counter's next reading: it waits).
    if (!std::isnan(counter_anchor_j_[i])) {
      const double previous = latest_.energy_j[i];
      latest_.energy_j[i] = std::isnan(previous) ? counted_on(i, t) : std::max(previous, counted_on(i, t));
    }
    if (present_[i] == 0) continue;
    latest_.values[i] = values_[i];
    latest_.present[i] = 1;
    if (channels_[i].kind == ChannelKind::energy_counter && std::isnan(counter_anchor_j_[i])) latest_.energy_j[i] = values_[i];
    if (channels_[i].kind == ChannelKind::power_gauge) latest_.energy_j[i] = tracks_[i].integral();
  }
  latest_.time_ns = time_ns;
  latest_.ticks = stats_.ticks;
}

std::optional<double> Sampler::gauge_since_reading(std::size_t counter, double tick_s) const {
  if (std::isnan(gauge_at_anchor_j_[counter])) return std::nullopt;
  const ChannelTrack& g = tracks_[gauges_[counter]];
  return g.integral() + g.last_value() * std::max(0.0, tick_s - g.last_time()) - gauge_at_anchor_j_[counter];
}

double Sampler::counted_on(std::size_t counter, double tick_s) const {
  const std::size_t gauge = gauges_[counter];
  if (std::isnan(counter_anchor_j_[counter]) || tracks_[counter].failed() || tracks_[gauge].failed()) return values_[counter];
  // The gauge's energy since the counter was read, up to this tick at its last power; never
  // less than the counter itself says.
  return counter_anchor_j_[counter] + std::max(0.0, *gauge_since_reading(counter, tick_s));
}

LatestValues Sampler::latest() const {
  const std::lock_guard lock(latest_mutex_);
  return latest_;
}

void Sampler::run(std::promise<void>& first_tick) {
  const std::int64_t thread_cpu_start = thread_cpu_ns();
  const std::int64_t interval = options_.interval.count();
  std::int64_t k = 0;  // index of the next deadline: start + k * interval
  for (;;) {
    // The first tick is always taken, however soon stop() comes: a run has a start and an end.
    if (k > 0) {
      sleeper_.sleep_until(start_monotonic_ns_ + k * interval);  // cut short by stop() alone
      if (stop_requested_) break;
    }
    const std::int64_t now = monotonic_now_ns() - start_monotonic_ns_;
    stats_.max_lateness_s = std::max(stats_.max_lateness_s, static_cast<double>(now - k * interval) * 1e-9);
    sample_at(now);
    if (k == 0) first_tick.set_value();
    // Absolute deadlines: the next one is a multiple of the interval from the start, so a slow
    // tick never shifts the ones after it. Deadlines that already passed are skipped and counted.
    const auto step = next_deadline(k, monotonic_now_ns() - start_monotonic_ns_, interval);
    stats_.missed_deadlines += static_cast<std::uint64_t>(step.missed);
    k = step.index;
  }
  for (auto& source : sources_) source->before_last_read();
  const std::int64_t end = monotonic_now_ns() - start_monotonic_ns_;
  sample_at(end, true);  // the last stretch of the run, however short
  stats_.wall_s = static_cast<double>(end) * 1e-9;
  stats_.end_ns = end;
  stats_.thread_cpu_s = static_cast<double>(thread_cpu_ns() - thread_cpu_start) * 1e-9;
  stats_.dropped_ticks = queue_.dropped();
}

std::vector<ChannelTotals> Sampler::totals() const {
  std::vector<ChannelTotals> totals;
  totals.reserve(tracks_.size());
  for (const auto& track : tracks_) totals.push_back(track.totals());
  return totals;
}

}  // namespace powerfit
