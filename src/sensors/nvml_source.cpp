#include "sensors/nvml_source.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <utility>

#include "core/clock.hpp"
#include "sensors/ceilings.hpp"
#include "sensors/host_info.hpp"
#include "core/thread_name.hpp"

namespace powerfit::sensors {
namespace {

// A time on monotonic_now_ns()'s clock as a steady_clock time point: steady_clock's time points
// are CLOCK_MONOTONIC nanoseconds.
std::chrono::steady_clock::time_point steady_at(std::int64_t monotonic_ns) {
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(monotonic_ns));
}

}  // namespace

NvmlSource::~NvmlSource() {
  if (poller_.joinable()) {
    {
      std::lock_guard lock(poller_mutex_);
      poller_stop_ = true;
    }
    poller_sleeper_.wake();
    poller_.join();
  }
}

ReadStatus NvmlSource::status_of(nvmlReturn_t code, Gpu& gpu) const {
  const auto status = nvml_status(code);
  if (status == ReadStatus::gone) gpu.lost = true;
  return status;
}

Availability NvmlSource::open() {
  std::string problem;
  nvml_ = NvmlLibrary::share(problem);
  if (!nvml_) return {false, problem};
  if (tree_ && !tree_->open()) tree_ = nullptr;  // /proc cannot be listed: no process is attributed
  const auto& api = nvml_->api();
  char text[96] = {};
  if (api.driver_version && api.driver_version(text, sizeof text) == NVML_SUCCESS) driver_ = text;
  unsigned int count = 0;
  if (const auto rc = api.device_count(&count); rc != NVML_SUCCESS) {
    return {false, "nvmlDeviceGetCount failed: " + nvml_->error(rc)};
  }
  if (count == 0) return {false, "NVML found no GPU"};

  // Every GPU's handle, name and UUID first: a GPU chosen that is not there stops the source
  // before any of them is read.
  std::vector<std::unique_ptr<Gpu>> found(count);
  std::vector<std::string> uuids(count);
  for (unsigned int i = 0; i < count; ++i) {
    auto gpu = std::make_unique<Gpu>();
    gpu->power_clock.hold_aim(schedule_.aim_hold);
    if (api.device_by_index(i, &gpu->device) != NVML_SUCCESS) continue;
    if (api.name && api.name(gpu->device, text, sizeof text) == NVML_SUCCESS) gpu->name = text;
    if (api.uuid && api.uuid(gpu->device, text, sizeof text) == NVML_SUCCESS) gpu->uuid = text;
    uuids[i] = gpu->uuid;
    found[i] = std::move(gpu);
  }
  if (auto unknown = unknown_gpu_choice(only_, uuids)) return {false, std::move(*unknown)};

  std::string detail;
  for (unsigned int i = 0; i < count; ++i) {
    auto gpu = std::move(found[i]);
    if (!gpu || !gpu_chosen(only_, i, gpu->uuid)) continue;
    const std::string prefix = "gpu" + std::to_string(i) + ".";
    const std::string scope = "gpu:" + std::to_string(i);
    gpu->scope = scope;
    const auto add = [&](const std::string& suffix, Unit unit, ChannelKind kind, bool in_total = false) {
      return add_channel({.name = prefix + suffix, .unit = unit, .kind = kind, .scope = scope, .in_energy_total = in_total});
    };
    const bool has_instant = set_up_queries(*gpu);
    unsigned long long energy_mj = 0;
    const std::int64_t probed_from = monotonic_now_ns();
    const bool has_energy = api.total_energy && api.total_energy(gpu->device, &energy_mj) == NVML_SUCCESS;
    const std::int64_t probed_to = monotonic_now_ns();
    if (has_energy) {
      gpu->energy = add("energy", Unit::joule, ChannelKind::energy_counter, true);
      channels_[gpu->energy].refreshed_in_background = true;  // polled every few seconds
      // The read that finds the counter is the run's first value, before the command starts: a
      // second read would cost milliseconds of CPU for nothing. No clock knows the refreshes yet,
      // so it is dated halfway through the call, as poll_energy dates such a read.
      gpu->energy_j.store(static_cast<double>(energy_mj) * 1e-3, ReadStatus::ok, probed_from + (probed_to - probed_from) / 2);
    }
    // Without the counter (GPUs before Volta), joules come from integrating the power reading.
    gpu->power = add("power", Unit::watt, ChannelKind::power_gauge, !has_energy);
    channels_[gpu->power].refreshed_in_background = true;  // dated at the driver's refresh
    if (has_instant) {
      gpu->power_instant = add("power_instant", Unit::watt, ChannelKind::power_gauge);
      channels_[gpu->power_instant].refreshed_in_background = true;
    }
    if (has_energy) {
      // The instantaneous reading shapes the counter's energy in time best; the other one is a
      // one-second mean on recent GPUs.
      channels_[gpu->energy].gauge = channels_[gpu->power_instant != kNone ? gpu->power_instant : gpu->power].name;
      unsigned int limit_mw = 0;
      const bool has_limit = api.power_limit && api.power_limit(gpu->device, &limit_mw) == NVML_SUCCESS && limit_mw > 0;
      channels_[gpu->energy].max_rate = has_limit ? ceilings::kGpuLimitFactor * limit_mw * 1e-3 : ceilings::kGpuW;
    }
    if (api.utilization) {
      gpu->utilization = add("utilization", Unit::percent, ChannelKind::gauge);
      gpu->memory_utilization = add("memory_utilization", Unit::percent, ChannelKind::gauge);
    }
    if (api.memory) {
      gpu->memory_used = add("memory_used", Unit::byte, ChannelKind::gauge);
      gpu->memory_total = add("memory_total", Unit::byte, ChannelKind::gauge);
    }
    if (api.clock) gpu->sm_clock = add("sm_clock", Unit::hertz, ChannelKind::gauge);
    if (api.temperature) gpu->temperature = add("temperature", Unit::celsius, ChannelKind::gauge);
    if (api.power_limit) gpu->power_limit = add("power_limit", Unit::watt, ChannelKind::gauge);
    if (tree_ && api.running_processes) gpu->process_memory = add("process_memory", Unit::byte, ChannelKind::gauge);
    for (auto& channel : channels_) {
      if (channel.scope == scope) channel.source = "nvml";
    }
    detail += (detail.empty() ? "" : ", ") + std::string("gpu") + std::to_string(i) + " " + gpu->name +
              (has_energy ? " (energy counter)" : " (no energy counter: power integrated)");
    gpus_.push_back(std::move(gpu));
  }
  if (gpus_.empty() && only_) return {false, "none of NVML's " + std::to_string(count) + " GPU(s) is among those chosen"};
  if (gpus_.empty()) return {false, "NVML could not open any of its " + std::to_string(count) + " GPU(s)"};
  poller_ = std::thread([this] {
    name_this_thread("pf-nvml");
    poll();
  });
  const char* asked = std::getenv(kNvmlScheduleVariable);
  const bool from_environment = asked != nullptr && *asked != '\0';
  return {true, detail + ", driver " + driver_ + ", via " + nvml_->path() + "; read " + describe(schedule_) +
                    (from_environment ? std::string(" (") + kNvmlScheduleVariable + ")" : "")};
}

