#pragma once
// Bytes received and sent per network interface, and in total, from /proc/net/dev. Loopback is
// left out of the total unless asked for; interfaces that appear mid-run count from then on.

#include "sensors/device_counters.hpp"
#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class ProcNetSource final : public Source {
 public:
  ProcNetSource(Roots roots, bool loopback_in_total)
      : roots_(std::move(roots)), loopback_in_total_(loopback_in_total) {}
  std::string_view name() const override { return "procfs.net"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  bool counts_in_total(std::string_view interface) const {
    return loopback_in_total_ || interface != "lo";
  }

  Roots roots_;
  bool loopback_in_total_;
  ProcFile dev_;
  DeviceCounters counters_;
};

}  // namespace powerfit::sensors
