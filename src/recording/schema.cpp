// The database file: what it is (checked before anything is written to it), its schema and the
// migrations that bring an older one up to date, and opening it for reading or recording.

#include "recording/database.hpp"

#include <unistd.h>

#include <array>
#include <chrono>
#include <random>
#include <thread>

#include "core/output_file.hpp"

namespace powerfit::recording {
namespace {

// "PFIT": marks the file as powerfit's, so another application's SQLite file is never altered.
constexpr std::int64_t kApplicationId = 0x50464954;

// Migrations[i] brings a database from version i + 1 to version i + 2. A new file (version 0)
// gets the current schema at once (kCurrentSchema, below); an older one is brought up to it here.
constexpr std::array<std::string_view, kSchemaVersion - 1> kMigrations{R"sql(
-- version 2: what a bench run knows about its model, engine and timings; idle power reused
-- across repeats; each channel's energy inside the inference window.
ALTER TABLE workload_reports ADD COLUMN declared_accuracy REAL;
ALTER TABLE workload_reports ADD COLUMN backend TEXT;
ALTER TABLE workload_reports ADD COLUMN model_sha256 TEXT;
ALTER TABLE workload_reports ADD COLUMN dataset_size INTEGER;
ALTER TABLE workload_reports ADD COLUMN latency_p50_s REAL;
ALTER TABLE workload_reports ADD COLUMN latency_p90_s REAL;
ALTER TABLE workload_reports ADD COLUMN latency_p99_s REAL;
ALTER TABLE workload_reports ADD COLUMN throughput_per_s REAL;
ALTER TABLE workload_reports ADD COLUMN warmup_batches INTEGER;
ALTER TABLE workload_reports ADD COLUMN threads INTEGER;
ALTER TABLE baselines ADD COLUMN from_run_uuid TEXT;
ALTER TABLE runs ADD COLUMN gpu_power_limits_w TEXT;
CREATE TABLE window_channel_energy (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  channel_id INTEGER NOT NULL REFERENCES channels(id),
  energy_j REAL NOT NULL,
  PRIMARY KEY (run_id, channel_id)
);
)sql",
                                                                     R"sql(
-- version 3: samples found by run, channel and time. Every per-channel read (finishing a run, its
-- baseline and windows, a report's plots) is one range of this index instead of a scan and a
-- sort; holding the value too, it answers those reads alone, without a lookup in the table per
-- row, and serves reads by run as well, so the run-only index goes.
CREATE INDEX IF NOT EXISTS samples_by_channel ON samples (run_id, channel_id, t_ns, value);
DROP INDEX IF EXISTS samples_by_run;
)sql",
                                                                     R"sql(
-- version 4: where a run ran, beyond its host: the scheduler's and MPI's variables (a JSON object,
-- as given), and the machine name given with --machine (NULL: its hardware names it).
ALTER TABLE runs ADD COLUMN scheduler TEXT;
ALTER TABLE runs ADD COLUMN machine TEXT;
)sql",
                                                                     R"sql(
-- version 5: how long the machine was given to settle (its power to stop falling) before the
-- idle baseline was taken.
ALTER TABLE baselines ADD COLUMN settle_s REAL;
)sql"};