bool NvmlSource::set_up_queries(Gpu& gpu) {
  const auto& api = nvml_->api();
  unsigned int value = 0;
  if (api.clock) api.clock(gpu.device, NVML_CLOCK_SM, &value);
  if (api.temperature) api.temperature(gpu.device, NVML_TEMPERATURE_GPU, &value);
  if (api.power_usage) api.power_usage(gpu.device, &value);
  nvmlFieldValue_t field{};
  field.fieldId = NVML_FI_DEV_POWER_INSTANT;
  const bool has_instant = api.field_values && api.field_values(gpu.device, 1, &field) == NVML_SUCCESS && field.nvmlReturn == NVML_SUCCESS;
  if (api.utilization) {
    nvmlUtilization_t utilization{};
    api.utilization(gpu.device, &utilization);
  }
  return has_instant;
}

void NvmlSource::describe_host(HostInfo& host) const {
  const auto& api = nvml_->api();
  for (const auto& gpu : gpus_) {
    host.gpu_models.push_back(gpu->name);
    host.gpu_uuids.push_back(gpu->uuid);
    unsigned int limit_mw = 0;
    if (api.power_limit && api.power_limit(gpu->device, &limit_mw) == NVML_SUCCESS) {
      host.gpu_power_limits_w.push_back(limit_mw * 1e-3);
    }
  }
  if (!driver_.empty()) host.gpu_driver = "NVIDIA " + driver_;
}

bool NvmlSource::in_tree(unsigned int pid) const {
  const auto& members = tree_->members();
  return std::binary_search(members.begin(), members.end(), static_cast<pid_t>(pid));
}

void NvmlSource::read(std::span<Reading> out) {
  for (auto& gpu : gpus_) read_gpu(*gpu, out);
}

