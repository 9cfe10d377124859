#include "sampler/channel_track.hpp"

#include <algorithm>

namespace powerfit {

double ChannelTrack::observe(double t, double previous_tick, double reading) {
  const bool first = samples_ == 0;
  ++samples_;
  if (first) {
    first_t_ = t;
    last_change_t_ = t;
  }
  const double dt = t - last_t_;

  if (is_counter(kind_)) {
    if (!first) {
      const double step = counter_increase(last_raw_, reading, wrap_at_);
      increase_ += step;
      // A value refreshed in the background repeats between refreshes; its step then spans the
      // time since it last changed, not one tick.
      const double span = rate_between_changes_ ? t - last_change_t_ : dt;
      if (span > 0.0 && (step > 0.0 || !rate_between_changes_)) max_rate_ = std::max(max_rate_, step / span);
      if (step > 0.0) last_change_t_ = t;
    }
    last_raw_ = reading;
    last_t_ = t;
    last_value_ = increase_;
    return increase_;
  }

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

void ChannelTrack::fail(double t, sensors::ReadStatus status) {
  if (failure_) return;
  failure_ = status;
  failed_at_ = t;
}

}  // namespace powerfit
