#pragma once
// What the sampler keeps per channel while a run goes on: the counter's trusted increase (wraps,
// glitches and resets under the rules of core/counters.hpp), the time integral of gauges,
// extremes, and failure. Pure arithmetic, no allocation: it runs on the sampling thread.

#include <cstdint>
#include <optional>

#include "core/counters.hpp"
#include "powerfit/units.hpp"
#include "sensors/source.hpp"

namespace powerfit {

// A channel's figures copied out of its track once sampling stopped: what analysis summarizes,
// a plain value that no thread writes to.
struct ChannelTotals {
  std::uint64_t samples = 0;
  std::optional<sensors::ReadStatus> failure;
  double failed_at_s = 0.0;
  bool counted_from_gauge = false;  // an energy counter that failed, counted on from its power gauge
  std::uint32_t glitches = 0;       // readings discarded as glitches, and ones still held as suspect
  std::uint32_t resets = 0;
  double first_reset_s = 0.0;
  double first_t = 0.0, last_t = 0.0, last_value = 0.0;
  double minimum = 0.0, maximum = 0.0;
  double increase = 0.0, max_rate = 0.0;  // counters
  double integral = 0.0, covered_s = 0.0; // gauges and utilization: ∫ value dt, and the time it covers
};

class ChannelTrack {
 public:
  // A channel is failed once its reads have failed this many times in a row over at least this
  // long: one failed read of a cumulative counter loses nothing, so it is only skipped.
  static constexpr int kFailAfterReads = 3;
  static constexpr double kFailAfterSeconds = 1.0;

  ChannelTrack(ChannelKind kind, double wrap_at, bool refreshed_in_background = false, double max_rate = 0.0)
      : kind_(kind), counter_({.wrap_at = wrap_at, .max_rate = max_rate}), refreshed_in_background_(refreshed_in_background) {}

  // Takes a reading at time t (seconds since the run started); `previous_tick` is the time of
  // the tick before, over which an interval value such as utilization was averaged; `taken` is
  // when the value was read from the device, where that was earlier than the tick (a value
  // polled in the background, or a gauge its source dates at the driver's refresh). Returns the
  // value to record: for counters the increase since the first reading, otherwise the reading;
  // nothing for a counter reading held back as suspect or a dated value already seen.
  std::optional<double> observe(double t, double previous_tick, double reading, std::optional<double> taken = {});
  // A failed read at time t; the channel fails once the failures persist, or at once where the
  // read is `final` (the run's last) and the last good reading is kFailAfterSeconds old or more:
  // nothing after it could undo it, and the stretch since would be lost without a word.
  void fail(double t, sensors::ReadStatus status, bool final = false);
  // After an energy counter failed: its consumer's power gauge read at time t, integrated onward
  // into the counter's increase. The stretch since the counter's last believed reading is the
  // gauge's energy over it where the caller knows it (`since_reading_j`, on the first call),
  // else the first gauge value held over it. Returns the value to record.
  double observe_gauge(double t, double watts, std::optional<double> since_reading_j = std::nullopt);

  bool failed() const { return failure_.has_value(); }
  std::optional<sensors::ReadStatus> failure() const { return failure_; }
  double failed_at() const { return failed_at_; }
  // When the counter's energy is counted from its power gauge, since when.
  std::optional<double> gauge_since() const { return gauge_since_; }

  ChannelKind kind() const { return kind_; }
  std::uint64_t samples() const { return samples_; }
  double first_time() const { return first_t_; }
  double last_time() const { return last_t_; }
  double last_value() const { return last_value_; }
  double minimum() const { return min_; }
  double maximum() const { return max_; }
  // Counters: the increase over the run and its highest rate between two readings (between two
  // changes of the value, for one refreshed in the background).
  double increase() const { return counter_.increase() + gauge_energy_; }
  double max_rate() const { return max_rate_; }
  const CounterTracker& counter() const { return counter_; }
  // Gauges and utilization: ∫ value dt, and the time it covers.
  double integral() const { return integral_; }
  double covered_time() const { return covered_; }

  ChannelTotals totals() const;

 private:
  ChannelKind kind_;
  CounterTracker counter_;
  bool refreshed_in_background_;
  std::optional<double> last_taken_;
  double last_change_t_ = 0.0;
  std::uint64_t samples_ = 0;
  double first_t_ = 0.0;
  double last_t_ = 0.0;
  double last_value_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
  double max_rate_ = 0.0;
  double integral_ = 0.0;
  double covered_ = 0.0;
  int failed_reads_ = 0;
  double first_failed_read_t_ = 0.0;
  sensors::ReadStatus first_failed_status_ = sensors::ReadStatus::io_error;
  std::optional<sensors::ReadStatus> failure_;
  double failed_at_ = 0.0;
  std::optional<double> gauge_since_;
  double gauge_energy_ = 0.0;
  double gauge_last_t_ = 0.0;
  double gauge_last_w_ = 0.0;
};

}  // namespace powerfit
