#include "core/sleeper.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "core/clock.hpp"

namespace powerfit {
namespace {

constexpr std::int64_t kMs = 1'000'000;

TEST(Sleeper, SleepsToTheDeadlineWhenNobodyWakesIt) {
  Sleeper sleeper;
  const std::int64_t deadline = monotonic_now_ns() + 30 * kMs;
  EXPECT_FALSE(sleeper.sleep_until(deadline));
  EXPECT_GE(monotonic_now_ns(), deadline);
}

TEST(Sleeper, ADeadlineAlreadyPastReturnsAtOnceAsNotWoken) {
  Sleeper sleeper;
  EXPECT_FALSE(sleeper.sleep_until(monotonic_now_ns() - kMs));
}

TEST(Sleeper, AWakeBeforeTheSleepIsNotLostAndCountsOnce) {
  Sleeper sleeper;
  sleeper.wake();
  const std::int64_t far = monotonic_now_ns() + 60'000 * kMs;
  EXPECT_TRUE(sleeper.sleep_until(far));
  // Consumed: the next sleep runs to its deadline.
  EXPECT_FALSE(sleeper.sleep_until(monotonic_now_ns() + 5 * kMs));
}

TEST(Sleeper, AWakeFromAnotherThreadCutsALongSleepShort) {
  Sleeper sleeper;
  const std::int64_t far = monotonic_now_ns() + 60'000 * kMs;
  std::thread waker([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    sleeper.wake();
  });
  EXPECT_TRUE(sleeper.sleep_until(far));
  EXPECT_LT(monotonic_now_ns(), far);
  waker.join();
}

}  // namespace
}  // namespace powerfit
