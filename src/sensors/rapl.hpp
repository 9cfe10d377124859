#pragma once
// CPU package, core, uncore, DRAM and platform (psys) energy through RAPL, read four ways: the
// powercap sysfs tree (intel-rapl, and intel-rapl-mmio), the perf_event `power` PMU, and the
// energy-status MSRs. Each domain is read by the first method that can read it and whose counter
// moves (powercap, else MMIO, else perf_event, else MSR); the choice is part of the channel's
// source name. A package's dies are parts of it: a later method's whole package is the same
// energy as an earlier one's dies, and is left out.
//
// The sum `rapl.energy` counts packages and DRAM only: core and uncore are parts of their package,
// and psys covers the package too, so adding them would count the same joules twice. Where no
// package domain is usable, psys alone stands for the CPU.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/counters.hpp"
#include "sensors/proc_file.hpp"
#include "sensors/source.hpp"

namespace powerfit::sensors {

struct RaplDomain {
  std::string key;   // "package-0", "dram-0", "core-1", "uncore-0", "psys"; "package-0-die-1"
  std::string kind;  // "package", "dram", "core", "uncore", "psys"
  int package = 0;
  int die = -1;  // on processors of several dies a package, which one (-1: the whole package)
  double wrap_j = 0.0;  // the counter's modulus in joules, as CounterLimits::wrap_at (0: never wraps)
};

struct EnergyReading {
  double joules = 0.0;
  ReadStatus status = ReadStatus::ok;
};

// One way of reading RAPL counters.
class RaplMethod {
 public:
  virtual ~RaplMethod() = default;
  virtual std::string_view name() const = 0;
  // The domains this method can read. When it finds none, `problem` says why (with the fix).
  virtual std::vector<RaplDomain> discover(std::string& problem) = 0;
  // The raw, wrapping counter of discovered domain `index`, in joules.
  virtual EnergyReading read(std::size_t index) = 0;
};

// The perf_event system calls, behind a seam so tests can stand in for the kernel.
struct PerfEventCalls {
  // Returns a file descriptor, or -errno.
  std::function<int(std::uint32_t type, std::uint64_t config, int cpu)> open;
  std::function<std::optional<std::uint64_t>(int fd)> read;
  std::function<void(int fd)> close;
  static PerfEventCalls kernel();
};

std::unique_ptr<RaplMethod> make_powercap_method(const Roots& roots);
std::unique_ptr<RaplMethod> make_powercap_mmio_method(const Roots& roots);
std::unique_ptr<RaplMethod> make_perf_event_method(const Roots& roots, PerfEventCalls calls);
std::unique_ptr<RaplMethod> make_msr_method(const Roots& roots);

class RaplSource final : public Source {
 public:
  // `settle` runs between the two readings that check each counter moves; by default it sleeps
  // 20 ms (RAPL counters update about every millisecond).
  RaplSource(std::vector<std::unique_ptr<RaplMethod>> methods, std::function<void()> settle = {});
  std::string_view name() const override { return "rapl"; }
  Availability open() override;
  void read(std::span<Reading> out) override;

 private:
  struct Chosen {
    RaplMethod* method;
    std::size_t index;
    RaplDomain domain;
    std::size_t channel;
    bool in_total;
    CounterTracker counter;  // this domain's part of the sum, under the same rules as a channel
  };

  std::vector<std::unique_ptr<RaplMethod>> methods_;
  std::function<void()> settle_;
  std::vector<Chosen> chosen_;
  std::vector<std::string> notes_;
  std::size_t total_channel_ = static_cast<std::size_t>(-1);
};

// All three methods on the real machine (or fixture roots).
std::unique_ptr<RaplSource> make_rapl_source(const Roots& roots, std::function<void()> settle = {});

}  // namespace powerfit::sensors
