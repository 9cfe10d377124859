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
  // The period is not carried further than this many refreshes from the last change seen: 10 s
  // between watches and a little more.
  static constexpr std::int64_t kMaxCarried = 150;
  // The period is measured over at most this many refreshes from one sharp change, then afresh.
  static constexpr std::int64_t kMaxBaseline = 600;
  // A sharp change off the grid within this many refreshes of the last one seen means the
  // refreshes moved (further on, the grid may only have drifted). Holding the aim, within a
  // quarter of the refreshes the period was measured over where that is more (the grid drifts by
  // a quarter of one change's error at most over them): pairs that see no change where the value
  // stood still go on aiming, so after a move the next change seen sharply may come later.
  static constexpr std::int64_t kMovedWithin = 3;
  // A period measured over at least this many refreshes is the clock's own: no longer assumed.
  // (On the H100 the counter's period and the power's differed by 0.02 ms: 2 ms over the 10 s
  // between watches, less than a few sharp changes of the counter give the period to.)
  static constexpr std::int64_t kOwnBaseline = 50;
  // Holding the aim, until the period is measured over this many refreshes (a second and a half
  // of watching) the clock is learning and unlocks as without the hold (next_read): the reads
  // every step that follow date changes on both sides of the line, where aimed pairs see only
  // those near the prediction and barely correct it. Held from the start, on the 2-core test
  // machine under load a counter reading at 0.59 s was dated 9 ms off in 4 of 10 runs of
  // FakeNvml.AimedWatchingDatesTheCounterAsSharplyWithFewerReadsOfThePower.
  static constexpr std::int64_t kLearnedOver = 15;

  // One read of the watched value, at monotonic time `read_ns`.
  void observe(double value, std::int64_t read_ns);
  // The last refresh at or before `t_ns`; nullopt while that is not known.
  std::optional<std::int64_t> last_refresh(std::int64_t t_ns) const;
  // The value last read.
  double value() const { return value_; }
  // The refresh period learnt so far (0 while unknown).
  std::int64_t period_ns() const { return period_ns_; }
  // Whether the aim holds through refreshes that leave the value as it was and through one late
  // change (next_read; NvmlSchedule::aim_hold, off by default).
  void hold_aim(bool hold) { hold_aim_ = hold; }
  // Takes `period_ns` (another clock's, of the same driver) as the period while this clock has
  // not measured one over kOwnBaseline refreshes itself.
  void assume_period(std::int64_t period_ns);
  // Whether the refreshes are known: a period, and a change seen sharply since the phase was
  // last lost (a change seen sparsely while no period was known).
  bool knows() const { return period_ns_ > 0 && sharp_seen_; }
  // The last change seen, if it was seen sharply.
  std::optional<std::int64_t> sharp_change() const { return change_sharp_ ? change_ns_ : std::nullopt; }
  // How many changes were seen sharply so far, by any reader.
  std::int64_t sharp_changes() const { return sharp_changes_; }
  // The last read, when it saw the value changed but too long after the read before to date the
  // change sharply: the refresh came before it, by up to that gap.
  std::optional<std::int64_t> late_read() const {
    return change_ns_ && !change_sharp_ && change_read_ns_ == read_ns_ ? std::optional(read_ns_) : std::nullopt;
  }
  // When a watcher reading every `step_ns` should read next, having just read at `read_ns`, to see
  // the next refresh as sharply at less cost. Until the clock is locked on (the period known, and
  // one of the last two refreshes it predicts seen as a sharp change) every `step_ns`; once
  // locked, step/2 before and step/2 after each refresh it predicts (shifted by aim_at), two
  // reads a refresh that date it as sharply. A refresh predicted without a sharp change unlocks
  // it where the last sharp change lay before its place on the period's line (the test is in
  // nanoseconds: about half the time), two in a row always, until reads every `step_ns` see one
  // (the rule measured on the GPUs). Holding the aim (hold_aim), once the clock has learnt
  // (kLearnedOver), only two changes in a row seen late unlock it (a late change: read too long
  // after the read before it, its refresh outside the pairs), the earlier one read after
  // `aimed_from_ns`, the first read of a watcher that began at first_aimed_read (a late change
  // there may be a refresh the tick missed before the watch). One late change costs that refresh
  // alone: the next pair is shifted otherwise and may catch its refresh. A refresh that leaves
  // the value as it was says nothing about the aim, and reads every step would not see it either.
  std::int64_t next_read(std::int64_t read_ns, std::int64_t step_ns, std::int64_t aimed_from_ns = 0) const;
  // Where a watcher starting at `now_ns` first reads to see the next refresh the clock predicts
  // between that read and one `step_ns` later: step/2 before where aim_at centres the pair, or a
  // period on where that has passed; nullopt while the refreshes are not known.
  std::optional<std::int64_t> first_aimed_read(std::int64_t now_ns, std::int64_t step_ns) const;
  // Where a pair of reads `step_ns` apart around the predicted refresh `refresh_ns` is centred:
  // on it, shifted by up to 0.3 step either way, differently for each refresh.
  std::int64_t aim_at(std::int64_t refresh_ns, std::int64_t step_ns) const;

 private:
  // The sharp changes of the baseline against their refresh's number since its start, as running
  // means and co-moments, for the straight line through them.
  struct Fit {
    double n = 0.0, mean_k = 0.0, mean_t = 0.0, kk = 0.0, kt = 0.0;
    std::int64_t last_k = 0;
    void add(std::int64_t k, double t);
  };
  void learn_period(std::int64_t change);
  void restart_baseline(std::int64_t change);

  bool seen_ = false;
  double value_ = 0.0;
  std::int64_t read_ns_ = 0;
  std::optional<std::int64_t> change_ns_;  // the last change seen,
  std::int64_t change_read_ns_ = 0;        // by the read at this time
  bool change_sharp_ = false;
  bool sharp_seen_ = false;
  std::int64_t sharp_ns_ = 0;  // the last change seen sharply
  std::int64_t sharp_changes_ = 0;
  bool hold_aim_ = false;
  std::int64_t late_read_before_ = 0;  // where the last two changes were seen late: the earlier one's read (else 0)
  std::optional<std::int64_t> fitted_ns_;  // its refresh on the baseline's line, when the line gave the period
  std::int64_t measured_over_ = 0;  // the refreshes the period was last measured over (0: assumed or none)
  std::int64_t period_ns_ = 0;
  std::optional<std::int64_t> base_ns_;  // a sharp change the period is measured from
  Fit fit_;
};

}  // namespace powerfit::sensors