void NvmlSource::read_gpu(Gpu& gpu, std::span<Reading> out) {
  const auto& api = nvml_->api();
  const auto put = [&](std::size_t channel, nvmlReturn_t rc, double value) {
    if (channel != kNone) out[channel] = {value, status_of(rc, gpu)};
  };
  if (gpu.energy != kNone) out[gpu.energy] = gpu.energy_j.load();
  unsigned int milliwatts = 0;
  auto rc = api.power_usage(gpu.device, &milliwatts);
  const std::int64_t read_ns = monotonic_now_ns();
  observe_power(gpu, rc, milliwatts, read_ns);
  if (rc == NVML_SUCCESS && gpu.energy != kNone && power_shifted(gpu)) poke_poller();
  // Both power readings are as old as the driver's last refresh; 0 (the tick's time) while the
  // refresh clock has not learnt when that was.
  const std::int64_t refreshed = refreshed_by(gpu, read_ns).value_or(0);
  put(gpu.power, rc, milliwatts * 1e-3);
  if (gpu.power != kNone) out[gpu.power].taken_ns = refreshed;
  if (gpu.power_instant != kNone) {
    nvmlFieldValue_t field{};
    field.fieldId = NVML_FI_DEV_POWER_INSTANT;
    rc = api.field_values(gpu.device, 1, &field);
    if (rc == NVML_SUCCESS) rc = field.nvmlReturn;
    double watts = 0.0;
    switch (field.valueType) {
      case NVML_VALUE_TYPE_DOUBLE: watts = field.value.dVal * 1e-3; break;
      case NVML_VALUE_TYPE_UNSIGNED_LONG:
      case NVML_VALUE_TYPE_UNSIGNED_LONG_LONG: watts = static_cast<double>(field.value.ullVal) * 1e-3; break;
      case NVML_VALUE_TYPE_SIGNED_LONG_LONG: watts = static_cast<double>(field.value.sllVal) * 1e-3; break;
      case NVML_VALUE_TYPE_SIGNED_INT: watts = field.value.siVal * 1e-3; break;
      default: watts = field.value.uiVal * 1e-3; break;
    }
    put(gpu.power_instant, rc, watts);
    out[gpu.power_instant].taken_ns = refreshed == 0 ? 0 : refreshed - instant_lead_ns(gpu);
  }
  if (gpu.utilization != kNone) {
    nvmlUtilization_t utilization{};
    rc = api.utilization(gpu.device, &utilization);
    put(gpu.utilization, rc, utilization.gpu);
    put(gpu.memory_utilization, rc, utilization.memory);
  }
  // The memory fields once every NvmlSchedule::memory, on the schedule's beat; else no value.
  const bool memory_due = read_ns >= gpu.memory_due_ns;
  if (memory_due) {
    const std::int64_t period = std::chrono::nanoseconds(schedule_.memory).count();
    gpu.memory_due_ns = gpu.memory_due_ns + period > read_ns ? gpu.memory_due_ns + period : read_ns + period;
  } else {
    for (const std::size_t channel : {gpu.memory_used, gpu.memory_total, gpu.power_limit, gpu.process_memory}) {
      if (channel != kNone) out[channel] = {};
    }
  }
  if (memory_due && gpu.memory_used != kNone) {
    nvmlMemory_t memory{};
    rc = api.memory(gpu.device, &memory);
    put(gpu.memory_used, rc, static_cast<double>(memory.used));
    put(gpu.memory_total, rc, static_cast<double>(memory.total));
  }
  if (gpu.sm_clock != kNone) {
    unsigned int megahertz = 0;
    rc = api.clock(gpu.device, NVML_CLOCK_SM, &megahertz);
    put(gpu.sm_clock, rc, megahertz * 1e6);
  }
  if (gpu.temperature != kNone) {
    unsigned int celsius = 0;
    rc = api.temperature(gpu.device, NVML_TEMPERATURE_GPU, &celsius);
    put(gpu.temperature, rc, celsius);
  }
  if (memory_due && gpu.power_limit != kNone) {
    unsigned int limit = 0;
    rc = api.power_limit(gpu.device, &limit);
    put(gpu.power_limit, rc, limit * 1e-3);
  }
  if (memory_due && gpu.process_memory != kNone) {
    tree_->update();
    unsigned int count = static_cast<unsigned int>(processes_.size());
    rc = api.running_processes(gpu.device, &count, processes_.data());
    double bytes = 0.0;
    for (unsigned int i = 0; rc == NVML_SUCCESS && i < count; ++i) {
      if (in_tree(processes_[i].pid)) bytes += static_cast<double>(processes_[i].usedGpuMemory);
    }
    put(gpu.process_memory, rc, bytes);
  }
  if (gpu.lost) {
    // One call saying the GPU is lost fails all of its channels from this tick on.
    for (std::size_t c = 0; c < channels_.size(); ++c) {
      if (channels_[c].scope == gpu.scope) out[c].status = ReadStatus::gone;
    }
  }
}

