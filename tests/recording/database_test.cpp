#include "recording/database.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "recording/export.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::recording {
namespace {

using powerfit::testing::TempTree;


std::string error_opening(const std::filesystem::path& path, Database::Mode mode) {
  try {
    Database::open(path, mode);
  } catch (const RecordingError& error) {
    return error.what();
  }
  return "";
}

// Records one small run: two channels, three ticks, one marker.
std::int64_t record_run(Database& database) {
  const RunStart start{.uuid = new_run_uuid(),
                       .command = {"sh", "-c", "echo hi"},
                       .label = "test",
                       .start_wall_ns = 1'700'000'000'000'000'000,
                       .interval_s = 0.1,
                       .host = {.hostname = "box", .cpu_cores = 2}};
  const auto run = database.begin_run(start);
  const std::vector<ChannelInfo> channels{
      {.name = "cpu.utilization", .source = "procfs.cpu", .unit = Unit::percent, .kind = ChannelKind::utilization},
      {.name = "cpu.power", .source = "estimate", .unit = Unit::watt, .kind = ChannelKind::power_gauge,
       .provenance = Provenance::estimated}};
  const auto ids = database.add_channels(run, channels);
  auto transaction = database.transaction();
  for (int tick = 0; tick < 3; ++tick) {
    database.insert_sample(run, ids[0], tick * 100'000'000LL, 10.0 * tick);
    database.insert_sample(run, ids[1], tick * 100'000'000LL, 5.0);
  }
  database.insert_marker(run, {.time_ns = 150'000'000, .name = "inference"});
  transaction.commit();
  RunSummary summary{.duration_s = 0.2, .exit_status = 0, .samples = 3};
  summary.channels = {{.info = channels[0], .samples = 3, .mean = 15.0}, {.info = channels[1], .samples = 3, .energy_j = 1.0}};
  database.finish_run(run, start.start_wall_ns + 200'000'000, summary, ids);
  return run;
}

TEST(Database, ChannelsThatCannotBeStoredLeaveNoRunBehind) {
  // Two hwmon chips of one name gave two channels of one name: `UNIQUE constraint failed` and an
  // orphan row in `runs`.
  TempTree tree;
  auto database = Database::open(tree.path("runs.db"), Database::Mode::read_write);
  const auto run = database.begin_run({.uuid = new_run_uuid(), .command = {"true"}, .start_wall_ns = 1, .interval_s = 0.1});
  const std::vector<ChannelInfo> twins{{.name = "hwmon.pmbus.pin.power", .unit = Unit::watt, .kind = ChannelKind::power_gauge},
                                       {.name = "hwmon.pmbus.pin.power", .unit = Unit::watt, .kind = ChannelKind::power_gauge}};
  EXPECT_THROW(database.add_channels(run, twins), RecordingError);
  EXPECT_TRUE(database.runs().empty());
  record_run(database);  // the file goes on taking runs
  EXPECT_EQ(database.runs().size(), 1u);
}

TEST(Database, CreatesTheSchemaAndAppendsRuns) {
  TempTree tree;
  const auto path = tree.path("runs.db");
  {
    auto database = Database::open(path, Database::Mode::read_write);
    EXPECT_EQ(database.schema_version(), kSchemaVersion);
    record_run(database);
  }
  auto database = Database::open(path, Database::Mode::read_write);
  record_run(database);
  const auto runs = database.runs();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_NE(runs[0].uuid, runs[1].uuid);
  EXPECT_EQ(runs[0].command, R"(["sh","-c","echo hi"])");
  EXPECT_EQ(runs[0].start_time, "2023-11-14T22:13:20.000000Z");
  ASSERT_TRUE(runs[0].end_time);
  EXPECT_EQ(*runs[0].end_time, "2023-11-14T22:13:20.200000Z");
  EXPECT_EQ(runs[0].exit_status, 0);
}

TEST(Database, RefusesAFileThatIsNotSqliteAndLeavesItAlone) {
  TempTree tree;
  const auto path = tree.path("notes.db");
  tree.write("notes.db", "these are my notes, not a database\n");
  const auto error = error_opening(path, Database::Mode::read_write);
  EXPECT_NE(error.find("is not a SQLite database"), std::string::npos) << error;
  EXPECT_EQ(testing::read_file(path), "these are my notes, not a database\n");
}

TEST(Database, RefusesACorruptDatabaseWithoutTouchingIt) {
  TempTree tree;
  const auto path = tree.path("broken.db");
  { auto database = Database::open(path, Database::Mode::read_write); record_run(database); }
  std::string content = testing::read_file(path);
  for (std::size_t i = 100; i < content.size(); ++i) content[i] = static_cast<char>(0xA5);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  std::filesystem::remove(tree.path("broken.db-wal"));
  const auto error = error_opening(path, Database::Mode::read_write);
  EXPECT_NE(error.find("corrupt"), std::string::npos) << error;
  EXPECT_EQ(testing::read_file(path), content);
}

// What SQLite plans for `sql`, one step a line.
std::string query_plan(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + std::string(sql)).c_str(), -1, &statement, nullptr);
  std::string plan;
  while (sqlite3_step(statement) == SQLITE_ROW) plan += std::string(reinterpret_cast<const char*>(sqlite3_column_text(statement, 3))) + "\n";
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return plan;
}

