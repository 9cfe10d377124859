#include "recording/database.hpp"

#include <time.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include "powerfit/version.hpp"

namespace powerfit::recording {
namespace {

// "PFIT": marks the file as powerfit's, so another application's SQLite file is never altered.
constexpr std::int64_t kApplicationId = 0x50464954;

// Migrations[i] brings a database from version i to version i + 1.
constexpr std::array<std::string_view, kSchemaVersion> kMigrations{R"sql(
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
  process_cpu_s REAL, process_overhead_percent REAL
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
CREATE INDEX samples_by_run ON samples (run_id);
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
  window_start_s REAL, window_end_s REAL, window_measured_energy_j REAL, window_estimated_energy_j REAL
);
CREATE TABLE baselines (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id),
  duration_s REAL NOT NULL,
  command_duration_s REAL NOT NULL,
  measured_power_w REAL, estimated_power_w REAL,
  command_measured_energy_j REAL, command_estimated_energy_j REAL,
  dynamic_measured_energy_j REAL, dynamic_estimated_energy_j REAL
);
CREATE TABLE channel_summaries (
  channel_id INTEGER PRIMARY KEY REFERENCES channels(id),
  samples INTEGER NOT NULL,
  total REAL, mean REAL, min REAL, max REAL, energy_j REAL, last REAL
);
)sql",
                                                                     R"sql(
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
)sql"};

bool looks_like_sqlite(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<char, 16> header{};
  in.read(header.data(), header.size());
  return in.gcount() == 16 && std::string_view(header.data(), 16) == std::string_view("SQLite format 3\0", 16);
}

std::int64_t pragma_int(sqlite3* db, const char* pragma) {
  Statement statement(db, std::string("PRAGMA ") + pragma);
  return statement.step() ? statement.int64(0) : 0;
}

}  // namespace

