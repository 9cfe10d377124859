#include "analysis/series_values.hpp"

#include <gtest/gtest.h>

namespace powerfit::analysis {
namespace {

constexpr std::int64_t kTick = 100'000'000;

// Ten ticks of a core: 0% for ticks 0-7, then 50% at 8 and 9, as the writer stores a core that
// stands still (where it stops, just before it moves, and where it moves).
Series standing_core() { return {{0, 0.0}, {7 * kTick, 0.0}, {8 * kTick, 50.0}, {9 * kTick, 50.0}}; }

TEST(SeriesValues, AStandingSeriesIsReadOnItsStraightLineAtEveryTick) {
  const auto core = standing_core();
  for (int i = 0; i <= 7; ++i) EXPECT_DOUBLE_EQ(value_at(core, i * kTick), 0.0) << i;
  EXPECT_DOUBLE_EQ(value_at(core, 9 * kTick), 50.0);
  EXPECT_DOUBLE_EQ(value_at(core, 7 * kTick + kTick / 2), 25.0);
  EXPECT_DOUBLE_EQ(value_at(core, 20 * kTick), 50.0);  // held beyond its last sample
}

TEST(SeriesValues, AMeanIsWeightedByTimeNotByTheSamplesStored) {
  // By the samples stored, ticks 0-9 would read (0 + 0 + 50 + 50) / 4 = 25%. By time, trapezoids
  // over 0.9 s give (0.7 s * 0 + 0.1 s * 25 + 0.1 s * 50) / 0.9 s = 8.33%, as they do for the
  // same ten ticks stored every one.
  const auto core = standing_core();
  ASSERT_TRUE(mean_between(core, 0, 9 * kTick));
  EXPECT_NEAR(*mean_between(core, 0, 9 * kTick), 75.0 / 9.0, 1e-9);
  EXPECT_NEAR(*mean_between(core, 0, 7 * kTick), 0.0, 1e-12);
  // Clipped to the samples: a window reaching past them is read where they cover it.
  EXPECT_NEAR(*mean_between(core, -5 * kTick, 7 * kTick), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(*mean_between(core, 9 * kTick, 12 * kTick), 50.0);  // one instant covered
  EXPECT_FALSE(mean_between(core, 10 * kTick, 12 * kTick));
  EXPECT_FALSE(mean_between({}, 0, kTick));
}

TEST(SeriesValues, TheRangeOfCoresIsTakenWhereverOneOfThemWasStored) {
  // One core stored at every tick, the other standing: the report drew the range at the first
  // N indices of each, so the busy core's tick 2 met the standing one's tick 8.
  Series busy;
  for (int i = 0; i <= 9; ++i) busy.emplace_back(i * kTick, 10.0 * i);
  const auto idle = standing_core();
  const auto ranges = range_at_every_time({&busy, &idle});
  ASSERT_EQ(ranges.size(), 10u);
  for (int i = 0; i <= 9; ++i) {
    const double standing = i < 8 ? 0.0 : 50.0;
    EXPECT_EQ(ranges[i].time_ns, i * kTick);
    EXPECT_DOUBLE_EQ(ranges[i].low, std::min(standing, 10.0 * i)) << i;
    EXPECT_DOUBLE_EQ(ranges[i].high, std::max(standing, 10.0 * i)) << i;
  }
}

TEST(SeriesValues, ASeriesIsLeftOutOfTheRangeBeforeItsFirstAndAfterItsLastSample) {
  const Series early{{0, 5.0}, {kTick, 5.0}};
  const Series late{{kTick, 20.0}, {2 * kTick, 30.0}};
  const auto ranges = range_at_every_time({&early, &late});
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_DOUBLE_EQ(ranges[0].low, 5.0);
  EXPECT_DOUBLE_EQ(ranges[0].high, 5.0);
  EXPECT_DOUBLE_EQ(ranges[1].low, 5.0);
  EXPECT_DOUBLE_EQ(ranges[1].high, 20.0);
  EXPECT_DOUBLE_EQ(ranges[2].low, 30.0);
  EXPECT_DOUBLE_EQ(ranges[2].high, 30.0);
}

}  // namespace
}  // namespace powerfit::analysis
