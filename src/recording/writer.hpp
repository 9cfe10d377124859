#pragma once
// The recording thread: drains the sampler's tick queue and markers into the database in one
// transaction per batch, so that a run killed at any moment leaves every committed batch behind.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/sleeper.hpp"
#include "recording/database.hpp"
#include "sampler/sampler.hpp"

namespace powerfit::recording {

// How long the writer gathers ticks before one commit: twenty ticks, between 1 s and 5 s. Most
// of the writer's CPU is per commit (its wake-up and the pages written again), not per sample:
// at 100 ms a commit every 2 s costs the writer less than half what one every 500 ms did
// (BENCHMARKS.md). A powerfit killed mid-run loses at most this last stretch.
std::chrono::milliseconds batch_period_for(std::chrono::nanoseconds interval);

// A byte counter that stands still (an idle disk or network interface) is stored where it comes
// to stand still, at the last tick of each commit and just before it moves, not on every tick:
// each sample left out equals the stored ones on both sides of it, so a straight line between
// those (a rate of zero) gives it back exactly. Beside an H100 at 100 ms, its two disks, four
// interfaces and the measured processes gave 18 of the 54 rows stored a tick, and the writer's
// CPU fell from 99 to 70 µs a tick (VALIDATION.md, "Every source within twice nvidia-smi?").
// A gauge (a temperature, a clock, memory in use) and a utilization (an idle core's 0%) are
// stored the same way; readers weigh them by time (analysis/series_values.hpp). Power and energy
// are stored on every tick.
class RunWriter {
 public:
  RunWriter(Database& database, Sampler& sampler, std::int64_t run_id, std::vector<std::int64_t> channel_ids,
            std::chrono::milliseconds batch_period = std::chrono::milliseconds(250));
  ~RunWriter();
  RunWriter(const RunWriter&) = delete;
  RunWriter& operator=(const RunWriter&) = delete;

  void start();
  // Writes whatever is left and joins. Call after the sampler has stopped.
  void stop();

  double cpu_seconds() const { return cpu_s_; }
  // Set when a batch failed (disk full, say); sampling goes on and the summary is still printed.
  // Call after stop().
  const std::string& error() const { return error_; }
  // Ticks committed to the database, and the time (ns since the run started) of the first tick
  // that was not, once a batch failed.
  std::uint64_t stored_ticks() const { return stored_ticks_; }
  std::int64_t lost_from_ns() const { return lost_from_ns_; }

 private:
  void run();
  void flush();
  void store(std::size_t channel, std::int64_t time_ns, double value);
  void store_repeat(std::size_t channel);  // a standing counter's last unstored tick, if any
  void store_held();  // each standing counter's last tick, before a commit

  // A standing byte counter: the value stored last, and the tick that repeated it last, unstored.
  struct Standing {
    std::optional<double> stored;
    std::optional<std::int64_t> repeated_at_ns;
  };

  Database& database_;
  Sampler& sampler_;
  std::int64_t run_id_;
  std::vector<std::int64_t> channel_ids_;
  std::vector<std::optional<Standing>> standing_;  // by channel; nullopt: stored on every tick
  std::chrono::milliseconds batch_period_;
  std::thread thread_;
  Sleeper sleeper_;
  std::atomic<bool> stop_requested_{false};
  double cpu_s_ = 0.0;
  std::string error_;
  std::uint64_t stored_ticks_ = 0;
  std::int64_t lost_from_ns_ = 0;
};

}  // namespace powerfit::recording
