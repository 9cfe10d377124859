#include "sensors/refresh_clock.hpp"

#include <algorithm>
#include <cmath>

namespace powerfit::sensors {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

void RefreshClock::observe(double value, std::int64_t read_ns) {
  if (!seen_) {
    seen_ = true;
    value_ = value;
    read_ns_ = read_ns;
    return;
  }
  if (read_ns <= read_ns_) return;  // a read that started before the last one seen
  if (value != value_) {
    const std::int64_t gap = read_ns - read_ns_;
    const bool sharp = gap <= kSharpNs;
    std::int64_t change = read_ns_ + gap / 2;
    // Between sparse reads, the moment between them nearest a refresh the period predicts is
    // closer to the truth than the midpoint: the predicted refresh itself when it lies between
    // them, else the end of the stretch nearer the refresh predicted before or after it.
    if (!sharp && period_ns_ > 0) {
      if (const auto predicted = last_refresh(read_ns)) {
        const auto nearest = [&](std::int64_t refresh) { return std::clamp(refresh, read_ns_ + 1, read_ns); };
        const std::int64_t early = nearest(*predicted), late = nearest(*predicted + period_ns_);
        change = std::llabs(early - *predicted) <= std::llabs(late - (*predicted + period_ns_)) ? early : late;
      }
    }
    if (sharp) learn_period(change);
    change_ns_ = change;
    change_sharp_ = sharp;
    value_ = value;
  }
  read_ns_ = read_ns;
}

void RefreshClock::learn_period(std::int64_t change) {
  // First from two sharp changes in a row, then over a baseline of up to kMaxBaseline refreshes,
  // so that a few milliseconds of uncertainty in each change weigh little: the period is carried
  // across seconds without a sharp change (the source watches only now and then).
  if (change_ns_ && change_sharp_) {
    const std::int64_t since = change - *change_ns_;
    if (since >= kMinPeriodNs && since <= kMaxPeriodNs && (period_ns_ == 0 || since < period_ns_ * 3 / 4)) {
      period_ns_ = since;
      base_ns_ = *change_ns_;
      return;
    }
  }
  if (!base_ns_ || period_ns_ == 0) {
    base_ns_ = change;
    return;
  }
  const std::int64_t since_base = change - *base_ns_;
  const auto refreshes = std::llround(static_cast<double>(since_base) / static_cast<double>(period_ns_));
  if (refreshes >= 4) period_ns_ = since_base / refreshes;
  if (refreshes >= kMaxBaseline) base_ns_ = change;
}

std::optional<std::int64_t> RefreshClock::last_refresh(std::int64_t t_ns) const {
  if (!change_ns_) return std::nullopt;
  const std::int64_t since = t_ns - *change_ns_;
  if (period_ns_ == 0) {
    if (since >= 0 && since <= kRecentNs) return change_ns_;
    return std::nullopt;
  }
  const std::int64_t refreshes = floor_div(since, period_ns_);
  if (refreshes > kMaxCarried || refreshes < -kMaxCarried) return std::nullopt;
  return *change_ns_ + refreshes * period_ns_;
}

std::int64_t RefreshClock::next_read(std::int64_t read_ns, std::int64_t step_ns) const {
  const auto last = last_refresh(read_ns);
  // Locked: the last refresh predicted is the sharp change seen or the one after it (a refresh
  // can leave the value as it was); two missed in a row and the watcher reads every step again.
  if (period_ns_ == 0 || !change_sharp_ || !last || *last - *change_ns_ > period_ns_) return read_ns + step_ns;
  const std::int64_t half = step_ns / 2;
  const std::int64_t next = *last + period_ns_;
  if (read_ns < next - half) return next - half;
  return next + half;
}

}  // namespace powerfit::sensors
