// The C++ API: a region's time, CPU time and energy, counts and scores, and every misuse an error.

#include "powerfit/session.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "support/temp_tree.hpp"

namespace powerfit {
namespace {

void burn(double seconds) {
  const auto start = thread_cpu_ns();
  volatile double sink = 0.0;
  while (static_cast<double>(thread_cpu_ns() - start) * 1e-9 < seconds) sink = sink + 1.0;
}

TEST(Api, ARegionReportsItsTimeCpuAndEnergyAndCountsAreScored) {
  testing::TempTree tree;
  Session session({.output = tree.path("api.db").string(), .interval = "20ms", .label = "api test"});
  session.start();
  // The CPU estimate, a rate, has its first value at the second sample; on a loaded machine that
  // can come after the region began, which then had no estimated energy.
  session.wait_for_samples(2);
  { auto loading = session.region("loading"); }
  {
    auto inference = session.region("inference");
    burn(0.3);
  }
  session.report({.inferences = 1000, .correct = 900, .model = "burner"});
  const auto summary = session.stop();
  ASSERT_EQ(summary.regions.size(), 2u);
  const auto& inference = summary.regions[1];
  EXPECT_EQ(inference.name, "inference");
  EXPECT_NEAR(inference.thread_cpu_s, 0.3, 0.02);
  EXPECT_GE(inference.seconds, 0.3);
  ASSERT_TRUE(inference.estimated_energy_j.has_value());  // no meter here: estimated, and said so
  EXPECT_GT(*inference.estimated_energy_j, 0.0);
  ASSERT_TRUE(summary.scores.has_value()) << summary.unscored_why;
  EXPECT_DOUBLE_EQ(summary.scores->accuracy_percent, 90.0);
  EXPECT_TRUE(summary.scores_estimated);
  EXPECT_EQ(summary.scored_on, "inference window");  // the region named "inference"
  EXPECT_NEAR(summary.scores->energy_per_inference_j, *inference.estimated_energy_j / 1000.0, 1e-12);
  EXPECT_EQ(summary.database, tree.path("api.db").string());
  const auto json = nlohmann::json::parse(summary.to_json());
  EXPECT_EQ(json["regions"][1]["name"], "inference");
  EXPECT_EQ(json["correct"], 900);
}

TEST(Api, MisuseIsAnErrorNeverACrashAndMeasurementsAreKept) {
  EXPECT_THROW(Session({.interval = "fast"}), Error);
  // A negative, infinite or NaN tariff gave negative or infinite CO2e and cost; the command line
  // refused them, the APIs did not.
  for (const double bad : {-3.0, 0.0, 1e9, std::numeric_limits<double>::infinity(), std::nan("")}) {
    EXPECT_THROW(Session({.tariff = {.carbon_g_per_kwh = bad}}), Error) << bad;
    EXPECT_THROW(Session({.tariff = {.price_per_kwh = bad}}), Error) << bad;
    EXPECT_THROW(Session({.cpu_tdp_w = bad}), Error) << bad;
  }
  EXPECT_NO_THROW(Session({.tariff = {.carbon_g_per_kwh = 56.0, .price_per_kwh = 0.25}, .cpu_tdp_w = 65.0}));
  // An empty choice of GPUs was taken as a choice of none, then blamed on NVML.
  EXPECT_THROW(Session({.gpus = std::vector<std::string>{}}), Error);
  EXPECT_THROW(Session({.gpus = std::vector<std::string>{"0", ""}}), Error);
  Session session({.interval = "10ms"});
  try {
    session.stop();
    ADD_FAILURE();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::state);
  }
  EXPECT_THROW(session.mark("early"), Error);
  session.start();
  EXPECT_THROW(session.start(), Error);
  EXPECT_THROW(session.report({.inferences = 5, .correct = 6}), Error);
  EXPECT_THROW(session.report({.inferences = 5, .correct = 5, .inference_window = std::make_pair(7.0, 7.0)}), Error);
  const auto summary = session.stop();
  EXPECT_GT(summary.run.samples, 0u);
  EXPECT_TRUE(summary.database.empty());  // a temporary database, removed with the session
  EXPECT_THROW(session.stop(), Error);
  try {
    Session unwritable({.output = "/nonexistent/dir/runs.db"});
    unwritable.start();
    ADD_FAILURE();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::storage);
  }
}