void NvmlSource::observe_power(Gpu& gpu, nvmlReturn_t rc, unsigned int milliwatts, std::int64_t read_ns) {
  // The poller reads the counter within `energy` again once the power goes unread.
  if (!gpu.power_unread.exchange(rc != NVML_SUCCESS) && rc != NVML_SUCCESS) poke_poller();
  if (rc != NVML_SUCCESS) return;
  std::lock_guard lock(gpu.clock_mutex);
  gpu.power_clock.observe(milliwatts, read_ns);
  gpu.watched_mw = milliwatts;
  // The first power seen stands for the counter's read on opening, made just before: shifts are
  // followed from the start, not only from the poller's first read of the counter.
  if (gpu.counted_mw == 0) gpu.counted_mw = milliwatts;
}

void NvmlSource::poke_poller() {
  {
    std::lock_guard lock(poller_mutex_);
    if (poller_poked_) return;
    poller_poked_ = true;
  }
  poller_sleeper_.wake();
}

void NvmlSource::on_mark() {
  if (!schedule_.mark || !poller_.joinable()) return;
  {
    std::lock_guard lock(poller_mutex_);
    poller_marked_ = true;
    poller_poked_ = true;
  }
  poller_sleeper_.wake();
}

bool NvmlSource::power_shifted(Gpu& gpu) {
  if (schedule_.shift <= 0.0) return false;
  std::lock_guard lock(gpu.clock_mutex);
  if (gpu.counted_mw == 0) return false;  // no power seen yet: nothing to shift from
  const double moved = std::abs(static_cast<double>(gpu.watched_mw) - static_cast<double>(gpu.counted_mw));
  return moved > schedule_.shift * std::max(gpu.counted_mw, 1000u);  // against 1 W at least
}

std::int64_t NvmlSource::watch_refresh(Gpu& gpu) {
  unsigned int milliwatts = 0;
  const auto rc = nvml_->api().power_usage(gpu.device, &milliwatts);
  const std::int64_t read_ns = monotonic_now_ns();
  observe_power(gpu, rc, milliwatts, read_ns);
  return read_ns;
}

std::optional<std::int64_t> NvmlSource::refreshed_by(Gpu& gpu, std::int64_t t_ns) {
  std::lock_guard lock(gpu.clock_mutex);
  return gpu.power_clock.last_refresh(t_ns);
}

std::int64_t NvmlSource::instant_lead_ns(Gpu& gpu) {
  if (schedule_.instant_lead <= 0.0) return 0;  // off, the default: no lock taken on every tick
  std::lock_guard lock(gpu.clock_mutex);
  return std::llround(schedule_.instant_lead * static_cast<double>(gpu.power_clock.period_ns()));
}

std::int64_t NvmlSource::poll_energy(Gpu& gpu, bool watching) {
  if (gpu.energy == kNone) return monotonic_now_ns();
  if (!watching) clear_of_counter_refresh(gpu);
  unsigned long long millijoules = 0;
  // The power is watched on both sides of the counter's read; the counter's own call is timed
  // alone, so that its clock sees when the value was taken, not how long the power's reads took.
  std::int64_t before = 0, after = 0;
  const auto read = [&] {
    watch_refresh(gpu);
    before = monotonic_now_ns();
    const auto rc = nvml_->api().total_energy(gpu.device, &millijoules);
    after = monotonic_now_ns();
    watch_refresh(gpu);
    return rc;
  };
  auto rc = read();
  auto date = date_counter(gpu, rc, millijoules, before, after);
  if (rc == NVML_SUCCESS && date.ambiguous && !watching) {
    // A refresh came close to the call (which takes milliseconds): the value may come from
    // either side of it. Read again, clear of it.
    clear_of_counter_refresh(gpu);
    rc = read();
    date = date_counter(gpu, rc, millijoules, before, after);
  }
  const std::int64_t middle = before + (after - before) / 2;
  {
    std::lock_guard lock(gpu.clock_mutex);
    gpu.counted_mw = gpu.watched_mw;
  }
  const auto status = status_of(rc, gpu);
  gpu.energy_failed = status != ReadStatus::ok;
  // A watching read close to a refresh, which it did not show sharply, only teaches the clock; so
  // does one before the counter's clock knows its refreshes, which only the power's could date,
  // tens of milliseconds off on the H100: a watch at a step stores the reading it dates sharply.
  if (watching && status == ReadStatus::ok && (date.ambiguous || date.by_power)) return before;
  // Dated at the refresh it comes from, or halfway through the call while that is not known.
  gpu.energy_j.store(static_cast<double>(millijoules) * 1e-3, status, date.at.value_or(middle));
  return before;
}

