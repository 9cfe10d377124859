#include "recording/writer.hpp"

#include <gtest/gtest.h>

namespace powerfit::recording {
namespace {

using std::chrono::milliseconds;

TEST(Writer, CommitsEveryTwentyTicksAtLeastASecondAndAtMostFiveSecondsApart) {
  // Most of the writer's CPU is per commit: at 100 ms a commit every five ticks cost the writer
  // 56–60 µs a tick, one every twenty 24–25 µs (BENCHMARKS.md, 2026-12-04).
  EXPECT_EQ(batch_period_for(milliseconds(100)), milliseconds(2000));
  EXPECT_EQ(batch_period_for(milliseconds(200)), milliseconds(4000));
  EXPECT_EQ(batch_period_for(milliseconds(10)), milliseconds(1000));  // not 50 commits a second
  EXPECT_EQ(batch_period_for(milliseconds(1000)), milliseconds(5000));  // a killed run loses 5 s at most
}

}  // namespace
}  // namespace powerfit::recording
