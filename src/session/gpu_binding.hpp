#pragma once
// Which GPUs and which host-wide channels a session counts, so that a multi-process job on one
// host counts every device once. One process per GPU (torchrun's LOCAL_RANK and
// LOCAL_WORLD_SIZE, Slurm's SLURM_LOCALID, Open MPI's OMPI_COMM_WORLD_LOCAL_RANK) is the usual
// layout: local rank i counts the GPU it is bound to, and local rank 0 alone the host's channels
// (CPU, memory, disk, network, RAPL, hwmon and the CPU estimate). A process that CUDA_VISIBLE_DEVICES
// limits counts only the GPUs it can see. An explicit choice (`gpus`) overrides all of it.
//
// CUDA numbers the GPUs it shows in its own order (fastest first unless CUDA_DEVICE_ORDER is
// PCI_BUS_ID), NVML in PCI order: the two are matched by UUID, asked of the CUDA driver
// (libcuda, loaded with dlopen) where it is installed; without it, numbers in CUDA_VISIBLE_DEVICES
// are taken as PCI order and the note says so.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace powerfit::session {

struct GpuBinding {
  // The GPUs to count, as NVML indices or UUIDs; nullopt: every GPU.
  std::optional<std::vector<std::string>> gpus;
  bool host_channels = true;  // false: left to local rank 0
  std::string why;            // what was chosen and why; empty when nothing set it (every GPU, the host)
};

// The environment as a lookup (getenv, or a map in tests), and the CUDA-visible GPUs' UUIDs in
// CUDA's order where the driver can tell them (nullopt where it cannot).
using Environment = std::function<const char*(const char*)>;
using CudaUuids = std::function<std::optional<std::vector<std::string>>()>;

// `sources_chosen`: the caller named its sources, so the host's channels are not taken from it.
GpuBinding bind_gpus(const std::optional<std::vector<std::string>>& chosen, bool sources_chosen,
                     const Environment& environment, const CudaUuids& cuda_uuids);

// The process's own: getenv, and libcuda's view of the visible GPUs.
GpuBinding bind_gpus(const std::optional<std::vector<std::string>>& chosen, bool sources_chosen);

// The UUIDs of the GPUs CUDA shows this process, in CUDA's order, from libcuda (or the library
// POWERFIT_CUDA_LIBRARY names); nullopt where it is not installed or fails.
std::optional<std::vector<std::string>> cuda_visible_uuids();

}  // namespace powerfit::session