// The schema as the migrations leave it, which a new file is made with in one step: each ALTER
// TABLE makes SQLite parse the whole schema again, and a new file's fourteen of them were most of
// its opening's cost. Columns stand in the order the migrations add them, so an older file
// migrated and a new one are alike (Database.ANewFileHasTheSchemaAnOlderOneIsMigratedTo).
constexpr std::string_view kCurrentSchema = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  command TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  start_wall_ns INTEGER NOT NULL,
  start_time TEXT NOT NULL,
  end_time TEXT,
  duration_s REAL,
  exit_status INTEGER,
  interval_s REAL NOT NULL,
  hostname TEXT, kernel TEXT, cpu_model TEXT, cpu_cores INTEGER, memory_bytes INTEGER,
  gpu_models TEXT, gpu_uuids TEXT, gpu_driver TEXT,
  powerfit_version TEXT NOT NULL,
  samples INTEGER, missed_deadlines INTEGER, dropped_ticks INTEGER, max_lateness_s REAL,
  sampler_cpu_s REAL, sampler_overhead_percent REAL, writer_cpu_s REAL, child_cpu_s REAL,
  process_cpu_s REAL, process_overhead_percent REAL,
  gpu_power_limits_w TEXT,
  scheduler TEXT,
  machine TEXT
);
CREATE TABLE channels (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  unit TEXT NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  estimated INTEGER NOT NULL,
  in_energy_total INTEGER NOT NULL DEFAULT 0,
  wrap_at REAL,
  failed_at_s REAL,
  failure TEXT,
  UNIQUE (run_id, name)
);
-- Rows are appended in tick order, so a run's samples sit together in rowid order and each
-- commit touches the last page or two instead of one page per channel.
CREATE TABLE samples (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  channel_id INTEGER NOT NULL REFERENCES channels(id),
  t_ns INTEGER NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX samples_by_channel ON samples (run_id, channel_id, t_ns, value);
CREATE TABLE markers (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  t_ns INTEGER NOT NULL,
  name TEXT NOT NULL
);
CREATE TABLE workload_reports (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id),
  inferences INTEGER, correct INTEGER, correct_top5 INTEGER,
  model TEXT, device TEXT, batch_size INTEGER, dataset TEXT, parameters REAL, macs REAL,
  raw TEXT,
  error TEXT,
  -- the inference window the workload reported, in seconds since the run started, and the
  -- energy inside it
  window_start_s REAL, window_end_s REAL, window_measured_energy_j REAL, window_estimated_energy_j REAL,
  declared_accuracy REAL, backend TEXT, model_sha256 TEXT, dataset_size INTEGER,
  latency_p50_s REAL, latency_p90_s REAL, latency_p99_s REAL, throughput_per_s REAL,
  warmup_batches INTEGER, threads INTEGER
);
CREATE TABLE baselines (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id),
  duration_s REAL NOT NULL,
  command_duration_s REAL NOT NULL,
  measured_power_w REAL, estimated_power_w REAL,
  command_measured_energy_j REAL, command_estimated_energy_j REAL,
  dynamic_measured_energy_j REAL, dynamic_estimated_energy_j REAL,
  from_run_uuid TEXT,
  settle_s REAL
);
CREATE TABLE channel_summaries (
  channel_id INTEGER PRIMARY KEY REFERENCES channels(id),
  samples INTEGER NOT NULL,
  total REAL, mean REAL, min REAL, max REAL, energy_j REAL, last REAL
);
CREATE TABLE window_channel_energy (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  channel_id INTEGER NOT NULL REFERENCES channels(id),
  energy_j REAL NOT NULL,
  PRIMARY KEY (run_id, channel_id)
);
)sql";

bool is_locked(const RecordingError& error) { return std::string(error.what()).find("database is locked") != std::string::npos; }

}  // namespace

// Several processes opening one file at once (the ranks of a job creating it, migrating it) can
// find it locked in steps where SQLite's busy handler does not wait, such as switching a new file
// to WAL: each tries again, for up to 30 s, before the lock is an error.
Database Database::open(const std::filesystem::path& path, Mode mode) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::minstd_rand jitter(static_cast<unsigned>(::getpid()));
  for (int attempt = 0;; ++attempt) {
    try {
      return open_once(path, mode);
    } catch (const RecordingError& error) {
      if (!is_locked(error) || std::chrono::steady_clock::now() > deadline) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 + jitter() % 40 + 10 * std::min(attempt, 10)));
    }
  }
}

