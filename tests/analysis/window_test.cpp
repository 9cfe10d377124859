#include "analysis/window.hpp"

#include <gtest/gtest.h>

namespace powerfit::analysis {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;

TEST(EnergyInWindow, CounterIsInterpolatedAtBothEnds) {
  // 0 J at 0 s, 100 J at 1 s, 300 J at 2 s.
  const Series series{{0, 0.0}, {kSecond, 100.0}, {2 * kSecond, 300.0}};
  EXPECT_DOUBLE_EQ(*energy_in_window(series, ChannelKind::energy_counter, kSecond / 2, 3 * kSecond / 2), 200.0 - 50.0);
  EXPECT_DOUBLE_EQ(*energy_in_window(series, ChannelKind::energy_counter, 0, 2 * kSecond), 300.0);
}

TEST(EnergyInWindow, GaugeIsIntegratedWithInterpolatedEnds) {
  // 100 W at 0 s rising to 200 W at 1 s, flat to 2 s.
  const Series series{{0, 100.0}, {kSecond, 200.0}, {2 * kSecond, 200.0}};
  // [0.5 s, 1.5 s]: 0.5 s from 150 W to 200 W (87.5 J), then 0.5 s at 200 W (100 J).
  EXPECT_DOUBLE_EQ(*energy_in_window(series, ChannelKind::power_gauge, kSecond / 2, 3 * kSecond / 2), 187.5);
}

TEST(EnergyInWindow, WindowOutsideTheSamplesOrWithoutEnergyHasNone) {
  const Series series{{0, 0.0}, {kSecond, 100.0}};
  EXPECT_FALSE(energy_in_window(series, ChannelKind::energy_counter, -1, kSecond));
  EXPECT_FALSE(energy_in_window(series, ChannelKind::energy_counter, 0, 2 * kSecond));
  EXPECT_FALSE(energy_in_window(series, ChannelKind::energy_counter, kSecond, kSecond / 2));
  EXPECT_FALSE(energy_in_window(series, ChannelKind::gauge, 0, kSecond));
}

TEST(EnergyInWindow, PowerGaugeReachesUpToTheEdgeAllowanceBeyondItsSamples) {
  // A rate-based estimate: first value at 0.1 s (the mean of the first interval), last at 1 s.
  const Series series{{kSecond / 10, 10.0}, {kSecond, 10.0}};
  EXPECT_FALSE(energy_in_window(series, ChannelKind::power_gauge, kSecond / 20, kSecond));
  EXPECT_DOUBLE_EQ(*energy_in_window(series, ChannelKind::power_gauge, kSecond / 20, kSecond, kSecond / 10), 9.5);
  EXPECT_DOUBLE_EQ(*energy_in_window(series, ChannelKind::power_gauge, kSecond / 10, kSecond + kSecond / 20, kSecond / 10), 9.5);
  // Beyond the allowance, or for a counter, there is no answer.
  EXPECT_FALSE(energy_in_window(series, ChannelKind::power_gauge, 0, kSecond, kSecond / 20));
  EXPECT_FALSE(energy_in_window(series, ChannelKind::energy_counter, kSecond / 20, kSecond, kSecond / 10));
}

}  // namespace
}  // namespace powerfit::analysis
