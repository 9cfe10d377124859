#include "core/sleeper.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "core/clock.hpp"

namespace powerfit {

bool Sleeper::sleep_until(std::int64_t deadline_ns) {
  const timespec deadline{static_cast<time_t>(deadline_ns / 1'000'000'000), static_cast<long>(deadline_ns % 1'000'000'000)};
  for (;;) {
    if (woken_.exchange(0, std::memory_order_acquire) != 0) return true;
    if (monotonic_now_ns() >= deadline_ns) return false;
    // Sleeps only while the word still says "not woken": a wake() between the check above and
    // this call changes it, and the kernel returns at once (EAGAIN).
    const long rc = ::syscall(SYS_futex, &woken_, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0u, &deadline, nullptr,
                              FUTEX_BITSET_MATCH_ANY);
    if (rc != 0 && errno == ETIMEDOUT) return woken_.exchange(0, std::memory_order_acquire) != 0;
  }
}

void Sleeper::wake() {
  woken_.store(1, std::memory_order_release);
  ::syscall(SYS_futex, &woken_, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace powerfit
