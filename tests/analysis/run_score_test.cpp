// A stored run scored: which energy the scores rest on, and why a run has none. Figures by hand.
#include "analysis/run_score.hpp"

#include <gtest/gtest.h>

namespace powerfit::analysis {
namespace {

recording::ReportedRun counted_run() {
  recording::ReportedRun run;
  run.counts.inferences = 1000;
  run.counts.correct = 900;
  run.measured_energy_j = 500.0;  // the whole run
  run.duration_s = 10.0;
  return run;
}

TEST(RunScore, TheInferenceWindowComesFirstThenTheCommandThenTheWholeRun) {
  auto run = counted_run();
  auto scored = score_run(run, {}, false);
  ASSERT_TRUE(scored.scores);
  EXPECT_EQ(scored.scored_on, "whole run");
  EXPECT_DOUBLE_EQ(scored.scores->energy_per_inference_j, 0.5);
  run.command_measured_energy_j = 400.0;
  run.command_duration_s = 8.0;
  run.baseline_measured_power_w = 20.0;
  scored = score_run(run, {}, false);
  EXPECT_EQ(scored.scored_on, "run after its idle baseline");
  EXPECT_DOUBLE_EQ(scored.scores->energy_per_inference_j, 0.4);
  run.window_measured_energy_j = 300.0;
  run.window_duration_s = 5.0;
  scored = score_run(run, {}, false);
  EXPECT_EQ(scored.scored_on, "inference window");
  EXPECT_DOUBLE_EQ(scored.scores->energy_per_inference_j, 0.3);
  // Dynamic: 300 J less 20 W over 5 s.
  scored = score_run(run, {}, true);
  EXPECT_EQ(scored.scored_on, "inference window, less idle power");
  EXPECT_DOUBLE_EQ(scored.scores->energy_per_inference_j, 0.2);
}

TEST(RunScore, ADeclaredAccuracyStandsForTheCountItCouldNotMeasure) {
  auto run = counted_run();
  run.counts.correct = 0;
  run.counts.declared_accuracy_percent = 75.0;
  const auto scored = score_run(run, {}, false);
  ASSERT_TRUE(scored.scores);
  EXPECT_DOUBLE_EQ(scored.scores->accuracy_percent, 75.0);
}

TEST(RunScore, EstimatedEnergyIsMarkedAndNeverAddedToMeasured) {
  auto run = counted_run();
  run.measured_energy_j.reset();
  run.estimated_energy_j = 250.0;
  const auto scored = score_run(run, {}, false);
  ASSERT_TRUE(scored.basis);
  EXPECT_TRUE(scored.basis->estimated);
  EXPECT_DOUBLE_EQ(scored.basis->joules, 250.0);
}

TEST(RunScore, WhyARunHasNoScores) {
  auto run = counted_run();
  EXPECT_NE(score_run(run, {}, true).why.find("no idle baseline"), std::string::npos);
  // A baseline that drew more than the run leaves no energy above idle.
  run.command_measured_energy_j = 100.0;
  run.command_duration_s = 10.0;
  run.baseline_measured_power_w = 50.0;
  const auto busy = score_run(run, {}, true);
  EXPECT_FALSE(busy.scores);
  EXPECT_NE(busy.why.find("no energy above idle"), std::string::npos);
  run.error = "the database could not be written";
  EXPECT_EQ(score_run(run, {}, false).why, "the database could not be written");
}

TEST(RunScore, AChannelThatStoppedInsideTheScoredSpanMakesItPartial) {
  auto run = counted_run();
  run.window_measured_energy_j = 300.0;
  run.window_duration_s = 5.0;
  run.window_end_s = 6.0;
  run.stopped.push_back({.channel = "gpu1.energy", .failure = "read error", .at_s = 7.0});
  EXPECT_TRUE(score_run(run, {}, false).partial.empty());  // after the window
  run.stopped.push_back({.channel = "gpu0.energy", .failure = "read error", .at_s = 2.5});
  const auto partial = score_run(run, {}, false).partial;
  EXPECT_NE(partial.find("gpu0.energy"), std::string::npos);
  EXPECT_EQ(partial.find("gpu1.energy"), std::string::npos);
  run.never_closed = true;
  EXPECT_NE(score_run(run, {}, false).partial.find("never closed"), std::string::npos);
}

}  // namespace
}  // namespace powerfit::analysis
