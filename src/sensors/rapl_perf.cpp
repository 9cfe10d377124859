// RAPL through the perf_event `power` PMU: /sys/bus/event_source/devices/power/{type,cpumask,
// events/energy-*}, one counter per package on the CPU that cpumask names. The kernel keeps the
// count in 64 bits, so it does not wrap.

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/text.hpp"
#include "sensors/rapl.hpp"

namespace powerfit::sensors {
namespace {


// "0", "0,28", "0-1,4": the CPUs a PMU counts on.
std::vector<int> parse_cpu_list(std::string_view list) {
  std::vector<int> cpus;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = list.substr(0, comma);
    const auto dash = item.find('-');
    const auto first = text::to_u64(item.substr(0, dash));
    const auto last = dash == std::string_view::npos ? first : text::to_u64(item.substr(dash + 1));
    if (first && last) {
      for (auto cpu = *first; cpu <= *last; ++cpu) cpus.push_back(static_cast<int>(cpu));
    }
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
  }
  return cpus;
}

struct PerfEvent {
  const char* file;
  const char* kind;
};
constexpr PerfEvent kEvents[] = {
    {"energy-pkg", "package"}, {"energy-ram", "dram"}, {"energy-cores", "core"},
    {"energy-gpu", "uncore"},  {"energy-psys", "psys"},
};

class PerfEventMethod final : public RaplMethod {
 public:
  PerfEventMethod(Roots roots, PerfEventCalls calls) : roots_(std::move(roots)), calls_(std::move(calls)) {}
  ~PerfEventMethod() override {
    for (const auto& counter : counters_) calls_.close(counter.fd);
  }
  std::string_view name() const override { return "perf_event"; }

  std::vector<RaplDomain> discover(std::string& problem) override {
    const auto pmu = roots_.sys / "bus" / "event_source" / "devices" / "power";
    const auto type = text::to_u64(read_trimmed(pmu / "type"));
    if (!type) {
      problem = "perf_event: no `power` PMU (file absent: " + (pmu / "type").string() + ")";
      return {};
    }
    const auto cpus = parse_cpu_list(read_trimmed(pmu / "cpumask"));
    std::vector<RaplDomain> domains;
    for (const auto& event : kEvents) {
      const auto spec = read_trimmed(pmu / "events" / event.file);
      const auto at = spec.find("event=");
      if (at == std::string::npos) continue;
      std::uint64_t config = 0;
      try {
        config = std::stoull(spec.substr(at + 6), nullptr, 0);
      } catch (...) {
        continue;
      }
      const double scale = text::to_double(read_trimmed(pmu / "events" / (std::string(event.file) + ".scale"))).value_or(1.0);
      for (const int cpu : cpus) {
        const int package = package_of(cpu);
        const std::string kind = event.kind;
        if (kind == "psys" && !domains.empty() && domains.back().kind == "psys") break;
        const int fd = calls_.open(static_cast<std::uint32_t>(*type), config, cpu);
        if (fd < 0) {
          problem = explain(-fd);
          continue;
        }
        counters_.push_back({fd, scale});
        domains.push_back({.key = kind == "psys" ? "psys" : kind + "-" + std::to_string(package),
                           .kind = kind,
                           .package = package});
      }
    }
    if (domains.empty() && problem.empty()) problem = "perf_event: the `power` PMU lists no energy event";
    if (!domains.empty()) problem.clear();
    return domains;
  }

  EnergyReading read(std::size_t index) override {
    const auto& counter = counters_[index];
    const auto count = calls_.read(counter.fd);
    if (!count) return {0.0, ReadStatus::io_error};
    return {static_cast<double>(*count) * counter.scale, ReadStatus::ok};
  }

 private:
  struct Counter {
    int fd;
    double scale;  // joules per count, from events/energy-*.scale
  };

  int package_of(int cpu) const {
    const auto id = read_trimmed(roots_.sys / "devices" / "system" / "cpu" / ("cpu" + std::to_string(cpu)) /
                                 "topology" / "physical_package_id");
    return static_cast<int>(text::to_u64(id).value_or(0));
  }

  std::string explain(int error) const {
    if (error == EACCES || error == EPERM) {
      const auto paranoid = read_trimmed(roots_.proc / "sys" / "kernel" / "perf_event_paranoid");
      return "perf_event: permission denied (perf_event_paranoid is " + (paranoid.empty() ? "?" : paranoid) +
             "); fix: `sudo sysctl kernel.perf_event_paranoid=0`, or run powerfit as root or with CAP_PERFMON";
    }
    return std::string("perf_event: cannot open the energy event: ") + std::strerror(error);
  }

  Roots roots_;
  PerfEventCalls calls_;
  std::vector<Counter> counters_;
};

}  // namespace

PerfEventCalls PerfEventCalls::kernel() {
  return {
      .open =
          [](std::uint32_t type, std::uint64_t config, int cpu) {
            perf_event_attr attr{};
            attr.type = type;
            attr.size = sizeof attr;
            attr.config = config;
            const long fd = ::syscall(SYS_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
            return fd < 0 ? -errno : static_cast<int>(fd);
          },
      .read =
          [](int fd) -> std::optional<std::uint64_t> {
            std::uint64_t count = 0;
            if (::read(fd, &count, sizeof count) != static_cast<ssize_t>(sizeof count)) return std::nullopt;
            return count;
          },
      .close = [](int fd) { ::close(fd); },
  };
}

std::unique_ptr<RaplMethod> make_perf_event_method(const Roots& roots, PerfEventCalls calls) {
  return std::make_unique<PerfEventMethod>(roots, std::move(calls));
}

}  // namespace powerfit::sensors