std::string iso8601_utc(std::int64_t wall_ns) {
  const time_t seconds = static_cast<time_t>(wall_ns / 1'000'000'000);
  const long micros = static_cast<long>((wall_ns % 1'000'000'000) / 1000);
  tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return buffer;
}

std::string new_run_uuid() {
  std::random_device device;
  std::array<std::uint8_t, 16> bytes{};
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(device());
  bytes[6] = static_cast<std::uint8_t>((bytes[6] & 0x0f) | 0x40);
  bytes[8] = static_cast<std::uint8_t>((bytes[8] & 0x3f) | 0x80);
  char text[37];
  std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8],
                bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
  return text;
}

namespace {

// A database opened only to be read leaves nothing beside it and works in a read-only place: a
// closed database (no write-ahead log beside it) is opened immutable, so SQLite creates no -shm or
// -wal file. One with a log (a run still recording, or one killed) is read through the log.
std::string read_only_uri(const std::filesystem::path& path) {
  std::string uri = "file:";
  for (const unsigned char c : path.string()) {
    if (std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_' || c == '~') {
      uri += static_cast<char>(c);
    } else {
      char escaped[4];
      std::snprintf(escaped, sizeof escaped, "%%%02X", c);
      uri += escaped;
    }
  }
  std::error_code ec;
  const auto log = std::filesystem::path(path.string() + "-wal");
  const bool logged = std::filesystem::exists(log, ec) && std::filesystem::file_size(log, ec) > 0;
  return uri + (logged ? "?mode=ro" : "?mode=ro&immutable=1");
}

}  // namespace

Database Database::open(const std::filesystem::path& path, Mode mode) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (mode == Mode::read_only && !exists) {
    throw RecordingError("database '" + path.string() + "' does not exist; check the path");
  }
  if (exists && !fs::is_regular_file(path, ec)) {
    throw RecordingError("'" + path.string() + "' is not a regular file; give a database file path");
  }
  if (exists && fs::file_size(path, ec) > 0 && !looks_like_sqlite(path)) {
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
    } else if (version < kSchemaVersion) {
      throw RecordingError("database '" + path.string() + "' has schema version " + std::to_string(version) +
                           "; open it once with `powerfit run -o` to migrate it");
    }
  } catch (const RecordingError& error) {
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

// Inside the caller's transaction, from `version` to the current schema.
void Database::migrate(int version) {
  sqlite3* db = db_.get();
  for (; version < kSchemaVersion; ++version) execute(db, kMigrations[static_cast<std::size_t>(version)]);
  execute(db, "PRAGMA user_version = " + std::to_string(kSchemaVersion));
  execute(db, "PRAGMA application_id = " + std::to_string(kApplicationId));
}

Statement& Database::cached(std::unique_ptr<Statement>& slot, std::string_view sql) {
  if (!slot) slot = std::make_unique<Statement>(db_.get(), sql);
  return *slot;
}

std::int64_t Database::begin_run(const RunStart& start) {
  Statement statement(db_.get(), R"sql(
    INSERT INTO runs (uuid, command, label, start_wall_ns, start_time, interval_s, hostname, kernel,
                      cpu_model, cpu_cores, memory_bytes, gpu_models, gpu_driver, powerfit_version, gpu_uuids,
                      gpu_power_limits_w)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16))sql");
  statement.bind(1, start.uuid)
      .bind(2, nlohmann::json(start.command).dump())
      .bind(3, start.label)
      .bind(4, start.start_wall_ns)
      .bind(5, iso8601_utc(start.start_wall_ns))
      .bind(6, start.interval_s)
      .bind(7, start.host.hostname)
      .bind(8, start.host.kernel)
      .bind(9, start.host.cpu_model)
      .bind(10, static_cast<std::int64_t>(start.host.cpu_cores))
      .bind(11, static_cast<std::int64_t>(start.host.memory_bytes))
      .bind(12, nlohmann::json(start.host.gpu_models).dump())
      .bind(13, start.host.gpu_driver)
      .bind(14, std::string_view(kVersion))
      .bind(15, nlohmann::json(start.host.gpu_uuids).dump())
      .bind(16, nlohmann::json(start.host.gpu_power_limits_w).dump());
  statement.run();
  return sqlite3_last_insert_rowid(db_.get());
}

std::vector<std::int64_t> Database::add_channels(std::int64_t run_id, const std::vector<ChannelInfo>& channels) {
  Statement statement(db_.get(), R"sql(
    INSERT INTO channels (run_id, name, source, unit, kind, scope, estimated, wrap_at, in_energy_total)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql");
  std::vector<std::int64_t> ids;
  try {
    Transaction transaction(db_.get());
    for (const auto& channel : channels) {
      statement.bind(1, run_id)
          .bind(2, channel.name)
          .bind(3, channel.source)
          .bind(4, to_string(channel.unit))
          .bind(5, to_string(channel.kind))
          .bind(6, channel.scope)
          .bind(7, static_cast<std::int64_t>(channel.provenance == Provenance::estimated))
          .bind(8, channel.wrap_at > 0.0 ? std::optional<double>(channel.wrap_at) : std::nullopt)
          .bind(9, static_cast<std::int64_t>(channel.in_energy_total));
      statement.run();
      ids.push_back(sqlite3_last_insert_rowid(db_.get()));
    }
    transaction.commit();
  } catch (...) {
    // A run whose channels cannot be stored (two of one name, say) leaves no row behind.
    Statement remove(db_.get(), "DELETE FROM runs WHERE id = ?1");
    remove.bind(1, run_id).run();
    throw;
  }
  return ids;
}


void Database::insert_sample(std::int64_t run_id, std::int64_t channel_id, std::int64_t time_ns, double value) {
  cached(insert_sample_, "INSERT INTO samples (run_id, channel_id, t_ns, value) VALUES (?1, ?2, ?3, ?4)")
      .bind(1, run_id)
      .bind(2, channel_id)
      .bind(3, time_ns)
      .bind(4, value)
      .run();
}

void Database::insert_marker(std::int64_t run_id, const Marker& marker) {
  cached(insert_marker_, "INSERT INTO markers (run_id, t_ns, name) VALUES (?1, ?2, ?3)")
      .bind(1, run_id)
      .bind(2, marker.time_ns)
      .bind(3, marker.name)
      .run();
}

void Database::finish_run(std::int64_t run_id, std::int64_t end_wall_ns, const RunSummary& summary,
                          const std::vector<std::int64_t>& channel_ids) {
  Transaction transaction(db_.get());
  Statement run(db_.get(), R"sql(
    UPDATE runs SET end_time = ?2, duration_s = ?3, exit_status = ?4, samples = ?5,
      missed_deadlines = ?6, dropped_ticks = ?7, max_lateness_s = ?8, sampler_cpu_s = ?9,
      sampler_overhead_percent = ?10, writer_cpu_s = ?11, child_cpu_s = ?12, process_cpu_s = ?13,
      process_overhead_percent = ?14
    WHERE id = ?1)sql");
  run.bind(1, run_id)
      .bind(2, iso8601_utc(end_wall_ns))
      .bind(3, summary.duration_s)
      .bind(4, static_cast<std::int64_t>(summary.exit_status))
      .bind(5, static_cast<std::int64_t>(summary.samples))
      .bind(6, static_cast<std::int64_t>(summary.missed_deadlines))
      .bind(7, static_cast<std::int64_t>(summary.dropped_ticks))
      .bind(8, summary.max_lateness_s)
      .bind(9, summary.sampler_cpu_s)
      .bind(10, summary.sampler_overhead_percent)
      .bind(11, summary.writer_cpu_s)
      .bind(12, summary.child_cpu_s)
      .bind(13, summary.process_cpu_s)
      .bind(14, summary.process_overhead_percent);
  run.run();
  Statement channel(db_.get(), "UPDATE channels SET failed_at_s = ?2, failure = ?3 WHERE id = ?1");
  Statement source(db_.get(), "UPDATE channels SET source = ?2 WHERE id = ?1");
  Statement totals(db_.get(), R"sql(
    INSERT OR REPLACE INTO channel_summaries (channel_id, samples, total, mean, min, max, energy_j, last)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))sql");
  if (const auto& baseline = summary.baseline) {
    Statement statement(db_.get(), R"sql(
      INSERT OR REPLACE INTO baselines (run_id, duration_s, command_duration_s, measured_power_w, estimated_power_w,
        command_measured_energy_j, command_estimated_energy_j, dynamic_measured_energy_j, dynamic_estimated_energy_j,
        from_run_uuid)
      VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULLIF(?10, '')))sql");
    statement.bind(1, run_id)
        .bind(2, baseline->duration_s)
        .bind(3, baseline->command_duration_s)
        .bind(4, baseline->measured_power_w)
        .bind(5, baseline->estimated_power_w)
        .bind(6, baseline->command_measured_energy_j)
        .bind(7, baseline->command_estimated_energy_j)
        .bind(8, baseline->dynamic_measured_energy_j)
        .bind(9, baseline->dynamic_estimated_energy_j)
        .bind(10, baseline->from_run_uuid);
    statement.run();
  }
  for (std::size_t i = 0; i < summary.channels.size() && i < channel_ids.size(); ++i) {
    const auto& s = summary.channels[i];
    // A failed counter whose energy its power gauge counted on is whole: its source says how.
    if (s.incomplete()) {
      channel.bind(1, channel_ids[i]).bind(2, s.failed_at_s).bind(3, *s.failure);
      channel.run();
    } else if (s.counted_from_gauge) {
      source.bind(1, channel_ids[i]).bind(2, s.info.source);
      source.run();
    }
    totals.bind(1, channel_ids[i])
        .bind(2, static_cast<std::int64_t>(s.samples))
        .bind(3, s.total)
        .bind(4, s.mean)
        .bind(5, s.min)
        .bind(6, s.max)
        .bind(7, s.energy_j)
        .bind(8, s.last);
    totals.run();
  }
  transaction.commit();
}