TEST(Database, ReadsOfARunOrAChannelAreOneRangeOfTheIndexWithoutASort) {
  TempTree tree;
  const auto path = tree.path("runs.db");
  {
    auto database = Database::open(path, Database::Mode::read_write);
    record_run(database);
    const auto run = record_run(database);
    const auto channels = database.run_channels(run);
    const std::vector<std::int64_t> ids{channels[0].id, channels[1].id};
    const auto series = database.channel_series(ids[0]);
    ASSERT_EQ(series.size(), 3u);
    EXPECT_EQ(series[2], (std::pair<std::int64_t, double>{200'000'000, 20.0}));
    const auto by_run = database.run_series(run);
    ASSERT_EQ(by_run.size(), 2u);
    EXPECT_EQ(by_run.at(ids[1]).size(), 3u);
  }
  for (const char* sql : {kRunSeriesSql, kChannelSeriesSql}) {
    const auto plan = query_plan(path, sql);
    EXPECT_NE(plan.find("USING COVERING INDEX samples_by_channel (run_id=?"), std::string::npos) << sql << "\n" << plan;
    EXPECT_EQ(plan.find("SCAN samples"), std::string::npos) << plan;
    EXPECT_EQ(plan.find("TEMP B-TREE"), std::string::npos) << plan;
  }
}

