// End-to-end: `powerfit fit` and `powerfit report` on databases a user made, the report rendered
// in headless Chromium: no console error, no request leaving the page, every plot drew marks.

#include <gtest/gtest.h>

#include <fstream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "recording/database.hpp"
#include "report/svg.hpp"
#include "support/powerfit_process.hpp"
#include "support/temp_tree.hpp"

namespace powerfit {
namespace {

using powerfit::testing::Outcome;
using powerfit::testing::run_powerfit;
using powerfit::testing::TempTree;
using json = nlohmann::json;

const std::string kZoo = POWERFIT_ZOO;

// A database with two scored bench runs of two models, a plain measured command, and a run whose
// workload wrote a broken report (kept, unscored).
std::string make_database(const TempTree& tree) {
  const auto db = tree.path("runs.db").string();
  for (const char* model : {"mlp", "lenet"}) {
    const auto outcome = run_powerfit({"bench", "-q", "-m", kZoo + "/" + model + ".pt", "-d", kZoo + "/digits-test",
                                       "--min-time", "0.3s", "--baseline", "0.3s", "-i", "20ms", "-r", "2", "-o", db},
                                      tree.root());
    EXPECT_EQ(outcome.status, 0) << outcome.err;
  }
  EXPECT_EQ(run_powerfit({"run", "-q", "-i", "20ms", "-o", db, "--", CPU_BURNER, "0.3", "1"}, tree.root()).status, 0);
  EXPECT_EQ(run_powerfit({"run", "-q", "-o", db, "--", "sh", "-c", "echo '{broken' > \"$POWERFIT_REPORT_FILE\""}, tree.root()).status, 0);
  return db;
}


Outcome run_chromium(const TempTree& tree, const std::vector<std::string>& extra, const std::string& page) {
  std::string command = "chromium --headless --no-sandbox --disable-gpu --enable-logging=stderr --v=0 --user-data-dir='" +
                        tree.path("chromium-profile").string() + "'";
  for (const auto& argument : extra) command += " " + argument;
  command += " 'file://" + page + "' > '" + tree.path("dom.html").string() + "' 2> '" + tree.path("chromium.err").string() + "'";
  Outcome outcome;
  outcome.status = std::system(("timeout 120 " + command).c_str());
  outcome.out = testing::read_file(tree.path("dom.html"));
  outcome.err = testing::read_file(tree.path("chromium.err"));
  return outcome;
}

TEST(EnergyPerChannelBars, MeasuredAndEstimatedAreNeverSummed) {
  // Run 1 of the H100 results: 1615.5 J measured (GPU) and 227.8 J ESTIMATED (CPU) were shown as
  // one bar of "1843 J".
  const powerfit::report::StackedBars bars{
      "channel-energy", "Energy per channel", "J", {"run 1"},
      {{"gpu0.energy", false, {1615.5}}, {"cpu.power.estimated", true, {227.8}}}};
  const auto svg = powerfit::report::render_stacked_bars(bars);
  EXPECT_EQ(svg.find("1843"), std::string::npos) << svg;
  EXPECT_NE(svg.find("J measured</text>"), std::string::npos);
  EXPECT_NE(svg.find("J ESTIMATED</text>"), std::string::npos);
}

// Two scored runs of one model on one machine; in the second the GPU's energy counter stopped
// 0.6 s into a window that ends at 1.5 s.
std::string make_partial_database(const TempTree& tree) {
  const auto path = tree.path("partial.db");
  auto database = recording::Database::open(path, recording::Database::Mode::read_write);
  for (int i = 0; i < 2; ++i) {
    const bool stops = i == 1;
    const recording::RunStart start{.uuid = recording::new_run_uuid(), .command = {"infer"}, .start_wall_ns = 1'700'000'000'000'000'000,
                                    .interval_s = 0.1, .host = {.hostname = "gpubox", .cpu_cores = 2}};
    const auto run = database.begin_run(start);
    const std::vector<ChannelInfo> channels{{.name = "gpu0.energy", .source = "nvml", .unit = Unit::joule,
                                             .kind = ChannelKind::energy_counter, .scope = "gpu:0", .in_energy_total = true}};
    const auto ids = database.add_channels(run, channels);
    RunSummary summary{.duration_s = 2.0, .samples = 20};
    summary.channels = {{.info = channels[0], .samples = 20, .energy_j = stops ? 120.0 : 400.0}};
    if (stops) {
      summary.channels[0].failure = "read error";
      summary.channels[0].failed_at_s = 0.6;
    }
    database.finish_run(run, start.start_wall_ns + 2'000'000'000, summary, ids);
    database.save_workload_report(run, {.inferences = 1000, .correct = 900, .model = "resnet", .device = "cuda"});
    database.save_window_energy(run, 0.5, 1.5, stops ? 20.0 : 200.0, std::nullopt);
  }
  return path.string();
}

TEST(PartialEnergy, ScoreFitAndReportMarkARunWhoseChannelStoppedInsideTheWindow) {
  // A channel of the energy total that fails mid-run left the scores without a mark.
  TempTree tree;
  const auto db = make_partial_database(tree);
  const auto scored = json::parse(run_powerfit({"score", db, "--json"}, tree.root()).out);
  ASSERT_EQ(scored.size(), 2u);
  EXPECT_EQ(scored[0]["energy_partial"], false);
  EXPECT_TRUE(scored[0]["partial_channels"].is_null());
  EXPECT_EQ(scored[1]["energy_partial"], true);
  EXPECT_EQ(scored[1]["partial_channels"], "gpu0.energy (read error at 0.60 s)");
  const auto table = run_powerfit({"score", db}, tree.root());
  EXPECT_NE(table.out.find("measured PARTIAL"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("PARTIAL energy, a channel stopped early: run 2"), std::string::npos) << table.out;

  const auto fit = json::parse(run_powerfit({"fit", db, "--json"}, tree.root()).out);
  ASSERT_EQ(fit["cells"].size(), 1u);
  EXPECT_EQ(fit["cells"][0]["energy_partial"], true);
  EXPECT_NE(run_powerfit({"fit", db}, tree.root()).out.find(" P"), std::string::npos);

  const auto page = tree.path("partial.html").string();
  ASSERT_EQ(run_powerfit({"report", db, "-o", page}, tree.root()).status, 0);
  const auto html = testing::read_file(page);
  EXPECT_NE(html.find("PARTIAL: gpu0.energy (read error at 0.60 s)"), std::string::npos);
}

TEST(PartialEnergy, ARunNeverClosedIsMarkedByMergeScoreAndReport) {
  // A run left open by SIGKILL: no end time, no exit status; it read as complete.
  TempTree tree;
  const auto path = tree.path("killed.db");
  {
    auto database = recording::Database::open(path, recording::Database::Mode::read_write);
    const auto run = database.begin_run({.uuid = recording::new_run_uuid(), .command = {"infer"}, .start_wall_ns = 1, .interval_s = 0.1});
    const std::vector<ChannelInfo> channels{{.name = "gpu0.energy", .unit = Unit::joule, .kind = ChannelKind::energy_counter,
                                             .in_energy_total = true}};
    const auto ids = database.add_channels(run, channels);
    auto transaction = database.transaction();
    for (int tick = 0; tick < 5; ++tick) database.insert_sample(run, ids[0], tick * 100'000'000LL, 30.0 * tick);
    transaction.commit();
    database.save_workload_report(run, {.inferences = 1000, .correct = 900, .model = "resnet"});
    database.save_window_energy(run, 0.1, 0.3, 60.0, std::nullopt);
  }  // never finished: as if powerfit had been killed here
  const auto scored = json::parse(run_powerfit({"score", path.string(), "--json"}, tree.root()).out);
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0]["energy_partial"], true);
  EXPECT_NE(scored[0]["partial_channels"].get<std::string>().find("never closed"), std::string::npos);
  const auto merged = run_powerfit({"merge", path.string(), "-o", tree.path("all.db").string()}, tree.root());
  EXPECT_EQ(merged.status, 0) << merged.err;
  EXPECT_NE(merged.out.find("1 never closed"), std::string::npos) << merged.out;
  const auto page = tree.path("killed.html").string();
  ASSERT_EQ(run_powerfit({"report", path.string(), "-o", page}, tree.root()).status, 0);
  EXPECT_NE(testing::read_file(page).find("INCOMPLETE: never closed"), std::string::npos);
}

TEST(PartialEnergy, AChannelThatStoppedAfterTheWindowLeavesTheWindowWhole) {
  TempTree tree;
  const auto path = tree.path("late.db");
  {
    auto database = recording::Database::open(path, recording::Database::Mode::read_write);
    const auto run = database.begin_run({.uuid = recording::new_run_uuid(), .command = {"infer"}, .start_wall_ns = 1, .interval_s = 0.1});
    const std::vector<ChannelInfo> channels{{.name = "gpu0.energy", .unit = Unit::joule, .kind = ChannelKind::energy_counter,
                                             .in_energy_total = true}};
    const auto ids = database.add_channels(run, channels);
    RunSummary summary{.duration_s = 2.0};
    summary.channels = {{.info = channels[0], .samples = 20, .energy_j = 300.0, .failure = "read error", .failed_at_s = 1.8}};
    database.finish_run(run, 2'000'000'001, summary, ids);
    database.save_workload_report(run, {.inferences = 1000, .correct = 900, .model = "resnet"});
    database.save_window_energy(run, 0.5, 1.5, 200.0, std::nullopt);
  }
  const auto scored = json::parse(run_powerfit({"score", path.string(), "--json"}, tree.root()).out);
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0]["scored_on"], "inference window");
  EXPECT_EQ(scored[0]["energy_partial"], false);
}

TEST(FitEndToEnd, MatrixJsonCsvAndBadInput) {
  TempTree tree;
  const auto db = make_database(tree);
  const auto table = run_powerfit({"fit", db, "--min-accuracy", "96"}, tree.root());
  ASSERT_EQ(table.status, 0) << table.err;
  EXPECT_NE(table.out.find("Pareto front"), std::string::npos);
  EXPECT_NE(table.out.find("unscored: "), std::string::npos);  // the broken report, with why
  const auto fit = json::parse(run_powerfit({"fit", db, "--json", "--min-accuracy", "96"}, tree.root()).out);
  EXPECT_EQ(fit["metric"], "composite");
  EXPECT_EQ(fit["architectures"], json({"lenet", "mlp"}));
  ASSERT_EQ(fit["machines"].size(), 1u);
  const std::string machine = fit["machines"][0];
  EXPECT_NE(machine.find("cpu libtorch"), std::string::npos);
  ASSERT_EQ(fit["cells"].size(), 2u);
  EXPECT_EQ(fit["cells"][0]["value"]["runs"], 2);
  EXPECT_TRUE(fit["cells"][0]["value"]["ci95_half_width"].is_number());
  EXPECT_EQ(fit["cheapest_above"][machine], "lenet");  // mlp's 95.83% is under the floor
  EXPECT_EQ(fit["unscored"].size(), 1u);
  const auto csv = run_powerfit({"fit", db, "--csv", "--score", "energy-per-inference"}, tree.root());
  ASSERT_EQ(csv.status, 0);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 3);  // header + two cells
  EXPECT_EQ(csv.out.rfind("architecture,machine,metric,mean", 0), 0u);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"fit", db, "--score", "speed"}, {"fit", tree.path("missing.db").string()}, {"fit"}, {"fit", db, "--json", "--csv"}}) {
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
}