void Database::save_workload_report(std::int64_t run_id, const WorkloadReport& report) {
  Statement statement(db_.get(), R"sql(
    INSERT OR REPLACE INTO workload_reports (run_id, inferences, correct, correct_top5, model, device, batch_size,
                                             dataset, parameters, macs, raw, declared_accuracy, backend,
                                             model_sha256, dataset_size, latency_p50_s, latency_p90_s,
                                             latency_p99_s, throughput_per_s, warmup_batches, threads)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21))sql");
  statement.bind(1, run_id)
      .bind(2, report.inferences)
      .bind(3, report.correct)
      .bind(4, report.correct_top5)
      .bind(5, report.model)
      .bind(6, report.device)
      .bind(7, report.batch_size)
      .bind(8, report.dataset)
      .bind(9, report.parameters)
      .bind(10, report.macs)
      .bind(11, report.raw)
      .bind(12, report.declared_accuracy_percent)
      .bind(13, report.backend)
      .bind(14, report.model_sha256)
      .bind(15, report.dataset_size)
      .bind(16, report.latency_p50_s)
      .bind(17, report.latency_p90_s)
      .bind(18, report.latency_p99_s)
      .bind(19, report.throughput_per_s)
      .bind(20, report.warmup_batches)
      .bind(21, report.threads);
  statement.run();
}

