// End-to-end: `powerfit run` around programs whose work is known, checked against what they did.

#include <signal.h>

#include <gtest/gtest.h>

#include <sqlite3.h>
#include <sys/wait.h>

#include <cstdlib>

#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "recording/database.hpp"
#include "recording/export.hpp"
#include "recording/writer.hpp"
#include "support/powerfit_process.hpp"
#include "support/recorded.hpp"
#include "support/temp_tree.hpp"

namespace powerfit {
namespace {

using powerfit::testing::PowerfitProcess;
using powerfit::testing::run_powerfit;
using powerfit::testing::TempTree;
using json = nlohmann::json;

constexpr double kMiB = 1024.0 * 1024.0;

json channel(const json& summary, const std::string& name) {
  for (const auto& entry : summary["channels"]) {
    if (entry["name"] == name) return entry;
  }
  ADD_FAILURE() << "no channel " << name;
  return json::object();
}

json run_and_summarize(const TempTree& tree, std::vector<std::string> command, std::vector<std::string> options = {}) {
  std::vector<std::string> args{"run", "-q", "-i", "20ms", "-o", tree.path("runs.db").string(),
                                "--summary-json", tree.path("summary.json").string()};
  args.insert(args.end(), options.begin(), options.end());
  args.push_back("--");
  args.insert(args.end(), command.begin(), command.end());
  const auto outcome = run_powerfit(args, tree.root());
  EXPECT_EQ(outcome.status, 0) << outcome.err;
  std::ifstream in(tree.path("summary.json"));
  return json::parse(in);
}

// Tolerance: /proc/PID/stat counts CPU time in clock ticks (10 ms at USER_HZ=100) per thread, so
// two threads' sampled total may trail the exact figure by a few ticks. Each burner process also
// spends its own start-up beyond what its threads burn: about 5 ms, and 40-85 ms when built with
// the sanitizers (their runtime's start; the most with another test beside it), measured on the
// 2-core development VM.
constexpr double kBurnerStartUpAtMost = 0.15;

TEST(RunEndToEnd, CpuTimeOfATwoThreadBurnerIsWhatItBurned) {
  TempTree tree;
  const auto summary = run_and_summarize(tree, {CPU_BURNER, "0.6", "2"});
  const double exact = summary["child_cpu_s"];
  const double sampled = channel(summary, "process.cpu_time")["total"];
  EXPECT_GE(exact, 1.2 - 0.02);
  EXPECT_LE(exact, 1.2 + kBurnerStartUpAtMost);
  EXPECT_NEAR(sampled, exact, 0.05);
  EXPECT_EQ(channel(summary, "process.cpu_time")["unit"], "s");
  EXPECT_GT(summary["samples"].get<int>(), 10);
  EXPECT_GT(channel(summary, "cpu.utilization")["mean"].get<double>(), 20.0);
  EXPECT_LT(summary["sampler_overhead_percent"].get<double>(), 10.0);
}

TEST(RunEndToEnd, CpuTimeOfChildrenItForkedIsCounted) {
  TempTree tree;
  const std::string burn = std::string(CPU_BURNER) + " 0.3 1";
  const auto summary = run_and_summarize(tree, {"sh", "-c", burn + " & " + burn + " & wait"});
  const double sampled = channel(summary, "process.cpu_time")["total"];
  EXPECT_NEAR(sampled, summary["child_cpu_s"].get<double>(), 0.05);  // the kernel's own count of every descendant
  EXPECT_GE(sampled, 0.6 - 0.05);
  EXPECT_LE(sampled, 0.6 + 2 * kBurnerStartUpAtMost);
}

// write_bytes counts pages the program dirtied; fsync makes sure they reached the disk within the run.
TEST(RunEndToEnd, WrittenBytesOfAnFsyncWriterAreWhatItWrote) {
  TempTree tree;
  const auto target = tree.path("payload.bin").string();
  const auto summary = run_and_summarize(tree, {FSYNC_WRITER, target, "32"});
  const double written = channel(summary, "process.write_bytes")["total"];
  EXPECT_GE(written, 32 * kMiB);
  EXPECT_LE(written, 32 * kMiB * 1.02);
  // The disk saw at least that much (other processes may add their own writes).
  EXPECT_GE(channel(summary, "disk.write_bytes")["total"].get<double>(), 32 * kMiB * 0.98);
}

// Loopback counts every byte once as sent and once as received, plus TCP/IP headers (about 0.1%
// with 64 KiB segments) and acknowledgements.
TEST(RunEndToEnd, LoopbackBytesOfASenderAreWhatItSent) {
  TempTree tree;
  const auto summary = run_and_summarize(tree, {LOOPBACK_SENDER, "64"});
  const double lo_sent = channel(summary, "net.lo.tx_bytes")["total"];
  EXPECT_GE(lo_sent, 64 * kMiB);
  EXPECT_LE(lo_sent, 64 * kMiB * 1.03);
  EXPECT_LT(channel(summary, "net.tx_bytes")["total"].get<double>(), 1 * kMiB);  // loopback left out

  TempTree with_loopback;
  const auto counted = run_and_summarize(with_loopback, {LOOPBACK_SENDER, "16"}, {"--include-loopback"});
  EXPECT_GE(channel(counted, "net.tx_bytes")["total"].get<double>(), 16 * kMiB);
}

TEST(RunEndToEnd, SummaryJsonCarriesTheDocumentedFields) {
  TempTree tree;
  const auto summary = run_and_summarize(tree, {"true"});
  for (const char* key : {"duration_s", "exit_status", "samples", "sampler_overhead_percent", "channels"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  for (const auto& entry : summary["channels"]) {
    for (const char* key : {"name", "unit", "kind", "estimated"}) EXPECT_TRUE(entry.contains(key)) << key;
  }
  EXPECT_GE(summary["samples"].get<int>(), 2);  // the first tick and the last
}

TEST(RunEndToEnd, ExitStatusIsTheCommands) {
  TempTree tree;
  EXPECT_EQ(run_powerfit({"run", "-q", "-o", tree.path("r.db").string(), "--", "sh", "-c", "exit 3"}, tree.root()).status, 3);
  EXPECT_EQ(run_powerfit({"run", "-q", "-o", tree.path("r.db").string(), "--", "sh", "-c", "kill -TERM $$"}, tree.root()).status, 143);
  const auto missing = run_powerfit({"run", "-q", "-o", tree.path("r.db").string(), "--", "no-such-command-xyz"}, tree.root());
  EXPECT_EQ(missing.status, 127);
  EXPECT_NE(missing.err.find("no-such-command-xyz: command not found"), std::string::npos) << missing.err;
  // Found but not executable: 126, as a shell says (it was 127).
  tree.write("script.sh", "echo hi\n");
  const auto denied = run_powerfit({"run", "-q", "-o", tree.path("r.db").string(), "--", tree.path("script.sh").string()}, tree.root());
  EXPECT_EQ(denied.status, 126);
  EXPECT_NE(denied.err.find("permission denied"), std::string::npos) << denied.err;
}

TEST(RunEndToEnd, SigtermAndSigintAreForwardedAndTheRunIsKept) {
  for (const auto& [signal_number, expected] : {std::pair{SIGTERM, 143}, std::pair{SIGINT, 130}}) {
    TempTree tree;
    const auto database = tree.path("runs.db");
    PowerfitProcess powerfit({"run", "-q", "-i", "10ms", "-o", database.string(), "--", "sleep", "30"}, tree.root());
    ASSERT_TRUE(testing::wait_for_samples(database, 20));  // the command is running
    const auto started = std::chrono::steady_clock::now();
    powerfit.signal(signal_number);
    const auto outcome = powerfit.wait();
    EXPECT_EQ(outcome.status, expected) << outcome.err;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    auto db = recording::Database::open(database, recording::Database::Mode::read_only);
    const auto runs = db.runs();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].exit_status, expected);
  }
}

// Whether the last run of `database` is closed (end time, exit status `expected`) and marked
// interrupted; before it, at most bench's idle floor.
void expect_closed_and_interrupted(const std::filesystem::path& database, int expected) {
  auto db = recording::Database::open(database, recording::Database::Mode::read_only);
  const auto runs = db.runs();
  ASSERT_GE(runs.size(), 1u);
  ASSERT_LE(runs.size(), 2u);
  if (runs.size() == 2) {
    EXPECT_NE(runs[0].label.find("idle floor"), std::string::npos) << runs[0].label;
  }
  EXPECT_TRUE(runs.back().end_time.has_value());
  EXPECT_EQ(runs.back().exit_status, expected);
  bool marked = false;
  for (const auto& marker : db.markers(runs.back().id)) marked = marked || marker.name == "interrupted";
  EXPECT_TRUE(marked);
}

TEST(RunEndToEnd, ASignalDuringTheIdleBaselineClosesTheRunAndTheCommandNeverRuns) {
  // SIGTERM during --baseline exited 143 with no summary and left the run with no end time or
  // exit status.
  TempTree tree;
  const auto database = tree.path("runs.db");
  const auto witness = tree.path("ran");
  PowerfitProcess powerfit({"run", "-i", "20ms", "--baseline", "5s", "-o", database.string(), "--", "touch", witness.string()},
                           tree.root());
  ASSERT_TRUE(testing::wait_for_samples(database, 10));  // inside the 5 s baseline
  powerfit.signal(SIGTERM);
  const auto outcome = powerfit.wait();
  EXPECT_EQ(outcome.status, 143) << outcome.err;
  EXPECT_NE(outcome.err.find("powerfit summary"), std::string::npos) << outcome.err;
  EXPECT_FALSE(std::filesystem::exists(witness));
  expect_closed_and_interrupted(database, 143);
}

TEST(BenchEndToEnd, SigintClosesTheRunWithWhatItMeasured) {
  // SIGTERM or SIGINT to bench exited with no summary and left the run open (and a -wal file).
  TempTree tree;
  const auto database = tree.path("bench.db");
  PowerfitProcess powerfit({"bench", "-q", "-m", POWERFIT_ZOO "/mlp.pt", "-d", POWERFIT_ZOO "/digits-test", "--min-time", "30s",
                            "-i", "20ms", "-o", database.string()},
                           tree.root());
  ASSERT_TRUE(testing::wait_for_marker(database, "inference:start"));  // measuring its 30 s
  const auto started = std::chrono::steady_clock::now();
  powerfit.signal(SIGINT);
  const auto outcome = powerfit.wait();
  EXPECT_EQ(outcome.status, 130) << outcome.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  expect_closed_and_interrupted(database, 130);
  EXPECT_FALSE(std::filesystem::exists(database.string() + "-wal"));
}

TEST(BenchEndToEnd, SigtermDuringTheWarmUpClosesTheRun) {
  TempTree tree;
  const auto database = tree.path("warm.db");
  PowerfitProcess powerfit({"bench", "-q", "-m", POWERFIT_ZOO "/mlp.pt", "-d", POWERFIT_ZOO "/digits-test", "--warmup",
                            "100000000", "-i", "20ms", "--baseline", "0", "-o", database.string()},
                           tree.root());
  ASSERT_TRUE(testing::wait_for_marker(database, "warmup:start"));  // loading done, in the warm-up
  powerfit.signal(SIGTERM);
  const auto outcome = powerfit.wait();
  EXPECT_EQ(outcome.status, 143) << outcome.err;
  expect_closed_and_interrupted(database, 143);
}

TEST(RunEndToEnd, KilledMidRunLeavesAReadableDatabaseWithWhatWasSampled) {
  TempTree tree;
  const auto database = tree.path("runs.db");
  PowerfitProcess powerfit({"run", "-q", "-i", "10ms", "-o", database.string(), "--", "sleep", "30"}, tree.root());
  ASSERT_TRUE(testing::wait_for_samples(database, 101));  // over 100 samples committed
  powerfit.signal_group(SIGKILL);
  EXPECT_EQ(powerfit.wait().status, 128 + SIGKILL);
  auto db = recording::Database::open(database, recording::Database::Mode::read_only);
  const auto runs = db.runs();
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_FALSE(runs[0].end_time);  // it never finished
  std::ostringstream csv;
  EXPECT_GT(recording::export_samples(db, runs[0].id, recording::ExportFormat::csv, csv), 100u);
}

TEST(RunEndToEnd, ExportWritesCsvAndJson) {
  TempTree tree;
  run_and_summarize(tree, {"true"});
  const auto csv = run_powerfit({"export", tree.path("runs.db").string(), "--format", "csv", "--run", "1"}, tree.root());
  EXPECT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("run_id,time,elapsed_s,channel,unit,kind,scope,estimated,value\n", 0), 0u);
  const auto out = tree.path("samples.json").string();
  // The format follows -o's extension (export -o x.json wrote CSV); a --format that differs is refused.
  const auto mismatch = run_powerfit({"export", tree.path("runs.db").string(), "--format", "csv", "-o", out}, tree.root());
  EXPECT_EQ(mismatch.status, 2) << mismatch.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  const auto exported = run_powerfit({"export", tree.path("runs.db").string(), "-o", out}, tree.root());
  EXPECT_EQ(exported.status, 0) << exported.err;
  std::ifstream in(out);
  const auto rows = json::parse(in);
  ASSERT_FALSE(rows.empty());
  EXPECT_TRUE(rows[0].contains("time"));
}

TEST(RunEndToEnd, UnderSlurmTheFileIsNamedByThePatternAndTheJobsVariablesAreKept) {
  TempTree tree;
  const std::vector<std::pair<const char*, const char*>> slurm{
      {"SLURM_JOB_ID", "4242"}, {"SLURMD_NODENAME", "n2"}, {"SLURM_PROCID", "3"}, {"OMPI_COMM_WORLD_RANK", "3"}};
  for (const auto& [name, value] : slurm) ::setenv(name, value, 1);
  const auto outcome = run_powerfit({"run", "-q", "-o", tree.path("fit-%j-%N-%t.db").string(), "--machine", "node-%N",
                                     "--summary-json", tree.path("s-%j.json").string(), "--", "sh", "-c",
                                     "echo '{\"inferences\": 10, \"correct\": 9}' > \"$POWERFIT_REPORT_FILE\""},
                                    tree.root());
  for (const auto& [name, value] : slurm) ::unsetenv(name);
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const auto database = tree.path("fit-4242-n2-3.db").string();
  ASSERT_TRUE(std::filesystem::exists(database));
  EXPECT_TRUE(std::filesystem::exists(tree.path("s-4242.json")));
  const auto scored = run_powerfit({"score", database, "--json"}, tree.root());
  ASSERT_EQ(scored.status, 0) << scored.err;
  const auto runs = json::parse(scored.out);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["scheduler"]["SLURM_JOB_ID"], "4242");
  EXPECT_EQ(runs[0]["scheduler"]["OMPI_COMM_WORLD_RANK"], "3");
  EXPECT_EQ(runs[0]["machine"], "node-n2");  // a run of a command has no device or engine to add
  const auto exported = run_powerfit({"export", database, "--format", "json"}, tree.root());
  const auto rows = json::parse(exported.out);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0]["SLURMD_NODENAME"], "n2");
  // Outside Slurm: the hostname and 0.
  const auto plain = run_powerfit({"run", "-q", "-o", tree.path("plain-%j.db").string(), "--", "true"}, tree.root());
  EXPECT_EQ(plain.status, 0) << plain.err;
  EXPECT_TRUE(std::filesystem::exists(tree.path("plain-0.db")));
}