TEST(ReportEndToEnd, ASelfContainedPageThatDrawsEveryPlotInChromium) {
  TempTree tree;
  const auto db = make_database(tree);
  const auto page = tree.path("report.html").string();
  const auto outcome = run_powerfit({"report", db, "-o", page}, tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const auto html = testing::read_file(page);
  // Nothing is fetched: no external address in a src or href, and a policy that forbids it anyway.
  for (const char* external : {"src=\"http", "href=\"http", "src=\"//", "href=\"//"}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_NE(html.find("ESTIMATED"), std::string::npos);  // no meter on this machine: labelled estimates
  for (const char* plot : {"accuracy-energy", "fit-heat-map", "energy-per-channel", "-power", "-utilization", "-memory", "-io"}) {
    EXPECT_NE(html.find(plot), std::string::npos) << plot;
  }

  const auto dom = run_chromium(tree, {"--dump-dom"}, page);
  ASSERT_EQ(dom.status, 0) << "is Debian's chromium installed (scripts/install-deps.sh)? " << dom.err;
  // The page's own check writes how many plots it found and which drew nothing.
  const auto attribute = [&](const std::string& name) -> std::optional<std::string> {
    const auto at = dom.out.find(name + "=\"");
    if (at == std::string::npos) return std::nullopt;
    const auto start = at + name.size() + 2;
    return dom.out.substr(start, dom.out.find('"', start) - start);
  };
  const auto plots = attribute("data-plots");
  ASSERT_TRUE(plots.has_value()) << "the page's plot check did not run";
  EXPECT_GE(std::stoi(*plots), 10);
  EXPECT_EQ(attribute("data-empty-plots"), std::string()) << "plots that drew nothing";
  // Console messages (errors included) and blocked requests are logged as CONSOLE lines.
  EXPECT_EQ(dom.err.find("CONSOLE"), std::string::npos) << dom.err;
  EXPECT_EQ(dom.err.find("Refused to"), std::string::npos) << dom.err;

  const auto screenshot = std::filesystem::path(REPORT_ARTIFACTS) / "report.png";
  std::filesystem::create_directories(screenshot.parent_path());
  const auto shot = run_chromium(tree, {"--window-size=1280,2400", "--screenshot='" + screenshot.string() + "'"}, page);
  EXPECT_EQ(shot.status, 0) << shot.err;
  EXPECT_GT(std::filesystem::file_size(screenshot), 10'000u);
}

TEST(ReportEndToEnd, BadInputIsAOneLineErrorAndInputsAreUntouched) {
  TempTree tree;
  const auto db = tree.path("runs.db").string();
  ASSERT_EQ(run_powerfit({"run", "-q", "-o", db, "--", "true"}, tree.root()).status, 0);
  const auto before = testing::read_file(db);
  ASSERT_EQ(run_powerfit({"merge", "-q", db, "-o", tree.path("empty-merge.db").string()}, tree.root()).status, 0);
  ASSERT_EQ(run_powerfit({"run", "-q", "-o", tree.path("other.db").string(), "--", "true"}, tree.root()).status, 0);
  tree.write("not-a-db.db", "hello");
  const std::vector<std::vector<std::string>> cases{
      {"report", db, "-o", tree.path("no/such/dir/report.html").string()},
      {"report", tree.path("missing.db").string(), "-o", tree.path("r.html").string()},
      {"report", tree.path("not-a-db.db").string(), "-o", tree.path("r.html").string()},
      {"report"},
      {"merge", db, "-o", db},
      {"merge", db},
  };
  for (const auto& args : cases) {
    const auto outcome = run_powerfit(args, tree.root());
    EXPECT_EQ(outcome.status, 2) << args[0] << ": " << outcome.err;
    EXPECT_EQ(std::count(outcome.err.begin(), outcome.err.end(), '\n'), 1) << outcome.err;
  }
  EXPECT_EQ(testing::read_file(db), before);
}

}  // namespace
}  // namespace powerfit
