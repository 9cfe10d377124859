// Merging databases: every run once, with all its rows, ids renumbered; inputs never modified;
// an older schema merged through a migrated copy.

#include "recording/merge.hpp"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "recording/readable.hpp"
#include "support/temp_tree.hpp"

namespace powerfit::recording {
namespace {

using powerfit::testing::TempTree;


// One run with two channels, `ticks` samples each, a marker, a report and a baseline.
std::string record_run(const std::filesystem::path& path, const std::string& model, int ticks) {
  auto database = Database::open(path, Database::Mode::read_write);
  const RunStart start{.uuid = new_run_uuid(), .command = {"bench"}, .label = model, .start_wall_ns = 1'700'000'000'000'000'000,
                       .interval_s = 0.1, .host = {.hostname = "box-" + model, .cpu_cores = 2}};
  const auto run = database.begin_run(start);
  const std::vector<ChannelInfo> channels{
      {.name = "cpu.utilization", .source = "procfs.cpu", .unit = Unit::percent, .kind = ChannelKind::utilization},
      {.name = "cpu.power", .source = "estimate", .unit = Unit::watt, .kind = ChannelKind::power_gauge,
       .provenance = Provenance::estimated, .in_energy_total = true}};
  const auto ids = database.add_channels(run, channels);
  auto transaction = database.transaction();
  for (int tick = 0; tick < ticks; ++tick) {
    database.insert_sample(run, ids[0], tick * 100'000'000LL, tick);
    database.insert_sample(run, ids[1], tick * 100'000'000LL, 5.0 + tick);
  }
  database.insert_marker(run, {.time_ns = 100'000'000, .name = "inference:start"});
  transaction.commit();
  RunSummary summary{.duration_s = 0.1 * ticks, .samples = static_cast<std::uint64_t>(ticks)};
  summary.channels = {{.info = channels[0], .samples = 3}, {.info = channels[1], .samples = 3, .energy_j = 2.5}};
  summary.baseline = RunSummary::Baseline{.duration_s = 1.0, .command_duration_s = 0.2, .estimated_power_w = 3.0};
  database.finish_run(run, start.start_wall_ns + 100'000'000LL * ticks, summary, ids);
  database.save_workload_report(run, {.inferences = 100, .correct = 90, .model = model, .device = "cpu"});
  database.save_window_channel_energy(run, ids[1], 1.25);
  return start.uuid;
}

std::int64_t count(const std::filesystem::path& path, const std::string& table) {
  sqlite3* db = nullptr;
  sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, ("SELECT count(*) FROM " + table).c_str(), -1, &statement, nullptr);
  sqlite3_step(statement);
  const auto value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

TEST(Merge, JoinsRunsWithAllTheirRowsAndIsIdempotent) {
  TempTree tree;
  const auto a = tree.path("a.db"), b = tree.path("b.db"), all = tree.path("all.db");
  record_run(a, "lenet", 5);
  record_run(a, "mlp", 3);
  record_run(b, "wide", 4);
  const auto merged = merge_databases(all, {a, b});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].count.added, 2u);
  EXPECT_EQ(merged[1].count.added, 1u);
  EXPECT_EQ(count(all, "runs"), 3);
  EXPECT_EQ(count(all, "channels"), 6);
  EXPECT_EQ(count(all, "samples"), 2 * (5 + 3 + 4));
  EXPECT_EQ(count(all, "markers"), 3);
  EXPECT_EQ(count(all, "workload_reports"), 3);
  EXPECT_EQ(count(all, "baselines"), 3);
  EXPECT_EQ(count(all, "channel_summaries"), 6);
  EXPECT_EQ(count(all, "window_channel_energy"), 3);
  // Merging again, in any order, adds nothing.
  const auto again = merge_databases(all, {b, a});
  EXPECT_EQ(again[0].count.added + again[1].count.added, 0u);
  EXPECT_EQ(again[0].count.already_present + again[1].count.already_present, 3u);
  EXPECT_EQ(count(all, "samples"), 24);
  // Samples stay with their own run and channel after renumbering.
  auto database = Database::open(all, Database::Mode::read_only);
  for (const auto& run : database.reported_runs()) {
    const auto channels = database.run_channels(run.run_id);
    ASSERT_EQ(channels.size(), 2u);
    const auto series = database.run_series(run.run_id);
    const std::size_t ticks = run.counts.model == "lenet" ? 5 : run.counts.model == "mlp" ? 3 : 4;
    EXPECT_EQ(series.at(channels[1].id).size(), ticks) << run.counts.model;
    EXPECT_DOUBLE_EQ(series.at(channels[1].id).back().second, 5.0 + static_cast<double>(ticks - 1));
    EXPECT_EQ(channels[1].window_energy_j, 1.25);
    EXPECT_EQ(run.baseline_estimated_power_w, 3.0);
  }
  // Asked for by id, only those runs come back, in run order.
  const auto all_runs = database.reported_runs();
  const auto some = database.reported_runs({all_runs[2].run_id, all_runs[0].run_id});
  ASSERT_EQ(some.size(), 2u);
  EXPECT_EQ(some[0].run_id, all_runs[0].run_id);
  EXPECT_EQ(some[1].counts.model, all_runs[2].counts.model);
}