void Database::save_window_energy(std::int64_t run_id, double start_s, double end_s, std::optional<double> measured_j,
                                  std::optional<double> estimated_j) {
  Statement statement(db_.get(), R"sql(
    UPDATE workload_reports SET window_start_s = ?2, window_end_s = ?3, window_measured_energy_j = ?4,
                                window_estimated_energy_j = ?5
    WHERE run_id = ?1)sql");
  statement.bind(1, run_id).bind(2, start_s).bind(3, end_s).bind(4, measured_j).bind(5, estimated_j);
  statement.run();
}

void Database::save_window_channel_energy(std::int64_t run_id, std::int64_t channel_id, double joules) {
  Statement statement(db_.get(), R"sql(
    INSERT OR REPLACE INTO window_channel_energy (run_id, channel_id, energy_j) VALUES (?1, ?2, ?3))sql");
  statement.bind(1, run_id).bind(2, channel_id).bind(3, joules);
  statement.run();
}

std::map<std::int64_t, std::vector<std::pair<std::int64_t, double>>> Database::run_series(std::int64_t run_id) {
  // Rows are written tick by tick, so rowid order is time order within each channel.
  Statement statement(db_.get(), "SELECT channel_id, t_ns, value FROM samples WHERE run_id = ?1 ORDER BY rowid");
  statement.bind(1, run_id);
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, double>>> series;
  while (statement.step()) series[statement.int64(0)].emplace_back(statement.int64(1), statement.real(2));
  return series;
}

std::vector<std::pair<std::int64_t, double>> Database::channel_series(std::int64_t channel_id) {
  Statement statement(db_.get(), "SELECT t_ns, value FROM samples WHERE channel_id = ?1 ORDER BY t_ns");
  statement.bind(1, channel_id);
  std::vector<std::pair<std::int64_t, double>> series;
  while (statement.step()) series.emplace_back(statement.int64(0), statement.real(1));
  return series;
}

void Database::save_workload_report_error(std::int64_t run_id, const std::string& error) {
  // Keeps any counts already saved: a run can be reported and still unscorable.
  Statement statement(db_.get(), R"sql(
    INSERT INTO workload_reports (run_id, error) VALUES (?1, ?2)
    ON CONFLICT (run_id) DO UPDATE SET error = excluded.error)sql");
  statement.bind(1, run_id).bind(2, error);
  statement.run();
}

