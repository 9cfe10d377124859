#pragma once
// When did a driver last refresh a value it publishes? NVML refreshes a GPU's power readings and
// its energy counter about ten times a second; whatever is read between two refreshes is as old
// as the last one. A cheap reading (the power, about a microsecond a read) watched often shows
// when refreshes happen: each change of its value is one, dated midway between the read before
// and the read that saw it. Their period carries the phase across refreshes that left the value
// unchanged, so the power and the costly energy counter (milliseconds a read) are dated at the
// last refresh rather than when read. Not thread-safe: callers lock.

#include <cstdint>
#include <optional>

namespace powerfit::sensors {

class RefreshClock {
 public:
  // Reads spaced at most this far apart date a change sharply enough to learn the period and the
  // phase from: a watcher's step (10 ms) and its jitter. A pair further apart (a watcher held up
  // on a busy machine) is dated by the period where the clock knows one, not by its middle, which
  // can be half the gap off.
  static constexpr std::int64_t kSharpNs = 15'000'000;
  static constexpr std::int64_t kMinPeriodNs = 20'000'000;
  static constexpr std::int64_t kMaxPeriodNs = 1'000'000'000;
  // Without a period yet, a change seen this recently is the last refresh.
  static constexpr std::int64_t kRecentNs = 150'000'000;
  // The period is not carried further than this many refreshes from the last change seen.
  static constexpr std::int64_t kMaxCarried = 100;
  // The period is measured over at most this many refreshes from one sharp change, then afresh.
  static constexpr std::int64_t kMaxBaseline = 600;

  // One read of the watched value, at monotonic time `read_ns`.
  void observe(double value, std::int64_t read_ns);
  // The last refresh at or before `t_ns`; nullopt while that is not known.
  std::optional<std::int64_t> last_refresh(std::int64_t t_ns) const;
  // The refresh period learnt so far (0 while unknown).
  std::int64_t period_ns() const { return period_ns_; }
  // When a watcher reading every `step_ns` should read next, having just read at `read_ns`, to see
  // the next refresh as sharply at less cost. Until the clock is locked on (the period known, and
  // one of the last two refreshes it predicts seen as a sharp change) every `step_ns`; once
  // locked, step/2 before and step/2 after each refresh it predicts, two reads a refresh that date
  // it as sharply. Two refreshes missed in a row unlock it until reads every `step_ns` see one.
  std::int64_t next_read(std::int64_t read_ns, std::int64_t step_ns) const;

 private:
  void learn_period(std::int64_t change);

  bool seen_ = false;
  double value_ = 0.0;
  std::int64_t read_ns_ = 0;
  std::optional<std::int64_t> change_ns_;  // the last change seen
  bool change_sharp_ = false;
  std::int64_t period_ns_ = 0;
  std::optional<std::int64_t> base_ns_;  // a sharp change the period is measured from
};

}  // namespace powerfit::sensors
