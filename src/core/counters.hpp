#pragma once
// A cumulative counter (energy, bytes, CPU seconds) read again and again: the rule that turns its
// raw readings into an increase that can be trusted.
//
// A reading is evidence, not truth. A step is believed when the amount it implies since the last
// believed reading is plausible: forward by at most `max_rate` × (time since + kSlackSeconds), or
// backward where the counter wraps (`wrap_at` > 0) and the wrap implies a plausible amount, once
// the next reading goes on from it (a transient 0 near the top of the range would otherwise pass
// for a wrap; a wrap is counted one reading late, nothing lost). Any other step is suspect and its
// reading is held back, not counted:
// - a later reading that is plausible from the last believed one shows the suspects were
//   glitches (a transient 0, a torn read): counting goes on as if they had never been read;
// - suspects that advance plausibly from one another show the counter was reset (a driver reload,
//   a GPU reset): counting goes on from the new base, losing the stretch in between (one
//   interval, or more where a glitch or a failed read follows the reset at once);
// - suspects that neither return nor advance for kSuspectSeconds are taken as a reset too, so a
//   counter stuck at a new value is not held back for ever.
// A counter with no known ceiling (max_rate 0) believes every forward step.

#include <cstdint>

namespace powerfit {

// A value polled in the background may be read well after it was taken, and a counter's own
// refresh lags the clock; the ceiling allows this much time beyond the interval between readings.
inline constexpr double kCounterSlackSeconds = 0.5;
// How long suspect readings are held before they count as a reset.
inline constexpr double kCounterSuspectSeconds = 1.0;

struct CounterLimits {
  // The counter's modulus: it reads values in [0, wrap_at), and a wrap adds wrap_at (2^32 counts
  // for a 32-bit MSR). 0: it never wraps. Powercap states the largest value instead
  // (max_energy_range_uj, one count below the modulus); that is taken as the modulus, which
  // misses one count (at most 61 µJ) per wrap, under 10^-9 of the energy between two wraps.
  double wrap_at = 0.0;
  double max_rate = 0.0;  // the most it can plausibly grow per second; 0: no ceiling known
};

// The increase from `previous` to `current` over `seconds`, or a negative value where the step
// is not plausible under `limits`.
constexpr double plausible_increase(double previous, double current, double seconds, CounterLimits limits) {
  double increase = -1.0;
  if (current >= previous) {
    increase = current - previous;
  } else if (limits.wrap_at > 0.0) {
    increase = (limits.wrap_at - previous) + current;
  } else {
    return -1.0;
  }
  if (limits.max_rate > 0.0 && increase > limits.max_rate * (seconds + kCounterSlackSeconds)) return -1.0;
  return increase;
}

class CounterTracker {
 public:
  enum class Step : std::uint8_t {
    first,    // the first reading: the base
    counted,  // believed (forward or a plausible wrap); increase() grew by the step
    held,     // suspect: held back, nothing counted
    reset,    // the counter was reset: counting goes on from the new base
  };

  explicit constexpr CounterTracker(CounterLimits limits = {}) : limits_(limits) {}

  // The reading `value` taken at time `t` (seconds).
  constexpr Step observe(double t, double value) {
    if (!started_) {
      started_ = true;
      base_ = value;
      base_t_ = t;
      return Step::first;
    }
    if (const double step = plausible_increase(base_, value, t - base_t_, limits_); step >= 0.0) {
      if (value < base_) {
        // A wrap. A transient 0 read near the top of the range looks like one, so a wrap is
        // believed only when the next reading goes on from it.
        const bool confirmed = suspects_ > 0 && suspect_ < base_ && value >= suspect_;
        if (!confirmed) return hold(t, value);
      } else if (suspects_ > 0) {
        glitches_ += suspects_;
      }
      suspects_ = 0;
      return count(t, value, step);
    }
    if (suspects_ > 0) {
      const double step = plausible_increase(suspect_, value, t - suspect_t_, limits_);
      const bool advancing = step > 0.0;
      const bool stuck_too_long = step >= 0.0 && t - first_suspect_t_ >= kCounterSuspectSeconds;
      if (advancing || stuck_too_long) {
        suspects_ = 0;
        ++resets_;
        if (resets_ == 1) first_reset_t_ = first_suspect_t_;
        count(t, value, step);
        return Step::reset;
      }
    }
    return hold(t, value);
  }

  double increase() const { return increase_; }
  // Readings discarded as glitches, and resets counted through; a reset loses at most the
  // stretch from the last believed reading to the second reading in a row that goes on from the
  // new base (tests/sampler/counter_property_test.cpp holds the rules to that).
  std::uint32_t glitches() const { return glitches_; }
  std::uint32_t resets() const { return resets_; }
  double first_reset_time() const { return first_reset_t_; }
  // Readings held back and not yet resolved (a run that ends on them lost that last stretch).
  std::uint32_t pending() const { return suspects_; }

 private:
  constexpr Step hold(double t, double value) {
    if (suspects_ == 0) first_suspect_t_ = t;
    ++suspects_;
    suspect_ = value;
    suspect_t_ = t;
    return Step::held;
  }
  constexpr Step count(double t, double value, double step) {
    increase_ += step;
    base_ = value;
    base_t_ = t;
    return Step::counted;
  }

  CounterLimits limits_;
  bool started_ = false;
  double base_ = 0.0;
  double base_t_ = 0.0;
  double increase_ = 0.0;
  double suspect_ = 0.0;
  double suspect_t_ = 0.0;
  double first_suspect_t_ = 0.0;
  std::uint32_t suspects_ = 0;
  std::uint32_t glitches_ = 0;
  std::uint32_t resets_ = 0;
  double first_reset_t_ = 0.0;
};

}  // namespace powerfit
