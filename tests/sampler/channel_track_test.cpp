#include "sampler/channel_track.hpp"

#include <gtest/gtest.h>

namespace powerfit {
namespace {

TEST(CounterIncrease, WrapsAtTheGivenRange) {
  // A RAPL counter with max_energy_range_uj = 262143328850 read just before and after the wrap.
  constexpr double range = 262143328850.0;
  EXPECT_DOUBLE_EQ(counter_increase(range - 1000.0, 500.0, range), 1500.0);
  EXPECT_DOUBLE_EQ(counter_increase(range - 1.0, 0.0, range), 1.0);
  EXPECT_DOUBLE_EQ(counter_increase(10.0, 25.0, range), 15.0);
  // A 32-bit MSR counter.
  EXPECT_DOUBLE_EQ(counter_increase(4294967295.0, 4.0, 4294967296.0), 5.0);
}

TEST(CounterIncrease, CounterWithoutRangeThatGoesDownWasReset) {
  EXPECT_DOUBLE_EQ(counter_increase(1000.0, 30.0, 0.0), 30.0);
}

TEST(ChannelTrack, CounterRecordsIncreaseSinceFirstReadingThroughAWrap) {
  ChannelTrack track(ChannelKind::energy_counter, 100.0);
  EXPECT_DOUBLE_EQ(track.observe(0.0, 0.0, 90.0), 0.0);
  EXPECT_DOUBLE_EQ(track.observe(1.0, 0.0, 98.0), 8.0);
  EXPECT_DOUBLE_EQ(track.observe(2.0, 1.0, 4.0), 14.0);  // wrapped: 98 -> 100 -> 4
  EXPECT_DOUBLE_EQ(track.increase(), 14.0);
  EXPECT_DOUBLE_EQ(track.max_rate(), 8.0);
  EXPECT_EQ(track.samples(), 3u);
}

TEST(ChannelTrack, CounterRefreshedInTheBackgroundTakesRatesBetweenChanges) {
  // Polled every 0.2 s, sampled every 0.1 s: the value repeats, then jumps by 0.2 s worth.
  ChannelTrack polled(ChannelKind::energy_counter, 0.0, true);
  ChannelTrack ticked(ChannelKind::energy_counter, 0.0, false);
  const double readings[] = {0.0, 0.0, 100.0, 100.0, 200.0};  // 500 W
  for (int i = 0; i < 5; ++i) {
    polled.observe(0.1 * i, 0.1 * (i - 1), readings[i]);
    ticked.observe(0.1 * i, 0.1 * (i - 1), readings[i]);
  }
  EXPECT_NEAR(polled.max_rate(), 500.0, 1e-9);
  EXPECT_NEAR(ticked.max_rate(), 1000.0, 1e-9);  // what a per-tick rate would wrongly say
  EXPECT_DOUBLE_EQ(polled.increase(), 200.0);
}

TEST(ChannelTrack, GaugeIsIntegratedByTrapezoids) {
  ChannelTrack track(ChannelKind::power_gauge, 0.0);
  track.observe(0.0, 0.0, 100.0);
  track.observe(1.0, 0.0, 200.0);
  track.observe(3.0, 1.0, 200.0);
  EXPECT_DOUBLE_EQ(track.integral(), 150.0 + 400.0);
  EXPECT_DOUBLE_EQ(track.covered_time(), 3.0);
  EXPECT_DOUBLE_EQ(track.minimum(), 100.0);
  EXPECT_DOUBLE_EQ(track.maximum(), 200.0);
}

TEST(ChannelTrack, UtilizationWeighsEachValueByTheIntervalItAverages) {
  ChannelTrack track(ChannelKind::utilization, 0.0);
  // The first value averages [0, 1] although it is the track's first sample.
  track.observe(1.0, 0.0, 50.0);
  track.observe(4.0, 1.0, 100.0);
  EXPECT_DOUBLE_EQ(track.integral(), 50.0 + 300.0);
  EXPECT_DOUBLE_EQ(track.covered_time(), 4.0);
}

TEST(ChannelTrack, FailureIsKeptWithItsFirstTime) {
  ChannelTrack track(ChannelKind::gauge, 0.0);
  track.observe(0.0, 0.0, 1.0);
  track.fail(2.5, sensors::ReadStatus::gone);
  track.fail(3.0, sensors::ReadStatus::io_error);
  ASSERT_TRUE(track.failed());
  EXPECT_EQ(*track.failure(), sensors::ReadStatus::gone);
  EXPECT_DOUBLE_EQ(track.failed_at(), 2.5);
}

}  // namespace
}  // namespace powerfit
