#include "analysis/scores.hpp"
#include "analysis/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace powerfit::analysis {
namespace {

TEST(Scores, HandComputedFromTheStoredFigures) {
  // 1000 inferences, 950 correct, 990 in the top 5, 19 J: 19 mJ per inference, 20 mJ per correct.
  const auto scores = compute_scores({.inferences = 1000, .correct = 950, .correct_top5 = 990}, 19.0, {});
  ASSERT_TRUE(scores);
  EXPECT_DOUBLE_EQ(scores->accuracy_percent, 95.0);
  EXPECT_DOUBLE_EQ(*scores->top5_percent, 99.0);
  EXPECT_DOUBLE_EQ(scores->energy_per_inference_j, 0.019);
  EXPECT_DOUBLE_EQ(*scores->energy_per_correct_j, 0.02);
  EXPECT_NEAR(scores->inferences_per_joule, 52.631578947, 1e-6);
  EXPECT_NEAR(scores->accuracy_per_joule, 95.0 / 0.019, 1e-9);
  // 20 * log10(95^2 / 20) = 20 * (2 * 1.977723605 - 1.301029996) = 53.088344
  EXPECT_NEAR(*scores->composite, 53.088344, 1e-5);
  EXPECT_FALSE(scores->netscore);
}

TEST(Scores, WeightsChangeTheComposite) {
  const auto scores = compute_scores({.inferences = 100, .correct = 50}, 5.0, {.alpha = 1.0, .beta = 2.0});
  ASSERT_TRUE(scores);
  // a = 50 %, e = 100 mJ: 20 * (log10 50 - 2 log10 100) = 20 * (1.69897 - 4) = -46.0206
  EXPECT_NEAR(*scores->composite, -46.020600, 1e-5);
}

TEST(Scores, NetScoreFromParametersAndMacs) {
  // a = 80 %, p = 4 M parameters, m = 100 M MACs: 20 log10(6400 / (2 * 10)) = 20 log10(320) = 50.1030
  const auto scores = compute_scores({.inferences = 10, .correct = 8, .parameters = 4e6, .macs = 100e6}, 1.0, {});
  ASSERT_TRUE(scores);
  EXPECT_NEAR(*scores->netscore, 50.103000, 1e-5);
}

TEST(Scores, UnscorableCountsSayWhy) {
  std::string why;
  EXPECT_FALSE(compute_scores({.inferences = 0, .correct = 0}, 1.0, {}, &why));
  EXPECT_EQ(why, "no inferences were reported");
  EXPECT_FALSE(compute_scores({.inferences = 10, .correct = 11}, 1.0, {}, &why));
  EXPECT_NE(why.find("correct"), std::string::npos);
  EXPECT_FALSE(compute_scores({.inferences = 10, .correct = 5}, 0.0, {}, &why));
  EXPECT_NE(why.find("energy"), std::string::npos);
  // Nothing correct: scored, but with no energy per correct inference and no composite.
  const auto none = compute_scores({.inferences = 10, .correct = 0}, 1.0, {});
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->composite);
}

TEST(Interval, StudentTNinetyFivePercent) {
  // Three repeats 10, 12, 14: mean 12, s = 2, t(0.975, 2) = 4.303, half-width 4.303 * 2 / sqrt(3).
  const auto interval = repeat_statistics({10.0, 12.0, 14.0});
  EXPECT_DOUBLE_EQ(interval.mean, 12.0);
  ASSERT_TRUE(interval.half_width);
  EXPECT_NEAR(*interval.half_width, 4.303 * 2.0 / std::sqrt(3.0), 1e-9);
  EXPECT_FALSE(repeat_statistics({5.0}).half_width);
  EXPECT_NEAR(student_t_975(1), 12.706, 1e-9);
  EXPECT_NEAR(student_t_975(100), 1.984, 1e-3);
  EXPECT_NEAR(student_t_975(1000), 1.962, 1e-3);
}

