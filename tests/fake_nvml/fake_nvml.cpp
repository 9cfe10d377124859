// A stand-in for libnvidia-ml.so.1, built by the test suite so that powerfit's real dlopen path
// can be exercised without a GPU. It implements the NVML functions powerfit binds, with values
// and errors scripted through the fake_nvml_* control functions (tests reach them with dlsym on
// the same library, which the loader shares with powerfit's handle).

#include <time.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "sensors/nvml_api.hpp"

namespace {

struct FakeGpu {
  std::string name = "Fake GPU";
  std::string uuid;
  std::map<std::string, double> values{
      {"energy_mj", 1000.0}, {"power_mw", 70000.0}, {"instant_mw", 71000.0}, {"util_gpu", 0.0},
      {"util_memory", 0.0},  {"memory_used", 1e9},  {"sm_clock_mhz", 1980.0}, {"temperature", 40.0},
      {"power_limit_mw", 700000.0}, {"pcie_tx_kb", 100.0}, {"pcie_rx_kb", 200.0}};
  std::map<std::string, nvmlReturn_t> errors;  // by value name, or "*" for every call
  // Faults on every n-th call of a value: an error, or (NVML_SUCCESS) a reading of 0.
  struct Every {
    int n = 0;
    nvmlReturn_t rc = NVML_SUCCESS;
    int calls = 0;
  };
  std::map<std::string, Every> every;
  std::map<std::string, int> calls;  // how often each value was asked for
  std::vector<std::string> first_asked;  // each value, in the order first asked for
  std::map<std::string, std::vector<double>> asked_at;  // on a simulated card: when (seconds since its origin)
  std::vector<nvmlProcessInfo_t> processes;
  std::vector<nvmlProcessUtilizationSample_t> samples;
  // A simulated card: power follows `steps` (seconds since `origin_ns`, watts), and the energy
  // counter and both power readings refresh every `refresh_s`, as real drivers do.
  bool simulated = false;
  std::int64_t origin_ns = 0;
  double refresh_s = 0.1;
  std::vector<std::pair<double, double>> steps;  // from this time on, this power
  double gauge_offset_w = 0.0;  // both power readings show this much more than the counter counts
  // The counter refreshes this long after the power readings, on the same period: a real card's
  // two refreshes are not in step (VALIDATION.md, "The counter's own refresh").
  double counter_delay_s = 0.0;
  // The counter's own period (0: the power's). Powerfit's clock for it takes the power's period
  // until it has measured its own: a different one is how a clock that predicts wrong is made.
  double counter_period_s = 0.0;
};

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double power_at(const FakeGpu& gpu, double t) {
  double watts = 0.0;
  for (const auto& [from, power] : gpu.steps) {
    if (from <= t) watts = power;
  }
  return watts;
}

double energy_until(const FakeGpu& gpu, double t) {
  double joules = 0.0;
  for (std::size_t i = 0; i < gpu.steps.size(); ++i) {
    const double from = std::max(gpu.steps[i].first, 0.0);
    const double to = std::min(i + 1 < gpu.steps.size() ? gpu.steps[i + 1].first : t, t);
    if (to > from) joules += gpu.steps[i].second * (to - from);
  }
  return joules;
}

// What the simulated card shows at monotonic time `now_ns`: values as of its last refresh.
double simulated_value(const FakeGpu& gpu, const std::string& what, std::int64_t now_ns) {
  const double t = static_cast<double>(now_ns - gpu.origin_ns) * 1e-9;
  const double refreshed = std::floor(t / gpu.refresh_s) * gpu.refresh_s;
  if (what == "energy_mj") {
    const double delay = gpu.counter_delay_s;
    const double period = gpu.counter_period_s > 0.0 ? gpu.counter_period_s : gpu.refresh_s;
    return 1000.0 + 1e3 * energy_until(gpu, std::floor((t - delay) / period) * period + delay);
  }
  if (what == "power_mw" || what == "instant_mw") return 1e3 * (power_at(gpu, refreshed) + gpu.gauge_offset_w);
  return gpu.values.at(what);
}

std::mutex g_mutex;
// One GPU unless FAKE_NVML_GPUS says how many (for a process that cannot script it: a benchmark).
// FAKE_NVML_WATTS ("100,110,...") simulates each GPU at a constant power from the library's load,
// for a process that cannot script it (powerfit run in a test of several ranks); with
// FAKE_NVML_WIGGLE (watts) added 0, 1 or 2 times over at each refresh of its first 10 minutes,
// so that the reading changes at every refresh as a real card's does (a benchmark of watching it).
std::vector<FakeGpu> initial_gpus() {
  const char* count = std::getenv("FAKE_NVML_GPUS");
  std::vector<FakeGpu> gpus(count != nullptr ? std::max(1, std::atoi(count)) : 1);
  for (std::size_t i = 0; i < gpus.size(); ++i) gpus[i].uuid = "GPU-fake-" + std::to_string(i);
  if (const char* watts = std::getenv("FAKE_NVML_WATTS")) {
    const char* next = watts;
    for (auto& gpu : gpus) {
      char* end = nullptr;
      const double power = std::strtod(next, &end);
      if (end == next) break;
      gpu.simulated = true;
      gpu.origin_ns = monotonic_ns();
      gpu.steps = {{-1.0, power}};
      if (const char* wiggle = std::getenv("FAKE_NVML_WIGGLE")) {
        for (int k = 0; k < 6000; ++k) gpu.steps.emplace_back(k * gpu.refresh_s, power + std::atof(wiggle) * (k % 3));
      }
      next = *end == ',' ? end + 1 : end;
    }
  }
  return gpus;
}
std::vector<FakeGpu> g_gpus = initial_gpus();
std::atomic<long long> g_counter_read_ns{0};  // how long a read of the counter takes
// FAKE_NVML_COUNTER_READ_MS: each read of the counter takes that long (a real one about 3 ms).
// FAKE_NVML_REPORT: at exit (or when unloaded), how often NVML was initialised and shut down, and
// how often each value of the first GPU was read, go to stderr.
int g_inits = 0;
int g_shutdowns = 0;
const bool g_environment_read = [] {
  if (const char* ms = std::getenv("FAKE_NVML_COUNTER_READ_MS")) g_counter_read_ns = static_cast<long long>(std::atof(ms) * 1e6);
  if (std::getenv("FAKE_NVML_REPORT") != nullptr) {
    std::atexit([] {
      std::fprintf(stderr, "fake_nvml: nvmlInit called %d times, nvmlShutdown %d times\n", g_inits, g_shutdowns);
      for (const auto& [what, n] : g_gpus.at(0).calls) std::fprintf(stderr, "fake_nvml: %s read %d times\n", what.c_str(), n);
    });
  }
  return true;
}();
nvmlReturn_t g_init_error = NVML_SUCCESS;
int g_initialised = 0;

FakeGpu* gpu_of(nvmlDevice_t device) {
  const auto index = reinterpret_cast<std::uintptr_t>(device) - 1;
  return index < g_gpus.size() ? &g_gpus[index] : nullptr;
}

// The scripted error for this value, if any; GPU_IS_LOST under "*" fails everything.
nvmlReturn_t error_for(const FakeGpu& gpu, const std::string& what) {
  if (const auto all = gpu.errors.find("*"); all != gpu.errors.end()) return all->second;
  if (const auto one = gpu.errors.find(what); one != gpu.errors.end()) return one->second;
  return NVML_SUCCESS;
}

// The reading itself, under g_mutex.
template <typename T>
nvmlReturn_t get_now(nvmlDevice_t device, const std::string& what, T* out, double scale) {
  FakeGpu* gpu = gpu_of(device);
  if (!gpu) return NVML_ERROR_INVALID_ARGUMENT;
  if (gpu->calls[what]++ == 0) gpu->first_asked.push_back(what);
  if (const auto rc = error_for(*gpu, what); rc != NVML_SUCCESS) return rc;
  if (auto fault = gpu->every.find(what); fault != gpu->every.end() && ++fault->second.calls % fault->second.n == 0) {
    if (fault->second.rc != NVML_SUCCESS) return fault->second.rc;
    *out = static_cast<T>(0);
    return NVML_SUCCESS;
  }
  const std::int64_t now = monotonic_ns();
  if (gpu->simulated) gpu->asked_at[what].push_back(static_cast<double>(now - gpu->origin_ns) * 1e-9);
  const double value = gpu->simulated ? simulated_value(*gpu, what, now) : gpu->values[what];
  *out = static_cast<T>(value * scale);
  return NVML_SUCCESS;
}

template <typename T>
nvmlReturn_t get(nvmlDevice_t device, const std::string& what, T* out, double scale = 1.0) {
  if (what == "energy_mj") {
    if (const long long ns = g_counter_read_ns.load(); ns > 0) {
      // Half the read before the value is taken, half after, as a driver call that takes its time.
      const timespec half{static_cast<time_t>(ns / 2 / 1'000'000'000), static_cast<long>(ns / 2 % 1'000'000'000)};
      ::nanosleep(&half, nullptr);
      nvmlReturn_t rc = NVML_SUCCESS;
      {
        std::lock_guard lock(g_mutex);
        rc = get_now(device, what, out, scale);
      }
      ::nanosleep(&half, nullptr);
      return rc;
    }
  }
  std::lock_guard lock(g_mutex);
  return get_now(device, what, out, scale);
}
}  // namespace

