#pragma once
// An estimate of CPU power where nothing measures it (a VM, a CPU without RAPL): a linear model
// between an idle floor and the thermal design power,
//
//   P = TDP × (idle_fraction + (1 − idle_fraction) × utilization),
//
// with the TDP given by --cpu-tdp or taken from a small table of CPU models (scaled to the
// logical CPUs this machine sees), and idle_fraction 0.3 unless told otherwise. The channel is
// marked estimated, and so is everything computed from it.

#include <memory>
#include <optional>

#include "sensors/proc_file.hpp"
#include "sensors/proc_cpu.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

struct CpuPowerModel {
  double tdp_w = 0.0;          // for the CPUs this machine sees
  double idle_fraction = 0.3;  // share of the TDP drawn when idle
  std::string basis;           // how tdp_w was chosen, for the record
};

inline constexpr double kDefaultIdleFraction = 0.3;
// Used when the CPU model is not in the table and no --cpu-tdp was given: a rough figure per
// logical CPU, stated in the channel's detail.
inline constexpr double kFallbackWattsPerLogicalCpu = 4.0;

CpuPowerModel choose_cpu_power_model(const std::string& cpu_model, unsigned logical_cpus,
                                     std::optional<double> tdp_override);

class CpuEstimateSource final : public Source {
 public:
  // `stat`: /proc/stat as shared with procfs.cpu (null: its own).
  CpuEstimateSource(Roots roots, CpuPowerModel model, std::shared_ptr<SharedProcFile> stat = nullptr)
      : roots_(std::move(roots)), model_(std::move(model)),
        stat_(stat ? std::move(stat) : std::make_shared<SharedProcFile>()) {}
  std::string_view name() const override { return "estimate.cpu"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

  const CpuPowerModel& model() const { return model_; }

 private:
  Roots roots_;
  CpuPowerModel model_;
  std::shared_ptr<SharedProcFile> stat_;
  std::uint64_t taken_ = 0;
  std::optional<CpuJiffies> previous_;
};

}  // namespace powerfit::sensors
