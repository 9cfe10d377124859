#pragma once
// One recorded run: the sources opened, the sampler and the database writer running, phases
// marked, then the run summarized and stored. The public powerfit::Session (src/api) is built on
// it, and through that everything that measures: `run`, `bench`, and programs that embed powerfit.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/window.hpp"
#include "core/duration.hpp"
#include "powerfit/run_summary.hpp"
#include "recording/database.hpp"
#include "recording/writer.hpp"
#include "sampler/sampler.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {
struct CatalogEntry;
}  // namespace powerfit::sensors

namespace powerfit::session {

struct SessionOptions {
  std::vector<std::string> command;  // what the run record names as measured
  std::string label;
  std::string machine;  // --machine; empty: the hardware names it
  Nanoseconds interval = std::chrono::milliseconds(100);
  std::filesystem::path database = "powerfit.db";
  sensors::Roots roots;
  pid_t process_root = 0;  // a process tree to follow (0: none)
  bool loopback_in_total = false;
  bool estimate = true;
  std::optional<double> cpu_tdp_w;
  std::optional<std::vector<std::string>> gpus;  // nullopt: every GPU
  bool gpus_named = false;  // `gpus` named by the caller (--gpus), not taken from the job's environment
  bool host_channels = true;
  std::vector<std::string> sources;  // those to sample, by name; empty: every available one
};

// A chosen source that does not exist or cannot be read here; the message names the fix.
class SourceChoiceError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The energy of the channels that count in the totals over a stretch of the run.
struct StretchEnergy {
  struct Channel {
    std::string name;
    Provenance provenance = Provenance::measured;
    double joules = 0.0;
  };
  std::vector<Channel> channels;
  std::optional<double> measured_j, estimated_j;  // sums, an estimate never added to a measurement
  // Channels of the totals that stopped before the stretch's end with nothing to take over:
  // the sums above are partial when this is not empty.
  std::vector<std::string> partial_channels;
};

class RecordedSession {
 public:
  // Opens the database (throws recording::RecordingError, nothing started then) and the sources
  // (throws SourceChoiceError for a chosen source that cannot be had).
  explicit RecordedSession(const SessionOptions& options);
  ~RecordedSession();
  RecordedSession(const RecordedSession&) = delete;
  RecordedSession& operator=(const RecordedSession&) = delete;

  // Starts sampling (returns after the first tick), records the run's start and starts writing.
  void start();
  void mark(const std::string& name);
  // Nanoseconds since the run started, on the sampler's clock.
  std::int64_t elapsed_ns() const;
  std::int64_t start_wall_ns() const { return sampler_->start_wall_ns(); }
  // Sleeps until `count` more of the sampler's regular ticks have been taken. Rate-based channels
  // (utilization, the CPU estimate) get their first value at the second tick, and a stretch's
  // energy needs a sample on each side of it: bench waits so that its pass lies inside the samples.
  void wait_for_ticks(int count);
  // Measures the machine idle for `length`, between baseline:start and baseline:end markers.
  // With a `settle_limit`, first waits (from a settle:start marker) until the power stops
  // falling, at most that long; a baseline whose power was still falling says so (not_idle).
  void measure_idle_baseline(Nanoseconds length, Nanoseconds settle_limit = {});
  // Uses the idle power of an earlier run (a repeat's first) instead of measuring it again.
  void reuse_idle_baseline(const RunSummary::Baseline& earlier, std::string earlier_run_uuid);

  // CPU seconds the calling thread spent opening and starting the run (the sources' opening, an
  // idle baseline), counted as powerfit's own where it shares its process with the measured
  // program (`process_root` is this process).
  void count_caller_cpu(double seconds) { caller_cpu_s_ += seconds; }
  // Takes the last tick; call before reaping a measured process so its /proc entries are seen.
  void stop_sampling();
  // Stops the writer, summarizes, splits the energy at the baseline and stores the run's end.
  // Storage failures land in storage_error(); the summary stands either way.
  const RunSummary& finish(int exit_status, std::optional<double> child_cpu_s);

  // The energy between two instants (ns since start), from the recorded samples; after finish.
  StretchEnergy energy_between(std::int64_t from_ns, std::int64_t to_ns);
  // Stores the stretch as the run's inference window with its energy, per channel and summed,
  // that scores then rest on; with `mark_edges`, also inference:start/end markers at its edges.
  // Stores nothing and returns no energy when the window lies outside the samples. After finish;
  // throws recording::RecordingError.
  StretchEnergy record_inference_window(std::int64_t from_ns, std::int64_t to_ns, bool mark_edges);

  recording::Database& database() { return database_; }
  std::int64_t run_id() const { return run_id_; }
  const std::string& run_uuid() const { return uuid_; }
  const Sampler& sampler() const { return *sampler_; }
  const std::vector<std::int64_t>& channel_ids() const { return channel_ids_; }
  const std::optional<std::string>& storage_error() const { return storage_error_; }
  const RunSummary& summary() const { return summary_; }

 private:
  // The sources are opened and chosen before the database: a choice that cannot be had leaves no
  // new file behind.
  RecordedSession(const SessionOptions& options, std::vector<sensors::CatalogEntry> catalog);
  void split_at_baseline(std::int64_t run_end_ns);
  // The recorded series of the power gauge that shapes energy counter `channel` (empty: none).
  analysis::Series gauge_series(std::size_t channel);
  std::optional<double> baseline_cpu_utilization();

  SessionOptions options_;
  recording::Database database_;
  sensors::HostInfo host_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<recording::RunWriter> writer_;
  std::int64_t run_id_ = 0;
  std::string uuid_;
  std::vector<std::int64_t> channel_ids_;
  std::int64_t baseline_start_ns_ = 0, baseline_end_ns_ = 0;
  double settle_s_ = 0.0;  // waited for the power to settle before the baseline
  bool settled_ = true;
  std::optional<RunSummary::Baseline> reused_baseline_;
  std::string reused_from_;
  bool sampling_ = false;
  double caller_cpu_s_ = 0.0;
  RunSummary summary_;
  std::optional<std::string> storage_error_;
};

}  // namespace powerfit::session