std::vector<ReportedRun> Database::reported_runs(const std::vector<std::int64_t>& only_runs) {
  // Energy totals come from the channel summaries, measured and estimated apart.
  // Only the runs asked for are read: the energy sums below are a subquery per run.
  std::string only;
  for (std::size_t i = 0; i < only_runs.size(); ++i) only += (i == 0 ? "WHERE r.id IN (?" : ", ?");
  if (!only.empty()) only += ")";
  Statement statement(db_.get(), R"sql(
    SELECT r.id, r.uuid, r.label, COALESCE(r.hostname, ''), r.start_time, w.error,
           w.inferences, w.correct, w.correct_top5, COALESCE(w.model, ''), COALESCE(w.device, ''),
           w.batch_size, COALESCE(w.dataset, ''), w.parameters, w.macs,
           (SELECT SUM(cs.energy_j) FROM channels c JOIN channel_summaries cs ON cs.channel_id = c.id
             WHERE c.run_id = r.id AND c.in_energy_total = 1 AND c.estimated = 0),
           (SELECT SUM(cs.energy_j) FROM channels c JOIN channel_summaries cs ON cs.channel_id = c.id
             WHERE c.run_id = r.id AND c.in_energy_total = 1 AND c.estimated = 1),
           r.duration_s, w.window_measured_energy_j, w.window_estimated_energy_j,
           b.measured_power_w, b.estimated_power_w, b.command_measured_energy_j, b.command_estimated_energy_j,
           w.window_end_s - w.window_start_s, b.command_duration_s,
           w.declared_accuracy, COALESCE(w.backend, ''), COALESCE(w.model_sha256, ''), w.dataset_size,
           w.latency_p50_s, w.latency_p90_s, w.latency_p99_s, w.throughput_per_s, w.warmup_batches, w.threads,
           COALESCE(r.cpu_model, ''), COALESCE(r.gpu_models, ''), w.window_end_s, r.end_time IS NULL
    FROM runs r JOIN workload_reports w ON w.run_id = r.id LEFT JOIN baselines b ON b.run_id = r.id
    )sql" + only + " ORDER BY r.id");
  for (std::size_t i = 0; i < only_runs.size(); ++i) statement.bind(static_cast<int>(i + 1), only_runs[i]);
  std::vector<ReportedRun> rows;
  while (statement.step()) {
    ReportedRun row{.run_id = statement.int64(0),
                    .uuid = statement.text(1),
                    .label = statement.text(2),
                    .hostname = statement.text(3),
                    .start_time = statement.text(4)};
    if (!statement.is_null(5)) row.error = statement.text(5);
    row.report.inferences = statement.optional_int64(6).value_or(0);
    row.report.correct = statement.optional_int64(7).value_or(0);
    row.report.correct_top5 = statement.optional_int64(8);
    row.report.model = statement.text(9);
    row.report.device = statement.text(10);
    row.report.batch_size = statement.optional_int64(11);
    row.report.dataset = statement.text(12);
    row.report.parameters = statement.optional_real(13);
    row.report.macs = statement.optional_real(14);
    row.measured_energy_j = statement.optional_real(15);
    row.estimated_energy_j = statement.optional_real(16);
    row.duration_s = statement.optional_real(17);
    row.window_measured_energy_j = statement.optional_real(18);
    row.window_estimated_energy_j = statement.optional_real(19);
    row.baseline_measured_power_w = statement.optional_real(20);
    row.baseline_estimated_power_w = statement.optional_real(21);
    row.command_measured_energy_j = statement.optional_real(22);
    row.command_estimated_energy_j = statement.optional_real(23);
    row.window_duration_s = statement.optional_real(24);
    row.command_duration_s = statement.optional_real(25);
    row.report.declared_accuracy_percent = statement.optional_real(26);
    row.report.backend = statement.text(27);
    row.report.model_sha256 = statement.text(28);
    row.report.dataset_size = statement.optional_int64(29);
    row.report.latency_p50_s = statement.optional_real(30);
    row.report.latency_p90_s = statement.optional_real(31);
    row.report.latency_p99_s = statement.optional_real(32);
    row.report.throughput_per_s = statement.optional_real(33);
    row.report.warmup_batches = statement.optional_int64(34);
    row.report.threads = statement.optional_int64(35);
    row.cpu_model = statement.text(36);
    row.gpu_models = statement.text(37);
    row.window_end_s = statement.optional_real(38);
    row.never_closed = statement.int64(39) != 0;
    rows.push_back(std::move(row));
  }
  Statement stopped(db_.get(), R"sql(
    SELECT name, failure, COALESCE(failed_at_s, 0), estimated FROM channels
    WHERE run_id = ?1 AND in_energy_total = 1 AND failure IS NOT NULL ORDER BY id)sql");
  for (auto& row : rows) {
    stopped.bind(1, row.run_id);
    while (stopped.step()) row.stopped.push_back({stopped.text(0), stopped.text(1), stopped.real(2), stopped.int64(3) != 0});
    stopped.reset();
  }
  return rows;
}

