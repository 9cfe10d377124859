#pragma once
// The SQLite file a run is recorded in: schema, migrations, and every query powerfit makes.
// This folder is the only code that speaks SQL.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "powerfit/run_summary.hpp"
#include "powerfit/workload_counts.hpp"
#include "recording/sqlite.hpp"
#include "sampler/sampler.hpp"
#include "sensors/host_info.hpp"

namespace powerfit::recording {

inline constexpr int kSchemaVersion = 5;
// Versions from this one on are read and merged as they are, without a migrated copy: later
// versions added only indexes and columns that reads take as NULL where absent.
inline constexpr int kOldestReadableVersion = 2;

// The reads of samples by run and by channel: each one range of the index samples_by_channel, in
// its order, so no sort (their query plans are tested). The channel's run is named too, so that
// the lookup uses the index's first column.
inline constexpr const char* kRunSeriesSql =
    "SELECT channel_id, t_ns, value FROM samples WHERE run_id = ?1 ORDER BY channel_id, t_ns";
inline constexpr const char* kChannelSeriesSql =
    "SELECT t_ns, value FROM samples WHERE run_id = (SELECT run_id FROM channels WHERE id = ?1) AND channel_id = ?1 "
    "ORDER BY t_ns";

struct RunStart {
  std::string uuid;
  std::vector<std::string> command;
  std::string label;
  std::int64_t start_wall_ns = 0;
  double interval_s = 0.0;
  sensors::HostInfo host;
  std::string machine;  // --machine; empty: the hardware names it
};

struct RunRow {
  std::int64_t id = 0;
  std::string uuid;
  std::string command;  // JSON array of the arguments
  std::string label;
  std::string start_time;  // ISO 8601, UTC
  std::optional<std::string> end_time;
  std::optional<double> duration_s;
  std::optional<std::int64_t> exit_status;
  std::string hostname;
};

struct SampleRow {
  std::int64_t run_id = 0;
  std::int64_t start_wall_ns = 0;
  std::int64_t time_ns = 0;  // since the run started
  std::string channel;
  std::string unit;
  std::string kind;
  std::string scope;
  bool estimated = false;
  double value = 0.0;
};

// A run whose workload reported its counts (or tried to, and failed: `error`).
struct ReportedRun {
  std::int64_t run_id = 0;
  std::string uuid;
  std::string label;
  std::string command;  // JSON array of the arguments
  std::string hostname;
  std::string cpu_model;
  std::string gpu_models;  // JSON array
  std::int64_t cpu_cores = 0;
  std::string gpu_power_limits_w;  // JSON array
  std::string machine;             // --machine, where given
  std::string scheduler;           // JSON object of the scheduler's variables; empty where none
  std::string start_time;
  std::optional<std::string> error;
  std::optional<std::int64_t> exit_status;  // the measured command's, or what a session of the APIs was stopped with
  WorkloadCounts counts;
  std::optional<double> measured_energy_j;
  std::optional<double> estimated_energy_j;
  std::optional<double> duration_s;
  // The energy of the workload's inference window, where it reported one.
  std::optional<double> window_measured_energy_j;
  std::optional<double> window_estimated_energy_j;
  std::optional<double> window_duration_s;
  // Where an idle baseline was measured: the idle power, and the command's energy without it.
  std::optional<double> baseline_measured_power_w;
  std::optional<double> baseline_estimated_power_w;
  std::optional<double> command_measured_energy_j;
  std::optional<double> command_estimated_energy_j;
  std::optional<double> command_duration_s;
  // The inference window's end, in seconds since the run started.
  std::optional<double> window_end_s;
  // No end was stored: powerfit was killed mid-run, and the run holds what was committed.
  bool never_closed = false;
  // Where the ranks of one job were pooled into this run (analysis/job_ranks.hpp): on how many
  // hosts. 1 for a run of one process.
  std::int64_t nodes = 1;
  // Channels of the energy total that stopped early: their energy after that is missing.
  struct Stopped {
    std::string channel, failure;
    double at_s = 0.0;
    bool estimated = false;
  };
  std::vector<Stopped> stopped;
  // Channels of the energy total with no energy inside the inference window, where others have
  // one: they had no sample over it (the session's summary said so; scored again, so does this).
  struct Unsampled {
    std::string channel;
    bool estimated = false;
  };
  std::vector<Unsampled> unsampled_in_window;
};

// A run's channel as recorded, with its whole-run energy where it has one.
struct ChannelRow {
  std::int64_t id = 0;
  std::string name, unit, kind, scope;
  bool estimated = false;
  bool in_energy_total = false;
  std::optional<double> energy_j;         // over the whole run (channel_summaries)
  std::optional<double> window_energy_j;  // inside the inference window, where one was stored
};

class Database {
 public:
  enum class Mode { read_only, read_write };

