// The ring between the sampling and the recording thread: its slots are left unwritten until a
// tick reaches them, so what comes out must be exactly what went in, around the ring and back.
#include "sampler/tick_queue.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace powerfit {
namespace {

TEST(TickQueue, HandsBackEachTickAsPushedAroundTheRingAndCountsWhatItCouldNotHold) {
  TickQueue queue(3, 4, {1});
  std::vector<std::int64_t> seen_times;
  std::vector<double> seen_values;
  std::vector<std::uint8_t> seen_present;
  std::vector<std::int64_t> seen_dated;
  auto take = [&](std::int64_t t, auto values, auto present, auto dated) {
    seen_times.push_back(t);
    seen_values.insert(seen_values.end(), values.begin(), values.end());
    seen_present.insert(seen_present.end(), present.begin(), present.end());
    seen_dated.insert(seen_dated.end(), dated.begin(), dated.end());
  };
  for (int round = 0; round < 3; ++round) {  // three times around a ring of four
    for (int k = 0; k < 4; ++k) {
      const std::int64_t t = 100 * round + k;
      const auto v = static_cast<double>(t);
      const std::vector<double> values{v + 0.5, v + 0.25, -v};
      const std::vector<std::uint8_t> present{1, static_cast<std::uint8_t>(k % 2), 1};
      const std::vector<std::int64_t> times{0, t - 7, 0};
      ASSERT_TRUE(queue.try_push(t, values, present, times));
    }
    EXPECT_FALSE(queue.try_push(999, std::vector<double>{1, 2, 3}, std::vector<std::uint8_t>{1, 1, 1}));
    EXPECT_EQ(queue.drain(take), 4u);
  }
  EXPECT_EQ(queue.dropped(), 3u);
  ASSERT_EQ(seen_times.size(), 12u);
  for (std::size_t i = 0; i < seen_times.size(); ++i) {
    const std::int64_t t = 100 * static_cast<std::int64_t>(i / 4) + static_cast<std::int64_t>(i % 4);
    EXPECT_EQ(seen_times[i], t);
    const auto v = static_cast<double>(t);
    EXPECT_EQ(seen_values[3 * i], v + 0.5);
    EXPECT_EQ(seen_values[3 * i + 1], v + 0.25);
    EXPECT_EQ(seen_values[3 * i + 2], -v);
    EXPECT_EQ(seen_present[3 * i + 1], static_cast<std::uint8_t>(i % 2));
    EXPECT_EQ(seen_dated[i], t - 7);  // channel 1 carries a time of its own
  }
}

}  // namespace
}  // namespace powerfit