TEST(RunEndToEnd, RanksAfterTheNodesFirstHoldTheirProcessTreeAlone) {
  // Four ranks on one node each sampling the whole machine would count its power four times.
  TempTree tree;
  const auto channels_of = [&](const char* local_rank, const std::string& name) {
    ::setenv("SLURM_LOCALID", local_rank, 1);
    const auto outcome = run_powerfit({"run", "-o", tree.path(name).string(), "--", "true"}, tree.root());
    ::unsetenv("SLURM_LOCALID");
    EXPECT_EQ(outcome.status, 0) << outcome.err;
    auto db = recording::Database::open(tree.path(name), recording::Database::Mode::read_only);
    std::vector<std::string> names;
    for (const auto& channel : db.run_channels(db.runs().at(0).id)) names.push_back(channel.name);
    return std::make_pair(names, outcome.err);
  };
  const auto [first, first_err] = channels_of("0", "rank0.db");
  const auto [second, second_err] = channels_of("1", "rank1.db");
  EXPECT_NE(std::find(first.begin(), first.end(), "cpu.utilization"), first.end());
  ASSERT_FALSE(second.empty());
  for (const auto& name : second) EXPECT_EQ(name.rfind("process.", 0), 0u) << name;
  EXPECT_NE(second_err.find("local rank 1"), std::string::npos) << second_err;
  EXPECT_EQ(first_err.find("local rank"), std::string::npos) << first_err;
}