double unix_now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<std::string> marker_names(const std::filesystem::path& database) {
  sqlite3* db = nullptr;
  std::vector<std::string> names;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* statement = nullptr;
    sqlite3_prepare_v2(db, "SELECT name FROM markers ORDER BY t_ns", -1, &statement, nullptr);
    while (sqlite3_step(statement) == SQLITE_ROW) names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
    sqlite3_finalize(statement);
  }
  sqlite3_close(db);
  return names;
}

TEST(Api, TheIdleBaselineIsMeasuredAtStartAndTheScoresRestOnTheRunAfterIt) {
  Session session({.interval = "20ms", .baseline = "200ms"});
  session.start();
  burn(0.2);
  session.report({.inferences = 10, .correct = 7});
  const auto summary = session.stop();
  ASSERT_TRUE(summary.run.baseline.has_value());
  EXPECT_NEAR(summary.run.baseline->duration_s, 0.2, 0.05);
  ASSERT_TRUE(summary.run.baseline->estimated_power_w.has_value());
  ASSERT_TRUE(summary.scores.has_value()) << summary.unscored_why;
  EXPECT_EQ(summary.scored_on, "run after its idle baseline");
  EXPECT_NEAR(summary.scores->energy_per_inference_j, *summary.run.baseline->command_estimated_energy_j / 10.0, 1e-12);
  // The JSON is `powerfit run --summary-json`'s: the same figures and the same names.
  const auto json = nlohmann::json::parse(summary.to_json());
  for (const char* key : {"command", "run_uuid", "interval_s", "missed_deadlines", "sampler_overhead_percent", "baseline",
                          "channels", "regions", "scored_on", "composite_score"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_FALSE(json["command"].empty());  // this program's command line
}

TEST(Api, AReportedInferenceWindowIsScoredStoredAndMarked) {
  testing::TempTree tree;
  const auto database = tree.path("window.db");
  Session session({.output = database.string(), .interval = "20ms"});
  session.start();
  burn(0.1);  // loading, outside the window
  const double window_start = unix_now_s();
  burn(0.3);
  const double window_end = unix_now_s();
  session.report({.inferences = 300, .correct = 300, .inference_window = std::make_pair(window_start, window_end)});
  const auto summary = session.stop();
  ASSERT_TRUE(summary.window_estimated_energy_j.has_value());
  EXPECT_LT(*summary.window_estimated_energy_j, *summary.run.estimated_energy_j);
  EXPECT_EQ(summary.scored_on, "inference window");
  EXPECT_NEAR(summary.scores->energy_per_inference_j, *summary.window_estimated_energy_j / 300.0, 1e-12);
  const auto names = marker_names(database);
  EXPECT_NE(std::find(names.begin(), names.end(), "inference:start"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "inference:end"), names.end());
}

TEST(Api, UnusableCountsLeaveTheRunUnscoredWithTheReason) {
  Session session({.interval = "20ms"});
  session.start();
  session.report_unusable("the evaluation crashed");
  const auto summary = session.stop();
  EXPECT_FALSE(summary.scores.has_value());
  EXPECT_EQ(summary.unscored_why, "the evaluation crashed");
  for (const auto& warning : summary.warnings) EXPECT_EQ(warning.find("recording"), std::string::npos) << warning;  // nothing failed to record
  EXPECT_THROW(Session({.interval = "20ms", .baseline = "soon"}), Error);
  EXPECT_THROW(Session({.cpu_tdp_w = -5.0}), Error);
}

TEST(Api, AFollowedProcessIsMeasuredToItsExit) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    burn(0.3);
    ::_exit(3);
  }
  Session session({.interval = "20ms", .command = {"burner"}, .follow_process = child});
  session.start();
  siginfo_t info{};
  ::waitid(P_PID, static_cast<id_t>(child), &info, WEXITED | WNOWAIT);
  session.end_sampling();  // the exited child is still there to be read
  int status = 0;
  ::waitpid(child, &status, 0);
  const auto summary = session.stop({.status = WEXITSTATUS(status), .cpu_s = 0.3});
  EXPECT_EQ(summary.run.exit_status, 3);
  EXPECT_EQ(summary.command, std::vector<std::string>{"burner"});
  ASSERT_TRUE(summary.run.child_cpu_s.has_value());
  const auto* cpu_time = summary.run.find("process.cpu_time");
  ASSERT_NE(cpu_time, nullptr);
  ASSERT_TRUE(cpu_time->total.has_value());
  EXPECT_GT(*cpu_time->total, 0.1);  // the child's CPU time, not this test's
}