namespace {

std::vector<std::string> table_columns(sqlite3* db, const std::string& table) {
  Statement statement(db, "SELECT name FROM pragma_table_info(?1, 'main')");
  statement.bind(1, table);
  std::vector<std::string> columns;
  while (statement.step()) columns.push_back(statement.text(0));
  return columns;
}

// Copies the rows of `table` that belong to the runs being merged, renumbering run and channel
// ids through the maps built for them; the target's own primary key `id` is left to SQLite.
void copy_rows(sqlite3* db, const std::string& table) {
  std::string names, values, joins;
  bool filter_runs = false;
  for (const auto& column : table_columns(db, table)) {
    if (column == "id") continue;
    names += (names.empty() ? "" : ", ") + column;
    values += values.empty() ? "" : ", ";
    if (column == "run_id") {
      values += "rm.new_id";
      joins += " JOIN temp.run_map rm ON src.run_id = rm.old_id";
    } else if (column == "channel_id") {
      values += "cm.new_id";
      joins += " JOIN temp.channel_map cm ON src.channel_id = cm.old_id";
    } else {
      values += "src." + column;
    }
    filter_runs = filter_runs || column == "uuid";
  }
  std::string sql = "INSERT INTO main." + table + " (" + names + ") SELECT " + values + " FROM source." + table +
                    " AS src" + joins;
  if (table == "runs") sql += " WHERE src.uuid IN (SELECT uuid FROM temp.new_runs)";
  execute(db, sql + " ORDER BY src.rowid");
}

}  // namespace

