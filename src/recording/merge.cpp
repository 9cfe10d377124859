#include "recording/merge.hpp"

#include "core/output_file.hpp"
#include "recording/readable.hpp"

namespace powerfit::recording {

namespace fs = std::filesystem;

std::vector<MergedSource> merge_databases(const fs::path& target, const std::vector<fs::path>& sources) {
  for (const auto& source : sources) {
    if (same_file(source, target)) {
      throw RecordingError("'" + source.string() + "' is both an input and the output; write the merge to a new file with -o");
    }
  }
  // Every input is opened (and an older one migrated aside) before the output is touched.
  std::vector<ReadableDatabase> inputs;
  for (const auto& source : sources) inputs.emplace_back(source);
  auto database = Database::open(target, Database::Mode::read_write);
  std::vector<MergedSource> merged;
  for (std::size_t i = 0; i < sources.size(); ++i) merged.push_back({sources[i], database.merge_from(inputs[i].readable_path())});
  return merged;
}

// Merging: every run of another database not already here, renumbered; and a run here that was
// never closed (its database copied mid-run, or powerfit killed) replaced by the source's copy of
// it where that one is closed or has more samples: a snapshot merged before the finished
// database kept the snapshot and dropped the finished run, without a word.

namespace {

// The columns of `table` that both the target and the source have (a source of an older schema
// lacks the newer ones, which stay NULL).
std::vector<std::string> table_columns(sqlite3* db, const std::string& table) {
  Statement statement(db, "SELECT name FROM pragma_table_info(?1, 'main') WHERE name IN "
                          "(SELECT name FROM pragma_table_info(?1, 'source'))");
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
    if (version < kOldestReadableVersion || version > kSchemaVersion) {
      throw RecordingError("'" + source.string() + "' has schema version " + std::to_string(version) + ", not " +
                           std::to_string(kOldestReadableVersion) + " to " + std::to_string(kSchemaVersion));
    }
    execute(db, R"sql(
      CREATE TEMP TABLE stale_runs AS
        SELECT m.id AS id FROM main.runs m JOIN source.runs s ON s.uuid = m.uuid
        WHERE m.end_time IS NULL AND (s.end_time IS NOT NULL OR
          (SELECT count(*) FROM source.samples WHERE run_id = s.id) > (SELECT count(*) FROM main.samples WHERE run_id = m.id));
      DELETE FROM main.channel_summaries WHERE channel_id IN
        (SELECT id FROM main.channels WHERE run_id IN (SELECT id FROM temp.stale_runs));
      DELETE FROM main.window_channel_energy WHERE run_id IN (SELECT id FROM temp.stale_runs);
      DELETE FROM main.samples WHERE run_id IN (SELECT id FROM temp.stale_runs);
      DELETE FROM main.markers WHERE run_id IN (SELECT id FROM temp.stale_runs);
      DELETE FROM main.workload_reports WHERE run_id IN (SELECT id FROM temp.stale_runs);
      DELETE FROM main.baselines WHERE run_id IN (SELECT id FROM temp.stale_runs);
      DELETE FROM main.channels WHERE run_id IN (SELECT id FROM temp.stale_runs);
      DELETE FROM main.runs WHERE id IN (SELECT id FROM temp.stale_runs);
      CREATE TEMP TABLE new_runs AS
        SELECT id, uuid FROM source.runs WHERE uuid NOT IN (SELECT uuid FROM main.runs);
    )sql");
    {
      Statement counts(db, "SELECT (SELECT count(*) FROM temp.new_runs), (SELECT count(*) FROM source.runs), "
                           "(SELECT count(*) FROM temp.stale_runs), "
                           "(SELECT count(*) FROM source.runs WHERE end_time IS NULL AND id IN (SELECT id FROM temp.new_runs)), "
                           // Two closed copies of one run that do not agree (no stale run is closed).
                           "(SELECT count(*) FROM main.runs m JOIN source.runs s ON s.uuid = m.uuid "
                           " WHERE m.end_time IS NOT NULL AND s.end_time IS NOT NULL AND (m.end_time != s.end_time OR "
                           "  (SELECT count(*) FROM source.samples WHERE run_id = s.id) != "
                           "  (SELECT count(*) FROM main.samples WHERE run_id = m.id)))");
      counts.step();
      const auto copied = static_cast<std::size_t>(counts.int64(0));
      count.replaced = static_cast<std::size_t>(counts.int64(2));
      count.added = copied - count.replaced;
      count.already_present = static_cast<std::size_t>(counts.int64(1)) - copied;
      count.never_closed = static_cast<std::size_t>(counts.int64(3));
      count.differing = static_cast<std::size_t>(counts.int64(4));
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
    execute(db, "DROP TABLE temp.stale_runs; DROP TABLE temp.new_runs; DROP TABLE temp.run_map; DROP TABLE temp.channel_map; COMMIT");
  } catch (...) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "DROP TABLE IF EXISTS temp.stale_runs; DROP TABLE IF EXISTS temp.new_runs; DROP TABLE IF EXISTS temp.run_map; "
                 "DROP TABLE IF EXISTS temp.channel_map",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(db, "DETACH DATABASE source", nullptr, nullptr, nullptr);
    throw;
  }
  execute(db, "DETACH DATABASE source");
  return count;
}

}  // namespace powerfit::recording