extern "C" {

// Control interface for the tests.
void fake_nvml_reset(int gpus) {
  std::lock_guard lock(g_mutex);
  g_gpus.assign(static_cast<std::size_t>(gpus), FakeGpu{});
  for (int i = 0; i < gpus; ++i) g_gpus[i].uuid = "GPU-fake-" + std::to_string(i);
  g_init_error = NVML_SUCCESS;
  g_counter_read_ns = 0;
}
void fake_nvml_set(int gpu, const char* what, double value) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).values[what] = value;
}
void fake_nvml_fail(int gpu, const char* what, int nvml_return) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).errors[what] = nvml_return;
}
void fake_nvml_fail_init(int nvml_return) { g_init_error = nvml_return; }
// Every n-th call reading `what` fails with `nvml_return`, or reads 0 where that is NVML_SUCCESS.
void fake_nvml_fail_every(int gpu, const char* what, int n, int nvml_return) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).every[what] = {n, static_cast<nvmlReturn_t>(nvml_return), 0};
}
// Simulates the card from monotonic time `origin_ns` on, refreshed every `refresh_s`; power
// steps are added with fake_nvml_power_from.
void fake_nvml_simulate(int gpu, long long origin_ns, double refresh_s) {
  std::lock_guard lock(g_mutex);
  auto& card = g_gpus.at(gpu);
  card.simulated = true;
  card.origin_ns = origin_ns;
  card.refresh_s = refresh_s;
  card.steps.clear();
}
void fake_nvml_power_from(int gpu, double seconds, double watts) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).steps.emplace_back(seconds, watts);
}
// The simulated card's power readings `watts` above the power its counter counts: a real gauge's
// error is not the same share of idle and of load.
void fake_nvml_gauge_offset(int gpu, double watts) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).gauge_offset_w = watts;
}
// Each read of the counter takes `seconds` (a real one about 3 ms), its value taken halfway.
void fake_nvml_counter_read_time(double seconds) { g_counter_read_ns = static_cast<long long>(seconds * 1e9); }
// The simulated counter refreshes `seconds` after the power readings.
void fake_nvml_counter_delay(int gpu, double seconds) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).counter_delay_s = seconds;
}
// The simulated counter refreshes every `seconds` (0: with the power).
void fake_nvml_counter_period(int gpu, double seconds) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).counter_period_s = seconds;
}
// The simulated counter as a reader would see it at monotonic time `at_ns`, in joules.
double fake_nvml_counter_at(int gpu, long long at_ns) {
  std::lock_guard lock(g_mutex);
  return simulated_value(g_gpus.at(gpu), "energy_mj", at_ns) * 1e-3;
}
void fake_nvml_add_process(int gpu, unsigned int pid, unsigned long long memory, unsigned int sm_util) {
  std::lock_guard lock(g_mutex);
  g_gpus.at(gpu).processes.push_back({pid, memory, 0, 0});
  g_gpus.at(gpu).samples.push_back({pid, 1000 + g_gpus.at(gpu).samples.size(), sm_util, 0, 0, 0});
}
int fake_nvml_initialised() { return g_initialised; }