const RefreshClock& NvmlSource::counter_dating(const Gpu& gpu) {
  return gpu.counter_clock.knows() ? gpu.counter_clock : gpu.power_clock;
}

NvmlSource::CounterDate NvmlSource::date_counter(Gpu& gpu, nvmlReturn_t rc, unsigned long long millijoules, std::int64_t before,
                                                 std::int64_t after) {
  std::lock_guard lock(gpu.clock_mutex);
  auto& counter = gpu.counter_clock;
  if (rc == NVML_SUCCESS) {
    const auto seen = counter.sharp_change();
    counter.observe(static_cast<double>(millijoules), before + (after - before) / 2);
    // The driver's two clocks have had the same period on the GPUs measured (VALIDATION.md); the
    // counter's own changes refine it from the next sharp one on.
    counter.assume_period(gpu.power_clock.period_ns());
    // A change this read showed sharply dates it.
    if (const auto sharp = counter.sharp_change(); sharp && sharp != seen && counter.knows()) return {sharp, false};
  }
  const RefreshClock& clock = counter_dating(gpu);
  const bool by_power = !counter.knows();
  const auto from = clock.last_refresh(before - kClearOfRefreshNs), to = clock.last_refresh(after + kClearOfRefreshNs);
  if (from && to && *from != *to) return {std::nullopt, true, by_power};
  return {clock.last_refresh(after), false, by_power};
}

void NvmlSource::clear_of_counter_refresh(Gpu& gpu) {
  std::int64_t now = monotonic_now_ns(), until = now;
  {
    std::lock_guard lock(gpu.clock_mutex);
    const RefreshClock& clock = counter_dating(gpu);
    const auto last = clock.period_ns() > 0 ? clock.last_refresh(now) : std::nullopt;
    if (!last) return;
    if (now - *last < kClearOfRefreshNs) until = *last + kClearOfRefreshNs;
    if (*last + clock.period_ns() - now < kClearOfRefreshNs + kCounterReadNs) until = *last + clock.period_ns() + kClearOfRefreshNs;
  }
  if (until > now) std::this_thread::sleep_for(std::chrono::nanoseconds(until - now));
}

std::optional<std::int64_t> NvmlSource::aimed_refresh_passed(Gpu& gpu, const Reading& previous, std::int64_t read_ns) {
  std::lock_guard lock(gpu.clock_mutex);
  const auto& counter = gpu.counter_clock;
  const auto late = counter.late_read();
  if (!late || !counter.knows() || previous.status != ReadStatus::ok) return std::nullopt;
  const auto period = static_cast<double>(counter.period_ns());
  // Up to the call's start: a read of 13 ms (seen on the H100) may hold a refresh from before
  // it, which its middle would take for the one aimed at.
  const auto last = counter.last_refresh(read_ns);
  if (!last || *last < previous.taken_ns) return std::nullopt;
  // The refreshes the clock put between the previous reading's and the read, against those the
  // counter's rise holds at the power last watched.
  const double predicted = std::round(static_cast<double>(*last - previous.taken_ns) / period);
  const double per_refresh_j = gpu.watched_mw * 1e-3 * period * 1e-9;
  if (predicted > kRefreshesToTell || per_refresh_j <= 0.0) return std::nullopt;
  const double more = (counter.value() * 1e-3 - previous.value) / per_refresh_j - predicted;
  return more > 0.65 && more < 1.35 ? late : std::nullopt;
}

