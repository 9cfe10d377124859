#pragma once
// A simulated driver whose readings refresh every 100.4 ms at an arbitrary phase, and a watcher
// that reads it where RefreshClock::next_read says: the refresh clock's tests and its reads in
// simulation (benchmarks/refresh_clock_reads) share them.

#include <array>
#include <cstdint>
#include <cstdlib>

#include "sensors/refresh_clock.hpp"

namespace powerfit::testing {

constexpr std::int64_t kMs = 1'000'000;

struct SimulatedRefreshes {
  // Where the watched value stands still: never, across every seventh refresh, or at two of five
  // after the first second (as an idle card's power may; before it, the value changes at each, for
  // the first period is learnt from two changes in a row and with refreshes left out that early
  // it would be a multiple of the true one).
  enum class Still { never, every_seventh, two_of_five };
  std::int64_t period = 100'400'000, phase = 37 * kMs;
  Still still = Still::every_seventh;

  std::int64_t refresh_before(std::int64_t t) const { return phase + (t - phase) / period * period; }
  // The watched value as of the last refresh.
  double value(std::int64_t t) const {
    const std::int64_t k = (t - phase) / period;
    if (still == Still::every_seventh) return static_cast<double>(k - k / 7);
    if (still == Still::never || k < 10) return static_cast<double>(k);
    constexpr std::array<int, 5> kStep{0, 1, 1, 2, 2};
    return static_cast<double>(10 + k / 5 * 3 + kStep[static_cast<std::size_t>(k % 5)]);
  }
};

// Reads where next_read says, each up to 1 ms late (by a draw from `seed`), against the driver
// `driver_at` gives for each moment, from 40 ms to `end`; counts the reads, and the moments
// between reads from 1 s on, 8 ms or more from a refresh, and those whose last refresh is off by
// over 6 ms.
struct Watched {
  int reads = 0, checked = 0, off = 0;
};
template <typename DriverAt>
Watched watch_aimed(DriverAt driver_at, std::int64_t end, bool hold = false, std::uint32_t seed = 777) {
  sensors::RefreshClock clock;
  clock.hold_aim(hold);
  Watched watched;
  std::uint32_t noise = seed;
  for (std::int64_t t = 40 * kMs; t < end;) {
    const auto& driver = driver_at(t);
    clock.observe(driver.value(t), t);
    ++watched.reads;
    noise = noise * 1664525u + 1013904223u;
    const std::int64_t next = clock.next_read(t, 10 * kMs) + static_cast<std::int64_t>(noise % 1'000'000u);
    // Moments between this read and the next, as the sampling thread would ask about them.
    for (std::int64_t m = t + 3 * kMs; m < next && t > 1'000 * kMs; m += 7 * kMs) {
      const std::int64_t truth = driver.refresh_before(m);
      if (m - truth < 8 * kMs || truth + driver.period - m < 8 * kMs) continue;
      const auto estimate = clock.last_refresh(m);
      ++watched.checked;
      if (!estimate || std::llabs(*estimate - truth) > 6 * kMs) ++watched.off;
    }
    t = next;
  }
  return watched;
}

}  // namespace powerfit::testing
