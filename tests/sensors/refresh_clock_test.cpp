// The refresh clock against a simulated driver: refreshes every 100.4 ms at an arbitrary phase,
// a watched value that changes at most of them, read every 10 ms with jitter and now and then
// after a long pause (the poller busy with a slow call).

#include "sensors/refresh_clock.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace powerfit::sensors {
namespace {

constexpr std::int64_t kMs = 1'000'000;

struct Driver {
  std::int64_t period = 100'400'000, phase = 37 * kMs;
  std::int64_t refresh_before(std::int64_t t) const { return phase + (t - phase) / period * period; }
  // The watched value as of the last refresh: unchanged across every seventh refresh.
  double value(std::int64_t t) const {
    const std::int64_t k = (t - phase) / period;
    return static_cast<double>(k - k / 7);
  }
};

TEST(RefreshClock, NothingIsKnownBeforeTheValueChanges) {
  RefreshClock clock;
  EXPECT_FALSE(clock.last_refresh(0));
  for (std::int64_t t = 0; t < 500 * kMs; t += 10 * kMs) clock.observe(42.0, t);
  EXPECT_FALSE(clock.last_refresh(500 * kMs));
  EXPECT_EQ(clock.period_ns(), 0);
}

TEST(RefreshClock, DatesEveryMomentAtTheRefreshBeforeIt) {
  const Driver driver;
  RefreshClock clock;
  std::uint32_t noise = 12345;
  std::int64_t t = 40 * kMs;
  int checked = 0, off = 0;
  for (int i = 0; t < 6'000 * kMs; ++i) {
    clock.observe(driver.value(t), t);
    noise = noise * 1664525u + 1013904223u;
    // Reads every 8 to 12 ms, and a 60 ms pause every 97 reads.
    t += 8 * kMs + static_cast<std::int64_t>(noise % 4'000'000u) + (i % 97 == 96 ? 60 * kMs : 0);
    if (t < 1'000 * kMs) continue;
    // Away from the refreshes themselves (where the reads cannot tell the sides apart), the last
    // refresh is known within 6 ms.
    const std::int64_t truth = driver.refresh_before(t);
    const std::int64_t to_next = truth + driver.period - t;
    if (t - truth < 8 * kMs || to_next < 8 * kMs) continue;
    const auto estimate = clock.last_refresh(t);
    ASSERT_TRUE(estimate) << t;
    ++checked;
    if (std::llabs(*estimate - truth) > 6 * kMs) ++off;
  }
  EXPECT_GT(checked, 300);
  EXPECT_EQ(off, 0);
  EXPECT_NEAR(static_cast<double>(clock.period_ns()), static_cast<double>(driver.period), 1.0 * kMs);
}

TEST(RefreshClock, CarriesThePhaseAcrossAStretchWithoutChanges) {
  const Driver driver;
  RefreshClock clock;
  for (std::int64_t t = 40 * kMs; t < 2'000 * kMs; t += 10 * kMs) clock.observe(driver.value(t), t);
  // The value stops changing (an idle card whose reading holds still); 1.5 s later the last
  // refresh is still found within 10 ms, from the period alone.
  const double held = driver.value(2'000 * kMs);
  for (std::int64_t t = 2'000 * kMs; t < 3'500 * kMs; t += 10 * kMs) clock.observe(held, t);
  const std::int64_t t = 3'555 * kMs;
  const auto estimate = clock.last_refresh(t);
  ASSERT_TRUE(estimate);
  EXPECT_NEAR(static_cast<double>(*estimate), static_cast<double>(driver.refresh_before(t)), 10.0 * kMs);
}

}  // namespace
}  // namespace powerfit::sensors