std::chrono::steady_clock::time_point NvmlSource::next_count_of(Gpu& gpu, std::int64_t read_ns, bool first,
                                                                std::optional<std::int64_t> passed) {
  const std::int64_t step = std::chrono::nanoseconds(schedule_.watch).count();
  std::int64_t next = read_ns + step;
  {
    std::lock_guard lock(gpu.clock_mutex);
    auto& counter = gpu.counter_clock;
    if (first) {
      counter.assume_period(gpu.power_clock.period_ns());
      gpu.count_waited = false;
      gpu.count_read_ns = 0;
    }
    const auto aimed = first ? counter.first_aimed_read(read_ns, step) : std::nullopt;
    if (aimed) {
      next = *aimed;
    } else {
      next = counter.next_read(read_ns, step);
      // The refresh this watch was aimed before came before its read: the next comes a period
      // on. Once a watch, the reads wait until kLateNs before that rather than read every step
      // through the period.
      if (passed && !gpu.count_waited) {
        next = std::max(next, *passed + counter.period_ns() - kLateNs);
        gpu.count_waited = true;
      } else if (gpu.count_read_ns > 0 && counter.late_read() && read_ns - gpu.count_read_ns < counter.period_ns()) {
        // A refresh came between this watch's last read and this one, too far apart to date it
        // (a slow read, up to 13 ms on the H100, may take it in): the next comes a period after
        // the last read began at the earliest. Read through, that period took eight more reads in
        // the tests' fake (12 ms a read, on a loaded machine).
        next = std::max(next, gpu.count_read_ns + counter.period_ns() - step / 2);
      }
      gpu.count_read_ns = read_ns;
    }
  }
  return steady_at(next);
}

std::chrono::steady_clock::time_point NvmlSource::next_watch_of(Gpu& gpu, std::int64_t read_ns) {
  const std::int64_t step = std::chrono::nanoseconds(schedule_.watch).count();
  std::int64_t next = read_ns + step;
  if (gpu.aim_pending) {
    gpu.aimed_from_ns = read_ns;
    gpu.aim_pending = false;
  }
  if (schedule_.aim) {
    std::lock_guard lock(gpu.clock_mutex);
    next = gpu.power_clock.next_read(read_ns, step, gpu.aimed_from_ns);
  }
  if (next == read_ns + step) {
    // Reads a steady step apart alias with the refreshes (each change dated by a sawtooth that a
    // line through them follows); a fifth of a step either way breaks the pattern.
    gpu.jitter = gpu.jitter * 1664525u + 1013904223u;
    next += static_cast<std::int64_t>((gpu.jitter >> 8) % 1000u) * (2 * step / 5) / 1000 - step / 5;
  }
  return steady_at(next);
}

std::chrono::steady_clock::time_point NvmlSource::first_watch_of(Gpu& gpu) {
  const std::int64_t now = monotonic_now_ns();
  std::lock_guard lock(gpu.clock_mutex);
  const auto aimed = gpu.power_clock.first_aimed_read(now, std::chrono::nanoseconds(schedule_.watch).count());
  gpu.aim_pending = aimed.has_value();
  return steady_at(aimed.value_or(now));
}

std::int64_t NvmlSource::sharp_changes_of(Gpu& gpu) {
  std::lock_guard lock(gpu.clock_mutex);
  return gpu.power_clock.sharp_changes();
}