int fake_nvml_calls(int gpu, const char* what) {
  std::lock_guard lock(g_mutex);
  const auto found = g_gpus.at(static_cast<std::size_t>(gpu)).calls.find(what);
  return found == g_gpus.at(static_cast<std::size_t>(gpu)).calls.end() ? 0 : found->second;
}

// How often `what` was asked for on the simulated `gpu` between `from` and `to`, seconds since its origin.
int fake_nvml_calls_within(int gpu, const char* what, double from, double to) {
  std::lock_guard lock(g_mutex);
  const auto& asked = g_gpus.at(static_cast<std::size_t>(gpu)).asked_at;
  const auto found = asked.find(what);
  if (found == asked.end()) return 0;
  return static_cast<int>(std::count_if(found->second.begin(), found->second.end(), [&](double t) { return t >= from && t < to; }));
}

// The name of the value first asked for `place`-th (from 0) on `gpu`, or null past the last.
const char* fake_nvml_first_asked(int gpu, int place) {
  std::lock_guard lock(g_mutex);
  const auto& asked = g_gpus.at(static_cast<std::size_t>(gpu)).first_asked;
  return place >= 0 && static_cast<std::size_t>(place) < asked.size() ? asked[static_cast<std::size_t>(place)].c_str() : nullptr;
}

