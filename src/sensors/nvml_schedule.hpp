#pragma once
// How often the NVML poller reads what it reads, and the POWERFIT_NVML_SCHEDULE text that changes
// it (for measuring the trade between sampling's CPU and a window's joules; VALIDATION.md).

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace powerfit::sensors {

// The defaults are the schedule whose windows and cost were measured on the H100 and the H200
// (VALIDATION.md, "The default schedule", "Every 5 s by default", "The counter watched where
// the power moves" and "The counter read where the power moves"): the counter every 5 s within
// 30 s of a shift or a marker and every 30 s elsewhere, and watched whenever the power shifts
// (seen by every tick's power reading) and at each marker; the power watched for 2 s from the start
// and every 10 s after until it has changed sharply twice, to keep its refresh clock on time; the
// dear memory fields once a second. With the counter dated by its
// own clock, bench's windows were as often within 0.5% read every 5 s as once a second (11 of 12
// each), for 40-60% less CPU.
struct NvmlSchedule {
  std::chrono::milliseconds energy{5000};  // the energy counter (about 3 ms of CPU a read)
  // The counter's period once the power has stayed level, with no shift and no marker, for this
  // long (at or below `energy`: always `energy`). Where the power stays level, the gauge's shape
  // places a stretch's energy as well over 30 s as over 5 s, and a reading's dating error is a
  // smaller share of a longer stretch; a shift or a marker reads the counter anyway and brings
  // the period back to `energy`. From the start the power counts as level: an idle run of 20 s
  // reads the counter on opening and at the end, 3 ms of CPU a read on an H100 (VALIDATION.md,
  // "The counter read where the power moves", "The first read after opening").
  std::chrono::milliseconds energy_level{30000};
  // The poller's first read of the counter after the one made on opening, at the latest (the
  // period above comes first when it is shorter). At 200 ms, the schedule before 2026-12-06: it
  // kept the opening read's dating error, made before the refresh clock knows anything, to a
  // first stretch of 200 ms; on the H100, bench's windows were no closer for it, and it cost about
  // 4 ms of CPU a run (VALIDATION.md, "The first read after opening").
  std::chrono::milliseconds first{30000};
  // The counter again this soon after a failed read (and, with `counter_in_stretches`, its watch
  // in the first watching stretch from this on).
  std::chrono::milliseconds retry{200};
  std::chrono::milliseconds watch{10};          // the power, to learn the refresh clock,
  std::chrono::milliseconds watch_first{2000};  // from the start for this long (the period to a fraction of a ms),
  std::chrono::milliseconds watch_for{1000};    // then for this long
  std::chrono::milliseconds watch_every{10000};  // every this often (watch_for >= watch_every: always)
  // A stretch after the first ends once the power has changed sharply this many times in it (0:
  // each lasts `watch_for`), and its first two reads are aimed at the refresh the clock predicts
  // rather than read every `watch` until one is seen. The clock carries its period and phase
  // between stretches; a later stretch only re-times them, which two sharp changes do (four or
  // five reads where the aim holds, where a second of aimed watching takes about twenty). The
  // next stretch comes no later after this one's end than the time since the start, as after any
  // stretch. On the H100, bench's windows came as close to a separate reader of the counter with
  // 2 as with 0 (6 and 5 of 14 within 0.5%; VALIDATION.md, "Short watching stretches").
  int watch_sharp = 2;
  // Once the refresh clock is locked on, watch only `watch`/2 before and after each refresh it
  // predicts rather than every `watch` (RefreshClock::next_read): a fifth of the wake-ups in the
  // steady state, dating as sharp in simulation and on the H200.
  bool aim = true;
  // With `aim`, once the refresh clock has learnt its period, the pairs go on through refreshes
  // that leave the power as it was and through one late change; two late changes in a row unlock
  // it, counted in a later stretch from its first aimed read (RefreshClock::hold_aim). Without,
  // a refresh with no sharp change unlocks it about half the time and two always do, and the
  // watch reads every `watch` to the next change: about ten reads. Off until a GPU call weighs
  // its reads and bench's windows against the rule measured so far.
  bool aim_hold = false;
  // A change of more than `shift` (a fraction; 0: off) of the power seen at the last counter read,
  // by a tick's power reading or a watch, reads the counter again, at most once every `shift_gap`: each
  // stretch between two counter readings then holds one level of power, so that a gauge whose
  // error differs between idle and load still places the energy right (VALIDATION.md).
  double shift = 0.10;
  std::chrono::milliseconds shift_gap{200};
  // After a read for a shift, the next one comes this soon rather than `energy` later. A read
  // dated up to ±50 ms off at a step misplaces that much of the step's energy within the stretch
  // it starts; ended this soon, the stretch keeps the error to the step's first second, where an
  // `energy` of 5 s would spread it over an idle baseline taken seconds after a fall.
  std::chrono::milliseconds after_shift{1000};
  // A marker (the edge of bench's warm-up and inference, of an API region, of the baseline) reads
  // the counter as a shift does: at most `shift_gap` after the edge, and again `after_shift` later.
  // A window between markers then starts and ends close to a counter reading of its own, whatever
  // `energy` is, and the gauge places only the edges' last tenth of a second or so.
  bool mark = true;
  // The counter's own watch: two reads aimed at a refresh its own clock predicts (every `watch`
  // until it has seen one, at most 12), so that its readings are dated at its own refreshes,
  // which on the H100 came tens of milliseconds from the power's, rather than at the power's
  // (off: the power's clock dates them). A reading's date moves joules between the stretches of
  // the counter in proportion to the power at that reading: where the power stays level, a few
  // milliseconds off cost nothing that a stretch of seconds notices, and where it moves they cost
  // its change times the error. So the counter is watched where the power moves: at a shift and
  // at a marker, in place of the single read those bring forward; its clock carries the phase
  // between. With `counter_in_stretches` also in every watching stretch of the power (the
  // schedule before 2026-12-06: about 20 reads of the counter in a run's first 12 s on an H100,
  // VALIDATION.md, "The counter's watch, and every 5 s by default").
  bool watch_counter = true;
  bool counter_in_stretches = false;
  // The instant power is dated this share of the power's refresh period before the refresh it was
  // read at (0, off: at the refresh). On the H100, bench's windows re-placed with the instant power
  // dated 40-60 ms earlier came closer to a separate reader of the counter; measured, the instant
  // power stands for the power 10-30 ms before its refresh, and this lets the step windows weigh
  // that lead (VALIDATION.md, "The instant power measured on the H100").
  double instant_lead = 0.0;
  // The GPU's memory, the measured processes' GPU memory and the power limit, read by the tick at
  // most this often (on the H200 the memory read alone is 64 µs of CPU, the power's 39 µs); they
  // change when memory is allocated or a limit set, not from one 100 ms to the next. A period
  // shorter than the tick's: every tick. Always on the run's last tick.
  std::chrono::milliseconds memory{1000};
};

inline constexpr const char* kNvmlScheduleVariable = "POWERFIT_NVML_SCHEDULE";

// Reads "energy=1s,watch_for=600ms,watch_every=5s,shift=10%,aim=on" (any of energy, energy_level, first, retry, watch,
// watch_first, watch_for, watch_every, shift_gap, after_shift, memory as durations, watch_sharp as a
// whole number from 0 to 100, shift as a percent or off, instant_lead as a percent up to 100% or off, aim, mark, watch_counter and
// counter_in_stretches as on or off) over the defaults; null or empty: the defaults. A problem comes back as one line naming the variable and the fix.
std::variant<NvmlSchedule, std::string> parse_nvml_schedule(const char* text);

// The schedule the environment asks for.
std::variant<NvmlSchedule, std::string> nvml_schedule_from_environment();

// "energy=5s,energy_level=30s,first=30s,retry=200ms,watch=10ms,watch_first=2s,watch_for=1s,watch_every=10s,shift_gap=200ms,after_shift=1s,memory=1s,watch_sharp=2,shift=10%,instant_lead=off,aim=on,aim_hold=off,mark=on,watch_counter=on,counter_in_stretches=off".
std::string describe(const NvmlSchedule& schedule);

}  // namespace powerfit::sensors
