// The fit test and the downsampling on constructed data whose answers are known.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "analysis/downsample.hpp"
#include "analysis/fit.hpp"

namespace powerfit::analysis {
namespace {

FitObservation observation(const std::string& architecture, const std::string& machine, double accuracy, double joules,
                           double composite) {
  Scores scores{.accuracy_percent = accuracy, .energy_per_inference_j = joules, .inferences_per_joule = 1.0 / joules,
                .accuracy_per_joule = accuracy / joules, .composite = composite};
  return {.architecture = architecture, .machine = machine, .scores = scores};
}

// Two machines, three architectures. On "gpu" the big network wins, on "cpu" the small one.
std::vector<FitObservation> constructed() {
  return {observation("small", "cpu", 90.0, 0.001, 10.0), observation("small", "cpu", 90.0, 0.001, 12.0),
          observation("mid", "cpu", 93.0, 0.004, 8.0),    observation("big", "cpu", 95.0, 0.020, 5.0),
          observation("small", "gpu", 90.0, 0.0005, 20.0), observation("mid", "gpu", 93.0, 0.0006, 25.0),
          observation("big", "gpu", 95.0, 0.0004, 30.0),  observation("big", "gpu", 95.0, 0.0004, 32.0)};
}

TEST(FitTest, MatrixHoldsMeansWithStudentIntervals) {
  const auto fit = fit_test(constructed(), FitMetric::composite, std::nullopt);
  EXPECT_EQ(fit.architectures, (std::vector<std::string>{"big", "mid", "small"}));
  EXPECT_EQ(fit.machines, (std::vector<std::string>{"cpu", "gpu"}));
  const auto* cell = fit.cell("small", "cpu");
  ASSERT_NE(cell, nullptr);
  EXPECT_DOUBLE_EQ(cell->value.mean, 11.0);
  // Two runs: t(0.975, 1) = 12.706, s = sqrt(2), half-width = 12.706 * sqrt(2) / sqrt(2).
  EXPECT_NEAR(*cell->value.half_width, 12.706, 1e-9);
  EXPECT_FALSE(fit.cell("mid", "cpu")->value.half_width.has_value());
}

TEST(FitTest, BestArchitecturePerMachineAndBestMachinePerArchitecture) {
  const auto fit = fit_test(constructed(), FitMetric::composite, std::nullopt);
  EXPECT_EQ(fit.best_architecture.at("cpu"), "small");
  EXPECT_EQ(fit.best_architecture.at("gpu"), "big");
  EXPECT_EQ(fit.best_machine.at("small"), "gpu");
  // Lower is better for energy per inference: the cheapest wins.
  const auto energy = fit_test(constructed(), FitMetric::energy_per_inference, std::nullopt);
  EXPECT_EQ(energy.best_architecture.at("gpu"), "big");
  EXPECT_EQ(energy.best_architecture.at("cpu"), "small");
}

TEST(FitTest, ABestIsToldApartFromItsRunnerUpOnlyWhereTheirIntervalsPart) {
  // "best machine" was the higher mean, whatever the intervals: a tie read as a winner.
  std::vector<FitObservation> runs;
  for (const double value : {10.0, 10.2, 10.4}) runs.push_back(observation("clear", "a", 90.0, 0.001, value));
  for (const double value : {12.0, 12.1, 12.2}) runs.push_back(observation("clear", "b", 90.0, 0.001, value));
  for (const double value : {10.0, 12.0, 14.0}) runs.push_back(observation("tie", "a", 90.0, 0.001, value));
  for (const double value : {11.0, 12.5, 14.5}) runs.push_back(observation("tie", "b", 90.0, 0.001, value));
  runs.push_back(observation("single", "a", 90.0, 0.001, 5.0));
  for (const double value : {6.0, 6.2}) runs.push_back(observation("single", "b", 90.0, 0.001, value));
  runs.push_back(observation("lonely", "b", 90.0, 0.001, 3.0));
  auto estimated = observation("single", "c", 90.0, 0.001, 5.5);
  estimated.estimated = true;
  runs.push_back(estimated);
  const auto fit = fit_test(runs, FitMetric::composite, std::nullopt);
  using Order = Lead::Order;
  const auto& clear = fit.best_machine_lead.at("clear");
  EXPECT_EQ(fit.best_machine.at("clear"), "b");
  EXPECT_EQ(clear.order, Order::clear);
  EXPECT_EQ(clear.runner_up, "a");
  EXPECT_FALSE(clear.estimated);
  const auto& tie = fit.best_machine_lead.at("tie");
  EXPECT_EQ(fit.best_machine.at("tie"), "b");  // the higher mean still names it
  EXPECT_EQ(tie.order, Order::overlapping);
  EXPECT_EQ(tie.runner_up, "a");
  const auto& single = fit.best_machine_lead.at("single");
  EXPECT_EQ(fit.best_machine.at("single"), "b");
  EXPECT_EQ(single.order, Order::no_interval);  // the runner-up is one run
  EXPECT_EQ(single.runner_up, "c");
  EXPECT_TRUE(single.estimated);  // and scored on ESTIMATED energy: the comparison says so
  EXPECT_EQ(fit.best_machine_lead.at("lonely").order, Order::alone);
  EXPECT_TRUE(fit.best_machine_lead.at("lonely").runner_up.empty());
  // Per machine: on "b" the best architecture is "tie" (12.67), next "clear" (12.1), the order in doubt.
  EXPECT_EQ(fit.best_architecture.at("b"), "tie");
  EXPECT_EQ(fit.best_architecture_lead.at("b").order, Order::overlapping);
  EXPECT_EQ(fit.best_architecture_lead.at("b").runner_up, "clear");
  EXPECT_EQ(fit.best_architecture_lead.at("c").order, Order::alone);
  EXPECT_EQ(lead_order_name(Order::no_interval), "no-interval");
}

TEST(FitTest, ParetoFrontDropsDominatedArchitectures) {
  const auto fit = fit_test(constructed(), FitMetric::composite, std::nullopt);
  // On cpu accuracy rises with energy: all three are on the front, cheapest first.
  EXPECT_EQ(fit.pareto_front.at("cpu"), (std::vector<std::string>{"small", "mid", "big"}));
  // On gpu "big" is both the most accurate and the cheapest: it alone.
  EXPECT_EQ(fit.pareto_front.at("gpu"), (std::vector<std::string>{"big"}));
}

TEST(FitTest, ParetoFrontOfPoints) {
  // (accuracy, energy): 1 is dominated by 0 (less accurate, dearer); 3 ties 2 in energy but is worse.
  const std::vector<std::pair<double, double>> points{{90, 1.0}, {89, 2.0}, {95, 3.0}, {94, 3.0}, {99, 10.0}};
  EXPECT_EQ(pareto_front(points), (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_TRUE(pareto_front({}).empty());
}

TEST(FitTest, ADeclaredAccuracyThatComesBackThroughARunsCountsIsNotMoreAccurateByItsRoundingError) {
  // On the H200 (docs/results/gpu-fit.db) EfficientNetV2-S declared 83.9% at batch 1 and 64; each
  // run's accuracy is its correct count (inferences x 83.9 / 100) over its inferences, and the
  // batch-1 mean came back as 83.90000000000002. The dearer batch-1 point was put on the front.
  const double declared = 83.9;
  const double batch1 = 100.0 * (12345.0 * declared / 100.0) / 12345.0;
  ASSERT_NE(batch1, declared);  // the rounding this test is about (else it proves nothing)
  const std::vector<std::pair<double, double>> points{{declared, 0.340}, {batch1, 0.759}, {85.1, 0.983}};
  EXPECT_EQ(pareto_front(points), (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(pareto_front({{batch1, 0.759}, {declared, 0.340}}), (std::vector<std::size_t>{1}));
  // And 83 inferences bring it back as 83.89999999999999: still at a floor of 83.9%.
  const double short_run = 100.0 * (83.0 * declared / 100.0) / 83.0;
  ASSERT_LT(short_run, declared);
  const auto fit = fit_test({observation("effnet", "gpu", short_run, 0.3, 20.0), observation("big", "gpu", 90.0, 0.9, 10.0)},
                            FitMetric::composite, declared);
  EXPECT_EQ(fit.cheapest_above.at("gpu"), "effnet");
}

TEST(FitTest, CheapestArchitectureAboveAnAccuracyFloor) {
  const auto fit = fit_test(constructed(), FitMetric::composite, 92.0);
  EXPECT_EQ(fit.cheapest_above.at("cpu"), "mid");
  EXPECT_EQ(fit.cheapest_above.at("gpu"), "big");
  const auto none = fit_test(constructed(), FitMetric::composite, 99.0);
  EXPECT_FALSE(none.cheapest_above.at("cpu").has_value());
}

TEST(FitTest, MetricNamesRoundTrip) {
  for (const auto* name : {"composite", "netscore", "inferences-per-joule", "accuracy-per-joule", "energy-per-inference", "accuracy"}) {
    const auto metric = parse_fit_metric(name);
    ASSERT_TRUE(metric.has_value()) << name;
    EXPECT_EQ(fit_metric_name(*metric), name);
  }
  EXPECT_FALSE(parse_fit_metric("speed").has_value());
}

TEST(Downsample, KeepsTheCountTheEndsAndTheExtremes) {
  std::vector<Point> points;
  for (int i = 0; i < 100000; ++i) points.emplace_back(i, std::sin(i * 0.001));
  points[31337].second = 50.0;   // a spike
  points[77777].second = -40.0;  // a dip
  const auto kept = downsample_lttb(points, 500);
  ASSERT_EQ(kept.size(), 500u);
  EXPECT_EQ(kept.front(), points.front());
  EXPECT_EQ(kept.back(), points.back());
  EXPECT_NE(std::find(kept.begin(), kept.end(), points[31337]), kept.end());
  EXPECT_NE(std::find(kept.begin(), kept.end(), points[77777]), kept.end());
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
}

TEST(Downsample, ShortSeriesAreKeptWhole) {
  const std::vector<Point> points{{0, 1}, {1, 2}, {2, 3}};
  EXPECT_EQ(downsample_lttb(points, 10), points);
  EXPECT_EQ(downsample_lttb(points, 2).size(), 2u);
}

}  // namespace
}  // namespace powerfit::analysis
