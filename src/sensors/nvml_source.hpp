#pragma once
// Every NVIDIA GPU through NVML: the total-energy counter (mJ) as the source of joules where the
// GPU has one, else its power integrated; power and instant power for the timeline; utilization,
// memory, SM clock, temperature, power limit, PCIe throughput; and the GPU memory and
// utilization of the measured process tree.
//
// PCIe throughput blocks for about 20 ms per call, so a helper thread reads it once a second and
// the sampling thread reports its latest value; everything else is read on the tick.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "sensors/nvml_library.hpp"
#include "sensors/process_tree.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class NvmlSource final : public Source {
 public:
  // `tree` (may be null) names the processes whose GPU use is attributed to the run.
  explicit NvmlSource(std::shared_ptr<const ProcessTree> tree = nullptr) : tree_(std::move(tree)) {}
  ~NvmlSource() override;
  std::string_view name() const override { return "nvml"; }
  Availability open() override;
  void read(std::span<Reading> out) override;
  void describe_host(HostInfo& host) const override;

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMaxProcesses = 256;

  struct Gpu {
    nvmlDevice_t device = nullptr;
    std::string name;
    std::string uuid;
    std::size_t energy = kNone, power = kNone, power_instant = kNone, utilization = kNone,
                memory_utilization = kNone, memory_used = kNone, sm_clock = kNone, temperature = kNone,
                power_limit = kNone, pcie_tx = kNone, pcie_rx = kNone, process_memory = kNone,
                process_utilization = kNone;
    unsigned long long last_process_sample = 0;
    std::atomic<double> pcie_tx_bytes{-1.0};  // latest from the helper thread; < 0: none yet
    std::atomic<double> pcie_rx_bytes{-1.0};
    std::atomic<bool> lost{false};
  };

  void read_gpu(Gpu& gpu, std::span<Reading> out);
  void poll_pcie();
  bool in_tree(unsigned int pid) const;
  ReadStatus status_of(nvmlReturn_t code, Gpu& gpu) const;

  std::shared_ptr<const ProcessTree> tree_;
  std::unique_ptr<NvmlLibrary> nvml_;
  std::string driver_;
  std::vector<std::unique_ptr<Gpu>> gpus_;
  std::vector<nvmlProcessInfo_t> processes_ = std::vector<nvmlProcessInfo_t>(kMaxProcesses);
  std::vector<nvmlProcessUtilizationSample_t> samples_ = std::vector<nvmlProcessUtilizationSample_t>(kMaxProcesses);

  std::thread pcie_thread_;
  std::mutex pcie_mutex_;
  std::condition_variable pcie_wake_;
  bool pcie_stop_ = false;
};

}  // namespace powerfit::sensors
