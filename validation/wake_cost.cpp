// What a thread's wake-up costs in CPU on this machine, doing nothing else: the least a sampler
// that wakes every INTERVAL pays a tick before it reads anything. Three ways of sleeping to an
// absolute deadline: a condition variable's wait_until (powerfit's sampler and NVML poller until
// 2026-12-07), a plain loop's clock_nanosleep, and a futex wait on a word another thread can
// change (core/sleeper.cpp, what they sleep on since); each prints the calling thread's CPU time
// per wake-up.
//   g++ -O2 -std=c++20 -pthread validation/wake_cost.cpp -o /tmp/wake_cost && /tmp/wake_cost [WAKES] [INTERVAL_MS]
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace {

double thread_cpu_us() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) * 1e-3;
}

// The next deadline, `interval_ms` after `t`.
void advance(timespec& t, int interval_ms) {
  t.tv_nsec += static_cast<long>(interval_ms) * 1'000'000L;
  while (t.tv_nsec >= 1'000'000'000L) {
    t.tv_nsec -= 1'000'000'000L;
    ++t.tv_sec;
  }
}

// `wakes` sleeps to absolute CLOCK_MONOTONIC deadlines `interval_ms` apart, each by `sleep_until`, on
// a thread of their own; prints that thread's CPU a wake-up.
template <typename SleepUntil>
void time_wakes(const char* way, int wakes, int interval_ms, SleepUntil sleep_until) {
  std::thread([&] {
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    const double before = thread_cpu_us();
    for (int k = 1; k <= wakes; ++k) {
      advance(next, interval_ms);
      sleep_until(next);
    }
    std::printf("%-32s %6.1f us of CPU a wake-up (%d wake-ups, every %d ms)\n", way, (thread_cpu_us() - before) / wakes,
                wakes, interval_ms);
  }).join();
}

}  // namespace

int main(int argc, char** argv) {
  const int wakes = argc > 1 ? std::atoi(argv[1]) : 50;
  const int interval_ms = argc > 2 ? std::atoi(argv[2]) : 100;
  std::mutex mutex;
  std::condition_variable never;
  time_wakes("condition_variable::wait_until", wakes, interval_ms, [&](const timespec& deadline) {
    // steady_clock's time points are CLOCK_MONOTONIC's.
    const std::chrono::steady_clock::time_point until(std::chrono::seconds(deadline.tv_sec) + std::chrono::nanoseconds(deadline.tv_nsec));
    std::unique_lock lock(mutex);
    never.wait_until(lock, until, [] { return false; });
  });
  time_wakes("clock_nanosleep (absolute)", wakes, interval_ms,
             [](const timespec& deadline) { clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr); });
  std::atomic<unsigned> word{0};
  time_wakes("futex wait (absolute)", wakes, interval_ms, [&](const timespec& deadline) {
    syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0u, &deadline, nullptr, FUTEX_BITSET_MATCH_ANY);
  });
  return 0;
}
