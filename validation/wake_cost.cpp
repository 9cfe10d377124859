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

}  // namespace

int main(int argc, char** argv) {
  const int wakes = argc > 1 ? std::atoi(argv[1]) : 50;
  const int interval_ms = argc > 2 ? std::atoi(argv[2]) : 100;
  std::thread waiting([&] {
    std::mutex mutex;
    std::condition_variable never;
    std::unique_lock lock(mutex);
    const auto start = std::chrono::steady_clock::now();
    const double before = thread_cpu_us();
    for (int k = 1; k <= wakes; ++k) never.wait_until(lock, start + std::chrono::milliseconds(interval_ms * k), [] { return false; });
    std::printf("condition_variable::wait_until  %6.1f us of CPU a wake-up (%d wake-ups, every %d ms)\n",
                (thread_cpu_us() - before) / wakes, wakes, interval_ms);
  });
  waiting.join();
  std::thread sleeping([&] {
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    const double before = thread_cpu_us();
    for (int k = 1; k <= wakes; ++k) {
      next.tv_nsec += static_cast<long>(interval_ms) * 1'000'000L;
      while (next.tv_nsec >= 1'000'000'000L) {
        next.tv_nsec -= 1'000'000'000L;
        ++next.tv_sec;
      }
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
    }
    std::printf("clock_nanosleep (absolute)      %6.1f us of CPU a wake-up (%d wake-ups, every %d ms)\n",
                (thread_cpu_us() - before) / wakes, wakes, interval_ms);
  });
  sleeping.join();
  std::thread futex_waiting([&] {
    std::atomic<unsigned> word{0};
    timespec next{};
    clock_gettime(CLOCK_MONOTONIC, &next);
    const double before = thread_cpu_us();
    for (int k = 1; k <= wakes; ++k) {
      next.tv_nsec += static_cast<long>(interval_ms) * 1'000'000L;
      while (next.tv_nsec >= 1'000'000'000L) {
        next.tv_nsec -= 1'000'000'000L;
        ++next.tv_sec;
      }
      syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0u, &next, nullptr, FUTEX_BITSET_MATCH_ANY);
    }
    std::printf("futex wait (absolute)           %6.1f us of CPU a wake-up (%d wake-ups, every %d ms)\n",
                (thread_cpu_us() - before) / wakes, wakes, interval_ms);
  });
  futex_waiting.join();
  return 0;
}
