#include "sampler/channel_track.hpp"

#include <gtest/gtest.h>

namespace powerfit {
namespace {

TEST(PlausibleIncrease, AWrapAddsTheModulus) {
  // wrap_at is the modulus: values lie in [0, wrap_at), and a wrap adds wrap_at. A 32-bit MSR
  // counter, in counts: from its last value 2^32 - 1 to 4 is 5 counts.
  constexpr double modulus = 4294967296.0;
  EXPECT_DOUBLE_EQ(plausible_increase(modulus - 1.0, 4.0, 0.1, {.wrap_at = modulus}), 5.0);
  EXPECT_DOUBLE_EQ(plausible_increase(modulus - 1.0, 0.0, 0.1, {.wrap_at = modulus}), 1.0);
  EXPECT_DOUBLE_EQ(plausible_increase(10.0, 25.0, 0.1, {.wrap_at = modulus}), 15.0);
  // A powercap zone in µJ, its max_energy_range_uj (262143328850) taken as the modulus: read
  // 1000 µJ below it, then 500 µJ past the wrap.
  constexpr double range = 262143328850.0;
  EXPECT_DOUBLE_EQ(plausible_increase(range - 1000.0, 500.0, 0.1, {.wrap_at = range}), 1500.0);
}

TEST(PlausibleIncrease, AWrapImplyingMoreThanTheCeilingIsNoWrap) {
  // RAPL in joules: a package read at 500.1 J and then 0 would have wrapped through 262 kJ in
  // 30 ms, some 8.7 MW.
  const CounterLimits package{.wrap_at = 262143.328850, .max_rate = 1000.0};
  EXPECT_LT(plausible_increase(500.1, 0.0, 0.03, package), 0.0);
  EXPECT_DOUBLE_EQ(plausible_increase(262143.3, 0.5, 0.03, package), 262143.328850 - 262143.3 + 0.5);
  EXPECT_LT(plausible_increase(500.0, 5000.0, 0.1, package), 0.0);  // 45 kW forward
  EXPECT_LT(plausible_increase(1000.0, 30.0, 0.1, {}), 0.0);          // down, and it never wraps
}

TEST(CounterTracker, ATransientLowReadingAddsNothing) {
  // The review's case: 500000 -> 500100 -> 0 -> 500200 on a counter that never wraps.
  CounterTracker counter;
  EXPECT_EQ(counter.observe(0.0, 500000.0), CounterTracker::Step::first);
  EXPECT_EQ(counter.observe(0.1, 500100.0), CounterTracker::Step::counted);
  EXPECT_EQ(counter.observe(0.2, 0.0), CounterTracker::Step::held);
  EXPECT_EQ(counter.observe(0.3, 500200.0), CounterTracker::Step::counted);
  EXPECT_DOUBLE_EQ(counter.increase(), 200.0);
  EXPECT_EQ(counter.glitches(), 1u);
  EXPECT_EQ(counter.resets(), 0u);
}

TEST(CounterTracker, SeveralGlitchReadingsInARowAreAllDiscarded) {
  // A powercap energy_uj that reads 0 for 30 ms, sampled every 10 ms, on a 99 W package.
  CounterTracker counter({.wrap_at = 262143.328850, .max_rate = 1000.0});
  double t = 0.0, joules = 12345.0;
  counter.observe(t, joules);
  for (int i = 0; i < 10; ++i) counter.observe(t += 0.01, joules += 0.99);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(counter.observe(t += 0.01, 0.0), CounterTracker::Step::held);
  joules += 3 * 0.99;
  for (int i = 0; i < 10; ++i) counter.observe(t += 0.01, joules += 0.99);
  EXPECT_NEAR(counter.increase(), 23 * 0.99, 1e-9);
  EXPECT_EQ(counter.glitches(), 3u);
}

TEST(CounterTracker, AResetCountsOnFromTheNewBaseLosingOneInterval) {
  // A counter restarting from 0 once (a driver reload): 100 J per interval before and after.
  CounterTracker counter({.wrap_at = 262143.328850, .max_rate = 1000.0});
  counter.observe(0.0, 5000.0);
  counter.observe(1.0, 5100.0);
  EXPECT_EQ(counter.observe(2.0, 40.0), CounterTracker::Step::held);  // restarted at 1.6 s, say
  EXPECT_EQ(counter.observe(3.0, 140.0), CounterTracker::Step::reset);
  EXPECT_EQ(counter.observe(4.0, 240.0), CounterTracker::Step::counted);
  // Lost: the interval from 1 s to 2 s (100 J); counted 100 + 100 + 100.
  EXPECT_DOUBLE_EQ(counter.increase(), 300.0);
  EXPECT_EQ(counter.resets(), 1u);
  EXPECT_DOUBLE_EQ(counter.first_reset_time(), 2.0);
}

TEST(CounterTracker, AStuckSuspectValueIsTakenForAResetAfterASecond) {
  CounterTracker counter({.max_rate = 1000.0});
  counter.observe(0.0, 5000.0);
  counter.observe(0.1, 5010.0);
  for (int i = 2; i <= 11; ++i) EXPECT_EQ(counter.observe(0.1 * i, 0.0), CounterTracker::Step::held);
  EXPECT_EQ(counter.observe(1.25, 0.0), CounterTracker::Step::reset);
  EXPECT_EQ(counter.observe(1.35, 10.0), CounterTracker::Step::counted);
  EXPECT_DOUBLE_EQ(counter.increase(), 20.0);
}

TEST(CounterTracker, ATransientZeroNearTheTopOfTheRangeIsNotAWrap) {
  // RAPL's range is 262143 J; near its top a transient 0 implies a plausible wrap of 143 J. The
  // property test found it counted, then the true reading after it taken for a reset.
  CounterTracker counter({.wrap_at = 262143.328850, .max_rate = 400.0});
  counter.observe(0.00, 262000.0);
  EXPECT_EQ(counter.observe(0.01, 0.0), CounterTracker::Step::held);
  EXPECT_EQ(counter.observe(0.02, 262003.0), CounterTracker::Step::counted);
  EXPECT_DOUBLE_EQ(counter.increase(), 3.0);
  EXPECT_EQ(counter.glitches(), 1u);
  EXPECT_EQ(counter.resets(), 0u);
  // A true wrap is counted once the next reading goes on from it, nothing lost.
  EXPECT_EQ(counter.observe(0.03, 262143.0), CounterTracker::Step::counted);
  EXPECT_EQ(counter.observe(0.04, 2.0), CounterTracker::Step::held);
  EXPECT_EQ(counter.observe(0.05, 5.0), CounterTracker::Step::counted);
  EXPECT_NEAR(counter.increase(), 3.0 + 140.0 + 0.328850 + 5.0, 1e-9);
  EXPECT_EQ(counter.glitches(), 1u);
}

TEST(ChannelTrack, CounterRecordsIncreaseSinceFirstReadingThroughAWrap) {
  ChannelTrack track(ChannelKind::energy_counter, 100.0);
  EXPECT_DOUBLE_EQ(*track.observe(0.0, 0.0, 90.0), 0.0);
  EXPECT_DOUBLE_EQ(*track.observe(1.0, 0.0, 98.0), 8.0);
  // Wrapped: 98 -> 100 -> 4, believed once the next reading goes on from it.
  EXPECT_FALSE(track.observe(2.0, 1.0, 4.0));
  EXPECT_DOUBLE_EQ(*track.observe(3.0, 2.0, 6.0), 16.0);
  EXPECT_DOUBLE_EQ(track.increase(), 16.0);
  EXPECT_DOUBLE_EQ(track.max_rate(), 8.0);
  EXPECT_EQ(track.samples(), 3u);
}

TEST(ChannelTrack, HeldCounterReadingIsNotRecorded) {
  ChannelTrack track(ChannelKind::energy_counter, 0.0, false, 1000.0);
  ASSERT_TRUE(track.observe(0.0, 0.0, 500.0));
  ASSERT_TRUE(track.observe(0.1, 0.0, 510.0));
  EXPECT_FALSE(track.observe(0.2, 0.1, 0.0));
  EXPECT_DOUBLE_EQ(*track.observe(0.3, 0.2, 530.0), 30.0);
  EXPECT_DOUBLE_EQ(track.max_rate(), 100.0);
}

TEST(ChannelTrack, BackgroundValueIsRecordedOnceAtTheTimeItWasTaken) {
  ChannelTrack track(ChannelKind::energy_counter, 0.0, true, 1000.0);
  EXPECT_DOUBLE_EQ(*track.observe(0.00, 0.0, 100.0, 0.0), 0.0);
  EXPECT_FALSE(track.observe(0.01, 0.0, 100.0, 0.0));  // the same poll, read again
  EXPECT_DOUBLE_EQ(*track.observe(0.21, 0.2, 150.0, 0.2), 50.0);
  EXPECT_DOUBLE_EQ(track.last_time(), 0.2);
  EXPECT_NEAR(track.max_rate(), 250.0, 1e-9);
}

TEST(ChannelTrack, TransientFailuresDoNotFailTheChannel) {
  ChannelTrack track(ChannelKind::energy_counter, 0.0);
  double t = 0.0;
  for (int i = 0; i < 50; ++i) {
    t += 0.1;
    if (i % 5 == 4) {
      track.fail(t, sensors::ReadStatus::io_error);
    } else {
      track.observe(t, t - 0.1, 10.0 * t);
    }
  }
  EXPECT_FALSE(track.failed());
}

TEST(ChannelTrack, PersistentFailureFailsTheChannelFromItsFirstFailedRead) {
  ChannelTrack track(ChannelKind::gauge, 0.0);
  track.observe(0.0, 0.0, 1.0);
  track.fail(2.5, sensors::ReadStatus::gone);
  track.fail(3.0, sensors::ReadStatus::io_error);
  EXPECT_FALSE(track.failed());  // two reads in half a second: not yet persistent
  track.fail(3.5, sensors::ReadStatus::io_error);
  ASSERT_TRUE(track.failed());
  EXPECT_EQ(*track.failure(), sensors::ReadStatus::gone);
  EXPECT_DOUBLE_EQ(track.failed_at(), 2.5);
}

TEST(ChannelTrack, AFailedLastReadFailsTheChannelOnlyWhereItsLastGoodReadingIsOld) {
  // Read every tick, a counter whose last read fails loses one tick: one failed read, no
  // failure, as anywhere else in the run (a total called PARTIAL for one glitch would cry wolf).
  ChannelTrack every_tick(ChannelKind::energy_counter, 0.0);
  every_tick.observe(0.0, 0.0, 0.0);
  every_tick.observe(4.9, 4.8, 490.0);
  every_tick.fail(5.0, sensors::ReadStatus::io_error, true);
  EXPECT_FALSE(every_tick.failed());
  // Read seconds apart (NVML's counter, every 30 s where the power stays level), a failed last
  // read would lose everything since its last good reading, unflagged: it fails the channel, which
  // stopped at that reading (said to have failed at 5 s, it seemed to have lost the last tick).
  ChannelTrack seconds_apart(ChannelKind::energy_counter, 0.0);
  seconds_apart.observe(0.0, 0.0, 0.0);
  seconds_apart.observe(0.2, 0.1, 20.0);
  seconds_apart.fail(5.0, sensors::ReadStatus::io_error, true);
  ASSERT_TRUE(seconds_apart.failed());
  EXPECT_DOUBLE_EQ(seconds_apart.failed_at(), 0.2);
}

TEST(ChannelTrack, FailedCounterIsCountedOnFromItsGauge) {
  ChannelTrack track(ChannelKind::energy_counter, 0.0);
  track.observe(0.0, 0.0, 0.0);
  track.observe(1.0, 0.0, 300.0);  // 300 W
  for (double t = 1.5; t <= 2.6; t += 0.5) track.fail(t, sensors::ReadStatus::io_error);
  ASSERT_TRUE(track.failed());
  track.observe_gauge(3.0, 300.0);
  EXPECT_DOUBLE_EQ(track.observe_gauge(4.0, 500.0), 300.0 + 2 * 300.0 + 400.0);
  EXPECT_DOUBLE_EQ(*track.gauge_since(), 1.5);
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

}  // namespace
}  // namespace powerfit
