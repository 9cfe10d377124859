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
    // Two changes in a row seen late: the earlier one's read.
    late_read_before_ = !sharp && change_ns_ && !change_sharp_ ? change_read_ns_ : 0;
    if (sharp) {
      learn_period(change);
      sharp_seen_ = true;
      sharp_ns_ = change;
      ++sharp_changes_;
    }
    // Without a period, a change seen sparsely loses the phase a sharp one gave.
    if (!sharp && period_ns_ == 0) sharp_seen_ = false;
    change_ns_ = change;
    change_read_ns_ = read_ns;
    change_sharp_ = sharp;
    value_ = value;
  }
  read_ns_ = read_ns;
}

void RefreshClock::Fit::add(std::int64_t k, double t) {
  n += 1.0;
  const double dk = static_cast<double>(k) - mean_k;
  mean_k += dk / n;
  mean_t += (t - mean_t) / n;
  kk += dk * (static_cast<double>(k) - mean_k);
  kt += dk * (t - mean_t);
  last_k = k;
}

void RefreshClock::restart_baseline(std::int64_t change) {
  base_ns_ = change;
  fitted_ns_.reset();
  fit_ = {};
  fit_.add(0, 0.0);
}

void RefreshClock::learn_period(std::int64_t change) {
  // First from two sharp changes in a row, then by a straight line fitted through the sharp
  // changes of a baseline of up to kMaxBaseline refreshes (its slope), so that the few
  // milliseconds of uncertainty in each change weigh little: the period is carried across
  // seconds without a sharp change (the source watches only now and then).
  if (change_ns_ && change_sharp_) {
    const std::int64_t since = change - *change_ns_;
    if (since >= kMinPeriodNs && since <= kMaxPeriodNs && (period_ns_ == 0 || since < period_ns_ * 3 / 4)) {
      period_ns_ = since;
      measured_over_ = 1;
      restart_baseline(*change_ns_);
      fit_.add(1, static_cast<double>(since));
      return;
    }
  }
  if (!base_ns_ || period_ns_ == 0) {
    restart_baseline(change);
    return;
  }
  // A sharp change off the grid by more than a sharp pair's width, within a few refreshes of one
  // on it: the refreshes moved. The period is kept, measured afresh from here; across the move
  // it would take the jump for drift. (Not while the period is a first guess from two changes.)
  if (sharp_seen_ && measured_over_ >= 4 && change - sharp_ns_ <= (hold_aim_ ? std::max(kMovedWithin, measured_over_ / 4) : kMovedWithin) * period_ns_) {
    const std::int64_t on_grid = sharp_ns_ + std::llround(static_cast<double>(change - sharp_ns_) / static_cast<double>(period_ns_)) * period_ns_;
    if (std::llabs(change - on_grid) > kSharpNs) {
      restart_baseline(change);
      return;
    }
  }
  const std::int64_t since_base = change - *base_ns_;
  const auto refreshes = std::llround(static_cast<double>(since_base) / static_cast<double>(period_ns_));
  fit_.add(refreshes, static_cast<double>(since_base));
  fitted_ns_.reset();
  // A baseline started afresh (after kMaxBaseline refreshes, or a move) measures the period again
  // only once it is as long as the one before or half kMaxBaseline: a few refreshes would give
  // it to a millisecond or two, tens of milliseconds carried over the seconds between watches.
  if (refreshes >= 4 && refreshes >= std::min(measured_over_, kMaxBaseline / 2) && fit_.n >= 3.0 && fit_.kk > 0.0) {
    const auto slope = std::llround(fit_.kt / fit_.kk);
    if (slope >= kMinPeriodNs && slope <= kMaxPeriodNs) {
      period_ns_ = slope;
      measured_over_ = refreshes;
      // This refresh where the line puts it: the changes' errors (up to half a step each) averaged.
      fitted_ns_ = *base_ns_ + std::llround(fit_.mean_t + fit_.kt / fit_.kk * (static_cast<double>(refreshes) - fit_.mean_k));
    }
  }
  if (refreshes >= kMaxBaseline) restart_baseline(change);
}

void RefreshClock::assume_period(std::int64_t period_ns) {
  if (measured_over_ >= kOwnBaseline || period_ns < kMinPeriodNs || period_ns > kMaxPeriodNs) return;
  period_ns_ = period_ns;
  if (!base_ns_ && change_ns_ && change_sharp_) restart_baseline(*change_ns_);
}

std::optional<std::int64_t> RefreshClock::last_refresh(std::int64_t t_ns) const {
  if (!change_ns_) return std::nullopt;
  if (period_ns_ == 0) {
    const std::int64_t since = t_ns - *change_ns_;
    if (since >= 0 && since <= kRecentNs) return change_ns_;
    return std::nullopt;
  }
  // Carried from the last change seen sharply, the evidence of the phase: a change seen sparsely
  // was dated by the period of its time, and anchoring there would keep that period's error.
  const std::int64_t anchor = sharp_seen_ ? fitted_ns_.value_or(sharp_ns_) : *change_ns_;
  const std::int64_t refreshes = floor_div(t_ns - anchor, period_ns_);
  if (refreshes > kMaxCarried || refreshes < -kMaxCarried) return std::nullopt;
  return anchor + refreshes * period_ns_;
}

std::int64_t RefreshClock::next_read(std::int64_t read_ns, std::int64_t step_ns, std::int64_t aimed_from_ns) const {
  const auto last = last_refresh(read_ns);
  // Without the hold: the last refresh predicted is at most a period after the last change seen
  // sharply (a refresh can leave the value as it was; the sampling thread's tick sees changes
  // too, which neither lock nor unlock it), else the watcher reads every step again.
  // Holding it: the tick reads between the pairs; where they bracket every refresh it sees no
  // change, so a change it sees late counts as a pair's does.
  if (!knows() || !last) return read_ns + step_ns;
  const bool held = hold_aim_ && measured_over_ >= kLearnedOver;
  if (held ? late_read_before_ > aimed_from_ns : *last - sharp_ns_ > period_ns_) return read_ns + step_ns;
  const std::int64_t half = step_ns / 2;
  const std::int64_t aim = aim_at(*last + period_ns_, step_ns);
  if (read_ns < aim - half) return aim - half;
  return aim + half;
}

std::optional<std::int64_t> RefreshClock::first_aimed_read(std::int64_t now_ns, std::int64_t step_ns) const {
  const auto last = knows() ? last_refresh(now_ns) : std::nullopt;
  if (!last) return std::nullopt;
  const std::int64_t first = aim_at(*last + period_ns_, step_ns) - step_ns / 2;
  return first < now_ns ? first + period_ns_ : first;
}

std::int64_t RefreshClock::aim_at(std::int64_t refresh_ns, std::int64_t step_ns) const {
  // Two reads centred on the prediction itself would date every change they see at the
  // prediction, whatever the truth within the step: the line through those changes would only
  // repeat the period it had. Centred up to 0.3 step either way, by a pseudo-random draw that is
  // the same for both reads around one refresh, the changes they see tell where it falls.
  const auto k = static_cast<std::uint64_t>(period_ns_ > 0 ? floor_div(refresh_ns, period_ns_) : 0);
  const auto draw = static_cast<std::int64_t>(((k * 2654435761ULL) >> 7) % 1001ULL) - 500;  // -500 to 500
  return refresh_ns + draw * (3 * step_ns / 5) / 1000;
}

}  // namespace powerfit::sensors
