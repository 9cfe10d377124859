#include "sensors/nvml_library.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace powerfit::sensors {
namespace {

// A name of --gpus: an NVML index ("3", as nvidia-smi numbers them) or a UUID's start from "GPU-".
bool gpu_named(const std::string& name, std::size_t index, const std::string& uuid) {
  return name == std::to_string(index) || (name.rfind("GPU-", 0) == 0 && uuid.rfind(name, 0) == 0);
}

template <typename Function>
void bind(void* handle, const char* symbol, Function& slot) {
  slot = reinterpret_cast<Function>(::dlsym(handle, symbol));
}

std::atomic<bool> g_keep_until_exit{false};

std::string asked_for() {
  const char* override_path = std::getenv("POWERFIT_NVML_LIBRARY");
  return override_path ? override_path : "";
}

}  // namespace

std::shared_ptr<NvmlLibrary> NvmlLibrary::share(std::string& problem) {
  static std::mutex mutex;
  static std::weak_ptr<NvmlLibrary> held;
  std::lock_guard lock(mutex);
  auto library = held.lock();
  if (library && library->asked_for_ == asked_for()) return library;
  library = load(problem);
  if (!library) return library;
  held = library;
  if (g_keep_until_exit) {
    // Never destroyed, so never shut down: the process's exit releases the driver's handles.
    static auto* kept = new std::shared_ptr<NvmlLibrary>();
    *kept = library;
  }
  return library;
}

void NvmlLibrary::keep_until_exit() { g_keep_until_exit = true; }

std::unique_ptr<NvmlLibrary> NvmlLibrary::load(std::string& problem) {
  // POWERFIT_NVML_LIBRARY alone when given; else the names drivers install it under (the
  // unversioned one only with the development package, the /usr/lib64 one on some distributions).
  const auto asked = asked_for();
  std::vector<std::string> candidates;
  if (!asked.empty()) {
    candidates.push_back(asked);
  } else {
    candidates = {"libnvidia-ml.so.1", "libnvidia-ml.so", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1",
                  "/usr/lib64/libnvidia-ml.so.1", "/usr/lib/wsl/lib/libnvidia-ml.so.1"};
  }
  void* handle = nullptr;
  std::string path;
  std::string first_error;
  for (const auto& candidate : candidates) {
    handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle != nullptr) {
      path = candidate;
      break;
    }
    if (first_error.empty()) first_error = ::dlerror();
  }
  if (handle == nullptr) {
    problem = "cannot load " + candidates.front() + " (no NVIDIA driver here): " + first_error;
    return nullptr;
  }
  std::unique_ptr<NvmlLibrary> library(new NvmlLibrary(handle, path));
  library->asked_for_ = asked;
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
  const std::pair<const char*, bool> required[] = {{"nvmlInit_v2", f.init != nullptr},
                                                   {"nvmlShutdown", f.shutdown != nullptr},
                                                   {"nvmlDeviceGetCount_v2", f.device_count != nullptr},
                                                   {"nvmlDeviceGetHandleByIndex_v2", f.device_by_index != nullptr},
                                                   {"nvmlDeviceGetPowerUsage", f.power_usage != nullptr}};
  for (const auto& [symbol, present] : required) {
    if (present) continue;
    problem = path + " lacks " + symbol + ", which powerfit needs (a driver older than 418?); update the NVIDIA driver";
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

ReadStatus nvml_status(nvmlReturn_t code) {
  switch (code) {
    case NVML_SUCCESS: return ReadStatus::ok;
    case NVML_ERROR_NOT_SUPPORTED: return ReadStatus::unsupported;
    case NVML_ERROR_NO_PERMISSION: return ReadStatus::permission_denied;
    case NVML_ERROR_GPU_IS_LOST: return ReadStatus::gone;
    default: return ReadStatus::io_error;
  }
}

bool gpu_chosen(const GpuChoice& choice, unsigned int index, const std::string& uuid) {
  if (!choice) return true;
  return std::any_of(choice->begin(), choice->end(), [&](const std::string& name) { return gpu_named(name, index, uuid); });
}

std::optional<std::string> unknown_gpu_choice(const GpuChoice& choice, const std::vector<std::string>& uuids) {
  if (!choice) return std::nullopt;
  for (const auto& name : *choice) {
    bool known = false;
    for (std::size_t i = 0; i < uuids.size() && !known; ++i) known = gpu_named(name, i, uuids[i]);
    if (known) continue;
    std::string there;
    for (std::size_t i = 0; i < uuids.size(); ++i) {
      there += (i == 0 ? "" : ", ") + std::to_string(i) + (uuids[i].empty() ? "" : " (" + uuids[i] + ")");
    }
    return "no GPU answers to " + name + " among NVML's " + std::to_string(uuids.size()) + " GPU(s): " + (there.empty() ? "none" : there);
  }
  return std::nullopt;
}

}  // namespace powerfit::sensors