TEST(RunEndToEnd, CarbonAndPriceBesideTheJoulesMeasuredAndEstimatedApart) {
  TempTree tree;
  const auto db = tree.path("runs.db").string();
  const auto json_path = tree.path("s.json").string();
  ::setenv("POWERFIT_ENERGY_PRICE", "0.25", 1);
  const auto outcome = run_powerfit({"run", "-q", "-i", "20ms", "-o", db, "--carbon-intensity", "56", "--summary-json", json_path,
                                     "--", "sh", "-c", "echo '{\"inferences\": 1000, \"correct\": 900}' > \"$POWERFIT_REPORT_FILE\"; sleep 0.3"},
                                    tree.root());
  ::unsetenv("POWERFIT_ENERGY_PRICE");
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  std::ifstream in(json_path);
  const auto summary = json::parse(in);
  EXPECT_EQ(summary["carbon_intensity_g_per_kwh"], 56.0);
  EXPECT_EQ(summary["energy_price_per_kwh"], 0.25);
  for (const char* kind : {"measured", "estimated"}) {
    const std::string energy = std::string(kind) + "_energy_j";
    if (!summary.contains(energy)) {
      EXPECT_TRUE(summary[std::string(kind) + "_co2e_g"].is_null()) << kind;
      continue;
    }
    const double joules = summary[energy].get<double>();
    EXPECT_DOUBLE_EQ(summary[std::string(kind) + "_co2e_g"].get<double>(), joules / 3.6e6 * 56.0) << kind;
    EXPECT_DOUBLE_EQ(summary[std::string(kind) + "_cost"].get<double>(), joules / 3.6e6 * 0.25) << kind;
  }
  const double per_1000 = summary["energy_per_inference_j"].get<double>() * 1000.0;
  EXPECT_DOUBLE_EQ(summary["co2e_g_per_1000_inferences"].get<double>(), per_1000 / 3.6e6 * 56.0);
  // score: the same per 1000 inferences, in the table, the JSON and one CSV row per run.
  const auto scored = run_powerfit({"score", db, "--json", "--carbon-intensity", "56"}, tree.root());
  ASSERT_EQ(scored.status, 0) << scored.err;
  EXPECT_DOUBLE_EQ(json::parse(scored.out)[0]["co2e_g_per_1000_inferences"].get<double>(), per_1000 / 3.6e6 * 56.0);
  const auto csv = run_powerfit({"score", db, "--csv"}, tree.root());
  ASSERT_EQ(csv.status, 0) << csv.err;
  EXPECT_EQ(csv.out.rfind("run_id,uuid,label,host,", 0), 0u) << csv.out;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 2);
  const auto table = run_powerfit({"score", db, "--price", "0.25"}, tree.root());
  EXPECT_NE(table.out.find("cost/1000 inf."), std::string::npos) << table.out;
  // fit and report too.
  const auto fit = run_powerfit({"fit", db, "--json", "--price", "0.25"}, tree.root());
  ASSERT_EQ(fit.status, 0) << fit.err;
  EXPECT_DOUBLE_EQ(json::parse(fit.out)["cells"][0]["cost_per_1000_inferences"].get<double>(), per_1000 / 3.6e6 * 0.25);
  const auto page = tree.path("report.html").string();
  ASSERT_EQ(run_powerfit({"report", db, "-o", page, "--carbon-intensity", "56"}, tree.root()).status, 0);
  EXPECT_NE(testing::read_file(page).find("g CO2e (56 g/kWh)"), std::string::npos);
  // A variable that is not a number is refused, as an option would be.
  ::setenv("POWERFIT_CARBON_INTENSITY", "lots", 1);
  const auto refused = run_powerfit({"score", db}, tree.root());
  ::unsetenv("POWERFIT_CARBON_INTENSITY");
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("POWERFIT_CARBON_INTENSITY"), std::string::npos) << refused.err;
}

// Every bad input: one line on stderr that names the problem, exit status 2.
void expect_usage_error(const std::vector<std::string>& args, const std::string& fragment) {
  TempTree tree;
  const auto outcome = run_powerfit(args, tree.root());
  EXPECT_EQ(outcome.status, 2) << outcome.err;
  EXPECT_NE(outcome.err.find(fragment), std::string::npos) << outcome.err;
  EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  EXPECT_LT(outcome.err.size(), 300u) << outcome.err;  // one line a person reads, not a 300-digit number
}

TEST(RunEndToEnd, BadInputIsAOneLineErrorWithStatusTwo) {
  expect_usage_error({"run", "--frobnicate", "--", "true"}, "frobnicate");
  // -o out.csv wrote a SQLite file named out.csv.
  expect_usage_error({"run", "-o", "out.csv", "--", "true"}, "`powerfit export runs.db -o out.csv`");
  expect_usage_error({"run", "-i", "0", "--", "true"}, "between 1ms and 60s");
  expect_usage_error({"run", "-i", "-5ms", "--", "true"}, "negative");
  expect_usage_error({"run", "-i", "abc", "--", "true"}, "invalid duration 'abc'");
  expect_usage_error({"run", "-i", "2h", "--", "true"}, "between 1ms and 60s");
  expect_usage_error({"run", "--"}, "no command given");
  expect_usage_error({"run", "-o", "/nonexistent-dir/x.db", "--", "true"}, "/nonexistent-dir/x.db");
  expect_usage_error({"export", "/nonexistent-dir/x.db"}, "does not exist");
  expect_usage_error({"export", "/dev/null", "--format", "xml"}, "unknown export format 'xml'");
  // Accepted until now: a baseline of 11 years, a throwaway database, a 300-digit range error.
  expect_usage_error({"run", "--baseline", "100000h", "--", "true"}, "1h");
  expect_usage_error({"run", "-o", "", "--", "true"}, "-o is given an empty value");
  expect_usage_error({"run", "--cpu-tdp", "1e300", "--", "true"}, "watts between 0 and 10000");
  expect_usage_error({"run", "--summary-json", "/dev/full", "--", "true"}, "not a regular file");
  expect_usage_error({"bench", "-m", "x.pt"}, "powerfit bench --help");
}

TEST(RunEndToEnd, ASourceThatCannotBeHadLeavesNoNewDatabaseBehind) {
  // An empty powerfit.db was left in the working directory by `run --sources bogus -- true`.
  TempTree tree;
  const auto wrong = run_powerfit({"run", "-o", tree.path("new.db").string(), "--sources", "bogus", "--", "true"}, tree.root());
  EXPECT_EQ(wrong.status, 2);
  EXPECT_NE(wrong.err.find("no source named 'bogus'"), std::string::npos) << wrong.err;
  EXPECT_FALSE(std::filesystem::exists(tree.path("new.db")));
}

TEST(RunEndToEnd, ExistingDatabasesThatCannotBeUsedAreLeftUntouched) {
  TempTree tree;
  tree.write("notes.db", "not a database");
  const auto notes = run_powerfit({"run", "-o", tree.path("notes.db").string(), "--", "true"}, tree.root());
  EXPECT_EQ(notes.status, 2);
  EXPECT_NE(notes.err.find("not a SQLite database"), std::string::npos) << notes.err;
  std::ifstream in(tree.path("notes.db"));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "not a database");

  run_and_summarize(tree, {"true"});
  {
    sqlite3* db = nullptr;
    sqlite3_open(tree.path("runs.db").c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 7", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  const auto size_before = std::filesystem::file_size(tree.path("runs.db"));
  const auto newer = run_powerfit({"run", "-o", tree.path("runs.db").string(), "--", "true"}, tree.root());
  EXPECT_EQ(newer.status, 2);
  EXPECT_NE(newer.err.find("schema version 7"), std::string::npos) << newer.err;
  EXPECT_EQ(std::filesystem::file_size(tree.path("runs.db")), size_before);
}

TEST(Cli, HelpAndVersionSucceed) {
  TempTree tree;
  const auto help = run_powerfit({"--help"}, tree.root());
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("run"), std::string::npos);
  const auto run_help = run_powerfit({"run", "--help"}, tree.root());
  EXPECT_EQ(run_help.status, 0);
  EXPECT_NE(run_help.out.find("--interval"), std::string::npos);
  const auto version = run_powerfit({"--version"}, tree.root());
  EXPECT_EQ(version.status, 0);
  EXPECT_NE(version.out.find("powerfit "), std::string::npos);
}

