#pragma once
// Every NVIDIA GPU through NVML: the total-energy counter (mJ) as the source of joules where the
// GPU has one, else its power integrated; power and instant power for the timeline; utilization,
// memory, SM clock, temperature, power limit; and the GPU memory of the measured process tree.
// PCIe throughput and per-process utilization are dear to read and live in `nvml.slow`.
//
// The energy counter is dear too (measured on an H100 with driver 580: about 3 ms of CPU a read,
// against tens of µs for anything else read here), so a poller thread reads it (NvmlSchedule:
// every 5 s by default, again as soon as a tick sees the power shift by a tenth, and at
// each marker, the edge of a phase or region) and the
// sampling thread reports its latest value, counted on from it by the power gauge. The GPU's
// memory, the processes' GPU memory and the power limit are read by the tick once a second
// (NvmlSchedule::memory), and on the last tick. The counter gives the amount,
// the power gauge the shape: between two counter readings the energy is placed in time by the
// gauge (analysis/window.hpp); in simulation that keeps windows on a power step within 0.5% of
// the true energy (tests/analysis/window_test.cpp, tests/sensors/nvml_test.cpp; on GPUs,
// VALIDATION.md, "Windows on a power step" and "The default schedule"). The first value is read when the source opens,
// before the command starts, and the counter is read afresh before the run's last tick, so the
// run's joules are the counter's own. A failed read is tried again soon (NvmlSchedule::retry), so
// that one transient error does not stand for seconds.
//
// The driver refreshes the counter and the power readings about every 100 ms, so a value read
// now may be 100 ms old: dated when read, the energy of a power step lands up to 100 ms late. The
// poller therefore also watches the power every 10 ms, for 2 s from the start and every 10 s
// after that until it has seen two refreshes sharply (NvmlSchedule::watch_sharp; sooner at first:
// the stretches are no further apart than the time watched so far), aimed once locked, only just
// before and after each refresh it predicts (NvmlSchedule::aim), to learn when refreshes happen
// (sensors/refresh_clock.hpp; the clock carries its period between watches); the power readings
// are dated at the power's last refresh. The counter refreshes on a grid of its own: on the H100,
// 100.0 ms apart like the power, but tens of milliseconds from it (VALIDATION.md, "The counter's
// own refresh"), so the counter is watched too (NvmlSchedule::watch_counter): two reads aimed at
// a refresh its own clock predicts, more until that clock has seen one. A reading's date moves
// joules between stretches of the counter only where the power moves, so the watch comes where
// it does, at a shift or a marker, in place of the one read those bring forward; every other read
// of the counter is kept clear of the refreshes its clock predicts and dated at the last one.
// Until the counter's clock knows its grid, the power's dates the counter.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "core/clock.hpp"
#include "core/sleeper.hpp"
#include "sensors/nvml_library.hpp"
#include "sensors/nvml_schedule.hpp"
#include "sensors/polled.hpp"
#include "sensors/process_tree.hpp"
#include "sensors/refresh_clock.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class NvmlSource final : public Source {
 public:
  // `tree` (may be null) names the processes whose GPU memory is attributed to the run; the
  // source opens it and brings it up to date before each read of the GPU's processes.
  // `only` keeps the GPUs it names (channels keep NVML's numbers: gpu3.energy stays gpu3's).
  explicit NvmlSource(std::shared_ptr<ProcessTree> tree = nullptr, NvmlSchedule schedule = {}, GpuChoice only = std::nullopt)
      : tree_(std::move(tree)), schedule_(schedule), only_(std::move(only)) {}
  ~NvmlSource() override;
  std::string_view name() const override { return "nvml"; }
  Availability open() override;
  void read(std::span<Reading> out) override;
  void describe_host(HostInfo& host) const override;
  void before_last_read() override;
  // Reads the counter soon (NvmlSchedule::mark).
  void on_mark() override;
  double threads_cpu_s() override { return thread_cpu_s(poller_); }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMaxProcesses = 256;
  // A counter read is kept this far from the refreshes the counter's clock predicts, which it
  // knows within a watch step (10 ms) or so, and is taken to last at most kCounterReadNs (3 ms of
  // CPU on the H100).
  static constexpr std::int64_t kClearOfRefreshNs = 8'000'000;
  static constexpr std::int64_t kCounterReadNs = 5'000'000;
  // The counter read at most this often in one watching stretch: an unlocked clock sees a
  // refresh within a period of reads `watch` apart.
  static constexpr int kCountReads = 12;
  // Within a watching stretch, the counter is watched again this long after its clock last saw
  // a refresh sharply.
  static constexpr std::chrono::milliseconds kCountAgain{1000};
  // How late a watch's first read of the counter may come after the refresh it was aimed before,
  // by the counter's clock carried for seconds on a period a fraction of a percent off (up to
  // 25 ms on the H100): when the read holds that refresh, the watch reads again this long before
  // the next one, not every step until it comes.
  static constexpr std::int64_t kLateNs = 30'000'000;
  // Over at most this many refreshes the counter's rise tells how many it holds, at the power
  // last watched (within a few percent).
  static constexpr double kRefreshesToTell = 30.0;
  // The longest the run's last read waits for a watch under way: `shift_gap` to its first read,
  // a refresh or two to see one sharply (about 0.3 s on the H100).
  static constexpr std::chrono::milliseconds kSettleAtEnd{600};

  struct Gpu {
    nvmlDevice_t device = nullptr;
    std::string name;
    std::string uuid;
    std::string scope;
    std::size_t energy = kNone, power = kNone, power_instant = kNone, utilization = kNone,
                memory_utilization = kNone, memory_used = kNone, memory_total = kNone, sm_clock = kNone, temperature = kNone,
                power_limit = kNone, process_memory = kNone;
    Polled energy_j;
    bool energy_failed = false;  // the last poll of the counter failed: try again soon
    std::mutex clock_mutex;
    RefreshClock power_clock;    // when the driver refreshed the power readings, learnt by watching them
    RefreshClock counter_clock;  // when it refreshed the energy counter, learnt by watching the counter
    unsigned int watched_mw = 0;  // under clock_mutex: the power as last read,
    unsigned int counted_mw = 0;  // and as watched right after the last read of the counter (first seen: on opening)
    std::atomic<bool> lost{false};
    std::atomic<bool> power_unread{false};  // the last read of its power failed (observe_power)
    std::int64_t memory_due_ns = 0;  // on the sampling thread: when the tick next reads the memory fields
    std::uint32_t jitter = 12345;     // on the poller: spreads its steady watching reads (next_watch_of)
    bool aim_pending = false;         // on the poller: the next watching read is this stretch's first, aimed (first_watch_of)
    std::int64_t aimed_from_ns = 0;   // on the poller: when it came (RefreshClock::next_read)
    bool count_waited = false;        // on the poller: this watch of the counter waited for a period once (next_count_of)
    std::int64_t count_read_ns = 0;   // on the poller: when this watch's last read of the counter began (0: none yet)
  };

  // The reads a tick makes, once on opening before the counter's first read; their values are
  // dropped, but for whether the instant power answered, which is returned: it decides that
  // channel. NVML sets itself up on a process's first queries, at a cost that rests on which come
  // first: on an H100 (driver 580), in fresh processes, the counter read first took 5.7 ms of CPU
  // and a tick's reads after it 4.4 ms more, where the SM clock, the temperature, the power, the
  // instant power and the utilization read first took 5.7 ms and the counter after them 3.0
  // (VALIDATION.md, "NVML's first queries").
  bool set_up_queries(Gpu& gpu);
  void read_gpu(Gpu& gpu, std::span<Reading> out);
  // Reads the counter and stores the reading, dated at the counter's refresh it comes from.
  // Watching, the read is meant to show the counter's clock a refresh; else it is kept clear of
  // the refreshes that clock predicts. Returns when the counter's call started: watching reads
  // are spaced from start to start, so that two of them a step apart date a refresh that sharply.
  std::int64_t poll_energy(Gpu& gpu, bool watching = false);
  // The date of a counter value read between `before` and `after` (shown to the counter's clock
  // first): the refresh that read showed sharply, else the last refresh before it by the
  // counter's clock once it knows its refreshes, else by the power's; ambiguous when a refresh of
  // that clock lies within kClearOfRefreshNs of the read, so that the value may come from either
  // side of it.
  struct CounterDate {
    std::optional<std::int64_t> at;
    bool ambiguous = false;
    bool by_power = false;  // the counter's clock does not know its refreshes yet
  };
  CounterDate date_counter(Gpu& gpu, nvmlReturn_t rc, unsigned long long millijoules, std::int64_t before, std::int64_t after);
  // The clock that dates the counter: its own once it knows its refreshes, else the power's.
  // Under clock_mutex.
  static const RefreshClock& counter_dating(const Gpu& gpu);
  // Waits while a refresh the clock dating the counter predicts is too near for a read to tell
  // its side.
  void clear_of_counter_refresh(Gpu& gpu);
  // When to watch the counter next after a read at `read_ns`; `first` of a watching stretch, aimed
  // just before the refresh the counter's clock predicts, so that the next read sees it; `passed`:
  // that refresh came before the read, seen by the counter's clock at this time
  // (aimed_refresh_passed).
  std::chrono::steady_clock::time_point next_count_of(Gpu& gpu, std::int64_t read_ns, bool first,
                                                      std::optional<std::int64_t> passed = std::nullopt);
  // When the counter's last read (its call started at `read_ns`), which saw it changed since
  // `previous` (the reading before it) too long after that to date the change sharply, holds one
  // refresh more than the counter's clock predicts up to the call: the refresh a watch was aimed
  // before had come already. Told by the counter's rise, each refresh adding about the power
  // last watched times the period: that read's time on the counter's clock; else nullopt.
  std::optional<std::int64_t> aimed_refresh_passed(Gpu& gpu, const Reading& previous, std::int64_t read_ns);
  // Reads the power, shows it to the GPU's refresh clock and returns the read's time.
  std::int64_t watch_refresh(Gpu& gpu);
  // When to watch the GPU's power next after a read at `read_ns` (NvmlSchedule::aim).
  std::chrono::steady_clock::time_point next_watch_of(Gpu& gpu, std::int64_t read_ns);
  // The first watch of the GPU's power in a stretch that NvmlSchedule::watch_sharp may end: aimed
  // just before the next refresh its clock predicts, else now.
  std::chrono::steady_clock::time_point first_watch_of(Gpu& gpu);
  // How many changes of the GPU's power were seen sharply so far (RefreshClock::sharp_changes).
  std::int64_t sharp_changes_of(Gpu& gpu);
  void observe_power(Gpu& gpu, nvmlReturn_t rc, unsigned int milliwatts, std::int64_t read_ns);
  std::optional<std::int64_t> refreshed_by(Gpu& gpu, std::int64_t t_ns);
  // How long before its refresh the instant power is dated (NvmlSchedule::instant_lead of the
  // power's period; 0 while the period is unknown).
  std::int64_t instant_lead_ns(Gpu& gpu);
  // Whether the power has moved by more than NvmlSchedule::shift since the counter was last read.
  bool power_shifted(Gpu& gpu);
  // Wakes the poller to look at what the tick saw (a shift in the power).
  void poke_poller();
  void poll();
  bool in_tree(unsigned int pid) const;
  ReadStatus status_of(nvmlReturn_t code, Gpu& gpu) const;

  std::shared_ptr<ProcessTree> tree_;
  NvmlSchedule schedule_;
  GpuChoice only_;
  std::shared_ptr<NvmlLibrary> nvml_;
  std::string driver_;
  std::vector<std::unique_ptr<Gpu>> gpus_;
  std::vector<nvmlProcessInfo_t> processes_ = std::vector<nvmlProcessInfo_t>(kMaxProcesses);

  std::thread poller_;
  std::mutex poller_mutex_;
  Sleeper poller_sleeper_;  // woken by a stop, a shift seen (poke_poller) or a marker
  bool poller_stop_ = false;
  bool poller_poked_ = false;
  bool poller_marked_ = false;  // a marker was set since the poller last looked
  // A marker's or a shift's watch of the counter is under way; the run's last read waits for it
  // (kSettleAtEnd at most), so that a window marked just before the end has a reading the
  // counter's own clock dated at its end.
  bool edges_pending_ = false;
  std::condition_variable edges_settled_;
};

}  // namespace powerfit::sensors