TEST(Api, ASessionShorterThanItsIntervalIsWarnedOfInTheApisOwnTerms) {
  // The warning spoke of "the command" and `-i 10ms` to a program that has neither.
  testing::TempTree tree;
  Session session({.output = tree.path("short.db").string(), .interval = "5s"});
  session.start();
  const auto summary = session.stop();
  std::string short_run;
  for (const auto& warning : summary.warnings) {
    if (warning.find("less than one sampling interval (5000 ms)") != std::string::npos) short_run = warning;
  }
  EXPECT_EQ(short_run.rfind("the session ran ", 0), 0u) << short_run;
  EXPECT_NE(short_run.find("sample faster (interval \"10ms\")"), std::string::npos) << short_run;
  EXPECT_EQ(short_run.find("-i "), std::string::npos) << short_run;
}

TEST(Api, PowerfitsOwnCpuLeavesOutTheProgramItMeasures) {
  // process_cpu_s, "powerfit overhead (all)", was the whole process's CPU: in a program that
  // measures itself, its own work (a bench's inference) counted as powerfit's overhead.
  testing::TempTree tree;
  Session session({.output = tree.path("own.db").string(), .interval = "20ms"});
  session.start();
  burn(0.4);
  const auto summary = session.stop();
  EXPECT_GT(summary.run.process_cpu_s, 0.0);
  EXPECT_GE(summary.run.process_cpu_s, summary.run.sampler_cpu_s + summary.run.writer_cpu_s);
  EXPECT_LT(summary.run.process_cpu_s, 0.2);
}

TEST(Api, ARepeatReusesTheIdleBaselineOfTheFirstRunAndSaysWhose) {
  Session first({.interval = "20ms", .baseline = "100ms"});
  first.start();
  const auto measured = first.stop();
  ASSERT_TRUE(measured.run.baseline.has_value());
  Session second({.interval = "20ms"});
  second.start();
  second.reuse_baseline(measured);
  second.wait_for_samples(2);
  const auto repeat = second.stop();
  ASSERT_TRUE(repeat.run.baseline.has_value());
  EXPECT_EQ(repeat.run.baseline->from_run_uuid, measured.run_uuid);
  EXPECT_EQ(repeat.run.baseline->estimated_power_w, measured.run.baseline->estimated_power_w);
  Session third({.interval = "20ms"});
  third.start();
  third.reuse_baseline(repeat);  // a reused baseline still names the run that measured it
  EXPECT_EQ(third.stop().run.baseline->from_run_uuid, measured.run_uuid);
  Session own({.interval = "20ms", .baseline = "20ms"});
  own.start();
  EXPECT_THROW(own.reuse_baseline(measured), Error);
  Session none({.interval = "20ms"});
  none.start();
  EXPECT_THROW(none.reuse_baseline(Summary{}), Error);  // one that measured no baseline
}

