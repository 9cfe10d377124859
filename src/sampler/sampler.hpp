#pragma once
// The sampling thread: reads every source on absolute deadlines (no drift), turns readings into
// recorded values through one ChannelTrack per channel, hands ticks to storage through a
// TickQueue, keeps the markers set while it runs, and measures its own CPU time.

#include <atomic>
#include <chrono>
#include <future>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/duration.hpp"
#include "core/sleeper.hpp"
#include "sampler/channel_track.hpp"
#include "sampler/tick_queue.hpp"
#include "sensors/source.hpp"

namespace powerfit {

struct SamplerOptions {
  Nanoseconds interval = std::chrono::milliseconds(100);
  std::size_t queue_ticks = 8192;
};

struct Marker {
  std::int64_t time_ns = 0;  // since the run started
  std::string name;
};

struct SamplerStats {
  std::uint64_t ticks = 0;
  std::uint64_t missed_deadlines = 0;  // deadlines skipped because the previous tick ran over
  std::uint64_t dropped_ticks = 0;     // sampled but not handed to storage (queue full)
  double max_lateness_s = 0.0;         // worst delay between a deadline and its tick
  double thread_cpu_s = 0.0;           // CPU time of the sampling thread
  double source_threads_cpu_s = 0.0;   // of the sources' own threads (pollers), up to stop()
  double wall_s = 0.0;                 // from start to stop
  std::int64_t end_ns = 0;             // the last tick's time since the start, exactly
  double overhead_percent() const { return wall_s > 0.0 ? 100.0 * thread_cpu_s / wall_s : 0.0; }
};

// The newest value of each channel as recorded (for counters, the trusted increase since the
// start), for readers that want the present rather than the series: an exporter's scrape.
struct LatestValues {
  std::vector<double> values;
  std::vector<std::uint8_t> present;  // whether the channel has had a value yet
  // Joules counted since the start by each channel of energy (an energy counter's increase, a
  // power gauge's integral); NaN for the other channels and before a first value. An energy
  // counter with a power gauge counts on from its last reading by that gauge, so that a counter
  // read seconds apart (POWERFIT_NVML_SCHEDULE) is not seconds behind (Sampler::counted_on).
  std::vector<double> energy_j;
  // Whether the channel's count stands still where it should move: it failed for good and nothing
  // counts on for it (a failed energy counter counted on by its power gauge has not stopped), or
  // it is a counter read seconds apart whose gauge failed, with no reading of its own this tick.
  std::vector<std::uint8_t> stopped;
  std::int64_t time_ns = 0;           // the tick's time since the start
  std::uint64_t ticks = 0;
};

class Sampler {
 public:
  Sampler(std::vector<std::unique_ptr<sensors::Source>> sources, SamplerOptions options);
  ~Sampler();
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;

  const std::vector<ChannelInfo>& channels() const { return channels_; }
  // The index of the power gauge that backs energy counter `channel` (ChannelInfo::gauge).
  std::optional<std::size_t> gauge_of(std::size_t channel) const {
    return gauges_[channel] == kNoGauge ? std::nullopt : std::optional<std::size_t>(gauges_[channel]);
  }

  // Takes the first sample at once (and returns after it), then one per interval until stop(),
  // which takes a last one.
  void start();
  void stop();

  // Thread-safe; the marker is stamped with the time of the call, and each source is told
  // (Source::on_mark), so that one read in the background can read afresh at the edge.
  void mark(std::string_view name);
  std::vector<Marker> take_markers();

  TickQueue& queue() { return queue_; }
  // Thread-safe, at any time: a copy of every channel's newest value.
  LatestValues latest() const;

  // The run's time base: monotonic nanoseconds at start, and the wall clock at that instant.
  std::int64_t start_monotonic_ns() const { return start_monotonic_ns_; }
  std::int64_t start_wall_ns() const { return start_wall_ns_; }

  // Valid after stop().
  const std::vector<ChannelTrack>& tracks() const { return tracks_; }
  // Each channel's figures, copied: call once sampling has stopped.
  std::vector<ChannelTotals> totals() const;
  SamplerStats stats() const { return stats_; }

  // One tick on the calling thread; for benchmarks and tests that drive time themselves. `last`:
  // the run's last tick, whose failed reads are final.
  void sample_at(std::int64_t time_ns, bool last = false);

 private:
  void run(std::promise<void>& first_tick);

  std::vector<std::unique_ptr<sensors::Source>> sources_;
  std::vector<std::size_t> source_offsets_;
  SamplerOptions options_;
  std::vector<ChannelInfo> channels_;
  std::vector<ChannelTrack> tracks_;
  std::vector<sensors::Reading> readings_;
  std::vector<double> values_;
  std::vector<std::uint8_t> present_;
  std::vector<std::int64_t> times_;
  // Per channel, the index of the power gauge that backs an energy counter (kNoGauge: none).
  static constexpr std::size_t kNoGauge = static_cast<std::size_t>(-1);
  std::vector<std::size_t> gauges_;
  TickQueue queue_;
  double previous_tick_s_ = 0.0;

  std::int64_t start_monotonic_ns_ = 0;
  std::int64_t start_wall_ns_ = 0;
  SamplerStats stats_;

  std::thread thread_;
  Sleeper sleeper_;
  std::atomic<bool> stop_requested_{false};

  std::mutex markers_mutex_;
  std::vector<Marker> markers_;

  // Per energy counter with a gauge: the counter's value at its last reading, and the gauge's
  // integral at the time that reading was taken (NaN until the first).
  std::vector<double> counter_anchor_j_, gauge_at_anchor_j_;
  // The gauge's energy from the counter's last reading to `tick_s` (nothing before the first).
  std::optional<double> gauge_since_reading(std::size_t counter, double tick_s) const;
  double counted_on(std::size_t counter, double tick_s) const;
  mutable std::mutex latest_mutex_;
  LatestValues latest_;
};

// After the tick for deadline `index` (at index * interval) ended at `elapsed`, the next deadline
// to wait for: the following one, or the latest already past when the tick ran over, in which
// case the deadlines in between are skipped and counted as missed.
struct DeadlineStep {
  std::int64_t index = 0;
  std::int64_t missed = 0;
  bool operator==(const DeadlineStep&) const = default;
};
constexpr DeadlineStep next_deadline(std::int64_t index, std::int64_t elapsed, std::int64_t interval) {
  const std::int64_t latest_past = elapsed / interval;
  const std::int64_t next = latest_past > index + 1 ? latest_past : index + 1;
  return {next, next - (index + 1)};
}

}  // namespace powerfit
