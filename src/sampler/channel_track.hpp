#pragma once
// What the sampler keeps per channel while a run goes on: the previous reading, the counter
// increase with wraparound, the time integral of gauges, extremes, and failure. Pure arithmetic,
// no allocation: it runs on the sampling thread.

#include <cstdint>
#include <optional>

#include "core/counters.hpp"
#include "powerfit/units.hpp"
#include "sensors/source.hpp"

namespace powerfit {

class ChannelTrack {
 public:
  ChannelTrack(ChannelKind kind, double wrap_at, bool refreshed_in_background = false)
      : kind_(kind), wrap_at_(wrap_at), rate_between_changes_(refreshed_in_background) {}

  // Takes a reading at time t (seconds since the run started); `previous_tick` is the time of
  // the tick before, over which an interval value such as utilization was averaged. Returns the
  // value to record: for counters the increase since the first reading, otherwise the reading.
  double observe(double t, double previous_tick, double reading);
  void fail(double t, sensors::ReadStatus status);

  bool failed() const { return failure_.has_value(); }
  std::optional<sensors::ReadStatus> failure() const { return failure_; }
  double failed_at() const { return failed_at_; }

  ChannelKind kind() const { return kind_; }
  std::uint64_t samples() const { return samples_; }
  double first_time() const { return first_t_; }
  double last_time() const { return last_t_; }
  double last_value() const { return last_value_; }
  double minimum() const { return min_; }
  double maximum() const { return max_; }
  // Counters: the increase over the run and its highest rate between two readings (between two
  // changes of the value, for one refreshed in the background).
  double increase() const { return increase_; }
  double max_rate() const { return max_rate_; }
  // Gauges and utilization: ∫ value dt, and the time it covers.
  double integral() const { return integral_; }
  double covered_time() const { return covered_; }

 private:
  ChannelKind kind_;
  double wrap_at_;
  bool rate_between_changes_;
  double last_change_t_ = 0.0;
  std::uint64_t samples_ = 0;
  double first_t_ = 0.0;
  double last_t_ = 0.0;
  double last_raw_ = 0.0;
  double last_value_ = 0.0;
  double min_ = 0.0;
  double max_ = 0.0;
  double increase_ = 0.0;
  double max_rate_ = 0.0;
  double integral_ = 0.0;
  double covered_ = 0.0;
  std::optional<sensors::ReadStatus> failure_;
  double failed_at_ = 0.0;
};

}  // namespace powerfit
