#pragma once
// Bytes read and written per whole disk, and in total. Partitions and stacked devices
// (device-mapper, md) are left out so no byte is counted twice; loop, RAM and zram devices are
// left out because their I/O is not storage I/O of their own.
//
// Disks are found in /proc/diskstats; each tick then reads only /sys/block/DISK/stat, one short
// line per disk, instead of regenerating the whole diskstats table (a third of a tick's cost on a
// machine with a few loop devices). diskstats is listed again at most once a second to find
// disks added mid-run, and read on every tick where /sys is not mounted.


#include "sensors/device_counters.hpp"
#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

// Whether a /proc/diskstats device is a physical whole disk, judged from /sys/block when it
// exists and from the names alone otherwise.
bool is_whole_disk(const Roots& roots, std::string_view name, std::span<const std::string> all_names);

class ProcDiskSource final : public Source {
 public:
  static constexpr std::int64_t kDefaultRescanPeriodNs = 1'000'000'000;
  explicit ProcDiskSource(Roots roots, std::int64_t rescan_period_ns = kDefaultRescanPeriodNs)
      : roots_(std::move(roots)), rescan_period_ns_(rescan_period_ns) {}
  std::string_view name() const override { return "procfs.disk"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  struct Disk {
    std::string name;
    ProcFile stat;  // /sys/block/NAME/stat; closed when sysfs is absent
  };

  void scan_diskstats(std::span<Reading> out);
  void track(std::string name);

  Roots roots_;
  std::int64_t rescan_period_ns_;
  std::int64_t last_scan_ns_ = 0;
  bool use_sysfs_ = false;
  ProcFile diskstats_;
  DeviceCounters counters_;
  std::vector<Disk> disks_;
  std::vector<std::string> other_devices_;  // judged not to be whole disks
};

}  // namespace powerfit::sensors
