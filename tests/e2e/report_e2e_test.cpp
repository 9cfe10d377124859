// End-to-end: `powerfit fit` and `powerfit report` on databases a user made, the report rendered
// in headless Chromium: no console error, no request leaving the page, every plot drew marks.

#include <gtest/gtest.h>

#include <cmath>
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
  EXPECT_NE(table.out.find("PARTIAL energy, a channel counted only in part: run 2"), std::string::npos) << table.out;

  const auto fit = json::parse(run_powerfit({"fit", db, "--json"}, tree.root()).out);
  ASSERT_EQ(fit["cells"].size(), 1u);
  EXPECT_EQ(fit["cells"][0]["energy_partial"], true);
  EXPECT_NE(run_powerfit({"fit", db}, tree.root()).out.find(" P"), std::string::npos);

  const auto page = tree.path("partial.html").string();
  ASSERT_EQ(run_powerfit({"report", db, "-o", page}, tree.root()).status, 0);
  const auto html = testing::read_file(page);
  EXPECT_NE(html.find("PARTIAL: gpu0.energy (read error at 0.60 s)"), std::string::npos);
}

TEST(PartialEnergy, AWindowThatAChannelHadNoSampleOverIsPartialScoredAgainFromTheFile) {
  // The session's summary called such a window PARTIAL; `score` of the same file called it whole.
  TempTree tree;
  const auto path = tree.path("unsampled.db");
  {
    auto database = recording::Database::open(path, recording::Database::Mode::read_write);
    const auto run = database.begin_run({.uuid = recording::new_run_uuid(), .command = {"infer"}, .start_wall_ns = 1, .interval_s = 0.1});
    std::vector<ChannelInfo> channels;
    for (const char* name : {"gpu0.energy", "gpu1.energy"}) {
      channels.push_back({.name = name, .unit = Unit::joule, .kind = ChannelKind::energy_counter, .in_energy_total = true});
    }
    channels.push_back({.name = "cpu.power.estimated", .unit = Unit::watt, .kind = ChannelKind::power_gauge,
                        .provenance = Provenance::estimated, .in_energy_total = true});
    const auto ids = database.add_channels(run, channels);
    RunSummary summary{.duration_s = 2.0};
    for (const auto& channel : channels) summary.channels.push_back({.info = channel, .samples = 20, .energy_j = 300.0});
    database.finish_run(run, 2'000'000'001, summary, ids);
    database.save_workload_report(run, {.inferences = 1000, .correct = 900, .model = "resnet"});
    // gpu1 and the estimate had no sample over the window: only gpu0 counted it.
    database.save_window_energy(run, 0.5, 1.5, 200.0, std::nullopt);
    database.save_window_channel_energy(run, ids[0], 200.0);
  }
  const auto scored = json::parse(run_powerfit({"score", path.string(), "--json"}, tree.root()).out);
  ASSERT_EQ(scored.size(), 1u);
  EXPECT_EQ(scored[0]["scored_on"], "inference window");
  EXPECT_EQ(scored[0]["energy_partial"], true);
  // The measured basis names its own kind's channel, not the estimate.
  EXPECT_EQ(scored[0]["partial_channels"], "gpu1.energy (no samples over the stretch)");
  const auto table = run_powerfit({"score", path.string()}, tree.root());
  EXPECT_NE(table.out.find("PARTIAL energy, a channel counted only in part: run 1"), std::string::npos) << table.out;
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

// Two closed copies of one run that disagree (a file edited by hand, or a run copied and then
// changed): merge kept the first without a word. It still keeps it, and warns, even under -q.
TEST(MergeEndToEnd, ClosedCopiesThatDifferAreKeptFirstAndWarnedOf) {
  TempTree tree;
  const auto uuid = recording::new_run_uuid();
  const auto record = [&](const std::filesystem::path& path, int ticks) {
    auto database = recording::Database::open(path, recording::Database::Mode::read_write);
    const auto run = database.begin_run({.uuid = uuid, .command = {"infer"}, .start_wall_ns = 1, .interval_s = 0.1});
    const std::vector<ChannelInfo> channels{{.name = "gpu0.energy", .unit = Unit::joule, .kind = ChannelKind::energy_counter,
                                             .in_energy_total = true}};
    const auto ids = database.add_channels(run, channels);
    auto transaction = database.transaction();
    for (int tick = 0; tick < ticks; ++tick) database.insert_sample(run, ids[0], tick * 100'000'000LL, 30.0 * tick);
    transaction.commit();
    RunSummary summary{.duration_s = 0.5};
    summary.channels = {{.info = channels[0], .samples = static_cast<std::uint64_t>(ticks), .energy_j = 30.0 * (ticks - 1)}};
    database.finish_run(run, 500'000'001, summary, ids);
  };
  const auto a = tree.path("a.db"), b = tree.path("b.db"), all = tree.path("all.db");
  record(a, 5);
  record(b, 3);
  const auto agreeing = run_powerfit({"merge", "-q", a.string(), a.string(), "-o", all.string()}, tree.root());
  EXPECT_EQ(agreeing.status, 0) << agreeing.err;
  EXPECT_EQ(agreeing.err, "");
  const auto merged = run_powerfit({"merge", "-q", b.string(), "-o", all.string()}, tree.root());
  EXPECT_EQ(merged.status, 0) << merged.err;
  EXPECT_EQ(merged.out, "");
  EXPECT_EQ(merged.err.find("powerfit: warning: 1 run(s) of " + b.string() + " differ from their copy in " + all.string()), 0u)
      << merged.err;
  EXPECT_EQ(std::count(merged.err.begin(), merged.err.end(), '\n'), 1) << merged.err;
  auto database = recording::Database::open(all, recording::Database::Mode::read_only);
  ASSERT_EQ(database.runs().size(), 1u);
  const auto series = database.run_series(database.runs()[0].id);
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series.begin()->second.size(), 5u);  // a.db's copy
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
  // The best on the machine says whether the intervals part it from the next, and that the energy
  // compared is an estimate (no meter here); the report's leaderboard says the same.
  const auto& lead = fit["best_architecture_lead"][machine];
  const std::string best = fit["best_architecture"][machine], order = lead["order"];
  EXPECT_EQ(lead["runner_up"], best == "mlp" ? "lenet" : "mlp");
  EXPECT_TRUE(order == "clear" || order == "overlapping") << order;  // two runs each: intervals
  EXPECT_TRUE(lead["energy_estimated"].get<bool>());
  EXPECT_EQ(fit["best_machine_lead"]["lenet"]["order"], "alone");
  const auto page = tree.path("fit.html").string();
  ASSERT_EQ(run_powerfit({"report", db, "-o", page}, tree.root()).status, 0);
  const auto html = testing::read_file(page);
  const bool doubted = html.find("best here, within the 95% intervals of " + lead["runner_up"].get<std::string>()) != std::string::npos;
  EXPECT_EQ(doubted, order == "overlapping");
  EXPECT_EQ(html.find("<tr><td>2=</td>") != std::string::npos, order == "overlapping");  // the leaderboard's rank
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

// What a page's own DOM says of its layout once every <details> is open: each text of a plot
// that overflows its plot or overlaps another text, each table cell whose text overflows it, a
// plot of more than ten lines, and a page wider than the window. Written into the page's body
// as data-layout-problems (how many) and <pre id="layout-problems"> (the first fifty).
constexpr const char* kLayoutCheck = R"js(
(function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});
var problems=[],box=function(e){return e.getBoundingClientRect();};
var overlap=function(a,b){return a.left<b.right-1&&b.left<a.right-1&&a.top<b.bottom-1&&b.top<a.bottom-1;};
document.querySelectorAll('svg[data-plot]').forEach(function(svg){
 var name=svg.getAttribute('data-plot'),outer=box(svg),texts=[],boxes=[];
 svg.querySelectorAll('text').forEach(function(t){var b=box(t);if(b.width>0&&t.textContent.trim()){texts.push(t);boxes.push(b);}});
 texts.forEach(function(t,i){var b=boxes[i];
  if(b.left<outer.left-1||b.right>outer.right+1||b.top<outer.top-1||b.bottom>outer.bottom+1)problems.push(name+': "'+t.textContent+'" overflows the plot');
  for(var j=0;j<i;j++)if(overlap(b,boxes[j]))problems.push(name+': "'+t.textContent+'" overlaps "'+texts[j].textContent+'"');});
 if(svg.querySelectorAll('polyline.mark').length>10)problems.push(name+': more than ten lines');});
document.querySelectorAll('td,th').forEach(function(c){if(c.scrollWidth>c.clientWidth+1)problems.push('cell overflows: '+c.textContent.slice(0,60));});
if(document.documentElement.scrollWidth>window.innerWidth+1)problems.push('page wider than the window: '+document.documentElement.scrollWidth+' px');
document.body.setAttribute('data-layout-problems',String(problems.length));
var pre=document.createElement('pre');pre.id='layout-problems';pre.textContent=problems.slice(0,50).join('\n');document.body.appendChild(pre);})();
)js";

