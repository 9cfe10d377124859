#pragma once
// A signal that asked powerfit to stop (SIGINT, SIGTERM, SIGHUP), recorded by the handler the
// command-line tool installs (workload/child_process.hpp); 0 while none came. Long waits (the idle
// baseline, a bench's passes) end early once it is set, so that the run is closed with what it
// measured, not abandoned. A program embedding the library never sets it.

#include <atomic>

namespace powerfit {

inline std::atomic<int>& interruption() {
  static std::atomic<int> signal{0};
  return signal;
}

}  // namespace powerfit
