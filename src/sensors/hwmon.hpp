#pragma once
// Power and energy from hwmon (/sys/class/hwmon/hwmonN): AMD GPUs through the amdgpu driver
// (power in µW, gpu_busy_percent, VRAM in use), the INA3221 rail monitors of NVIDIA Jetson boards
// (power from voltage × current, with the rail labels), and any other power or energy sensor.
//
// Only the amdgpu board power and a Jetson's input rail (VDD_IN) count in the energy total; the
// other Jetson rails are parts of the input, and an unknown sensor may measure anything.

#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class HwmonSource final : public Source {
 public:
  explicit HwmonSource(Roots roots) : roots_(std::move(roots)) {}
  std::string_view name() const override { return "hwmon"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  // value = product of the files' numbers × scale (one file, or voltage and current).
  struct Input {
    std::size_t channel;
    std::vector<ProcFile> files;
    double scale;
  };

  bool add_input(ChannelInfo info, std::vector<std::filesystem::path> paths, double scale);

  Roots roots_;
  std::vector<Input> inputs_;
};

}  // namespace powerfit::sensors
