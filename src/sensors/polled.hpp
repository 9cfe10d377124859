#pragma once
// A value a poller thread reads and the sampling thread reports: value, status and the time it was
// taken change together, and a failed poll keeps the last good value and its time.

#include <cstdint>
#include <mutex>

#include "sensors/source.hpp"

namespace powerfit::sensors {

class Polled {
 public:
  void store(double value, ReadStatus status, std::int64_t taken_ns) {
    std::lock_guard lock(mutex_);
    reading_.status = status;
    if (status != ReadStatus::ok) return;
    reading_.value = value;
    reading_.taken_ns = taken_ns;
  }
  Reading load() const {
    std::lock_guard lock(mutex_);
    return reading_;
  }

 private:
  mutable std::mutex mutex_;
  Reading reading_;
};

}  // namespace powerfit::sensors
