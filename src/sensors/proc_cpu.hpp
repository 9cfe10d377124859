#pragma once
// CPU utilization of the whole system and of each core, from the jiffy counters in /proc/stat.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

// Busy and total jiffies of one "cpu"/"cpuN" line of /proc/stat, fields after the label. Guest
// time is already inside user time and is not added again.
struct CpuJiffies {
  std::uint64_t busy = 0;
  std::uint64_t total = 0;
};
std::optional<CpuJiffies> parse_cpu_jiffies(std::string_view fields);

// Utilization in percent between two readings of the same line; nullopt when no time passed or
// the counters went back (a CPU that was offline).
std::optional<double> utilization_between(const CpuJiffies& before, const CpuJiffies& after);

class ProcCpuSource final : public Source {
 public:
  // `stat`: /proc/stat as shared with the CPU estimate (null: its own).
  explicit ProcCpuSource(Roots roots, std::shared_ptr<SharedProcFile> stat = nullptr)
      : roots_(std::move(roots)), stat_(stat ? std::move(stat) : std::make_shared<SharedProcFile>()) {}
  std::string_view name() const override { return "procfs.cpu"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  // Index into channels_ and the previous counters of one "cpu" / "cpuN" line.
  struct Line {
    std::size_t channel = 0;
    std::optional<CpuJiffies> previous;
    bool seen_this_tick = false;
  };

  Line* line_for(std::string_view label);

  Roots roots_;
  std::shared_ptr<SharedProcFile> stat_;
  std::uint64_t taken_ = 0;
  Line system_;
  std::vector<Line> cores_;        // by CPU number; channel == npos for CPUs absent at open
};

}  // namespace powerfit::sensors
