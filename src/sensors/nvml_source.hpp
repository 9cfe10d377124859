#pragma once
// Every NVIDIA GPU through NVML: the total-energy counter (mJ) as the source of joules where the
// GPU has one, else its power integrated; power and instant power for the timeline; utilization,
// memory, SM clock, temperature, power limit, PCIe throughput; and the GPU memory and
// utilization of the measured process tree.
//
// Three NVML calls are slow and burn CPU while they wait (measured on an H100 with driver 580:
// the energy counter about 3 ms, per-process utilization about 2.4 ms, PCIe throughput 21 ms,
// against 1 to 7 µs for the rest). A poller thread makes them — the energy counter every
// 200 ms (it changes only 10 times a second), the other two every second — and the sampling
// thread reports their latest values. Before the run's last tick the energy counter is read
// afresh, so the run's joules end on a current value; the first value is read when the source
// opens, before the command starts.
//
// The driver refreshes the counter and the power readings about every 100 ms, so a value read
// now may be 100 ms old: dated when read, the energy of a power step lands up to 100 ms late. The
// poller therefore also reads the power every 10 ms (about 1 µs a read) to learn when refreshes
// happen (sensors/refresh_clock.hpp), and the counter and the power readings are dated at the
// last refresh. On the H100 and H200 the counter's refresh (every 100.4 ms) drifts against the
// power's (100.0 ms), so the counter's date is within ±50 ms rather than one-sidedly late
// (VALIDATION.md, "Windows on a power step").

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "sensors/nvml_library.hpp"
#include "sensors/process_tree.hpp"
#include "sensors/refresh_clock.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

class NvmlSource final : public Source {
 public:
  static constexpr std::chrono::milliseconds kWatchPeriod{10};  // the power, for the refresh clock
  static constexpr int kEnergyPollEvery = 20;                      // the energy counter: every 200 ms
  static constexpr int kSlowPollEvery = 100;  // PCIe and per-process utilization: every second

  // `tree` (may be null) names the processes whose GPU use is attributed to the run.
  explicit NvmlSource(std::shared_ptr<const ProcessTree> tree = nullptr) : tree_(std::move(tree)) {}
  ~NvmlSource() override;
  std::string_view name() const override { return "nvml"; }
  Availability open() override;
  void read(std::span<Reading> out) override;
  void describe_host(HostInfo& host) const override;
  void before_last_read() override;

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  static constexpr std::size_t kMaxProcesses = 256;

  // A value the poller reads and the sampling thread reports: value, status and the time it was
  // taken change together, and a failed poll keeps the last good value and its time.
  class Polled {
   public:
    void store(double value, ReadStatus status, std::int64_t taken_ns) {
      std::lock_guard lock(mutex_);
      reading_.status = status;
      if (status != ReadStatus::ok) return;
      reading_.value = value;
      reading_.taken_ns = taken_ns;
    }
    Reading load() const {
      std::lock_guard lock(mutex_);
      return reading_;
    }

   private:
    mutable std::mutex mutex_;
    Reading reading_;
  };

  struct Gpu {
    nvmlDevice_t device = nullptr;
    std::string name;
    std::string uuid;
    std::string scope;
    std::size_t energy = kNone, power = kNone, power_instant = kNone, utilization = kNone,
                memory_utilization = kNone, memory_used = kNone, memory_total = kNone, sm_clock = kNone, temperature = kNone,
                power_limit = kNone, pcie_tx = kNone, pcie_rx = kNone, process_memory = kNone,
                process_utilization = kNone;
    Polled energy_j, pcie_tx_bytes, pcie_rx_bytes;
    std::mutex clock_mutex;
    RefreshClock clock;  // when the driver refreshed its values, learnt from the power reading
    std::atomic<bool> lost{false};
    // Per-process SM utilization from the last slow poll, attributed on the sampling thread.
    std::mutex process_mutex;
    std::vector<std::pair<unsigned int, unsigned int>> process_sm;  // pid, SM %
    ReadStatus process_sm_status = ReadStatus::missing;
    unsigned long long last_process_sample = 0;
  };

  void read_gpu(Gpu& gpu, std::span<Reading> out);
  void poll_energy(Gpu& gpu);
  // Reads the power, shows it to the GPU's refresh clock and returns the read's time.
  std::int64_t watch_refresh(Gpu& gpu);
  void observe_power(Gpu& gpu, nvmlReturn_t rc, unsigned int milliwatts, std::int64_t read_ns);
  std::optional<std::int64_t> refreshed_by(Gpu& gpu, std::int64_t t_ns);
  void poll_slow(Gpu& gpu);
  void poll();
  bool in_tree(unsigned int pid) const;
  ReadStatus status_of(nvmlReturn_t code, Gpu& gpu) const;

  std::shared_ptr<const ProcessTree> tree_;
  std::unique_ptr<NvmlLibrary> nvml_;
  std::string driver_;
  std::vector<std::unique_ptr<Gpu>> gpus_;
  std::vector<nvmlProcessInfo_t> processes_ = std::vector<nvmlProcessInfo_t>(kMaxProcesses);
  std::vector<nvmlProcessUtilizationSample_t> samples_ = std::vector<nvmlProcessUtilizationSample_t>(kMaxProcesses);

  std::thread poller_;
  std::mutex poller_mutex_;
  std::condition_variable poller_wake_;
  bool poller_stop_ = false;
};

}  // namespace powerfit::sensors