TEST(Merge, InputsAreNeverModifiedAndTheOutputMayNotBeAnInput) {
  TempTree tree;
  const auto a = tree.path("a.db");
  record_run(a, "lenet", 5);
  const auto before = testing::read_file(a);
  merge_databases(tree.path("all.db"), {a});
  EXPECT_EQ(testing::read_file(a), before);
  EXPECT_THROW(merge_databases(a, {a}), RecordingError);
  EXPECT_THROW(merge_databases(tree.path("x.db"), {tree.path("missing.db")}), RecordingError);
  EXPECT_FALSE(std::filesystem::exists(tree.path("x.db")));  // inputs are checked before the output is made
}

void execute_sql(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(Merge, ARunCopiedMidRunIsReplacedByItsClosedCopyWhicheverComesFirst) {
  // A database copied from a node while its run went on, merged before the finished one, kept the
  // copy (no end, two ticks) and dropped the finished run as "already there".
  TempTree tree;
  const auto final = tree.path("final.db"), snapshot = tree.path("snapshot.db");
  record_run(final, "lenet", 5);
  std::filesystem::copy_file(final, snapshot);
  execute_sql(snapshot, "UPDATE runs SET end_time = NULL, duration_s = NULL; DELETE FROM samples WHERE t_ns >= 200000000; "
                        "DELETE FROM channel_summaries; DELETE FROM baselines; DELETE FROM workload_reports; "
                        "DELETE FROM window_channel_energy;");
  for (const auto& order : {std::vector{snapshot, final}, std::vector{final, snapshot}}) {
    const auto all = tree.path(order[0] == snapshot ? "snapshot-first.db" : "final-first.db");
    const auto merged = merge_databases(all, order);
    EXPECT_EQ(merged[0].count.added, 1u);
    EXPECT_EQ(merged[1].count.added, 0u);
    EXPECT_EQ(merged[1].count.replaced, order[0] == snapshot ? 1u : 0u);
    EXPECT_EQ(merged[1].count.already_present, order[0] == snapshot ? 0u : 1u);
    // Never closed is said of the snapshot only where it went in.
    EXPECT_EQ(merged[0].count.never_closed + merged[1].count.never_closed, order[0] == snapshot ? 1u : 0u);
    EXPECT_EQ(count(all, "runs"), 1);
    EXPECT_EQ(count(all, "runs WHERE end_time IS NOT NULL"), 1);
    EXPECT_EQ(count(all, "channels"), 2);
    EXPECT_EQ(count(all, "samples"), 10);
    EXPECT_EQ(count(all, "markers"), 1);
    EXPECT_EQ(count(all, "workload_reports"), 1);
    EXPECT_EQ(count(all, "baselines"), 1);
    EXPECT_EQ(count(all, "channel_summaries"), 2);
    EXPECT_EQ(count(all, "window_channel_energy"), 1);
  }
  // Two copies that were never closed: the one further on stays.
  const auto early = tree.path("early.db"), later = tree.path("later.db"), both = tree.path("both.db");
  std::filesystem::copy_file(snapshot, early);
  std::filesystem::copy_file(final, later);
  execute_sql(early, "DELETE FROM samples WHERE t_ns >= 100000000;");
  execute_sql(later, "UPDATE runs SET end_time = NULL;");
  const auto merged = merge_databases(both, {early, later, early});
  EXPECT_EQ(merged[1].count.replaced, 1u);
  EXPECT_EQ(merged[2].count.replaced, 0u);
  EXPECT_EQ(count(both, "samples"), 10);
}

// Two closed copies of one run that did not agree were merged without a word: the first kept, the
// other dropped as "already there". Now the merge counts them, for the command to warn of; copies
// that agree, the same file merged again above all, are no such thing.
TEST(Merge, ClosedCopiesOfARunThatDifferAreCountedAndTheFirstKept) {
  TempTree tree;
  const auto first = tree.path("first.db"), same = tree.path("same.db"), fewer = tree.path("fewer.db"), later = tree.path("later.db");
  record_run(first, "lenet", 5);
  std::filesystem::copy_file(first, same);
  std::filesystem::copy_file(first, fewer);
  std::filesystem::copy_file(first, later);
  execute_sql(fewer, "DELETE FROM samples WHERE t_ns >= 300000000;");
  execute_sql(later, "UPDATE runs SET end_time = end_time + 1000;");
  const auto all = tree.path("all.db");
  const auto merged = merge_databases(all, {first, same, first, fewer, later});
  EXPECT_EQ(merged[0].count.added, 1u);
  EXPECT_EQ(merged[1].count.differing, 0u);
  EXPECT_EQ(merged[2].count.differing, 0u);
  EXPECT_EQ(merged[3].count.differing, 1u);
  EXPECT_EQ(merged[4].count.differing, 1u);
  for (std::size_t i = 1; i < merged.size(); ++i) EXPECT_EQ(merged[i].count.already_present, 1u) << i;
  EXPECT_EQ(count(all, "runs"), 1);
  EXPECT_EQ(count(all, "samples"), 10);  // the first copy's
}

// A version-1 database, as powerfit wrote before schema 2: the columns and table that 2 added
// are dropped from a current file.
void downgrade_to_version_1(const std::filesystem::path& path) {
  execute_sql(path, R"sql(
    PRAGMA journal_mode=DELETE;
    DROP INDEX samples_by_channel; CREATE INDEX samples_by_run ON samples (run_id);
    ALTER TABLE runs DROP COLUMN scheduler; ALTER TABLE runs DROP COLUMN machine;
    DROP TABLE window_channel_energy;
    ALTER TABLE baselines DROP COLUMN from_run_uuid; ALTER TABLE baselines DROP COLUMN settle_s;
    ALTER TABLE runs DROP COLUMN gpu_power_limits_w;
    ALTER TABLE workload_reports DROP COLUMN declared_accuracy; ALTER TABLE workload_reports DROP COLUMN backend;
    ALTER TABLE workload_reports DROP COLUMN model_sha256; ALTER TABLE workload_reports DROP COLUMN dataset_size;
    ALTER TABLE workload_reports DROP COLUMN latency_p50_s; ALTER TABLE workload_reports DROP COLUMN latency_p90_s;
    ALTER TABLE workload_reports DROP COLUMN latency_p99_s; ALTER TABLE workload_reports DROP COLUMN throughput_per_s;
    ALTER TABLE workload_reports DROP COLUMN warmup_batches; ALTER TABLE workload_reports DROP COLUMN threads;
    PRAGMA user_version = 1;)sql");
}

TEST(Merge, AnOlderSchemaIsMigratedAsideAndMerged) {
  TempTree tree;
  const auto old = tree.path("old.db");
  const auto uuid = record_run(old, "lenet", 5);
  downgrade_to_version_1(old);
  const auto before = testing::read_file(old);
  const auto merged = merge_databases(tree.path("all.db"), {old});
  EXPECT_EQ(merged[0].count.added, 1u);
  EXPECT_EQ(testing::read_file(old), before);  // the old file stays version 1
  auto database = Database::open(tree.path("all.db"), Database::Mode::read_only);
  ASSERT_EQ(database.runs().size(), 1u);
  EXPECT_EQ(database.runs()[0].uuid, uuid);
  EXPECT_EQ(count(tree.path("all.db"), "samples"), 10);
  // Reading it for a report or a score goes through a migrated copy as well.
  ReadableDatabase readable(old);
  EXPECT_EQ(readable.database().reported_runs().size(), 1u);
  EXPECT_EQ(testing::read_file(old), before);
}

}  // namespace
}  // namespace powerfit::recording
