#include "sampler/channel_track.hpp"

#include <algorithm>

namespace powerfit {

std::optional<double> ChannelTrack::observe(double t, double previous_tick, double reading, std::optional<double> taken) {
  failed_reads_ = 0;
  if (is_counter(kind_)) {
    // A background value is a new reading only when it was taken anew; it is dated when taken.
    if (taken && last_taken_ && *taken == *last_taken_) return std::nullopt;
    const double at = taken.value_or(t);
    const bool first = samples_ == 0;
    const double before = counter_.increase();
    const auto step = counter_.observe(at, reading);
    if (step == CounterTracker::Step::held) return std::nullopt;
    ++samples_;
    if (first) {
      first_t_ = at;
      last_change_t_ = at;
    } else {
      const double increase = counter_.increase() - before;
      // A value refreshed in the background repeats between refreshes; its step then spans the
      // time since it last changed, not one tick.
      const double span = refreshed_in_background_ ? at - last_change_t_ : at - last_t_;
      if (step == CounterTracker::Step::counted && span > 0.0 && (increase > 0.0 || !refreshed_in_background_)) {
        max_rate_ = std::max(max_rate_, increase / span);
      }
      if (increase > 0.0) last_change_t_ = at;
    }
    last_taken_ = taken;
    last_t_ = at;
    last_value_ = counter_.increase();
    return last_value_;
  }

  // A gauge dated by its source at the driver's refresh: a repeat of that refresh, or one dated
  // before the last value kept, is no new reading.
  if (taken && samples_ > 0 && *taken <= last_t_) return std::nullopt;
  if (taken) t = *taken;
  const bool first = samples_ == 0;
  ++samples_;
  if (first) first_t_ = t;
  const double dt = t - last_t_;
  if (kind_ == ChannelKind::utilization) {
    // The reading is the average over the interval since the previous tick.
    const double interval = t - previous_tick;
    if (interval > 0.0) {
      integral_ += reading * interval;
      covered_ += interval;
    }
  } else if (!first && dt > 0.0) {
    integral_ += 0.5 * (last_value_ + reading) * dt;  // trapezoid
    covered_ += dt;
  }
  min_ = first ? reading : std::min(min_, reading);
  max_ = first ? reading : std::max(max_, reading);
  last_value_ = reading;
  last_t_ = t;
  return reading;
}

void ChannelTrack::fail(double t, sensors::ReadStatus status, bool final) {
  if (failure_) return;
  if (failed_reads_ == 0) {
    first_failed_read_t_ = t;
    first_failed_status_ = status;
  }
  ++failed_reads_;
  // A final failure where the last good reading is older than kFailAfterSeconds: the stretch
  // since would otherwise be lost without a word (a counter read every tick loses one tick).
  const bool final_and_old = final && (samples_ == 0 || t - last_t_ >= kFailAfterSeconds);
  if (final_and_old || (failed_reads_ >= kFailAfterReads && t - first_failed_read_t_ >= kFailAfterSeconds)) {
    failure_ = first_failed_status_;
    // Where its figures stop: at the last good reading, for a final read that failed seconds
    // after it (a run's partial note said 2.42 s where the counter's joules stopped at 0.2 s).
    failed_at_ = final_and_old && samples_ > 0 ? last_t_ : first_failed_read_t_;
  }
}

double ChannelTrack::observe_gauge(double t, double watts, std::optional<double> since_reading_j) {
  if (!gauge_since_) {
    // The stretch since the counter's last believed reading: the gauge's energy over it, or the
    // first gauge value held over it.
    gauge_since_ = failed_at_;
    gauge_last_t_ = samples_ > 0 ? last_t_ : t;
    gauge_last_w_ = watts;
    if (since_reading_j && samples_ > 0) {
      gauge_energy_ += std::max(0.0, *since_reading_j);
      gauge_last_t_ = std::max(gauge_last_t_, t);
    }
  }
  if (t > gauge_last_t_) gauge_energy_ += 0.5 * (gauge_last_w_ + watts) * (t - gauge_last_t_);
  gauge_last_t_ = t;
  gauge_last_w_ = watts;
  last_t_ = t;
  last_value_ = increase();
  return last_value_;
}

ChannelTotals ChannelTrack::totals() const {
  return {.samples = samples_,
          .failure = failure_,
          .failed_at_s = failed_at_,
          .counted_from_gauge = gauge_since_.has_value(),
          .glitches = counter_.glitches() + counter_.pending(),
          .resets = counter_.resets(),
          .first_reset_s = counter_.first_reset_time(),
          .first_t = first_t_,
          .last_t = last_t_,
          .last_value = last_value_,
          .minimum = min_,
          .maximum = max_,
          .increase = increase(),
          .max_rate = max_rate_,
          .integral = integral_,
          .covered_s = covered_};
}

}  // namespace powerfit
