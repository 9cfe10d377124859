#pragma once
// The clocks every layer reads: monotonic for intervals and deadlines, the wall clock once per
// run as its anchor, and a thread's own CPU clock for overhead.

#include <pthread.h>
#include <time.h>

#include <cstdint>
#include <thread>

namespace powerfit {

inline std::int64_t clock_ns(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

inline std::int64_t monotonic_now_ns() { return clock_ns(CLOCK_MONOTONIC); }
inline std::int64_t wall_now_ns() { return clock_ns(CLOCK_REALTIME); }
inline std::int64_t thread_cpu_ns() { return clock_ns(CLOCK_THREAD_CPUTIME_ID); }
// Another thread's CPU seconds so far (0 where it is not running or cannot be read).
inline double thread_cpu_s(std::thread& thread) {
  clockid_t clock{};
  if (!thread.joinable() || ::pthread_getcpuclockid(thread.native_handle(), &clock) != 0) return 0.0;
  return static_cast<double>(clock_ns(clock)) * 1e-9;
}

}  // namespace powerfit
