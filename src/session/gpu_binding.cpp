#include "session/gpu_binding.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/joined.hpp"

namespace powerfit::session {
namespace {

std::optional<long> number_in(const Environment& environment, const char* name) {
  const char* value = environment(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  char* end = nullptr;
  const long number = std::strtol(value, &end, 10);
  if (*end != '\0' && *end != '(' && *end != ',') return std::nullopt;  // SLURM_TASKS_PER_NODE: "4(x2),3"
  if (number < 0 || number > 1'000'000) return std::nullopt;
  return number;
}

struct LocalRank {
  long rank = 0, size = 0;  // size 0: not told
  const char* from = "";
};

std::optional<LocalRank> local_rank(const Environment& environment) {
  struct Launcher {
    const char *rank, *size, *also_size;
  };
  for (const Launcher launcher : {Launcher{"LOCAL_RANK", "LOCAL_WORLD_SIZE", nullptr},
                                  Launcher{"SLURM_LOCALID", "SLURM_NTASKS_PER_NODE", "SLURM_STEP_TASKS_PER_NODE"},
                                  Launcher{"OMPI_COMM_WORLD_LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_SIZE", nullptr}}) {
    const auto rank = number_in(environment, launcher.rank);
    if (!rank) continue;
    auto size = number_in(environment, launcher.size);
    if (!size && launcher.also_size) size = number_in(environment, launcher.also_size);
    return LocalRank{*rank, size.value_or(0), launcher.rank};
  }
  return std::nullopt;
}

std::vector<std::string> split_list(const char* text) {
  std::vector<std::string> items;
  std::string item;
  for (const char* c = text;; ++c) {
    if (*c == ',' || *c == '\0') {
      if (!item.empty()) items.push_back(item);
      item.clear();
      if (*c == '\0') break;
    } else if (*c != ' ') {
      item += *c;
    }
  }
  return items;
}

}  // namespace

GpuBinding bind_gpus(const std::optional<std::vector<std::string>>& chosen, bool sources_chosen,
                     const Environment& environment, const CudaUuids& cuda_uuids) {
  const auto rank = local_rank(environment);
  // Several processes of one job on this host: the host's channels are local rank 0's. A rank
  // whose local size is not told is taken as one of several where its rank is above 0.
  const bool several = rank && (rank->size > 1 || (rank->size == 0 && rank->rank > 0));
  GpuBinding binding;
  if (several && rank->rank != 0 && !sources_chosen) binding.host_channels = false;
  const std::string rank_words =
      rank ? "local rank " + std::to_string(rank->rank) + (rank->size > 0 ? " of " + std::to_string(rank->size) : "") +
                 " (" + rank->from + ")"
           : "";
  const std::string host_words = binding.host_channels ? "" : "; the host's channels are local rank 0's, counted once";
  if (chosen) {
    binding.gpus = chosen;
    binding.why = "GPUs " + joined(*chosen) + ", as chosen" + (several ? ", " + rank_words : "") + host_words;
    return binding;
  }
  const char* visible_text = environment("CUDA_VISIBLE_DEVICES");
  const bool limited = visible_text != nullptr;
  if (!several && !limited) return binding;  // every GPU and the host: nothing to say

  // The GPUs this process can see, in CUDA's order: UUIDs from the driver, else the list itself.
  std::vector<std::string> visible;
  std::string order_note;
  if (auto uuids = cuda_uuids()) {
    visible = std::move(*uuids);
  } else if (limited) {
    visible = split_list(visible_text);
    const char* order = environment("CUDA_DEVICE_ORDER");
    const bool numbers = std::any_of(visible.begin(), visible.end(), [](const std::string& item) { return item.rfind("GPU-", 0) != 0; });
    if (numbers && (order == nullptr || std::strcmp(order, "PCI_BUS_ID") != 0)) {
      order_note = " (CUDA's order could not be asked of libcuda: numbers taken in PCI order, as nvidia-smi counts)";
    }
  }
  if (several) {
    // Rank i uses the one GPU it sees, or the i-th of several (cuda:LOCAL_RANK), or GPU i.
    std::string gpu;
    if (visible.size() == 1) {
      gpu = visible.front();
    } else if (!visible.empty()) {
      if (static_cast<std::size_t>(rank->rank) >= visible.size()) {
        binding.gpus = std::vector<std::string>{};
        binding.why = rank_words + " sees " + std::to_string(visible.size()) + " GPUs and takes none" + host_words;
        return binding;
      }
      gpu = visible[static_cast<std::size_t>(rank->rank)];
    } else {
      gpu = std::to_string(rank->rank);
    }
    binding.gpus = std::vector<std::string>{gpu};
    binding.why = rank_words + ": GPU " + gpu + (limited ? " (CUDA_VISIBLE_DEVICES=" + std::string(visible_text) + ")" : "") +
                  order_note + host_words + "; choose gpus to count others";
    return binding;
  }
  binding.gpus = visible;
  binding.why = "GPUs " + (visible.empty() ? std::string("none") : joined(visible)) + " (CUDA_VISIBLE_DEVICES=" +
                std::string(visible_text) + ")" + order_note;
  return binding;
}

GpuBinding bind_gpus(const std::optional<std::vector<std::string>>& chosen, bool sources_chosen) {
  return bind_gpus(chosen, sources_chosen, [](const char* name) { return std::getenv(name); }, cuda_visible_uuids);
}

std::optional<std::vector<std::string>> cuda_visible_uuids() {
  // The driver API alone (no context is created): cuInit, then each device's UUID.
  // POWERFIT_CUDA_LIBRARY names another library to load (the test suite's stand-in).
  const char* override_path = std::getenv("POWERFIT_CUDA_LIBRARY");
  void* handle = ::dlopen(override_path != nullptr && *override_path != '\0' ? override_path : "libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return std::nullopt;
  using Init = int (*)(unsigned int);
  using Count = int (*)(int*);
  using Get = int (*)(int*, int);
  using Uuid = int (*)(unsigned char*, int);
  const auto init = reinterpret_cast<Init>(::dlsym(handle, "cuInit"));
  const auto count = reinterpret_cast<Count>(::dlsym(handle, "cuDeviceGetCount"));
  const auto get = reinterpret_cast<Get>(::dlsym(handle, "cuDeviceGet"));
  auto uuid = reinterpret_cast<Uuid>(::dlsym(handle, "cuDeviceGetUuid_v2"));
  if (uuid == nullptr) uuid = reinterpret_cast<Uuid>(::dlsym(handle, "cuDeviceGetUuid"));
  std::optional<std::vector<std::string>> uuids;
  int devices = 0;
  if (init && count && get && uuid && init(0) == 0 && count(&devices) == 0) {
    uuids.emplace();
    for (int i = 0; i < devices; ++i) {
      int device = 0;
      unsigned char bytes[16] = {};
      if (get(&device, i) != 0 || uuid(bytes, device) != 0) {
        uuids.reset();
        break;
      }
      // As NVML writes it: GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.
      char text[64];
      std::snprintf(text, sizeof text, "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                    bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                    bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
      uuids->push_back(text);
    }
  }
  // libcuda stays loaded: the driver is not made to be unloaded once initialised.
  return uuids;
}

}  // namespace powerfit::session
