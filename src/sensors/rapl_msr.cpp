// RAPL through the model-specific registers, /dev/cpu/N/msr (the msr module; root or
// CAP_SYS_RAWIO): the power-unit register gives the energy unit, the energy-status registers are
// 32-bit counters of that unit. One CPU per package is read.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <filesystem>
#include <map>

#include "core/text.hpp"
#include "sensors/rapl.hpp"

namespace powerfit::sensors {
namespace {

struct Register {
  std::uint32_t address;
  const char* kind;
};

constexpr std::uint32_t kIntelPowerUnit = 0x606;
constexpr Register kIntelRegisters[] = {
    {0x611, "package"}, {0x639, "core"}, {0x641, "uncore"}, {0x619, "dram"}, {0x64D, "psys"},
};
// AMD family 17h (Zen) and later.
constexpr std::uint32_t kAmdPowerUnit = 0xC0010299;
constexpr Register kAmdRegisters[] = {{0xC001029B, "package"}};


struct CpuVendor {
  bool intel = false;
  bool amd_zen = false;
};

CpuVendor cpu_vendor(const Roots& roots) {
  CpuVendor vendor;
  const auto cpuinfo = read_text_file(roots.proc / "cpuinfo");
  if (!cpuinfo) return vendor;
  std::string_view content = *cpuinfo;
  std::string vendor_id;
  std::uint64_t family = 0;
  while (!content.empty()) {
    const auto line = text::next_line(content);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto key = text::trim(line.substr(0, colon));
    const auto value = text::trim(line.substr(colon + 1));
    if (key == "vendor_id" && vendor_id.empty()) vendor_id = std::string(value);
    if (key == "cpu family" && family == 0) family = text::to_u64(value).value_or(0);
    if (!vendor_id.empty() && family != 0) break;
  }
  vendor.intel = vendor_id == "GenuineIntel";
  vendor.amd_zen = (vendor_id == "AuthenticAMD" || vendor_id == "HygonGenuine") && family >= 0x17;
  return vendor;
}

class MsrMethod final : public RaplMethod {
 public:
  explicit MsrMethod(Roots roots) : roots_(std::move(roots)) {}
  ~MsrMethod() override {
    for (const auto& [cpu, fd] : fds_) ::close(fd);
  }
  std::string_view name() const override { return "msr"; }

  std::vector<RaplDomain> discover(std::string& problem) override {
    const auto vendor = cpu_vendor(roots_);
    if (!vendor.intel && !vendor.amd_zen) {
      problem = "msr: not supported here (RAPL MSRs exist on Intel and on AMD family 17h and later)";
      return {};
    }
    const std::uint32_t unit_register = vendor.intel ? kIntelPowerUnit : kAmdPowerUnit;
    const std::span<const Register> registers = vendor.intel ? std::span<const Register>(kIntelRegisters)
                                                             : std::span<const Register>(kAmdRegisters);
    std::vector<RaplDomain> domains;
    bool psys_taken = false;
    for (const auto& [package, cpu] : first_cpu_per_package()) {
      const auto path = roots_.dev / "cpu" / std::to_string(cpu) / "msr";
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        problem = errno == ENOENT ? "msr: file absent: " + path.string() + " (fix: `sudo modprobe msr`)"
                                  : "msr: permission denied: " + path.string() + " (needs root or CAP_SYS_RAWIO)";
        continue;
      }
      fds_[cpu] = fd;
      const auto units = read_register(fd, unit_register);
      if (!units) continue;
      // Bits 12:8 hold the energy status unit: counts of 1/2^ESU joules.
      const double joules_per_count = std::ldexp(1.0, -static_cast<int>((*units >> 8) & 0x1f));
      for (const auto& reg : registers) {
        const std::string kind = reg.kind;
        if (kind == "psys" && psys_taken) continue;
        if (!read_register(fd, reg.address)) continue;  // not implemented on this model
        psys_taken = psys_taken || kind == "psys";
        counters_.push_back({fd, reg.address, joules_per_count});
        domains.push_back({.key = kind == "psys" ? "psys" : kind + "-" + std::to_string(package),
                           .kind = kind,
                           .package = package,
                           .wrap_j = 4294967296.0 * joules_per_count});
      }
    }
    if (!domains.empty()) problem.clear();
    if (domains.empty() && problem.empty()) problem = "msr: no readable energy register";
    return domains;
  }

  EnergyReading read(std::size_t index) override {
    const auto& counter = counters_[index];
    const auto value = read_register(counter.fd, counter.address);
    if (!value) return {0.0, ReadStatus::io_error};
    return {static_cast<double>(*value & 0xffffffffu) * counter.joules_per_count, ReadStatus::ok};
  }

 private:
  struct Counter {
    int fd;
    std::uint32_t address;
    double joules_per_count;
  };

  static std::optional<std::uint64_t> read_register(int fd, std::uint32_t address) {
    std::uint64_t value = 0;
    if (::pread(fd, &value, sizeof value, address) != static_cast<ssize_t>(sizeof value)) return std::nullopt;
    return value;
  }

  std::map<int, int> first_cpu_per_package() const {
    namespace fs = std::filesystem;
    std::map<int, int> cpus;  // package -> lowest CPU number
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(roots_.sys / "devices" / "system" / "cpu", ec)) {
      const auto name = entry.path().filename().string();
      const auto cpu = text::starts_with(name, "cpu") ? text::to_u64(std::string_view(name).substr(3)) : std::nullopt;
      if (!cpu) continue;
      const auto package = text::to_u64(read_trimmed(entry.path() / "topology" / "physical_package_id"));
      if (!package) continue;
      auto [it, inserted] = cpus.try_emplace(static_cast<int>(*package), static_cast<int>(*cpu));
      if (!inserted) it->second = std::min(it->second, static_cast<int>(*cpu));
    }
    if (cpus.empty()) cpus[0] = 0;
    return cpus;
  }

  Roots roots_;
  std::map<int, int> fds_;
  std::vector<Counter> counters_;
};

}  // namespace

std::unique_ptr<RaplMethod> make_msr_method(const Roots& roots) { return std::make_unique<MsrMethod>(roots); }

}  // namespace powerfit::sensors