// An attribute of the dumped DOM, where it is.
std::optional<std::string> dom_attribute(const std::string& dom, const std::string& name) {
  const auto at = dom.find(name + "=\"");
  if (at == std::string::npos) return std::nullopt;
  const auto start = at + name.size() + 2;
  return dom.substr(start, dom.find('"', start) - start);
}

// Renders the page with the layout check in Chromium at 1280 px and says what it found; the
// screenshot of the page as it opens is kept as an artifact.
void expect_clean_layout(const TempTree& tree, const std::string& page, const std::string& screenshot_name) {
  auto html = testing::read_file(page);
  const auto body_end = html.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
  const auto checked = tree.path(screenshot_name + "-checked.html").string();
  std::ofstream(checked) << html.substr(0, body_end) << "<script>" << kLayoutCheck << "</script>" << html.substr(body_end);
  const auto dom = run_chromium(tree, {"--window-size=1280,2400", "--dump-dom"}, checked);
  ASSERT_EQ(dom.status, 0) << "is Debian's chromium installed (scripts/install-deps.sh)? " << dom.err;
  const auto problems = dom_attribute(dom.out, "data-layout-problems");
  ASSERT_TRUE(problems.has_value()) << "the layout check did not run: " << dom.err;
  const auto list = dom.out.find("<pre id=\"layout-problems\">");
  EXPECT_EQ(*problems, "0") << (list == std::string::npos ? std::string() : dom.out.substr(list, 6000));
  EXPECT_EQ(dom.err.find("CONSOLE"), std::string::npos) << dom.err;

  const auto screenshot = std::filesystem::path(REPORT_ARTIFACTS) / (screenshot_name + ".png");
  std::filesystem::create_directories(screenshot.parent_path());
  const auto shot = run_chromium(tree, {"--window-size=1280,2400", "--screenshot='" + screenshot.string() + "'"}, page);
  EXPECT_EQ(shot.status, 0) << shot.err;
  EXPECT_GT(std::filesystem::file_size(screenshot), 10'000u);
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
  const auto plots = dom_attribute(dom.out, "data-plots");
  ASSERT_TRUE(plots.has_value()) << "the page's plot check did not run";
  EXPECT_GE(std::stoi(*plots), 10);
  EXPECT_EQ(dom_attribute(dom.out, "data-empty-plots"), std::string()) << "plots that drew nothing";
  // Console messages (errors included) and blocked requests are logged as CONSOLE lines.
  EXPECT_EQ(dom.err.find("CONSOLE"), std::string::npos) << dom.err;
  EXPECT_EQ(dom.err.find("Refused to"), std::string::npos) << dom.err;
  expect_clean_layout(tree, page, "report");
}

TEST(ReportEndToEnd, LabelsOfPhasesSideBySideNeitherOverlapNorLeaveThePlot) {
  // The demo's bench runs: a warm-up of a fraction of a second, then the inference half a second
  // later; "warmup" was laid out as 37 px wide (0.62 em a glyph) and drawn 41 px wide.
  TempTree tree;
  const report::LinePlot plot{"phases", "Power", "seconds since the run started", "W",
                              {{"gpu0.power", {{0.0, 70.0}, {5.0, 300.0}, {10.0, 310.0}}, false}},
                              {{0.0, 0.16, "warmup"}, {0.63, 9.8, "inference"}, {9.8, 9.9, "cool-down"}},
                              {}};
  const auto page = tree.path("phases.html").string();
  std::ofstream(page) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>svg{font-size:11px}svg .band-label{font-size:10px}"
                      << "</style></head><body>" << report::render_line_plot(plot) << "</body></html>";
  expect_clean_layout(tree, page, "phases");
}

TEST(ReportEndToEnd, TheFortyEightRunFitTestLeadsWithItsAnswerReadablyInUnderOneAndAHalfMegabytes) {
  // docs/results/h100.db: a 48-row table naming the file on every row came first, the plots
  // below 2,500 px, 3.9 MB; labels overlapped, names were clipped, memory read "2e+04 MiB" and
  // sixteen cores drew sixteen lines.
  TempTree tree;
  const std::string db = std::string(POWERFIT_RESULTS) + "/h100.db";
  const auto page = tree.path("h100.html").string();
  const auto outcome = run_powerfit({"report", db, "-o", page}, tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const auto html = testing::read_file(page);
  EXPECT_LE(html.size(), 1'500'000u);
  // The answer first: the leaderboard, then accuracy against energy, the heat map, the runs.
  const auto leaderboard = html.find("<h2>Leaderboard</h2>"), scatter = html.find("data-plot=\"accuracy-energy\""),
             heat_map = html.find("data-plot=\"fit-heat-map\""), runs = html.find("<h2>Runs</h2>");
  ASSERT_NE(leaderboard, std::string::npos);
  EXPECT_LT(leaderboard, scatter);
  EXPECT_LT(scatter, heat_map);
  EXPECT_LT(heat_map, runs);
  EXPECT_NE(html.find("mobilenetv3_large_100 b64</text>"), std::string::npos);  // the full name
  // The file is named once.
  std::size_t named = 0;
  for (auto at = html.find(db); at != std::string::npos; at = html.find(db, at + 1)) ++named;
  EXPECT_EQ(named, 1u);
  // Memory in GiB, the cores as one range, and no tick in exponent notation.
  EXPECT_NE(html.find(">GiB</text>"), std::string::npos);
  EXPECT_NE(html.find("range of the 16 cores"), std::string::npos);
  EXPECT_EQ(html.find("e+0"), std::string::npos);
  expect_clean_layout(tree, page, "report-h100");
}

TEST(ReportEndToEnd, AThousandRunsMakeAPageOfAtMostFiveMegabytes) {
  // 8.3 MB before: every run drawn with 600 points per line.
  TempTree tree;
  const auto path = tree.path("many.db");
  {
    auto database = recording::Database::open(path, recording::Database::Mode::read_write);
    std::vector<ChannelInfo> channels{{.name = "gpu0.energy", .source = "nvml", .unit = Unit::joule, .kind = ChannelKind::energy_counter,
                                       .scope = "gpu:0", .in_energy_total = true},
                                      {.name = "gpu0.power", .source = "nvml", .unit = Unit::watt, .kind = ChannelKind::power_gauge},
                                      {.name = "cpu.power.estimated", .source = "model", .unit = Unit::watt, .kind = ChannelKind::power_gauge,
                                       .provenance = Provenance::estimated, .in_energy_total = true},
                                      {.name = "cpu.utilization", .unit = Unit::percent, .kind = ChannelKind::utilization},
                                      {.name = "memory.used", .unit = Unit::byte, .kind = ChannelKind::gauge},
                                      {.name = "disk.read_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter},
                                      {.name = "net.rx_bytes", .unit = Unit::byte, .kind = ChannelKind::byte_counter}};
    for (int core = 0; core < 8; ++core) {
      channels.push_back({.name = "cpu" + std::to_string(core) + ".utilization", .unit = Unit::percent, .kind = ChannelKind::utilization});
    }
    for (int i = 0; i < 1000; ++i) {
      const recording::RunStart start{.uuid = recording::new_run_uuid(), .command = {"infer"}, .label = "net" + std::to_string(i % 25),
                                      .start_wall_ns = 1'700'000'000'000'000'000, .interval_s = 0.1, .host = {.hostname = "box", .cpu_cores = 8}};
      const auto run = database.begin_run(start);
      const auto ids = database.add_channels(run, channels);
      auto transaction = database.transaction();
      for (int tick = 0; tick < 80; ++tick) {
        const auto t = tick * 100'000'000LL;
        for (std::size_t c = 0; c < ids.size(); ++c) {
          // A rising energy counter, memory near 6 GB, growing byte counters, swinging utilizations and power.
          const double value = c == 0 ? 30.0 * tick : c == 4 ? 6.0e9 + 1e6 * tick : c == 5 || c == 6 ? 1e5 * tick
                                                                                          : 50.0 + std::sin(tick + static_cast<double>(c)) * 20;
          database.insert_sample(run, ids[c], t, value);
        }
      }
      transaction.commit();
      RunSummary summary{.duration_s = 8.0, .samples = 80};
      for (const auto& channel : channels) {
        summary.channels.push_back(
            {.info = channel, .samples = 80, .energy_j = channel.in_energy_total ? std::optional<double>(240.0) : std::nullopt});
      }
      database.finish_run(run, start.start_wall_ns + 8'000'000'000, summary, ids);
      database.save_workload_report(run, {.inferences = 1000, .correct = 700 + (i % 25) * 10, .model = "net" + std::to_string(i % 25),
                                          .device = "cuda"});
    }
  }
  const auto page = tree.path("many.html").string();
  const auto outcome = run_powerfit({"report", path.string(), "-o", page}, tree.root());
  ASSERT_EQ(outcome.status, 0) << outcome.err;
  const auto html = testing::read_file(page);
  EXPECT_LE(html.size(), 5'000'000u);
  EXPECT_NE(html.find("The first 100 of the 1000 runs are drawn"), std::string::npos);
  std::size_t rows = 0;
  for (auto at = html.find("<tr><td>"); at != std::string::npos; at = html.find("<tr><td>", at + 1)) ++rows;
  EXPECT_EQ(rows, 1000u + 25u);  // every run in the table, and each network in the leaderboard
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
