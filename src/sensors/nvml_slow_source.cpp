#include "sensors/nvml_slow_source.hpp"
#include "core/thread_name.hpp"

#include <algorithm>

namespace powerfit::sensors {

NvmlSlowSource::~NvmlSlowSource() {
  if (!poller_.joinable()) return;
  poller_sleeper_.wake();
  poller_.join();
}

Availability NvmlSlowSource::open() {
  std::string problem;
  nvml_ = NvmlLibrary::share(problem);
  if (!nvml_) return {false, problem};
  if (tree_ && !tree_->open()) tree_ = nullptr;  // /proc cannot be listed: no process is attributed
  const auto& api = nvml_->api();
  if (!api.pcie_throughput && !(tree_ && api.process_utilization)) {
    return {false, "this NVML has neither nvmlDeviceGetPcieThroughput nor nvmlDeviceGetProcessUtilization"};
  }
  unsigned int count = 0;
  if (const auto rc = api.device_count(&count); rc != NVML_SUCCESS) {
    return {false, "nvmlDeviceGetCount failed: " + nvml_->error(rc)};
  }
  std::vector<std::unique_ptr<Gpu>> found(count);
  std::vector<std::string> uuids(count);
  for (unsigned int i = 0; i < count; ++i) {
    auto gpu = std::make_unique<Gpu>();
    if (api.device_by_index(i, &gpu->device) != NVML_SUCCESS) continue;
    char uuid[96] = {};
    if (only_ && api.uuid && api.uuid(gpu->device, uuid, sizeof uuid) == NVML_SUCCESS) uuids[i] = uuid;
    found[i] = std::move(gpu);
  }
  if (auto unknown = unknown_gpu_choice(only_, uuids)) return {false, std::move(*unknown)};
  for (unsigned int i = 0; i < count; ++i) {
    auto gpu = std::move(found[i]);
    if (!gpu || !gpu_chosen(only_, i, uuids[i])) continue;
    const std::string prefix = "gpu" + std::to_string(i) + ".", scope = "gpu:" + std::to_string(i);
    const auto add = [&](const char* suffix, Unit unit) {
      return add_channel({.name = prefix + suffix, .unit = unit, .kind = ChannelKind::gauge, .scope = scope});
    };
    if (api.pcie_throughput) {
      gpu->pcie_tx = add("pcie_tx", Unit::byte_per_second);
      gpu->pcie_rx = add("pcie_rx", Unit::byte_per_second);
    }
    if (tree_ && api.process_utilization) gpu->process_utilization = add("process_utilization", Unit::percent);
    gpus_.push_back(std::move(gpu));
  }
  if (gpus_.empty()) return {false, "NVML found no GPU it could open"};
  return {true, "PCIe throughput" + std::string(tree_ && api.process_utilization ? " and the processes' GPU utilization" : "") +
                    " of " + std::to_string(gpus_.size()) +
                    " GPU(s), read once a second (milliseconds of CPU a read); off unless --sources names it"};
}

void NvmlSlowSource::before_first_read() {
  if (poller_.joinable()) return;
  for (auto& gpu : gpus_) poll(*gpu);  // the run's first values, before the command starts
  poller_ = std::thread([this] {
    name_this_thread("pf-nvml-slow");
    const std::int64_t period_ns = std::chrono::nanoseconds(kPollPeriod).count();
    while (!poller_sleeper_.sleep_until(monotonic_now_ns() + period_ns)) {  // cut short by the destructor alone
      for (auto& gpu : gpus_) poll(*gpu);
    }
  });
}

bool NvmlSlowSource::in_tree(unsigned int pid) const {
  const auto& members = tree_->members();
  return std::binary_search(members.begin(), members.end(), static_cast<pid_t>(pid));
}

void NvmlSlowSource::read(std::span<Reading> out) {
  bool tree_updated = false;
  for (auto& gpu : gpus_) {
    if (gpu->pcie_tx != kNone) {
      out[gpu->pcie_tx] = gpu->pcie_tx_bytes.load();
      out[gpu->pcie_rx] = gpu->pcie_rx_bytes.load();
    }
    if (gpu->process_utilization != kNone) {
      if (!tree_updated) tree_->update();  // once a tick, whatever the number of GPUs
      tree_updated = true;
      std::lock_guard lock(gpu->process_mutex);
      double percent = 0.0;
      for (const auto& [pid, sm] : gpu->process_sm) {
        if (in_tree(pid)) percent += sm;
      }
      out[gpu->process_utilization] = {std::min(percent, 100.0), gpu->process_sm_status};
    }
  }
}

void NvmlSlowSource::poll(Gpu& gpu) {
  const auto& api = nvml_->api();
  if (gpu.pcie_tx != kNone) {
    unsigned int kilobytes = 0;
    auto rc = api.pcie_throughput(gpu.device, NVML_PCIE_UTIL_TX_BYTES, &kilobytes);
    // Rates, not counters: stored with no time of their own, so reported as read at the tick.
    gpu.pcie_tx_bytes.store(kilobytes * 1024.0, nvml_status(rc), 0);
    rc = api.pcie_throughput(gpu.device, NVML_PCIE_UTIL_RX_BYTES, &kilobytes);
    gpu.pcie_rx_bytes.store(kilobytes * 1024.0, nvml_status(rc), 0);
  }
  if (gpu.process_utilization != kNone) {
    unsigned int count = static_cast<unsigned int>(samples_.size());
    auto rc = api.process_utilization(gpu.device, samples_.data(), &count, gpu.last_process_sample);
    if (rc == NVML_ERROR_NOT_FOUND) {  // no process ran a kernel since the last look
      rc = NVML_SUCCESS;
      count = 0;
    }
    std::lock_guard lock(gpu.process_mutex);
    gpu.process_sm.clear();
    for (unsigned int i = 0; rc == NVML_SUCCESS && i < count; ++i) {
      gpu.last_process_sample = std::max(gpu.last_process_sample, samples_[i].timeStamp);
      gpu.process_sm.emplace_back(samples_[i].pid, samples_[i].smUtil);
    }
    gpu.process_sm_status = nvml_status(rc);
  }
}

}  // namespace powerfit::sensors
