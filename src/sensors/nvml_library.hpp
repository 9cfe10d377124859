#pragma once
// libnvidia-ml loaded with dlopen and its functions bound by name, so that powerfit has no
// build-time dependency on the NVIDIA driver. POWERFIT_NVML_LIBRARY names another library to
// load (the test suite's fake, or a driver outside the loader's path).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sensors/nvml_api.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

struct NvmlFunctions {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*driver_version)(char*, unsigned int) = nullptr;
  nvmlReturn_t (*device_count)(unsigned int*) = nullptr;
  nvmlReturn_t (*device_by_index)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*total_energy)(nvmlDevice_t, unsigned long long*) = nullptr;
  nvmlReturn_t (*power_usage)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*field_values)(nvmlDevice_t, int, nvmlFieldValue_t*) = nullptr;
  nvmlReturn_t (*utilization)(nvmlDevice_t, nvmlUtilization_t*) = nullptr;
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*) = nullptr;
  nvmlReturn_t (*clock)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*power_limit)(nvmlDevice_t, unsigned int*) = nullptr;
  nvmlReturn_t (*pcie_throughput)(nvmlDevice_t, int, unsigned int*) = nullptr;
  nvmlReturn_t (*running_processes)(nvmlDevice_t, unsigned int*, nvmlProcessInfo_t*) = nullptr;
  nvmlReturn_t (*process_utilization)(nvmlDevice_t, nvmlProcessUtilizationSample_t*, unsigned int*,
                                      unsigned long long) = nullptr;
};

// What an NVML return code means for a reading.
ReadStatus nvml_status(nvmlReturn_t code);

// The GPUs a source opens: nullopt, every one; else those named by NVML index ("3", as nvidia-smi
// numbers them) or UUID (whole or a prefix from "GPU-").
using GpuChoice = std::optional<std::vector<std::string>>;
bool gpu_chosen(const GpuChoice& choice, unsigned int index, const std::string& uuid);
// Where a name of `choice` is no GPU of these (each GPU's UUID at its NVML index, "" where
// unknown): one line naming it and the GPUs there are; nullopt where every name is one of them.
std::optional<std::string> unknown_gpu_choice(const GpuChoice& choice, const std::vector<std::string>& uuids);

class NvmlLibrary {
 public:
  // NVML loaded and initialised; on failure nullptr, and `problem` says why. The library the
  // process already holds open where it came from the path asked for now, else a new one: the GPU
  // sources share one (beside an H100 a second nvmlInit cost 4 ms of CPU; VALIDATION.md, "Every
  // source within twice nvidia-smi?").
  static std::shared_ptr<NvmlLibrary> share(std::string& problem);
  // From now on, the library share() loads stays initialised until the process exits, never shut
  // down: for a process that opens sources again and again (each run of `run -r`, each of bench's
  // sessions), where each opening would pay nvmlInit and each closing nvmlShutdown, about 10 and
  // 3 ms of CPU beside an H100 (VALIDATION.md). The process's exit releases what nvmlShutdown
  // would. The command-line tool calls it; a library in someone else's process does not.
  static void keep_until_exit();
  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  const NvmlFunctions& api() const { return functions_; }
  std::string error(nvmlReturn_t code) const;
  const std::string& path() const { return path_; }

 private:
  NvmlLibrary(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}
  static std::unique_ptr<NvmlLibrary> load(std::string& problem);
  void* handle_;
  std::string path_;
  std::string asked_for_;  // POWERFIT_NVML_LIBRARY when loaded ("": the driver's names)
  NvmlFunctions functions_;
};

}  // namespace powerfit::sensors