TEST(Cli, SensorsListsEverySourceAsJson) {
  TempTree tree;
  const auto outcome = run_powerfit({"sensors", "--json"}, tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const auto sources = json::parse(outcome.out);
  std::vector<std::string> names;
  for (const auto& source : sources) names.push_back(source["name"]);
  for (const char* name : {"procfs.cpu", "procfs.memory", "procfs.disk", "procfs.net", "procfs.process"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
}

TEST(Cli, SensorsExplainsWhatIsMissingUnderAnEmptyRoot) {
  TempTree tree;
  tree.mkdir("proc");
  const auto outcome = run_powerfit({"--proc-root", tree.path("proc").string(), "sensors"}, tree.root());
  ASSERT_EQ(outcome.status, 0);
  EXPECT_NE(outcome.out.find("unavailable"), std::string::npos);
  EXPECT_NE(outcome.out.find("file absent: " + tree.path("proc/stat").string()), std::string::npos) << outcome.out;
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

// The whole pipeline with a GPU: the fake libnvidia-ml through the real dlopen path.
TEST(RunEndToEnd, GpuChannelsAreRecordedAndEstimatesStayApartFromMeasurements) {
  TempTree tree;
  ::setenv("POWERFIT_NVML_LIBRARY", FAKE_NVML_LIBRARY, 1);
  const auto sensors = run_powerfit({"sensors", "--json"}, tree.root());
  const auto summary = run_and_summarize(tree, {CPU_BURNER, "0.3", "1"});
  ::unsetenv("POWERFIT_NVML_LIBRARY");

  bool nvml_available = false;
  for (const auto& source : json::parse(sensors.out)) {
    if (source["name"] == "nvml") nvml_available = source["available"];
  }
  EXPECT_TRUE(nvml_available) << sensors.out;
  EXPECT_EQ(channel(summary, "gpu0.energy")["unit"], "J");
  EXPECT_EQ(channel(summary, "gpu0.energy")["in_energy_total"], true);
  EXPECT_DOUBLE_EQ(channel(summary, "gpu0.power")["mean"].get<double>(), 70.0);
  EXPECT_TRUE(summary.contains("measured_energy_j"));
  // This VM has no CPU power sensor: the CPU estimate is labelled and summed on its own.
  EXPECT_EQ(channel(summary, "cpu.power.estimated")["estimated"], true);
  EXPECT_GT(summary["estimated_energy_j"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(summary["measured_energy_j"].get<double>(), channel(summary, "gpu0.energy")["energy_j"].get<double>());
}

// `--gpus 7` on a host of two GPUs, or `--gpus cuda:0`, recorded a run with no GPU at all and a
// note saying "counted GPUs 7, as chosen"; `--gpus 0,7` counted GPU 0 and said nothing of 7; on a
// host without NVML the choice went unremarked. A GPU chosen by name that is not there is bad
// input: one line naming what there is, exit 2, no database made.
TEST(RunEndToEnd, GpusChosenThatAreNotThereAreRefusedBeforeAnythingIsWritten) {
  TempTree tree;
  const auto db = tree.path("runs.db");
  ::setenv("POWERFIT_NVML_LIBRARY", FAKE_NVML_LIBRARY, 1);
  ::setenv("FAKE_NVML_GPUS", "2", 1);
  const auto absent = run_powerfit({"run", "-q", "-o", db.string(), "--gpus", "7", "--", "true"}, tree.root());
  const auto one_absent = run_powerfit({"run", "-q", "-o", db.string(), "--gpus", "0,7", "--", "true"}, tree.root());
  const auto misspelt = run_powerfit({"run", "-q", "-o", db.string(), "--gpus", "cuda:0", "--", "true"}, tree.root());
  const auto named_source = run_powerfit({"run", "-q", "-o", db.string(), "--sources", "nvml", "--gpus", "7", "--", "true"}, tree.root());
  const auto by_uuid = run_powerfit({"run", "-q", "-o", db.string(), "--gpus", "GPU-nope", "--", "true"}, tree.root());
  ::unsetenv("FAKE_NVML_GPUS");
  ::setenv("POWERFIT_NVML_LIBRARY", "/nonexistent/libnvidia-ml.so.1", 1);
  const auto no_nvml = run_powerfit({"run", "-q", "-o", db.string(), "--gpus", "0", "--", "true"}, tree.root());
  ::unsetenv("POWERFIT_NVML_LIBRARY");
  for (const auto* outcome : {&absent, &one_absent, &misspelt, &named_source, &by_uuid, &no_nvml}) {
    EXPECT_EQ(outcome->status, 2) << outcome->err;
    EXPECT_EQ(std::count(outcome->err.begin(), outcome->err.end(), '\n'), 1) << outcome->err;
  }
  for (const auto* outcome : {&absent, &one_absent, &named_source}) {
    EXPECT_NE(outcome->err.find("no GPU answers to 7"), std::string::npos) << outcome->err;
    EXPECT_NE(outcome->err.find("NVML's 2 GPU(s): 0 (GPU-fake-0), 1 (GPU-fake-1)"), std::string::npos) << outcome->err;
  }
  EXPECT_NE(misspelt.err.find("no GPU answers to cuda:0"), std::string::npos) << misspelt.err;
  EXPECT_NE(by_uuid.err.find("no GPU answers to GPU-nope"), std::string::npos) << by_uuid.err;
  EXPECT_NE(no_nvml.err.find("cannot load"), std::string::npos) << no_nvml.err;
  // GPUs named beside sources that leave NVML out would count none.
  const auto left_out = run_powerfit({"run", "-q", "-o", db.string(), "--sources", "procfs.cpu", "--gpus", "0", "--", "true"}, tree.root());
  EXPECT_EQ(left_out.status, 2) << left_out.err;
  EXPECT_NE(left_out.err.find("--sources samples no NVML source"), std::string::npos) << left_out.err;
  EXPECT_FALSE(std::filesystem::exists(db));
}

// POWERFIT_NVML_SCHEDULE changes how often the counter is read, `powerfit sensors` says so, and a
// bad value stops a run before anything is measured or written.
TEST(RunEndToEnd, TheNvmlScheduleFromTheEnvironmentIsShownAndABadOneRefused) {
  TempTree tree;
  ::setenv("POWERFIT_NVML_LIBRARY", FAKE_NVML_LIBRARY, 1);
  ::setenv("POWERFIT_NVML_SCHEDULE", "energy=1s,watch_for=600ms,shift=off,aim=off", 1);
  const auto sensors = run_powerfit({"sensors", "--json"}, tree.root());
  ::setenv("POWERFIT_NVML_SCHEDULE", "energy=fast", 1);
  const auto db = tree.path("runs.db");
  const auto refused = run_powerfit({"run", "-q", "-o", db.string(), "--", "true"}, tree.root());
  ::unsetenv("POWERFIT_NVML_SCHEDULE");
  const auto plain = run_powerfit({"sensors", "--json"}, tree.root());
  ::unsetenv("POWERFIT_NVML_LIBRARY");

  const auto detail_of = [](const std::string& listing) {
    for (const auto& source : json::parse(listing)) {
      if (source["name"] == "nvml") return source["detail"].get<std::string>();
    }
    return std::string();
  };
  ASSERT_EQ(sensors.status, 0) << sensors.err;
  EXPECT_NE(detail_of(sensors.out).find("read energy=1s,energy_level=30s,first=30s,retry=200ms,watch=10ms,watch_first=2s,watch_for=600ms,watch_every=10s,shift_gap=200ms,after_shift=1s,memory=1s,watch_sharp=2,shift=off,instant_lead=off,aim=off,aim_hold=off,mark=on,watch_counter=on,counter_in_stretches=off "
                                        "(POWERFIT_NVML_SCHEDULE)"),
            std::string::npos)
      << sensors.out;
  EXPECT_NE(detail_of(plain.out).find("read energy=5s,energy_level=30s,first=30s,retry=200ms,watch=10ms,watch_first=2s,watch_for=1s,watch_every=10s,shift_gap=200ms,after_shift=1s,memory=1s,watch_sharp=2,shift=10%,instant_lead=off,aim=on,aim_hold=off,mark=on,watch_counter=on,counter_in_stretches=off"), std::string::npos) << plain.out;
  EXPECT_EQ(detail_of(plain.out).find("(POWERFIT_NVML_SCHEDULE)"), std::string::npos) << plain.out;
  EXPECT_EQ(refused.status, 2) << refused.err;
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  EXPECT_EQ(refused.err.find("POWERFIT_NVML_SCHEDULE='energy=fast'"), refused.err.find("POWERFIT")) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(db));
}

// Each run of `run -r` opened its sources anew, and with them NVML: beside an H100, nvmlInit and
// nvmlShutdown cost about 10 and 3 ms of CPU a run. The command-line tool now starts NVML once and
// leaves its shut-down to the process's exit; every run still counts the GPU.
TEST(RunEndToEnd, RepeatedRunsStartNvmlOnceAndLeaveItsShutDownToTheExit) {
  TempTree tree;
  ::setenv("POWERFIT_NVML_LIBRARY", FAKE_NVML_LIBRARY, 1);
  ::setenv("FAKE_NVML_REPORT", "1", 1);
  ::setenv("FAKE_NVML_WATTS", "100", 1);  // a card at 100 W, its counter refreshed every 100 ms
  const auto summaries = tree.path("runs.json").string();
  const auto repeated = run_powerfit({"run", "-q", "-r", "3", "-i", "10ms", "--sources", "nvml", "-o", tree.path("runs.db").string(),
                                      "--summary-json", summaries, "--", "sleep", "0.3"},
                                     tree.root());
  ::unsetenv("FAKE_NVML_WATTS");
  ::unsetenv("FAKE_NVML_REPORT");
  ::unsetenv("POWERFIT_NVML_LIBRARY");

  ASSERT_EQ(repeated.status, 0) << repeated.err;
  EXPECT_NE(repeated.err.find("fake_nvml: nvmlInit called 1 times, nvmlShutdown 0 times"), std::string::npos) << repeated.err;
  std::ifstream in(summaries);
  const auto written = json::parse(in);
  ASSERT_EQ(written["runs"].size(), 3U);
  for (const auto& run : written["runs"]) {
    // 100 W over the run, within the counter's refresh of 100 ms at either end.
    EXPECT_NEAR(channel(run, "gpu0.energy")["energy_j"].get<double>(), 100.0 * run["duration_s"].get<double>(), 20.0) << run.dump();
  }
}

TEST(RunEndToEnd, TheLiveLineShowsPowerPerSourceAndEnergySoFarMeasuredAndEstimatedApart) {
  TempTree tree;
  ::setenv("POWERFIT_NVML_LIBRARY", FAKE_NVML_LIBRARY, 1);
  const auto db = tree.path("live.db").string();
  const auto live = run_powerfit({"run", "-q", "--live", "-o", db, "--", "sleep", "2.6"}, tree.root());
  const auto off = run_powerfit({"run", "-q", "--no-live", "-o", db, "--", "sleep", "1.2"}, tree.root());
  const auto unasked = run_powerfit({"run", "-q", "-o", db, "--", "sleep", "1.2"}, tree.root());  // stderr is no terminal here
  ::unsetenv("POWERFIT_NVML_LIBRARY");
  ASSERT_EQ(live.status, 0) << live.err;
  // Not a terminal: a line a second, not one line rewritten.
  std::vector<std::string> lines;
  std::istringstream err(live.err);
  for (std::string line; std::getline(err, line);) {
    if (line.rfind("powerfit: ", 0) == 0 && line.find(" s | ") != std::string::npos) lines.push_back(line);
  }
  ASSERT_GE(lines.size(), 2u) << live.err;
  EXPECT_EQ(live.err.find('\r'), std::string::npos);
  for (const auto& line : lines) {
    EXPECT_NE(line.find("| nvml 71.0 W |"), std::string::npos) << line;  // the fake card's counter's gauge (power_instant)
    EXPECT_NE(line.find("estimate.cpu "), std::string::npos) << line;                // and the CPU estimate,
    EXPECT_NE(line.find(" W ESTIMATED"), std::string::npos) << line;                 // labelled,
    EXPECT_NE(line.find(" J measured, "), std::string::npos) << line;                // with the energy so far
    EXPECT_NE(line.find(" J ESTIMATED"), std::string::npos) << line;                 // apart
  }
  EXPECT_EQ(off.err.find(" s | "), std::string::npos) << off.err;
  EXPECT_EQ(unasked.err.find(" s | "), std::string::npos) << unasked.err;
}

TEST(RunEndToEnd, ACommandShorterThanOneIntervalIsToldSoNotCalledSensorless) {
  // `powerfit run -- true` said "no power sensor on this machine" beside an available estimate,
  // and "powerfit overhead 116%".
  TempTree tree;
  const auto outcome = run_powerfit({"run", "-i", "1s", "-o", tree.path("runs.db").string(), "--summary-json",
                                     tree.path("summary.json").string(), "--", "true"},
                                    tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const std::string printed = outcome.out + outcome.err;
  EXPECT_EQ(printed.find("no power sensor"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("overhead (all)     of one core"), std::string::npos) << printed;
  EXPECT_NE(printed.find("run too short for a percentage"), std::string::npos) << printed;
  std::ifstream in(tree.path("summary.json"));
  const auto summary = json::parse(in);
  bool said = false, no_figure = false;
  for (const auto& warning : summary["warnings"]) {
    const auto text = warning.get<std::string>();
    said = said || text.find("less than one sampling interval (1000 ms)") != std::string::npos;
    no_figure = no_figure || text.find("too short for any energy figure") != std::string::npos;
  }
  EXPECT_TRUE(said) << summary["warnings"].dump();
  // An energy figure from the first and last readings, or a warning that there is none: one of the two.
  const bool figure = summary.value("estimated_energy_j", json()).is_number() || summary.value("measured_energy_j", json()).is_number();
  EXPECT_NE(figure, no_figure) << summary.dump();
}

TEST(RunEndToEnd, NoEstimateLeavesTheEstimateOut) {
  TempTree tree;
  const auto summary = run_and_summarize(tree, {"true"}, {"--no-estimate"});
  for (const auto& entry : summary["channels"]) EXPECT_NE(entry["name"], "cpu.power.estimated");
  EXPECT_FALSE(summary.contains("estimated_energy_j"));
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

// A workload that reports its counts is scored; one whose report is broken is kept, unscored.
TEST(ScoreEndToEnd, ReportedCountsAreStoredScoredAndRanked) {
  TempTree tree;
  const auto database = tree.path("runs.db").string();
  for (const char* correct : {"1900", "1950"}) {
    const auto outcome = run_powerfit({"run", "-q", "-o", database, "--", "python3", EXAMPLES_DIR "/report_counts.py",
                                       "2000", correct, "tiny"}, tree.root());
    ASSERT_EQ(outcome.status, 0) << outcome.err;
  }
  const auto broken = run_powerfit({"run", "-o", database, "--", "sh", "-c", "echo '{\"inferences\": 3' > \"$POWERFIT_REPORT_FILE\""},
                                   tree.root());
  EXPECT_EQ(broken.status, 0);
  EXPECT_NE(broken.err.find("warning: the command's report"), std::string::npos) << broken.err;
  EXPECT_NE(broken.err.find("kept unscored"), std::string::npos);

  const auto scored = run_powerfit({"score", database, "--json"}, tree.root());
  ASSERT_EQ(scored.status, 0) << scored.err;
  const auto runs = json::parse(scored.out);
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0]["model"], "tiny");
  EXPECT_EQ(runs[0]["inferences"], 2000);
  EXPECT_DOUBLE_EQ(runs[1]["accuracy_percent"].get<double>(), 97.5);
  // Recomputed by hand from the stored figures: the scores follow the documented formulas.
  // at(): a missing key is a failure with its name, not undefined behaviour.
  ASSERT_TRUE(runs[0].at("scored").get<bool>()) << runs[0].dump();
  const double energy = runs[0].at("energy_estimated").get<bool>() ? runs[0].at("window_estimated_energy_j").get<double>()
                                                                   : runs[0].at("window_measured_energy_j").get<double>();
  EXPECT_NEAR(runs[0]["energy_per_inference_j"].get<double>(), energy / 2000, 1e-12);
  EXPECT_NEAR(runs[0]["composite_score"].get<double>(), 20 * (2 * std::log10(95.0) - std::log10(energy / 1900 * 1e3)), 1e-9);
  EXPECT_EQ(runs[2]["scored"], false);
  EXPECT_EQ(runs[0]["energy_scope"], "inference window");

  const auto table = run_powerfit({"score", database}, tree.root());
  EXPECT_NE(table.out.find("tiny"), std::string::npos);
  EXPECT_NE(table.out.find("ESTIMATED"), std::string::npos);  // this VM has no power sensor
  EXPECT_NE(table.out.find("unscored: run 3"), std::string::npos);
  const auto explain = run_powerfit({"score", "--explain"}, tree.root());
  EXPECT_NE(explain.out.find("alpha = 2, beta = 1"), std::string::npos);
}

// The window the workload reports is what it is scored on: its set-up is left out.
TEST(ScoreEndToEnd, InferenceWindowExcludesTheWorkloadsSetUp) {
  TempTree tree;
  const auto database = tree.path("runs.db").string();
  const auto outcome = run_powerfit({"run", "-q", "-i", "20ms", "-o", database, "--", "python3",
                                     EXAMPLES_DIR "/report_counts.py", "1000", "900", "windowed", "1.0"}, tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const auto runs = json::parse(run_powerfit({"score", database, "--json"}, tree.root()).out);
  ASSERT_EQ(runs.size(), 1u);
  const double whole = runs[0]["estimated_energy_j"].get<double>();
  const double window = runs[0]["window_estimated_energy_j"].get<double>();
  EXPECT_GT(window, 0.0);
  EXPECT_LT(window, whole);  // a second of set-up at idle power is left out
  EXPECT_NEAR(runs[0]["energy_per_inference_j"].get<double>(), window / 1000, 1e-12);
  // The window is kept as two markers of the run.
  sqlite3* db = nullptr;
  sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM markers", -1, &statement, nullptr);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "inference:start,inference:end");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

// The idle baseline: measured before the command starts, it splits off the command's own energy.
TEST(ScoreEndToEnd, IdleBaselineGivesCommandAndDynamicEnergy) {
  TempTree tree;
  const auto summary = run_and_summarize(tree, {"python3", EXAMPLES_DIR "/report_counts.py", "1000", "900", "base", "0"},
                                         {"--baseline", "1s", "--cpu-tdp", "100"});
  ASSERT_TRUE(summary.contains("baseline")) << summary.dump();
  const auto& baseline = summary["baseline"];
  EXPECT_NEAR(baseline["duration_s"].get<double>(), 1.0, 0.2);
  // The estimate's model bounds the idle power between 30% of the TDP and the TDP.
  const double idle_w = baseline["estimated_power_w"].get<double>();
  EXPECT_GE(idle_w, 30.0 - 1e-9);
  EXPECT_LE(idle_w, 100.0 + 1e-9);
  const double command_j = baseline["command_estimated_energy_j"].get<double>();
  EXPECT_GT(command_j, 0.0);
  EXPECT_LT(command_j, summary["estimated_energy_j"].get<double>());  // the baseline's joules are left out
  const double above_idle = command_j - idle_w * baseline["command_duration_s"].get<double>();
  if (above_idle > 0.0) {
    EXPECT_NEAR(baseline["dynamic_estimated_energy_j"].get<double>(), above_idle, 1e-9);
  } else {  // a machine busy while the baseline ran: no negative figure, and the reason
    EXPECT_TRUE(baseline["dynamic_estimated_energy_j"].is_null());
    EXPECT_TRUE(baseline["not_idle"].is_string());
  }
  EXPECT_FALSE(baseline["measured_power_w"].is_number());  // nothing measures power on this VM

  const auto dynamic = json::parse(run_powerfit({"score", tree.path("runs.db").string(), "--dynamic", "--json"}, tree.root()).out);
  ASSERT_EQ(dynamic.size(), 1u);
  EXPECT_EQ(dynamic[0]["dynamic"], true);
  EXPECT_EQ(dynamic[0]["energy_scope"], "inference window");
}

TEST(ScoreEndToEnd, ABaselineTakenOnABusyMachineIsCalledSoAndGivesNoNegativeEnergy) {
  // An estimate's baseline read while the machine was busy gave `dynamic -0.0000 J` without a
  // word, and `score --dynamic` then said "no energy was measured or estimated".
  // The burner's 2 s cover the 1.5 s baseline even when powerfit takes half a second to start (as
  // under the sanitizers beside another test); the command then sits idle for 3 s, so that the
  // burner's last half second, when the start is quick, cannot make it look as busy as the baseline.
  TempTree tree;
  ASSERT_EQ(std::system((std::string(CPU_BURNER) + " 2 2 >/dev/null 2>&1 &").c_str()), 0);  // both cores, during the baseline
  const auto summary = run_and_summarize(tree, {"python3", EXAMPLES_DIR "/report_counts.py", "300", "270", "busy", "3"},
                                         {"--baseline", "1500ms", "--cpu-tdp", "100"});
  const auto& baseline = summary["baseline"];
  ASSERT_TRUE(baseline["not_idle"].is_string()) << summary.dump();
  for (const char* key : {"dynamic_estimated_energy_j", "dynamic_measured_energy_j"}) {
    EXPECT_TRUE(baseline[key].is_null() || baseline[key].get<double>() > 0.0) << key;
  }
  bool warned = false;
  for (const auto& warning : summary["warnings"]) {
    warned = warned || warning.get<std::string>().find("the idle baseline was not idle") != std::string::npos;
  }
  EXPECT_TRUE(warned) << summary["warnings"].dump();

  const auto scored = json::parse(run_powerfit({"score", tree.path("runs.db").string(), "--dynamic", "--json"}, tree.root()).out);
  ASSERT_EQ(scored.size(), 1u);
  if (scored[0]["scored"] == false) {
    EXPECT_NE(scored[0]["why"].get<std::string>().find("no energy above idle"), std::string::npos) << scored[0].dump();
  }
}

TEST(RunEndToEnd, RepeatRecordsOneRunEachAndSummarisesWithIntervals) {
  TempTree tree;
  const auto summary = run_and_summarize(tree, {CPU_BURNER, "0.1", "1"}, {"--repeat", "3"});
  ASSERT_EQ(summary["runs"].size(), 3u);
  EXPECT_EQ(summary["repeats"]["runs"], 3);
  double sum = 0.0;
  for (const auto& run : summary["runs"]) sum += run["duration_s"].get<double>();
  EXPECT_NEAR(summary["repeats"]["duration_s"]["mean"].get<double>(), sum / 3, 1e-12);
  EXPECT_TRUE(summary["repeats"]["duration_s"]["ci95_half_width"].is_number());
  auto db = recording::Database::open(tree.path("runs.db"), recording::Database::Mode::read_only);
  EXPECT_EQ(db.runs().size(), 3u);

  // A failing command ends the repeats and its status is powerfit's.
  TempTree failing;
  const auto outcome = run_powerfit({"run", "-q", "-r", "3", "-o", failing.path("r.db").string(), "--", "sh", "-c", "exit 4"},
                                    failing.root());
  EXPECT_EQ(outcome.status, 4);
  EXPECT_EQ(recording::Database::open(failing.path("r.db"), recording::Database::Mode::read_only).runs().size(), 1u);
  EXPECT_NE(outcome.err.find("run 1 of 3 exited with status 4; the 2 left are not run"), std::string::npos) << outcome.err;

  // One that fails on its second run: the statistics over the repeats were taken over both, the
  // failed one among them, and nothing said that the third was never run.
  TempTree second;
  const auto script = "n=$(cat " + second.path("n").string() + " 2>/dev/null || echo 0); n=$((n+1)); echo $n > " +
                      second.path("n").string() + "; [ $n -ne 2 ] || exit 3";
  const auto summary_file = second.path("s.json").string();
  const auto stopped = run_powerfit({"run", "-r", "3", "--no-live", "-o", second.path("r.db").string(), "--summary-json",
                                     summary_file, "--", "sh", "-c", script},
                                    second.root());
  EXPECT_EQ(stopped.status, 3);
  EXPECT_NE(stopped.err.find("powerfit: warning: run 2 of 3 exited with status 3; the 1 left is not run, and the figures over "
                             "the runs leave out those that failed"),
            std::string::npos)
      << stopped.err;
  EXPECT_EQ(stopped.err.find(" over 2 runs"), std::string::npos) << stopped.err;
  const auto written = json::parse(powerfit::testing::read_file(summary_file));
  EXPECT_EQ(written["runs"].size(), 2u);
  EXPECT_EQ(written["runs"][1]["exit_status"], 3);
  EXPECT_EQ(written["repeats"]["runs"], 1);
  EXPECT_EQ(written["repeats"]["failed_runs"], 1);
  EXPECT_DOUBLE_EQ(written["repeats"]["duration_s"]["mean"].get<double>(), written["runs"][0]["duration_s"].get<double>());

  // Each run's overhead is its own: the fifth run's "powerfit overhead (all)" held the CPU of all
  // five, so that the runs' figures added up to several times what powerfit spent.
  TempTree overhead;
  const auto five_file = overhead.path("s.json").string();
  const auto five = run_powerfit({"run", "-q", "-r", "5", "-o", overhead.path("r.db").string(), "--summary-json", five_file,
                                  "--", "sleep", "0.2"},
                                 overhead.root());
  ASSERT_EQ(five.status, 0) << five.err;
  double counted = 0.0;
  const auto five_summary = json::parse(powerfit::testing::read_file(five_file));
  ASSERT_EQ(five_summary["runs"].size(), 5u);
  for (const auto& run : five_summary["runs"]) {
    EXPECT_GT(run["process_cpu_s"].get<double>(), 0.0);
    counted += run["process_cpu_s"].get<double>();
  }
  EXPECT_LE(counted, five.cpu_s);
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

using powerfit::testing::read_file;
using powerfit::testing::run_powerfit;
using powerfit::testing::TempTree;

// A database holding one run, made by powerfit itself.
std::string recorded_database(const TempTree& tree, const std::string& name) {
  const auto path = tree.path(name).string();
  EXPECT_EQ(run_powerfit({"run", "-q", "-i", "10ms", "-o", path, "--", "sleep", "0.05"}, tree.root()).status, 0);
  return path;
}

TEST(Cli, ScoreAndFitRefuseDatabasesWithNoScoredRunAlike) {
  // `fit` refused such databases (exit 2), `score` printed its note on standard output and exited 0,
  // so that a script reading `score --csv` took an empty table for a scored one.
  TempTree tree;
  const auto db = recorded_database(tree, "plain.db");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"score", db}, {"score", db, "--json"}, {"score", db, "--csv"}, {"fit", db}, {"fit", db, "--json"}}) {
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << args[0] << ' ' << args.back() << ": " << outcome.err;
    EXPECT_EQ(outcome.out, "") << args[0] << ' ' << args.back();
    EXPECT_EQ(outcome.err.rfind("powerfit: error: no run in these databases reported inferences;", 0), 0u) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
}

TEST(Cli, ARunWhoseCommandFailedIsNotScoredNorPooled) {
  // A workload that wrote its counts and then failed was scored and pooled with the runs that
  // succeeded, with nothing to tell it apart.
  TempTree tree;
  const auto db = tree.path("f.db").string();
  const std::string report = "sleep 0.2; echo '{\"inferences\": 100, \"correct\": 80, \"model\": \"m\"}' > \"$POWERFIT_REPORT_FILE\"";
  EXPECT_EQ(run_powerfit({"run", "-q", "-o", db, "--", "sh", "-c", report + "; exit 3"}, tree.root()).status, 3);
  EXPECT_EQ(run_powerfit({"run", "-q", "-o", db, "--", "sh", "-c", report}, tree.root()).status, 0);
  const auto scored = json::parse(run_powerfit({"score", db, "--json"}, tree.root()).out);
  ASSERT_EQ(scored.size(), 2u) << scored.dump();
  EXPECT_FALSE(scored[0]["scored"].get<bool>());
  EXPECT_NE(scored[0]["why"].get<std::string>().find("the run ended with status 3"), std::string::npos) << scored[0].dump();
  EXPECT_TRUE(scored[1]["scored"].get<bool>());
  const auto fit = json::parse(run_powerfit({"fit", db, "--json"}, tree.root()).out);
  ASSERT_EQ(fit["cells"].size(), 1u) << fit.dump();
  EXPECT_EQ(fit["cells"][0]["value"]["runs"], 1) << fit.dump();
}

TEST(DataSafety, AnOutputThatIsAnInputOrADatabaseIsRefusedBeforeAnythingIsTouched) {
  // `report self.db -o self.db` truncated a 10-run database to 0 bytes; `export x.db -o x.db`
  // replaced it with a CSV header; `run -o s.db --summary-json s.db` wrote JSON over the database;
  // `report bench.db -o good.db` wrote HTML over another database.
  TempTree tree;
  const auto db = recorded_database(tree, "self.db");
  const auto good = recorded_database(tree, "good.db");
  const auto alias = tree.path("alias.db").string();
  std::filesystem::create_hard_link(db, alias);  // the same file by another name
  const std::string before = read_file(db), good_before = read_file(good);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"report", db, "-o", db},
           {"report", db, "-o", alias},
           {"report", db, "-o", good},
           {"export", db, "--format", "csv", "-o", db},
           {"export", alias, "--format", "json", "-o", good},
           {"run", "-q", "-o", db, "--summary-json", alias, "--", "true"},
           {"bench", "-q", "-m", "m.pt", "-d", "synthetic:1x4x4", "-o", db, "--summary-json", good},
       }) {
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << args[0] << ' ' << args.back() << ": " << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
  EXPECT_EQ(read_file(db), before);
  EXPECT_EQ(read_file(good), good_before);
  // A new database and a summary of one name: refused, and no file is left behind.
  const auto fresh = tree.path("new.db");
  EXPECT_EQ(run_powerfit({"run", "-q", "-o", fresh.string(), "--summary-json", fresh.string(), "--", "true"}, tree.root()).status, 2);
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

TEST(DataSafety, ProcessesCreatingOneNewDatabaseTogetherAllRecord) {
  // Two processes creating one new database (-r 3 each, started together) failed in 4 of 5
  // trials: "table runs already exists", "duplicate column name", "another application's database";
  // later, under load, "database is locked" while another switched the new file to WAL.
  TempTree tree;
  for (int trial = 0; trial < 5; ++trial) {
    const auto db = tree.path("shared-" + std::to_string(trial) + ".db").string();
    std::vector<powerfit::testing::PowerfitProcess> writers;
    for (int writer = 0; writer < 6; ++writer) {
      const auto scratch = tree.path("w" + std::to_string(trial) + "-" + std::to_string(writer));
      std::filesystem::create_directories(scratch);
      writers.emplace_back(std::vector<std::string>{"run", "-q", "-r", "3", "-i", "10ms", "-o", db, "--", "true"}, scratch);
    }
    for (auto& writer : writers) {
      const auto outcome = writer.wait();
      EXPECT_EQ(outcome.status, 0) << "trial " << trial << ": " << outcome.err;
    }
    EXPECT_EQ(recording::Database::open(db, recording::Database::Mode::read_only).runs().size(), 18u) << "trial " << trial;
  }
}

// powerfit under a file-size limit of `kib` KiB (SIGXFSZ ignored): writes past it fail as on a
// full disk. Returns the exit status; stderr goes to err.txt.
int run_with_file_limit(const TempTree& tree, int kib, const std::string& arguments) {
  const std::string command = "sh -c 'trap \"\" XFSZ; ulimit -f " + std::to_string(kib * 2) + "; exec " POWERFIT_BINARY " " +
                              arguments + "' > '" + tree.path("out.txt").string() + "' 2> '" + tree.path("err.txt").string() + "'";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::int64_t scalar(const std::string& db, const std::string& query) {
  sqlite3* handle = nullptr;
  sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(handle, query.c_str(), -1, &statement, nullptr);
  const std::int64_t value = sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1;
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  return value;
}

TEST(DataSafety, AFullDiskIsAFailedRunThatSaysFromWhenSamplesWereLost) {
  // On a 300 KiB filesystem `run -i 10ms -o full/f.db -- sleep 20` printed one warning, exited 0
  // and said "recorded as run 1"; the file held 1 s of the 20 s while its runs row said 2002.
  TempTree tree;
  const auto db = tree.path("f.db").string();
  // (Idle disks and interfaces are stored where their counters move, not on every tick: 300 KiB
  // held all of a 3 s run once they were, so the run is longer.)
  EXPECT_EQ(run_with_file_limit(tree, 300, "run -q -i 10ms -o " + db + " -- sleep 8"), 1);
  const auto err = read_file(tree.path("err.txt"));
  EXPECT_NE(err.find("were not stored"), std::string::npos) << err;
  EXPECT_NE(err.find("samples from "), std::string::npos) << err;
  // The runs row tells what the file holds.
  const auto stored = scalar(db, "SELECT count(DISTINCT t_ns) FROM samples");
  EXPECT_GT(stored, 0);
  EXPECT_LT(stored, 700);
  EXPECT_EQ(scalar(db, "SELECT samples FROM runs WHERE id = 1"), stored);
  EXPECT_EQ(scalar(db, "SELECT exit_status FROM runs WHERE id = 1"), 0);  // the command's own status, kept
  // A second run into the file: whether it fits (the first one's log was folded into the file at
  // its end) or not, its row tells what the file holds and its status says which.
  const int second = run_with_file_limit(tree, 300, "run -q -i 10ms -o " + db + " -- sleep 0.5");
  const auto second_stored = scalar(db, "SELECT count(DISTINCT t_ns) FROM samples WHERE run_id = 2");
  EXPECT_EQ(scalar(db, "SELECT samples FROM runs WHERE id = 2"), second_stored);
  EXPECT_EQ(second == 0, second_stored >= 40) << read_file(tree.path("err.txt"));
  // A new database that cannot be created is not left behind as an empty file.
  const auto fresh = tree.path("new.db");
  EXPECT_NE(run_with_file_limit(tree, 0, "run -q -o " + fresh.string() + " -- true"), 0);
  EXPECT_FALSE(std::filesystem::exists(fresh));
}

TEST(DataSafety, ADatabaseLockedLongerThanTheBusyTimeoutIsAFailedRunThatStillCloses) {
  // With another connection holding the lock for 5 s, a batch failed with "database is locked",
  // left its transaction open, and the summary then failed "within a transaction".
  TempTree tree;
  const auto db = recorded_database(tree, "locked.db");
  PowerfitProcess powerfit({"run", "-q", "-i", "10ms", "-o", db, "--", "sleep", "10"}, tree.root());
  ASSERT_TRUE(testing::wait_for_count(db, "SELECT count(*) FROM samples WHERE run_id = 2", 1));  // recording

  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  // Past the 5 s busy timeout of the batch that starts last while the lock is held: the next
  // batch may start up to one batch period after the lock was taken (1 s at 10 ms). Holding it
  // for 5 s + 1 s only, that batch sometimes got the lock as it was let go.
  const auto busy_timeout = std::chrono::milliseconds(5000);
  const auto margin = std::chrono::milliseconds(1500);
  std::this_thread::sleep_for(busy_timeout + recording::batch_period_for(std::chrono::milliseconds(10)) + margin);
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  const auto outcome = powerfit.wait();
  EXPECT_EQ(outcome.status, 1) << outcome.err;
  EXPECT_NE(outcome.err.find("database is locked"), std::string::npos) << outcome.err;
  EXPECT_EQ(outcome.err.find("within a transaction"), std::string::npos) << outcome.err;
  // The run is closed, and its row counts what the file holds.
  EXPECT_EQ(scalar(db, "SELECT end_time IS NOT NULL FROM runs WHERE id = 2"), 1);
  EXPECT_EQ(scalar(db, "SELECT samples FROM runs WHERE id = 2"), scalar(db, "SELECT count(DISTINCT t_ns) FROM samples WHERE run_id = 2"));
}

TEST(DataSafety, MergeOfACorruptInputLeavesNoOutput) {
  TempTree tree;
  tree.write("bad.db", std::string("SQLite format 3\0garbage garbage garbage", 40));
  const auto outcome = run_powerfit({"merge", tree.path("bad.db").string(), "-o", tree.path("out.db").string()}, tree.root());
  EXPECT_EQ(outcome.status, 2) << outcome.err;
  EXPECT_FALSE(std::filesystem::exists(tree.path("out.db")));
}

TEST(DataSafety, ReadingCommandsLeaveNothingBesideTheDatabase) {
  // `report docs/results/h100.db` left h100.db-wal and h100.db-shm in the repository.
  TempTree tree;
  std::filesystem::create_directories(tree.path("in"));
  const auto db = tree.path("in/runs.db").string();
  EXPECT_EQ(run_powerfit({"run", "-q", "-i", "10ms", "-o", db, "--", "python3", EXAMPLES_DIR "/report_counts.py", "100", "90"}, tree.root()).status, 0);
  for (const auto& args : std::vector<std::vector<std::string>>{{"score", db},
                                                                {"fit", db},
                                                                {"report", db, "-o", tree.path("r.html").string()},
                                                                {"export", db, "-o", tree.path("x.csv").string()},
                                                                {"merge", db, "-o", tree.path("all.db").string()}}) {
    EXPECT_EQ(run_powerfit(args, tree.root()).status, 0) << args[0];
    std::vector<std::string> beside;
    for (const auto& entry : std::filesystem::directory_iterator(tree.path("in"))) beside.push_back(entry.path().filename());
    EXPECT_EQ(beside, std::vector<std::string>{"runs.db"}) << args[0];
  }
}

TEST(Cli, AnOptionWhoseValueIsLeftOutBeforeTheSeparatorIsRefused) {
  // `run -o -- true` recorded into a database named "--"; `run --label -- true` labelled the run
  // "--"; `run -i -- true` called "--" a negative duration; `report A.db -o --` wrote "--".
  TempTree tree;
  const auto here = std::filesystem::current_path() / "--";
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"-o", {"run", "-o", "--", "true"}},
      {"--label", {"run", "--label", "--", "true"}},
      {"-i", {"run", "-q", "-i", "--", "true"}},
      {"-o", {"report", tree.path("a.db").string(), "-o", "--"}}};
  for (const auto& [option, args] : cases) {
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << option << ": " << outcome.err;
    EXPECT_NE(outcome.err.find(option + " is given no value"), std::string::npos) << outcome.err;
    EXPECT_FALSE(std::filesystem::exists(here));
    std::filesystem::remove(here);
  }
  // The measured command's own words stay its own, `--` among them.
  const auto own = run_powerfit({"run", "-q", "-o", tree.path("m.db").string(), "--", "python3", "-c",
                                 "import sys; print(sys.argv[1:])", "-o", "--"},
                                tree.root());
  EXPECT_EQ(own.status, 0) << own.err;
  EXPECT_NE(own.out.find("['-o', '--']"), std::string::npos) << own.out;
}

TEST(Cli, AnOptionGivenAnEmptyValueIsRefusedRatherThanTakingTheNextWord) {
  // CLI11 takes an empty value as none and eats the next word: `run --label= -o X.db -- CMD`
  // labelled the run "-o" and then blamed CMD ("not expected"), `--sources ,,` asked for a source
  // named "-o", `--label ""` the same.
  TempTree tree;
  const auto db = tree.path("e.db").string();
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases{
      {"--label", {"run", "--label=", "-o", db, "--", "true"}},
      {"--label", {"run", "--label", "", "-o", db, "--", "true"}},
      {"--machine", {"run", "-q", "--machine=", "-o", db, "--", "true"}},
      {"--sources", {"run", "--sources", ",,", "-o", db, "--", "true"}},
      {"--sources", {"run", "--sources=,", "-o", db, "--", "true"}},
      {"-o", {"run", "-o", "", "--", "true"}},
      {"-o", {"report", tree.path("a.db").string(), "-o", "", "--dynamic"}}};
  for (const auto& [option, args] : cases) {
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << option << ": " << outcome.err;
    EXPECT_EQ(outcome.err.rfind("powerfit: error: " + option + " is given an empty value", 0), 0u) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
    EXPECT_FALSE(std::filesystem::exists(db));
  }
  // A label of commas is a label: only a list option's value that holds no item is empty.
  const auto commas = run_powerfit({"run", "-q", "--label", ",", "-o", db, "--", "true"}, tree.root());
  EXPECT_EQ(commas.status, 0) << commas.err;
}

TEST(Cli, TheMeasuredCommandOwnsEveryWordAfterItsName) {
  // `run -o m.db python3 -V` printed powerfit's version; `run python3 script.py -o results.txt`
  // turned results.txt into a database; `run python3 -h` printed powerfit's help.
  TempTree tree;
  const auto db = tree.path("m.db").string();
  const auto version = run_powerfit({"run", "-q", "-o", db, "python3", "-V"}, tree.root());
  EXPECT_EQ(version.status, 0) << version.err;
  EXPECT_NE((version.out + version.err).find("Python 3"), std::string::npos);
  EXPECT_EQ((version.out + version.err).find("powerfit 0"), std::string::npos);

  tree.write("results.txt", "mine\n");
  const auto script = run_powerfit({"run", "-q", "-o", db, "python3", "-c", "import sys; print(sys.argv[1:])", "-o",
                                    tree.path("results.txt").string(), "-i", "5s"},
                                   tree.root());
  EXPECT_EQ(script.status, 0) << script.err;
  EXPECT_NE(script.out.find("'-o', '" + tree.path("results.txt").string() + "', '-i', '5s'"), std::string::npos) << script.out;
  EXPECT_EQ(read_file(tree.path("results.txt")), "mine\n");

  const auto help = run_powerfit({"run", "-q", "-o", db, "python3", "-h"}, tree.root());
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("[-c cmd | -m mod | file | -]"), std::string::npos) << help.out;  // Python's own help
  EXPECT_EQ(help.out.find("Run a command and measure"), std::string::npos);

  const auto unknown = run_powerfit({"run", "-o", db, "--verbose", "python3", "-V"}, tree.root());
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("put `--` before the command"), std::string::npos) << unknown.err;
  EXPECT_EQ(std::count(unknown.err.begin(), unknown.err.end(), '\n'), 1) << unknown.err;
}

}  // namespace
}  // namespace powerfit

namespace powerfit {
namespace {

TEST(RunEndToEnd, EightRanksOnEightGpusCountEachGpuOnceAndTheHostOnce) {
  // One process per GPU, as torchrun starts them: each rank that counted every GPU gave the job
  // eight times its energy. Eight `powerfit run`s at once, each with its LOCAL_RANK, on a host
  // whose eight GPUs draw 100, 110, ..., 170 W.
  TempTree tree;
  ::setenv("POWERFIT_NVML_LIBRARY", FAKE_NVML_LIBRARY, 1);
  ::setenv("FAKE_NVML_GPUS", "8", 1);
  ::setenv("FAKE_NVML_WATTS", "100,110,120,130,140,150,160,170", 1);
  ::setenv("LOCAL_WORLD_SIZE", "8", 1);
  ::setenv("WORLD_SIZE", "8", 1);
  ::setenv("TORCHELASTIC_RUN_ID", "job-8", 1);
  std::vector<std::unique_ptr<PowerfitProcess>> ranks;
  for (int rank = 0; rank < 8; ++rank) {
    ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
    ::setenv("RANK", std::to_string(rank).c_str(), 1);
    const auto scratch = tree.path("rank" + std::to_string(rank));
    std::filesystem::create_directories(scratch);
    ranks.push_back(std::make_unique<PowerfitProcess>(
        std::vector<std::string>{"run", "-i", "50ms", "-o", (scratch / "r.db").string(), "--summary-json",
                                 (scratch / "s.json").string(), "--label", "inference", "--", "sh", "-c",
                                 "sleep 1; echo '{\"inferences\": 100, \"correct\": 76, \"model\": \"m\"}' > \"$POWERFIT_REPORT_FILE\""},
        scratch));
  }
  for (const char* name : {"LOCAL_RANK", "LOCAL_WORLD_SIZE", "RANK", "WORLD_SIZE", "TORCHELASTIC_RUN_ID"}) ::unsetenv(name);
  std::vector<std::string> merged_args{"merge"};
  for (int rank = 0; rank < 8; ++rank) {
    const auto outcome = ranks[static_cast<std::size_t>(rank)]->wait();
    ASSERT_EQ(outcome.status, 0) << outcome.err;
    const auto scratch = tree.path("rank" + std::to_string(rank));
    std::ifstream in(scratch / "s.json");
    const auto summary = json::parse(in);
    // Its own GPU, exactly: 100 + 10 i watts over the run, within two refreshes of the counter.
    std::vector<std::string> gpus;
    bool host = false;
    for (const auto& channel : summary["channels"]) {
      const std::string name = channel["name"];
      if (name.rfind("gpu", 0) == 0) gpus.push_back(name.substr(0, name.find('.')));
      if (name.rfind("cpu.", 0) == 0) host = true;
    }
    gpus.erase(std::unique(gpus.begin(), gpus.end()), gpus.end());
    EXPECT_EQ(gpus, std::vector<std::string>{"gpu" + std::to_string(rank)}) << rank;
    EXPECT_EQ(host, rank == 0) << rank;  // the host's channels once, in local rank 0's run
    const double watts = 100.0 + 10.0 * rank, seconds = summary["duration_s"];
    ASSERT_TRUE(summary.contains("measured_energy_j")) << rank;
    EXPECT_NEAR(summary["measured_energy_j"].get<double>(), watts * seconds, 2 * 0.1 * watts) << rank;
    EXPECT_EQ(summary.contains("counted"), true) << rank;
    EXPECT_NE(outcome.err.find("local rank " + std::to_string(rank) + " of 8"), std::string::npos) << outcome.err;
    merged_args.push_back((scratch / "r.db").string());
  }
  // One process around the whole job counts every GPU, each apart and in sum.
  const auto whole = run_and_summarize(tree, {"sleep", "1"});
  ::unsetenv("FAKE_NVML_WATTS");
  ::unsetenv("FAKE_NVML_GPUS");
  ::unsetenv("POWERFIT_NVML_LIBRARY");
  const double seconds = whole["duration_s"];
  EXPECT_NEAR(whole["measured_energy_j"].get<double>(), 1080.0 * seconds, 2 * 0.1 * 1080.0);
  for (int gpu = 0; gpu < 8; ++gpu) EXPECT_NO_THROW(channel(whole, "gpu" + std::to_string(gpu) + ".energy")) << gpu;
  EXPECT_FALSE(whole.contains("counted"));
  // The ranks' files merged hold each GPU once.
  merged_args.insert(merged_args.end(), {"-o", tree.path("job.db").string()});
  ASSERT_EQ(run_powerfit(merged_args, tree.root()).status, 0);
  auto job = recording::Database::open(tree.path("job.db"), recording::Database::Mode::read_only);
  std::map<std::string, int> seen;
  for (const auto& run : job.runs()) {
    for (const auto& channel : job.run_channels(run.id)) {
      if (channel.name.ends_with(".energy") && channel.name.rfind("gpu", 0) == 0) ++seen[channel.name];
    }
  }
  EXPECT_EQ(seen.size(), 8u);
  for (const auto& [name, count] : seen) EXPECT_EQ(count, 1) << name;
  // The fit test scores the job as one machine of eight GPUs, not as eight of one.
  const auto fit = run_powerfit({"fit", tree.path("job.db").string(), "--json"}, tree.root());
  ASSERT_EQ(fit.status, 0) << fit.err;
  const auto matrix = json::parse(fit.out);
  ASSERT_EQ(matrix["machines"].size(), 1u) << fit.out;
  EXPECT_NE(matrix["machines"][0].get<std::string>().find("8x "), std::string::npos) << fit.out;
}

}  // namespace
}  // namespace powerfit
