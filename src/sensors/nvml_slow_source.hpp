#pragma once
// The GPU fields that are dear to read, through NVML: PCIe throughput and the GPU utilization of
// the measured processes. On an H100 with driver 580 a PCIe throughput read costs about 21 ms of
// CPU and a per-process utilization read about 2.4 ms, against 1 to 7 µs for the power, memory
// and utilization that `nvml` reads every tick (VALIDATION.md, "The cost of reading NVML"). So
// this source is opt-in: it is sampled only when `--sources` names it ("nvml.slow"), and a
// poller thread reads it once a second from the run's start; the sampling thread reports the
// latest values.

#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/sleeper.hpp"
#include "sensors/nvml_library.hpp"
#include "sensors/polled.hpp"
#include "sensors/process_tree.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class NvmlSlowSource final : public Source {
 public:
  static constexpr std::chrono::milliseconds kPollPeriod{1000};

  // `tree` (may be null) names the processes whose GPU utilization is attributed to the run; the
  // source opens it and brings it up to date before each tick's attribution.
  explicit NvmlSlowSource(std::shared_ptr<ProcessTree> tree = nullptr, GpuChoice only = std::nullopt)
      : tree_(std::move(tree)), only_(std::move(only)) {}
  ~NvmlSlowSource() override;
  std::string_view name() const override { return "nvml.slow"; }
  bool opt_in() const override { return true; }
  // Finds the GPUs and the functions; reads nothing dear, so a source left unchosen costs nothing.
  Availability open() override;
  void before_first_read() override;
  void read(std::span<Reading> out) override;
  double threads_cpu_s() override { return thread_cpu_s(poller_); }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMaxProcesses = 256;

  struct Gpu {
    nvmlDevice_t device = nullptr;
    std::size_t pcie_tx = kNone, pcie_rx = kNone, process_utilization = kNone;
    Polled pcie_tx_bytes, pcie_rx_bytes;
    std::mutex process_mutex;
    std::vector<std::pair<unsigned int, unsigned int>> process_sm;  // pid, SM %
    ReadStatus process_sm_status = ReadStatus::missing;
    unsigned long long last_process_sample = 0;
  };

  void poll(Gpu& gpu);
  bool in_tree(unsigned int pid) const;

  std::shared_ptr<ProcessTree> tree_;
  GpuChoice only_;
  std::shared_ptr<NvmlLibrary> nvml_;
  std::vector<std::unique_ptr<Gpu>> gpus_;
  std::vector<nvmlProcessUtilizationSample_t> samples_ = std::vector<nvmlProcessUtilizationSample_t>(kMaxProcesses);

  std::thread poller_;
  Sleeper poller_sleeper_;  // woken by the destructor, to stop
};

}  // namespace powerfit::sensors
