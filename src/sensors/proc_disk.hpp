#pragma once
// Bytes read and written per whole disk, and in total, from /proc/diskstats. Partitions and
// stacked devices (device-mapper, md) are left out so no byte is counted twice; loop, RAM and
// zram devices are left out because their I/O is not storage I/O of their own.

#include "sensors/device_counters.hpp"
#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

// Whether a /proc/diskstats device is a physical whole disk, judged from /sys/block when it
// exists and from the names alone otherwise.
bool is_whole_disk(const Roots& roots, std::string_view name, std::span<const std::string> all_names);

class ProcDiskSource final : public Source {
 public:
  explicit ProcDiskSource(Roots roots) : roots_(std::move(roots)) {}
  std::string_view name() const override { return "procfs.disk"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  Roots roots_;
  ProcFile diskstats_;
  DeviceCounters counters_;
  std::vector<std::string> whole_disks_;  // judged at open; a disk added mid-run is judged then
  std::vector<std::string> other_devices_;
};

}  // namespace powerfit::sensors
