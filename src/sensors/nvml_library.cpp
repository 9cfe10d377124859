#include "sensors/nvml_library.hpp"

#include <dlfcn.h>

#include <cstdlib>

namespace powerfit::sensors {
namespace {

template <typename Function>
void bind(void* handle, const char* symbol, Function& slot) {
  slot = reinterpret_cast<Function>(::dlsym(handle, symbol));
}

}  // namespace

std::unique_ptr<NvmlLibrary> NvmlLibrary::load(std::string& problem) {
  const char* override_path = std::getenv("POWERFIT_NVML_LIBRARY");
  const std::string path = override_path && *override_path ? override_path : "libnvidia-ml.so.1";
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    problem = "cannot load " + path + " (no NVIDIA driver here): " + ::dlerror();
    return nullptr;
  }
  std::unique_ptr<NvmlLibrary> library(new NvmlLibrary(handle, path));
  auto& f = library->functions_;
  bind(handle, "nvmlInit_v2", f.init);
  bind(handle, "nvmlShutdown", f.shutdown);
  bind(handle, "nvmlErrorString", f.error_string);
  bind(handle, "nvmlSystemGetDriverVersion", f.driver_version);
  bind(handle, "nvmlDeviceGetCount_v2", f.device_count);
  bind(handle, "nvmlDeviceGetHandleByIndex_v2", f.device_by_index);
  bind(handle, "nvmlDeviceGetName", f.name);
  bind(handle, "nvmlDeviceGetUUID", f.uuid);
  bind(handle, "nvmlDeviceGetTotalEnergyConsumption", f.total_energy);
  bind(handle, "nvmlDeviceGetPowerUsage", f.power_usage);
  bind(handle, "nvmlDeviceGetFieldValues", f.field_values);
  bind(handle, "nvmlDeviceGetUtilizationRates", f.utilization);
  bind(handle, "nvmlDeviceGetMemoryInfo", f.memory);
  bind(handle, "nvmlDeviceGetClockInfo", f.clock);
  bind(handle, "nvmlDeviceGetTemperature", f.temperature);
  bind(handle, "nvmlDeviceGetEnforcedPowerLimit", f.power_limit);
  bind(handle, "nvmlDeviceGetPcieThroughput", f.pcie_throughput);
  bind(handle, "nvmlDeviceGetComputeRunningProcesses_v3", f.running_processes);
  bind(handle, "nvmlDeviceGetProcessUtilization", f.process_utilization);
  if (!f.init || !f.shutdown || !f.device_count || !f.device_by_index || !f.power_usage) {
    problem = path + " lacks the NVML functions powerfit needs (driver too old?)";
    f.shutdown = nullptr;  // never initialised, so never shut down
    return nullptr;
  }
  if (const auto rc = f.init(); rc != NVML_SUCCESS) {
    problem = "nvmlInit failed: " + library->error(rc);
    f.shutdown = nullptr;
    return nullptr;
  }
  return library;
}

NvmlLibrary::~NvmlLibrary() {
  if (functions_.shutdown) functions_.shutdown();
  ::dlclose(handle_);
}

std::string NvmlLibrary::error(nvmlReturn_t code) const {
  if (functions_.error_string) {
    if (const char* text = functions_.error_string(code)) return text;
  }
  return "NVML error " + std::to_string(code);
}

}  // namespace powerfit::sensors
