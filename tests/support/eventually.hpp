#pragma once
// Waiting for a state, not for a span of time: a loaded machine then only waits longer, it does
// not fail the test.

#include <chrono>
#include <thread>

namespace powerfit::testing {

// Whether `ready()` holds within `limit`, asked every 20 ms.
template <typename Ready>
bool eventually(Ready ready, std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

}  // namespace powerfit::testing
