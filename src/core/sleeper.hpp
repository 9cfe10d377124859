#pragma once
// A thread's sleep to an absolute monotonic deadline that another thread can cut short: what the
// sampler and NVML's poller do between their reads. A timed wait on a condition variable costs
// more CPU a wake-up than a bare futex wait (BENCHMARKS.md, "A sampling thread's sleep"), and
// these threads wake hundreds of times in a run for a few microseconds of work each.

#include <atomic>
#include <cstdint>

namespace powerfit {

class Sleeper {
 public:
  // Sleeps until CLOCK_MONOTONIC reaches `deadline_ns` or wake() is called, whichever comes
  // first; returns true when woken. A wake() made while the thread was not sleeping is not lost:
  // the next sleep returns at once.
  bool sleep_until(std::int64_t deadline_ns);
  // Wakes the sleeping thread, or the next sleep. Any thread, any time.
  void wake();

 private:
  std::atomic<std::uint32_t> woken_{0};
};

}  // namespace powerfit