Database::MergeCount Database::merge_from(const std::filesystem::path& source) {
  sqlite3* db = db_.get();
  {
    Statement attach(db, "ATTACH DATABASE ?1 AS source");
    attach.bind(1, read_only_uri(source));
    attach.run();
  }
  MergeCount count;
  execute(db, "BEGIN IMMEDIATE");
  try {
    const auto version = pragma_int(db, "source.user_version");
    if (version != kSchemaVersion) {
      throw RecordingError("'" + source.string() + "' has schema version " + std::to_string(version) + ", not " +
                           std::to_string(kSchemaVersion));
    }
    execute(db, R"sql(
      CREATE TEMP TABLE new_runs AS
        SELECT id, uuid FROM source.runs WHERE uuid NOT IN (SELECT uuid FROM main.runs);
    )sql");
    {
      Statement counts(db, "SELECT (SELECT count(*) FROM temp.new_runs), (SELECT count(*) FROM source.runs)");
      counts.step();
      count.added = static_cast<std::size_t>(counts.int64(0));
      count.already_present = static_cast<std::size_t>(counts.int64(1)) - count.added;
    }
    copy_rows(db, "runs");
    execute(db, R"sql(
      CREATE TEMP TABLE run_map AS
        SELECT n.id AS old_id, m.id AS new_id FROM temp.new_runs n JOIN main.runs m ON m.uuid = n.uuid;
    )sql");
    copy_rows(db, "channels");
    execute(db, R"sql(
      CREATE TEMP TABLE channel_map AS
        SELECT c.id AS old_id, m.id AS new_id FROM source.channels c
        JOIN temp.run_map rm ON c.run_id = rm.old_id
        JOIN main.channels m ON m.run_id = rm.new_id AND m.name = c.name;
    )sql");
    for (const char* table : {"samples", "markers", "workload_reports", "baselines", "channel_summaries",
                              "window_channel_energy"}) {
      copy_rows(db, table);
    }
    execute(db, "DROP TABLE temp.new_runs; DROP TABLE temp.run_map; DROP TABLE temp.channel_map; COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db, "DROP TABLE IF EXISTS temp.new_runs; DROP TABLE IF EXISTS temp.run_map; DROP TABLE IF EXISTS temp.channel_map",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(db, "DETACH DATABASE source", nullptr, nullptr, nullptr);
    throw;
  }
  execute(db, "DETACH DATABASE source");
  return count;
}

std::vector<RunRow> Database::runs() {
  Statement statement(db_.get(), R"sql(
    SELECT id, uuid, command, label, start_time, end_time, duration_s, exit_status, hostname
    FROM runs ORDER BY id)sql");
  std::vector<RunRow> rows;
  while (statement.step()) {
    RunRow row{.id = statement.int64(0),
               .uuid = statement.text(1),
               .command = statement.text(2),
               .label = statement.text(3),
               .start_time = statement.text(4),
               .duration_s = statement.optional_real(6),
               .exit_status = statement.optional_int64(7),
               .hostname = statement.text(8)};
    if (!statement.is_null(5)) row.end_time = statement.text(5);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<ChannelRow> Database::run_channels(std::int64_t run_id) {
  Statement statement(db_.get(), R"sql(
    SELECT c.id, c.name, c.unit, c.kind, c.scope, c.estimated, c.in_energy_total, cs.energy_j, w.energy_j
    FROM channels c LEFT JOIN channel_summaries cs ON cs.channel_id = c.id
    LEFT JOIN window_channel_energy w ON w.channel_id = c.id AND w.run_id = c.run_id
    WHERE c.run_id = ?1 ORDER BY c.id)sql");
  statement.bind(1, run_id);
  std::vector<ChannelRow> rows;
  while (statement.step()) {
    rows.push_back({.id = statement.int64(0),
                    .name = statement.text(1),
                    .unit = statement.text(2),
                    .kind = statement.text(3),
                    .scope = statement.text(4),
                    .estimated = statement.int64(5) != 0,
                    .in_energy_total = statement.int64(6) != 0,
                    .energy_j = statement.optional_real(7),
                    .window_energy_j = statement.optional_real(8)});
  }
  return rows;
}

std::vector<Marker> Database::markers(std::int64_t run_id) {
  Statement statement(db_.get(), "SELECT t_ns, name FROM markers WHERE run_id = ?1 ORDER BY t_ns, rowid");
  statement.bind(1, run_id);
  std::vector<Marker> rows;
  while (statement.step()) rows.push_back({.time_ns = statement.int64(0), .name = statement.text(1)});
  return rows;
}

bool Database::has_run(std::int64_t run_id) {
  Statement statement(db_.get(), "SELECT 1 FROM runs WHERE id = ?1");
  statement.bind(1, run_id);
  return statement.step();
}

void Database::for_each_sample(std::optional<std::int64_t> run_id,
                               const std::function<void(const SampleRow&)>& visit) {
  Statement statement(db_.get(), R"sql(
    SELECT c.run_id, r.start_wall_ns, s.t_ns, c.name, c.unit, c.kind, c.scope, c.estimated, s.value
    FROM samples s JOIN channels c ON c.id = s.channel_id JOIN runs r ON r.id = s.run_id
    WHERE ?1 IS NULL OR s.run_id = ?1
    ORDER BY s.rowid)sql");
  statement.bind(1, run_id);
  SampleRow row;
  while (statement.step()) {
    row.run_id = statement.int64(0);
    row.start_wall_ns = statement.int64(1);
    row.time_ns = statement.int64(2);
    row.channel = statement.text(3);
    row.unit = statement.text(4);
    row.kind = statement.text(5);
    row.scope = statement.text(6);
    row.estimated = statement.int64(7) != 0;
    row.value = statement.real(8);
    visit(row);
  }
}

}  // namespace powerfit::recording