  // Opens (or creates, for read_write) a powerfit database and brings its schema up to date.
  // Refuses, without touching the file, anything that is not a SQLite file, a SQLite file of
  // another application, or a schema newer than this build knows.
  static Database open(const std::filesystem::path& path, Mode mode);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database() = default;

  int schema_version();
  const std::filesystem::path& path() const { return path_; }

  std::int64_t begin_run(const RunStart& start);
  std::vector<std::int64_t> add_channels(std::int64_t run_id, const std::vector<ChannelInfo>& channels);

  // Samples and markers are written inside one; it rolls back unless committed.
  Transaction transaction() { return Transaction(db_.get()); }
  void insert_sample(std::int64_t run_id, std::int64_t channel_id, std::int64_t time_ns, double value);
  void insert_marker(std::int64_t run_id, const Marker& marker);

  void finish_run(std::int64_t run_id, std::int64_t end_wall_ns, const RunSummary& summary,
                  const std::vector<std::int64_t>& channel_ids);
  // After a write failed for want of room: folds the write-ahead log into the file and empties it,
  // so that the little a run's end needs may fit where a batch did not. False when it could not.
  bool make_room();

  void save_workload_report(std::int64_t run_id, const WorkloadCounts& report);
  void save_workload_report_error(std::int64_t run_id, const std::string& error);
  // Every run with a workload report, in run order; or only those of `only_runs` where given.
  std::vector<ReportedRun> reported_runs(const std::vector<std::int64_t>& only_runs = {});
  void save_window_energy(std::int64_t run_id, double start_s, double end_s, std::optional<double> measured_j,
                          std::optional<double> estimated_j);
  // One channel's energy inside the inference window.
  void save_window_channel_energy(std::int64_t run_id, std::int64_t channel_id, double joules);
  // Every channel's samples of one run, in one pass over the run's rows (keyed by channel id).
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, double>>> run_series(std::int64_t run_id);
  // One channel's recorded samples, in time order.
  std::vector<std::pair<std::int64_t, double>> channel_series(std::int64_t channel_id);

  // Copies every run of the database at `source` that this one lacks (runs are matched by their
  // uuid), with all its rows, in one transaction. The source is attached read-only and must
  // have this build's schema version (see recording/merge.hpp for older ones).
  struct MergeCount {
    std::size_t added = 0;
    std::size_t already_present = 0;
    // Runs here that were never closed (a copy taken mid-run, or powerfit killed) replaced by the
    // source's copy of the same run, closed or further on.
    std::size_t replaced = 0;
    std::size_t never_closed = 0;  // of the runs added or replacing, those with no end
    // Of the runs already here, closed in both files, those whose copies differ in their end or
    // their samples: the copy here is kept, and the user is told to look.
    std::size_t differing = 0;
  };
  MergeCount merge_from(const std::filesystem::path& source);

  std::vector<RunRow> runs();
  // Each run's scheduler variables (a JSON object), for the runs that recorded any.
  std::map<std::int64_t, std::string> run_schedulers();
  std::vector<ChannelRow> run_channels(std::int64_t run_id);
  std::vector<Marker> markers(std::int64_t run_id);
  bool has_run(std::int64_t run_id);
  // Streams every sample (of one run, or all) in the order recorded: by run, time and channel.
  void for_each_sample(std::optional<std::int64_t> run_id, const std::function<void(const SampleRow&)>& visit);

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  Database(std::filesystem::path path, sqlite3* db) : path_(std::move(path)), db_(db) {}
  static Database open_once(const std::filesystem::path& path, Mode mode);
  void migrate(int version);
  bool has_column(const std::string& table, const std::string& column);
  Statement& cached(std::unique_ptr<Statement>& slot, std::string_view sql);

  std::filesystem::path path_;
  std::unique_ptr<sqlite3, Closer> db_;
  std::unique_ptr<Statement> insert_sample_;
  std::unique_ptr<Statement> insert_marker_;
};

// "2026-11-24T16:20:01.123456Z"
std::string iso8601_utc(std::int64_t wall_ns);

// A random RFC 4122 version-4 identifier, so runs merged from many machines never collide.
std::string new_run_uuid();

}  // namespace powerfit::recording