TEST(Interval, MedianStandardDeviationAndCoefficientOfVariation) {
  // 10, 12, 14: median 12, s = 2, CV 2 / 12.
  const auto three = repeat_statistics({14.0, 10.0, 12.0});
  EXPECT_DOUBLE_EQ(three.median, 12.0);
  EXPECT_DOUBLE_EQ(*three.stddev, 2.0);
  EXPECT_DOUBLE_EQ(*three.cv, 2.0 / 12.0);
  EXPECT_EQ(three.n, 3u);
  // An even count: the median is the mean of the middle two; one outlier moves the mean, not it.
  const auto four = repeat_statistics({1.0, 2.0, 3.0, 100.0});
  EXPECT_DOUBLE_EQ(four.median, 2.5);
  EXPECT_DOUBLE_EQ(four.mean, 26.5);
  // One value: a median, no spread; a mean of 0: no CV.
  const auto one = repeat_statistics({5.0});
  EXPECT_DOUBLE_EQ(one.median, 5.0);
  EXPECT_FALSE(one.stddev);
  EXPECT_FALSE(one.cv);
  EXPECT_FALSE(repeat_statistics({-1.0, 1.0}).cv);
}

TEST(Explain, StatesFormulasAndDefaults) {
  const auto text = explain_scores({});
  EXPECT_NE(text.find("alpha = 2, beta = 1"), std::string::npos);
  EXPECT_NE(text.find("millijoules"), std::string::npos);
  EXPECT_NE(text.find("ESTIMATED"), std::string::npos);
}

}  // namespace
}  // namespace powerfit::analysis

namespace powerfit::analysis {
namespace {

TEST(CheckBaseline, ABaselineAtOrAboveTheCommandsPowerIsNotIdleAndItsNegativeEnergyIsDropped) {
  RunSummary::Baseline baseline{.duration_s = 1.0, .command_duration_s = 2.0, .estimated_power_w = 60.0,
                                .command_estimated_energy_j = 100.0, .dynamic_estimated_energy_j = -20.0};
  check_baseline(baseline, 20.0);
  EXPECT_NE(baseline.not_idle.find("ESTIMATED power (60.00 W) is above the command's (50.00 W)"), std::string::npos)
      << baseline.not_idle;
  EXPECT_FALSE(baseline.dynamic_estimated_energy_j);
}

TEST(CheckBaseline, ABusyCpuDuringTheBaselineIsNotIdle) {
  RunSummary::Baseline baseline{.duration_s = 1.0, .command_duration_s = 2.0, .measured_power_w = 40.0,
                                .command_measured_energy_j = 200.0, .dynamic_measured_energy_j = 120.0};
  check_baseline(baseline, 85.0);
  EXPECT_EQ(baseline.not_idle, "the CPU was 85 % busy during it");
  EXPECT_DOUBLE_EQ(*baseline.dynamic_measured_energy_j, 120.0);  // positive: kept, with the warning beside it
}

TEST(CheckBaseline, ACommandThatIdlesDrawsTheBaselinesPowerAndThatIsNoWarning) {
  RunSummary::Baseline baseline{.duration_s = 1.0, .command_duration_s = 2.0, .estimated_power_w = 50.0,
                                .command_estimated_energy_j = 100.0, .dynamic_estimated_energy_j = 0.0};
  check_baseline(baseline, 2.0);
  EXPECT_TRUE(baseline.not_idle.empty()) << baseline.not_idle;
  EXPECT_FALSE(baseline.dynamic_estimated_energy_j);  // zero above idle: shown as none, not as 0 J
}

TEST(CheckBaseline, AQuietBaselineSaysNothing) {
  RunSummary::Baseline baseline{.duration_s = 1.0, .command_duration_s = 2.0, .measured_power_w = 40.0,
                                .command_measured_energy_j = 200.0, .dynamic_measured_energy_j = 120.0};
  check_baseline(baseline, 3.0);
  EXPECT_TRUE(baseline.not_idle.empty());
  EXPECT_DOUBLE_EQ(*baseline.dynamic_measured_energy_j, 120.0);
}

}  // namespace
}  // namespace powerfit::analysis
