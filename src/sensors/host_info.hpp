#pragma once
// The fingerprint of the machine a run was measured on.

#include <cstdint>
#include <string>
#include <vector>

#include "sensors/source.hpp"

namespace powerfit::sensors {

struct HostInfo {
  std::string hostname;
  std::string kernel;
  std::string cpu_model;
  unsigned cpu_cores = 0;
  std::uint64_t memory_bytes = 0;
  std::vector<std::string> gpu_models;  // filled by GPU sources where they exist
  std::vector<std::string> gpu_uuids;
  std::string gpu_driver;
  std::vector<double> gpu_power_limits_w;  // the enforced limit of each GPU when the run began
};

HostInfo read_host_info(const Roots& roots);

}  // namespace powerfit::sensors
