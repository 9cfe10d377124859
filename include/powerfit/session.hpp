#pragma once
// powerfit's C++ API: measure a region of your own program (the inference loop, not the model
// loading), name its phases, attach your counts, and get the figures `powerfit run` prints.
//
//   powerfit::Session session({.output = "runs.db", .interval = "50ms"});
//   session.start();
//   { auto inference = session.region("inference"); run_model(); }
//   session.report({.inferences = n, .correct = k});
//   const powerfit::Summary summary = session.stop();
//
// Errors (a bad interval, stop before start, an unwritable database) are powerfit::Error with a
// one-line message; what was measured before an error is kept.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "powerfit/export.hpp"
#include "powerfit/error.hpp"
#include "powerfit/summary.hpp"
#include "powerfit/workload_counts.hpp"

namespace powerfit {

// The most a CPU may draw at full load, in watts, for the CPU estimate (`cpu_tdp_w`, `--cpu-tdp`).
inline constexpr double kMostCpuTdpW = 10000.0;

struct SessionOptions {
  std::string output;              // database file to append the run to; empty: a temporary one
  std::string interval = "100ms";  // 1ms to 60s
  std::string label;
  // The machine's name in the fit test; empty: its hardware names it (CPU model and cores, GPU
  // models, count and power limits), so that nodes of one type pool and different ones never do.
  std::string machine;
  // CO2e and cost beside the joules in the summary and its scores (none where not given).
  Tariff tariff;
  bool estimate = true;  // an estimated CPU power where nothing measures it (always labelled)
  std::optional<double> cpu_tdp_w;  // CPU power at full load in watts, for that estimate (at most kMostCpuTdpW)
  // Idle time measured by start() before it returns ("5s"), for idle power and dynamic energy.
  std::string baseline = "0";
  // Before that baseline, the longest wait for the measured power to stop falling (a GPU that has
  // just worked draws above its idle floor for seconds); "0": none. An estimate has nothing to
  // wait for. A baseline taken while the power still fell says so in its not_idle.
  std::string settle = "30s";
  // What the run is stored as measuring; empty: this program's command line.
  std::vector<std::string> command;
  int follow_process = 0;  // the process whose tree is measured; 0: this one
  bool include_loopback = false;  // count loopback traffic in the network total
  // The sources to sample, as `powerfit sensors` names them ("procfs.cpu", "rapl", "nvml", ...);
  // empty: every one available here. start() fails (argument) on one unknown or unavailable.
  std::vector<std::string> sources;
  // The GPUs to count, by NVML index (as nvidia-smi numbers them) or UUID. nullopt: those this
  // process is bound to in a multi-process job (local rank i: its CUDA_VISIBLE_DEVICES entry, else
  // GPU i; the host's channels are local rank 0's), else those CUDA_VISIBLE_DEVICES shows, else
  // all. The summary's `counted` says what was counted and why.
  std::optional<std::vector<std::string>> gpus;
  // Sensor trees read instead of /proc and /sys (recorded machines, in tests); empty: the real ones.
  std::string proc_root, sys_root;
};

// The counts that turn joules into scores: inferences and correct answers, and optionally the
// model's figures and the inference window (see powerfit/workload_counts.hpp).
using Counts = WorkloadCounts;

// How a measured command ended, for a session that followed one (`follow_process`).
struct ProcessExit {
  int status = 0;
  std::optional<double> cpu_s;  // its CPU time and that of the children it waited for
};

class POWERFIT_EXPORT Session {
 public:
  explicit Session(SessionOptions options = {});
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Starts sampling and records the run's start; with a `baseline`, measures the idle machine
  // that long before returning. Error when already started.
  void start();
  void mark(const std::string& name);  // a marker at this instant
  // The counts to score the run on (Error when they disagree with each other); the last given
  // counts. With an inference_window, scores rest on that window's energy.
  void report(const Counts& counts);
  // The counts could not be had (the program's evaluation failed): stored with the run, which
  // stays unscored, with this reason.
  void report_unusable(const std::string& why);
  // Uses the idle power an earlier session measured (its summary, or one that reused it in turn)
  // instead of measuring it again, as repeats do. Error when that summary has no baseline or
  // this session measures its own.
  void reuse_baseline(const Summary& earlier);
  // Sleeps until `count` more samples have been taken: a stretch's energy needs a sample on
  // each side of it, and rates (utilization, the CPU estimate) need two samples to begin.
  void wait_for_samples(int count);
  double elapsed_s() const;  // since start(), on the sampler's clock
  // Power now and energy so far, while the session runs (what a live display shows): each
  // source's power, and the energy of the totals since start(), measured and ESTIMATED apart.
  // From the newest samples, never stored; empty once stop() has begun. Thread-safe.
  struct LiveReading {
    double elapsed_s = 0.0;
    struct Source {
      std::string name;
      bool estimated = false;
      double watts = 0.0;
    };
    std::vector<Source> sources;
    std::optional<double> measured_energy_j, estimated_energy_j;
  };
  LiveReading live();
  // Takes the last sample now; stop() then summarizes. For what must still be seen by the last
  // sample and is gone after it: a followed process about to be reaped.
  void end_sampling();
  // Ends sampling (if still on), summarizes and stores the run. Error when not running.
  Summary stop(const ProcessExit& exit = {});
  bool running() const;

  // What a region cost, known when it ends, while the session goes on (an epoch's energy in a
  // training loop). Its energy is counted between the sampler's ticks last taken before the
  // region's start and before its end (`from_s`, `to_s`, seconds since the session started): an
  // interval's worth of power may fall either side of each edge, more for a counter read in the
  // background (NVML's energy counter, read seconds apart and at each region's edge, counted on between its
  // readings by the power gauge: up to a refresh of that gauge at each edge),
  // and a region shorter than the interval may count none. The summary's figures for the region, at stop(), are interpolated at
  // its exact edges. Work queued on a GPU runs after the call that queued it: synchronize before
  // the region starts and before it ends, or the GPU's energy lands outside it.
  struct RegionResult {
    struct Channel {
      std::string name;
      bool estimated = false;
      double joules = 0.0;
    };
    std::string name;
    double duration_s = 0.0, thread_cpu_s = 0.0;
    double from_s = 0.0, to_s = 0.0;
    std::optional<double> measured_energy_j, estimated_energy_j;  // apart: an estimate is never added
    std::vector<Channel> channels;                                // those of the energy totals
    // Channels of the totals that had no count yet at the region's start, or stopped before its
    // end with nothing to count on: the sums above are partial when this is not empty.
    std::vector<std::string> partial_channels;  // "gpu1.energy (stopped inside the region)"
    POWERFIT_EXPORT std::string to_json() const;
  };

  // A region: "NAME:start" now, "NAME:end" when it ends (or is destroyed). A region that outlives
  // its session ends with nothing recorded: end() then throws Error (state), its destructor does
  // nothing.
  class POWERFIT_EXPORT Region {
   public:
    Region(Region&& other) noexcept;
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;
    Region& operator=(Region&&) = delete;
    ~Region();
    // Ends the region (once; later calls return the same figures).
    RegionResult end();

   private:
    friend class Session;
    Region(Session* session, std::string name);
    Session* session_;
    std::string name_;
    std::int64_t start_ns_ = 0, start_cpu_ns_ = 0, start_tick_ns_ = 0;
    std::vector<double> start_energy_j_;  // each channel's count at the tick before the start
    RegionResult result_;
    bool orphaned_ = false;  // its session was destroyed first
  };
  Region region(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace powerfit
