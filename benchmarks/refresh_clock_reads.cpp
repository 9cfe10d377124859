// How many reads a watcher that follows RefreshClock::next_read makes in 10 s, with the aim held
// and without (NvmlSchedule::aim_hold), against a simulated driver: refreshes every 100.4 ms, the
// watched value changing at every refresh, standing still at every seventh, or at two of five
// after the first second (as an idle card's power may); each read up to 1 ms late. Means over 20
// runs, each with its own lateness; and, of the moments between a watcher's reads from 1 s on, away
// from the refreshes (8 ms or more), how many were dated more than 6 ms off (RefreshClock::
// last_refresh), all 20 runs together.
//   build/benchmarks/refresh_clock_reads

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "sensors/refresh_clock.hpp"

namespace {

using powerfit::sensors::RefreshClock;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kPeriod = 100'400'000, kPhase = 37 * kMs;

double value_at(int driver, std::int64_t t) {
  const std::int64_t k = (t - kPhase) / kPeriod;
  if (driver == 0) return static_cast<double>(k);
  if (driver == 1) return static_cast<double>(k - k / 7);
  if (k < 10) return static_cast<double>(k);
  constexpr std::array<int, 5> kStep{0, 1, 1, 2, 2};
  return static_cast<double>(10 + k / 5 * 3 + kStep[static_cast<std::size_t>(k % 5)]);
}

}  // namespace

int main() {
  const char* drivers[] = {"changing at every refresh", "still at every seventh", "still at two of five"};
  std::printf("%-28s %14s %14s %16s %16s\n", "watched value", "reads, unheld", "reads, held", "off, unheld", "off, held");
  for (int driver = 0; driver < 3; ++driver) {
    double reads[2] = {0, 0};
    long off[2] = {0, 0}, checked[2] = {0, 0};
    for (int hold = 0; hold < 2; ++hold) {
      for (std::uint32_t run = 1; run <= 20; ++run) {
        RefreshClock clock;
        clock.hold_aim(hold == 1);
        std::uint32_t noise = run * 7919u;
        for (std::int64_t t = 40 * kMs; t < 10'000 * kMs;) {
          clock.observe(value_at(driver, t), t);
          reads[hold] += 1.0 / 20.0;
          noise = noise * 1664525u + 1013904223u;
          const std::int64_t next = clock.next_read(t, 10 * kMs) + static_cast<std::int64_t>(noise % 1'000'000u);
          for (std::int64_t m = t + 3 * kMs; m < next && t > 1'000 * kMs; m += 7 * kMs) {
            const std::int64_t truth = kPhase + (m - kPhase) / kPeriod * kPeriod;
            if (m - truth < 8 * kMs || truth + kPeriod - m < 8 * kMs) continue;
            const auto estimate = clock.last_refresh(m);
            ++checked[hold];
            if (!estimate || std::llabs(*estimate - truth) > 6 * kMs) ++off[hold];
          }
          t = next;
        }
      }
    }
    std::printf("%-28s %14.1f %14.1f %8ld of %5ld %8ld of %5ld\n", drivers[driver], reads[0], reads[1], off[0], checked[0], off[1],
                checked[1]);
  }
  return 0;
}