TEST(Api, ARegionOpenedBeforeAChannelHasACountSaysItsEnergyIsPartial) {
  // The CPU estimate, a rate, has its first value at the second sample: a region opened at once
  // after start() left it out of its energy and said nothing of it.
  Session session({.interval = "200ms"});
  session.start();
  auto region = session.region("loading");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto result = region.end();
  session.stop();
  ASSERT_FALSE(result.partial_channels.empty());
  EXPECT_NE(result.partial_channels[0].find(" (no count yet at the region's start)"), std::string::npos) << result.partial_channels[0];
  const auto json = nlohmann::json::parse(result.to_json());
  EXPECT_EQ(json["partial_channels"][0], result.partial_channels[0]);
}

TEST(Api, OnlyTheChosenSourcesAreSampledAndAnUnavailableOneIsAnError) {
  Session session({.interval = "20ms", .sources = {"procfs.memory"}});
  session.start();
  const auto summary = session.stop();
  ASSERT_FALSE(summary.run.channels.empty());
  for (const auto& channel : summary.run.channels) EXPECT_EQ(channel.info.source, "procfs.memory") << channel.info.name;
  try {
    Session unknown({.sources = {"procfs.memory", "thermometer"}});
    unknown.start();
    ADD_FAILURE();
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), Error::Kind::argument);
    EXPECT_NE(std::string(error.what()).find("thermometer"), std::string::npos);
  }
  // The fixture machine has no NVIDIA driver: asking for nvml says why it cannot be had.
  Session unavailable({.sources = {"nvml"}, .proc_root = POWERFIT_FIXTURES "/debian12-vm/proc",
                       .sys_root = POWERFIT_FIXTURES "/debian12-vm/sys"});
  EXPECT_THROW(unavailable.start(), Error);
  EXPECT_FALSE(unavailable.running());
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

void sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(Api, AFailedBatchIsRolledBackTheRunIsClosedAndTheFirstErrorIsKept) {
  // A batch that failed left its transaction open; the run's summary then failed with "cannot
  // start a transaction within a transaction", which replaced the first error.
  testing::TempTree tree;
  const auto path = tree.path("faulty.db").string();
  { Session({.output = path, .interval = "10ms"}).start(); }  // creates the schema (and one run)
  sql(path, "CREATE TRIGGER no_markers BEFORE INSERT ON markers BEGIN SELECT RAISE(ABORT, 'injected fault'); END;");
  Session session({.output = path, .interval = "10ms"});
  session.start();
  { auto inference = session.region("inference"); }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // a batch or two with the markers
  const auto summary = session.stop();
  std::string recording;
  for (const auto& warning : summary.warnings) {
    if (warning.find("recording failed") != std::string::npos) recording = warning;
  }
  EXPECT_NE(recording.find("injected fault"), std::string::npos) << recording;
  EXPECT_EQ(recording.find("within a transaction"), std::string::npos) << recording;
  // The run is closed: its end and exit status are stored.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT end_time IS NOT NULL, exit_status FROM runs ORDER BY id DESC LIMIT 1", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(statement, 0), 1);
  EXPECT_EQ(sqlite3_column_type(statement, 1), SQLITE_INTEGER);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

TEST(Api, ARegionThatOutlivesItsSessionIsAnErrorNotAUseAfterFree) {
  // A Region kept a raw Session*: ended after its session was destroyed, it read freed memory.
  auto session = std::make_unique<Session>(SessionOptions{.interval = "10ms"});
  session->start();
  auto first = session->region("first");
  auto second = session->region("second");
  auto moved = std::move(second);
  session.reset();
  EXPECT_THROW(first.end(), Error);
  EXPECT_NO_THROW(first.end());  // said once; after that, nothing to end
}  // `moved` is destroyed here, after its session: nothing happens

}  // namespace
}  // namespace powerfit