// The NVML functions powerfit binds.
nvmlReturn_t nvmlInit_v2() {
  if (g_init_error != NVML_SUCCESS) return g_init_error;
  ++g_initialised;
  ++g_inits;
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlShutdown() {
  --g_initialised;
  ++g_shutdowns;
  return NVML_SUCCESS;
}
const char* nvmlErrorString(nvmlReturn_t code) {
  switch (code) {
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    default: return "Unknown Error";
  }
}
nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  std::strncpy(version, "999.99.fake", length);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) {
  std::lock_guard lock(g_mutex);
  *count = static_cast<unsigned int>(g_gpus.size());
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  std::lock_guard lock(g_mutex);
  if (index >= g_gpus.size()) return NVML_ERROR_INVALID_ARGUMENT;
  *device = reinterpret_cast<nvmlDevice_t>(static_cast<std::uintptr_t>(index) + 1);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  std::lock_guard lock(g_mutex);
  std::strncpy(name, gpu_of(device)->name.c_str(), length);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
  std::lock_guard lock(g_mutex);
  std::strncpy(uuid, gpu_of(device)->uuid.c_str(), length);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long* energy) {
  return get(device, "energy_mj", energy);
}
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int* power) { return get(device, "power_mw", power); }
nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int count, nvmlFieldValue_t* values) {
  for (int i = 0; i < count; ++i) {
    values[i].valueType = NVML_VALUE_TYPE_UNSIGNED_INT;
    values[i].nvmlReturn = values[i].fieldId == NVML_FI_DEV_POWER_INSTANT
                               ? get(device, "instant_mw", &values[i].value.uiVal)
                               : NVML_ERROR_NOT_SUPPORTED;
  }
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t* utilization) {
  const auto rc = get(device, "util_gpu", &utilization->gpu);
  return rc != NVML_SUCCESS ? rc : get(device, "util_memory", &utilization->memory);
}
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  memory->total = 80'000'000'000ull;
  const auto rc = get(device, "memory_used", &memory->used);
  memory->free = memory->total - memory->used;
  return rc;
}
nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, int, unsigned int* clock) { return get(device, "sm_clock_mhz", clock); }
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int, unsigned int* celsius) {
  return get(device, "temperature", celsius);
}
nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int* limit) {
  return get(device, "power_limit_mw", limit);
}
nvmlReturn_t nvmlDeviceGetPcieThroughput(nvmlDevice_t device, int counter, unsigned int* value) {
  return get(device, counter == NVML_PCIE_UTIL_TX_BYTES ? "pcie_tx_kb" : "pcie_rx_kb", value);
}
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, unsigned int* count, nvmlProcessInfo_t* infos) {
  std::lock_guard lock(g_mutex);
  FakeGpu* gpu = gpu_of(device);
  if (const auto rc = error_for(*gpu, "processes"); rc != NVML_SUCCESS) return rc;
  if (*count < gpu->processes.size()) {
    *count = static_cast<unsigned int>(gpu->processes.size());
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  *count = static_cast<unsigned int>(gpu->processes.size());
  std::copy(gpu->processes.begin(), gpu->processes.end(), infos);
  return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetProcessUtilization(nvmlDevice_t device, nvmlProcessUtilizationSample_t* samples,
                                             unsigned int* count, unsigned long long last_seen) {
  std::lock_guard lock(g_mutex);
  FakeGpu* gpu = gpu_of(device);
  ++gpu->calls["process_utilization"];
  if (const auto rc = error_for(*gpu, "processes"); rc != NVML_SUCCESS) return rc;
  unsigned int written = 0;
  for (const auto& sample : gpu->samples) {
    if (sample.timeStamp <= last_seen || written >= *count) continue;
    samples[written++] = sample;
  }
  *count = written;
  return written == 0 ? NVML_ERROR_NOT_FOUND : NVML_SUCCESS;
}

}  // extern "C"