TEST(Database, AVersionTwoFileIsReadAsItIsAndIndexedWhenNextWritten) {
  TempTree tree;
  const auto path = tree.path("v2.db");
  { auto database = Database::open(path, Database::Mode::read_write); record_run(database); }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  ASSERT_EQ(sqlite3_exec(db, "DROP INDEX samples_by_channel; CREATE INDEX samples_by_run ON samples (run_id); "
                            "ALTER TABLE runs DROP COLUMN scheduler; ALTER TABLE runs DROP COLUMN machine; "
                            "ALTER TABLE baselines DROP COLUMN settle_s; PRAGMA user_version = 2",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  {
    auto database = Database::open(path, Database::Mode::read_only);  // no migrated copy needed
    EXPECT_EQ(database.schema_version(), 2);
    ASSERT_EQ(database.runs().size(), 1u);
    EXPECT_EQ(database.channel_series(database.run_channels(database.runs()[0].id)[0].id).size(), 3u);
  }
  {
    auto target = Database::open(tree.path("all.db"), Database::Mode::read_write);  // merged as it is
    EXPECT_EQ(target.merge_from(path).added, 1u);
  }
  { auto database = Database::open(path, Database::Mode::read_write); EXPECT_EQ(database.schema_version(), kSchemaVersion); }
  EXPECT_NE(query_plan(path, kChannelSeriesSql).find("samples_by_channel"), std::string::npos);
}

// Everything a file's schema says that reads and writes depend on: each table's columns in order
// (position, name, type, NOT NULL, default, key, hidden), its indexes with their columns, its
// foreign keys.
std::string describe_schema(sqlite3* db) {
  std::ostringstream text;
  Statement tables(db, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  while (tables.step()) {
    const auto table = tables.text(0);
    text << "table " << table << "\n";
    Statement columns(db, "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)");
    columns.bind(1, table);
    while (columns.step()) {
      text << "  column";
      for (int i = 0; i < 7; ++i) text << " " << (columns.is_null(i) ? "NULL" : columns.text(i));
      text << "\n";
    }
    Statement indexes(db, "SELECT name, \"unique\", origin FROM pragma_index_list(?1) ORDER BY name");
    indexes.bind(1, table);
    while (indexes.step()) {
      const auto index = indexes.text(0);
      const auto origin = indexes.text(2);
      text << "  index " << (origin == "c" ? index : "(" + origin + ")") << " unique=" << indexes.text(1) << ":";
      Statement indexed(db, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno");
      indexed.bind(1, index);
      while (indexed.step()) text << " " << indexed.text(0);
      text << "\n";
    }
    Statement keys(db, "SELECT \"from\", \"table\", \"to\" FROM pragma_foreign_key_list(?1) ORDER BY \"from\"");
    keys.bind(1, table);
    while (keys.step()) text << "  references " << keys.text(0) << " -> " << keys.text(1) << "(" << keys.text(2) << ")\n";
  }
  return text.str();
}

TEST(Database, ANewFileHasTheSchemaAnOlderOneIsMigratedTo) {
  // A new file is made from the current schema in one step, an older one brought up to it by the
  // migrations: the two must be one schema, column for column. The older one is the schema
  // powerfit wrote at version 1, kept as a fixture.
  TempTree tree;
  const auto made = tree.path("new.db");
  { auto database = Database::open(made, Database::Mode::read_write); EXPECT_EQ(database.schema_version(), kSchemaVersion); }
  const auto old = tree.path("old.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(old.c_str(), &db), SQLITE_OK);
    EXPECT_NO_THROW(execute(db, testing::read_file(testing::fixture("schema/version-1.sql"))));
    sqlite3_close(db);
  }
  { auto database = Database::open(old, Database::Mode::read_write); EXPECT_EQ(database.schema_version(), kSchemaVersion); }
  const auto describe = [](const std::filesystem::path& path) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto text = describe_schema(db);
    sqlite3_close(db);
    return text;
  };
  const auto migrated = describe(old);
  EXPECT_NE(migrated.find("table window_channel_energy"), std::string::npos) << migrated;  // the description says something
  EXPECT_NE(migrated.find("index samples_by_channel unique=0: run_id channel_id t_ns value"), std::string::npos) << migrated;
  EXPECT_EQ(describe(made), migrated);
}

TEST(Database, RefusesANewerSchemaAndNamesTheFix) {
  TempTree tree;
  const auto path = tree.path("future.db");
  { auto database = Database::open(path, Database::Mode::read_write); }
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto error = error_opening(path, Database::Mode::read_write);
  EXPECT_NE(error.find("schema version 99"), std::string::npos) << error;
  EXPECT_NE(error.find("upgrade powerfit"), std::string::npos) << error;
}

TEST(Database, RefusesAnotherApplicationsSqliteFile) {
  TempTree tree;
  const auto path = tree.path("other.db");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db, "CREATE TABLE customers (id INTEGER)", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  const auto error = error_opening(path, Database::Mode::read_write);
  EXPECT_NE(error.find("another application"), std::string::npos) << error;
}

TEST(Database, UnwritableLocationIsAOneLineError) {
  const auto error = error_opening("/nonexistent-directory/runs.db", Database::Mode::read_write);
  EXPECT_NE(error.find("/nonexistent-directory/runs.db"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
}

TEST(Database, ReadOnlyOpenOfAMissingFileSaysSo) {
  const auto error = error_opening("/tmp/powerfit-no-such-file.db", Database::Mode::read_only);
  EXPECT_NE(error.find("does not exist"), std::string::npos);
}

TEST(Export, CsvHasOneRowPerSampleAndChannelWithIsoTimes) {
  TempTree tree;
  auto database = Database::open(tree.path("runs.db"), Database::Mode::read_write);
  const auto run = record_run(database);
  std::ostringstream csv;
  EXPECT_EQ(export_samples(database, run, ExportFormat::csv, csv), 6u);
  std::istringstream lines(csv.str());
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header, "run_id,time,elapsed_s,channel,unit,kind,scope,estimated,value");
  EXPECT_EQ(first, "1,2023-11-14T22:13:20.000000Z,0,cpu.utilization,%,utilization,system,false,0");
  EXPECT_NE(csv.str().find("cpu.power,W,power_gauge,system,true,5"), std::string::npos);
}

TEST(Export, JsonIsAnArrayOfTidyRecordsMarkingEstimates) {
  TempTree tree;
  auto database = Database::open(tree.path("runs.db"), Database::Mode::read_write);
  record_run(database);
  record_run(database);
  std::ostringstream out;
  export_samples(database, std::nullopt, ExportFormat::json, out);
  const auto rows = nlohmann::json::parse(out.str());
  ASSERT_EQ(rows.size(), 12u);
  EXPECT_EQ(rows[1]["channel"], "cpu.power");
  EXPECT_EQ(rows[1]["estimated"], true);
  EXPECT_EQ(rows[2]["time"], "2023-11-14T22:13:20.100000Z");
  EXPECT_DOUBLE_EQ(rows[2]["elapsed_s"].get<double>(), 0.1);
  EXPECT_EQ(rows[11]["run_id"], 2);
}

TEST(Uuid, IsVersionFourAndUnique) {
  const auto a = new_run_uuid();
  const auto b = new_run_uuid();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace powerfit::recording