Database Database::open_once(const std::filesystem::path& path, Mode mode) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (mode == Mode::read_only && !exists) {
    throw RecordingError("database '" + path.string() + "' does not exist; check the path");
  }
  if (exists && !fs::is_regular_file(path, ec)) {
    throw RecordingError("'" + path.string() + "' is not a regular file; give a database file path");
  }
  if (exists && fs::file_size(path, ec) > 0 && !is_sqlite_file(path)) {
    throw RecordingError("'" + path.string() +
                         "' is not a SQLite database (corrupt, or another kind of file); choose another path");
  }
  sqlite3* raw = nullptr;
  // Read-only opens (and merge's attached sources) go through read_only_uri.
  const int flags = SQLITE_OPEN_URI | (mode == Mode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  const int rc = sqlite3_open_v2(mode == Mode::read_only ? read_only_uri(path).c_str() : path.c_str(), &raw, flags, nullptr);
  Database database(path, raw);
  // A new file that could not be made into a database (a full disk, say) is not left behind.
  const auto discard_new_file = [&] {
    if (mode != Mode::read_write || exists) return;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path.string() + suffix, ec);
  };
  if (rc != SQLITE_OK) {
    const std::string message = sqlite3_errmsg(raw);
    discard_new_file();
    throw RecordingError("cannot open database '" + path.string() + "': " + message +
                         "; check that the directory exists and is writable");
  }
  sqlite3_busy_timeout(raw, 5000);
  try {
    // What the file is: checked before anything is written to it, and again inside the
    // transaction that migrates it (another process may be creating this same file: the check
    // and the migration are one immediate transaction, so each process sees the other's finished
    // work or none of it).
    const auto identify = [&] {
      const auto application = pragma_int(raw, "application_id");
      const auto version = pragma_int(raw, "user_version");
      // Reading the schema touches the first page's b-tree: the cheapest check that catches a
      // file whose header survived but whose content did not. (Its count, not the schema
      // cookie, which switching the journal to WAL moves before any table exists.)
      Statement schema(raw, "SELECT count(*) FROM sqlite_schema");
      schema.step();
      const auto tables = schema.int64(0);
      if (application != kApplicationId && (application != 0 || tables != 0)) {
        throw RecordingError("'" + path.string() + "' is a SQLite database of another application; choose another path");
      }
      if (version > kSchemaVersion) {
        throw RecordingError("database '" + path.string() + "' has schema version " + std::to_string(version) +
                             ", newer than this powerfit supports (" + std::to_string(kSchemaVersion) +
                             "); upgrade powerfit");
      }
      return static_cast<int>(version);
    };
    int version = 0;
    {
      Transaction snapshot(raw);  // the header and the tables read as of one moment
      version = identify();
      snapshot.commit();
    }
    if (mode == Mode::read_write) {
      execute(raw, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
      Transaction transaction(raw, Transaction::Lock::immediate);
      database.migrate(identify());
      transaction.commit();
    } else if (version < kOldestReadableVersion) {
      throw RecordingError("database '" + path.string() + "' has schema version " + std::to_string(version) +
                           "; open it once with `powerfit run -o` to migrate it");
    }
  } catch (const RecordingError& error) {
    // Locked: another process is making this file; it is not ours to remove.
    if (is_locked(error)) throw;
    discard_new_file();
    const std::string message = error.what();
    if (message.find("file is not a database") != std::string::npos ||
        message.find("malformed") != std::string::npos) {
      throw RecordingError("'" + path.string() + "' is a corrupt SQLite database; choose another path");
    }
    if (message.find("readonly") != std::string::npos || message.find("unable to open") != std::string::npos) {
      throw RecordingError("cannot write database '" + path.string() + "'; check that the directory exists and is writable");
    }
    throw;
  }
  return database;
}

int Database::schema_version() { return static_cast<int>(pragma_int(db_.get(), "user_version")); }

// Inside the caller's transaction, from `version` to the current schema. Version 0 is a file with
// no tables yet (identify refuses any other): it gets the current schema at once.
void Database::migrate(int version) {
  sqlite3* db = db_.get();
  if (version == 0) {
    execute(db, kCurrentSchema);
  } else {
    for (; version < kSchemaVersion; ++version) execute(db, kMigrations[static_cast<std::size_t>(version - 1)]);
  }
  execute(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion));
  execute(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
}
}  // namespace powerfit::recording