void NvmlSource::poll() {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  auto watch_until = start + std::max(schedule_.watch_first, schedule_.watch_for);
  auto stretch_begun = start;  // the watching stretch under way, or the last
  // It started after the one before had ended, and so ends once it has seen the power change
  // sharply (NvmlSchedule::watch_sharp); not the first, nor one that runs on from the one before
  // (watch_for >= watch_every: always watched).
  bool short_stretch = false;
  // A stretch of watching starts `watch_every` after the one before, but no later after that one
  // ends than the time since the start: the refresh clocks measure their period over the time
  // watched so far, and carried twice that far it could miscount a refresh (RefreshClock).
  const auto next_watch_after = [&](Clock::time_point begun, Clock::time_point ends) {
    return std::min(begun + schedule_.watch_every, ends + (ends - start));
  };
  auto next_watch = next_watch_after(start, watch_until);
  std::vector<Clock::time_point> last_energy(gpus_.size(), start);  // the counter was read on opening
  // The last shift or marker; the power counts as level from the start. Without shifts followed
  // nothing says the power stayed level, and the counter is read every `energy`.
  std::vector<Clock::time_point> last_edge(gpus_.size(), start - schedule_.energy_level);
  // Nor do power readings that fail: nothing then counts on between the counter's readings.
  const auto plain_period = [&](std::size_t i, Clock::time_point now) {
    const bool level = schedule_.shift > 0.0 && !gpus_[i]->power_unread && now - last_edge[i] >= schedule_.energy_level;
    return level ? std::max(schedule_.energy, schedule_.energy_level) : schedule_.energy;
  };
  std::vector<Clock::time_point> next_energy(gpus_.size());
  for (std::size_t i = 0; i < gpus_.size(); ++i) next_energy[i] = start + std::min(schedule_.first, plain_period(i, start));
  std::vector<Clock::time_point> next_look(gpus_.size(), start);  // each GPU's next watch of its power
  std::vector<char> for_shift(gpus_.size(), 0);  // the next counter read was brought forward by a shift
  // The counter's own watch, until its clock has seen a refresh sharply (two reads, aimed, once it
  // knows them) or it has read the counter kCountReads times: from a shift or a marker on, and
  // with counter_in_stretches also through each watching stretch of the power (from `retry` on in
  // the first).
  std::vector<Clock::time_point> next_count(gpus_.size(), start + schedule_.retry);
  std::vector<int> count_reads(gpus_.size(), 0);
  std::vector<char> counted(gpus_.size(), 0);
  std::vector<char> for_edge(gpus_.size(), 0);  // this watch was started by a shift or a marker
  // The watch's first read is aimed when it comes due, by the periods the clocks know then.
  std::vector<char> aim(gpus_.size(), 1);
  // How many changes of each GPU's power had been seen sharply when this stretch began, by its
  // watch or a tick (NvmlSchedule::watch_sharp).
  std::vector<std::int64_t> sharp_before(gpus_.size(), 0);
  const auto start_count = [&](std::size_t i, Clock::time_point at) {
    count_reads[i] = 0;
    counted[i] = 0;
    next_count[i] = at;
    aim[i] = 1;
  };
  const auto read_counter = [&](std::size_t i, Clock::time_point now, bool watching) {
    auto& gpu = *gpus_[i];
    const std::int64_t read_ns = poll_energy(gpu, watching);  // watches the power on both sides of the read
    last_energy[i] = now;
    next_energy[i] = now + (gpu.energy_failed ? schedule_.retry
                            : for_shift[i]    ? std::min(schedule_.after_shift, schedule_.energy)
                                              : plain_period(i, now));
    // A watch started by a shift keeps the read a second after for its end.
    for_shift[i] = gpu.energy_failed || (watching && for_edge[i]) ? for_shift[i] : 0;
    next_look[i] = next_watch_of(gpu, monotonic_now_ns());
    return read_ns;
  };
  std::unique_lock lock(poller_mutex_);
  for (;;) {
    auto now = Clock::now();
    if (now >= next_watch) {
      short_stretch = schedule_.watch_sharp > 0 && now >= watch_until;
      stretch_begun = now;
      watch_until = std::max(watch_until, now + schedule_.watch_for);
      next_watch = next_watch_after(now, watch_until);
      for (std::size_t i = 0; i < gpus_.size(); ++i) {
        if (schedule_.counter_in_stretches && !for_edge[i]) start_count(i, now);
        if (short_stretch && !gpus_[i]->lost) {
          sharp_before[i] = sharp_changes_of(*gpus_[i]);
          next_look[i] = first_watch_of(*gpus_[i]);
        }
      }
    }
    const bool watching = now < watch_until;
    // Once the power's clock has a period, for the counter's to take on its first sharp change.
    const auto counting = [&](std::size_t i) {
      auto& gpu = *gpus_[i];
      if (!schedule_.watch_counter || gpu.energy == kNone || gpu.lost || counted[i] || count_reads[i] >= kCountReads) return false;
      if (!for_edge[i] && !(schedule_.counter_in_stretches && watching)) return false;
      std::lock_guard clock_lock(gpu.clock_mutex);
      return gpu.power_clock.period_ns() > 0;
    };
    // A watch started by a shift or a marker stands for the read they bring forward, and for any
    // read due meanwhile.
    const auto edge_watch = [&](std::size_t i) { return for_edge[i] && counting(i); };
    // A read put off for a level power comes within `energy` of the last once the power is unread.
    for (std::size_t i = 0; i < gpus_.size(); ++i) {
      if (gpus_[i]->power_unread && !for_shift[i]) next_energy[i] = std::min(next_energy[i], last_energy[i] + schedule_.energy);
    }
    // Wake for the soonest of: a GPU's next watch, its next counter read, the next watching stretch.
    auto wake = next_watch;
    for (std::size_t i = 0; i < gpus_.size(); ++i) {
      if (!edge_watch(i)) wake = std::min(wake, next_energy[i]);
      if (watching) wake = std::min(wake, next_look[i]);
      if (counting(i)) wake = std::min(wake, next_count[i]);
    }
    if (!poller_stop_ && !poller_poked_) {
      lock.unlock();
      // steady_clock's time points are CLOCK_MONOTONIC nanoseconds, as monotonic_now_ns() reads (steady_at).
      poller_sleeper_.sleep_until(std::chrono::duration_cast<std::chrono::nanoseconds>(wake.time_since_epoch()).count());
      lock.lock();
    }
    if (poller_stop_) return;
    poller_poked_ = false;
    const bool marked = std::exchange(poller_marked_, false);
    if (marked) edges_pending_ = true;  // until this pass has started its watch, or found none to start
    lock.unlock();
    now = Clock::now();
    for (std::size_t i = 0; i < gpus_.size(); ++i) {
      auto& gpu = *gpus_[i];
      if (gpu.lost || gpu.energy == kNone) next_energy[i] = Clock::time_point::max();
      if (gpu.lost) continue;
      if (counting(i) && now >= next_count[i] && aim[i]) {
        aim[i] = 0;
        next_count[i] = next_count_of(gpu, monotonic_now_ns(), true);
      }
      if (counting(i) && now >= next_count[i]) {
        std::optional<std::int64_t> seen;
        {
          std::lock_guard clock_lock(gpu.clock_mutex);
          seen = gpu.counter_clock.sharp_change();
        }
        const Reading previous = gpu.energy_j.load();
        const std::int64_t read_ns = read_counter(i, now, true);
        ++count_reads[i];
        {
          std::lock_guard clock_lock(gpu.clock_mutex);
          const auto sharp = gpu.counter_clock.sharp_change();
          counted[i] = sharp && sharp != seen && gpu.counter_clock.knows();
        }
        next_count[i] = next_count_of(gpu, read_ns, false, counted[i] ? std::nullopt : aimed_refresh_passed(gpu, previous, read_ns));
        if (for_edge[i] && (counted[i] || count_reads[i] >= kCountReads)) {
          for_edge[i] = 0;  // its last read set the read a second on
          for_shift[i] = 0;
        } else if (counted[i] && now + kCountAgain < watch_until) {
          // Again a second on within a long stretch (the first): carried by the power's period,
          // measured over a second or two so far, the counter's phase drifts by a few milliseconds
          // a second at first.
          start_count(i, now + kCountAgain);
        }
      } else if (now >= next_energy[i] && !edge_watch(i)) {
        read_counter(i, now, false);
      } else {
        if (now < watch_until && now >= next_look[i]) next_look[i] = next_watch_of(gpu, watch_refresh(gpu));
        // Seen by this watch or by a tick's power reading (which pokes the poller); or an edge.
        // The counter is watched from there where it can be (its clock then dates the readings
        // where the power moves), else read once; read once too where the stretches watch it.
        const bool edge = marked || power_shifted(gpu);
        if (edge) last_edge[i] = now;
        if (edge && !for_edge[i]) {
          const auto soonest = std::max(now, last_energy[i] + schedule_.shift_gap);
          if (!schedule_.counter_in_stretches) {
            for_edge[i] = 1;
            start_count(i, soonest);
            if (!counting(i)) for_edge[i] = 0;
          }
          if (for_edge[i]) {
            for_shift[i] = 1;  // the watch's reads set the read a second on
          } else if (soonest < next_energy[i]) {
            next_energy[i] = soonest;
            for_shift[i] = 1;
          }
        }
      }
    }
    // A short stretch ends once each GPU whose power answers has shown it enough sharp changes;
    // the next comes by this end.
    if (short_stretch && now < watch_until) {
      bool seen = true;
      for (std::size_t i = 0; i < gpus_.size() && seen; ++i) {
        auto& gpu = *gpus_[i];
        seen = gpu.lost || gpu.power_unread || sharp_changes_of(gpu) - sharp_before[i] >= schedule_.watch_sharp;
      }
      if (seen) {
        watch_until = now;
        next_watch = next_watch_after(stretch_begun, watch_until);
        short_stretch = false;
      }
    }
    lock.lock();
    edges_pending_ = false;
    for (std::size_t i = 0; i < gpus_.size(); ++i) edges_pending_ = edges_pending_ || edge_watch(i);
    if (!edges_pending_) edges_settled_.notify_all();
  }
}

void NvmlSource::before_last_read() {
  if (poller_.joinable()) {
    std::unique_lock lock(poller_mutex_);
    edges_settled_.wait_for(lock, kSettleAtEnd, [this] { return !poller_marked_ && !edges_pending_; });
  }
  for (auto& gpu : gpus_) {
    gpu->memory_due_ns = 0;  // the last tick reads the memory fields too
    if (gpu->lost) continue;
    poll_energy(*gpu);
    // A transient failure here would leave the run's joules at the last good reading, up to
    // `energy` old: the last reading is tried again at once.
    if (gpu->energy_failed && !gpu->lost) poll_energy(*gpu);
  }
}

}  // namespace powerfit::sensors
