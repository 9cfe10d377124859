// How many reads a watcher that follows RefreshClock::next_read makes in 10 s, with the aim held
// and without (NvmlSchedule::aim_hold), against a simulated driver (tests/support/
// simulated_refreshes.hpp): refreshes every 100.4 ms, the watched value changing at every
// refresh, standing still at every seventh, or at two of five after the first second (as an idle
// card's power may); each read up to 1 ms late. Means over 20 runs, each with its own lateness;
// and, of the moments between a watcher's reads from 1 s on, away from the refreshes (8 ms or
// more), how many were dated more than 6 ms off (RefreshClock::last_refresh), all 20 runs together.
//   build/benchmarks/refresh_clock_reads

#include <cstdint>
#include <cstdio>
#include <utility>

#include "support/simulated_refreshes.hpp"

int main() {
  using powerfit::testing::SimulatedRefreshes;
  const std::pair<SimulatedRefreshes::Still, const char*> drivers[] = {{SimulatedRefreshes::Still::never, "changing at every refresh"},
                                                                       {SimulatedRefreshes::Still::every_seventh, "still at every seventh"},
                                                                       {SimulatedRefreshes::Still::two_of_five, "still at two of five"}};
  std::printf("%-28s %14s %14s %16s %16s\n", "watched value", "reads, unheld", "reads, held", "off, unheld", "off, held");
  for (const auto& [still, name] : drivers) {
    const SimulatedRefreshes driver{.still = still};
    double reads[2] = {0, 0};
    long off[2] = {0, 0}, checked[2] = {0, 0};
    for (int hold = 0; hold < 2; ++hold) {
      for (std::uint32_t run = 1; run <= 20; ++run) {
        const auto watched = powerfit::testing::watch_aimed([&](std::int64_t) -> const SimulatedRefreshes& { return driver; },
                                                            10'000 * powerfit::testing::kMs, hold == 1, run * 7919u);
        reads[hold] += watched.reads / 20.0;
        off[hold] += watched.off;
        checked[hold] += watched.checked;
      }
    }
    std::printf("%-28s %14.1f %14.1f %8ld of %5ld %8ld of %5ld\n", name, reads[0], reads[1], off[0], checked[0], off[1], checked[1]);
  }
  return 0;
}
