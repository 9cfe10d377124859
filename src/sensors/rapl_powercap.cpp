// RAPL through the powercap sysfs tree: /sys/class/powercap/intel-rapl:N[:M]/energy_uj, which
// wraps at max_energy_range_uj. AMD Zen processors appear under the same names. The same tree
// holds a second control type on recent Intel parts, intel-rapl-mmio:N, the package domains read
// through MMIO: a method of its own, so that the source keeps one reading of each domain.
// Processors of several dies per package name their zones package-N-die-M.

#include <algorithm>
#include <filesystem>

#include "core/text.hpp"
#include "sensors/rapl.hpp"

namespace powerfit::sensors {
namespace {

constexpr double kMicro = 1e-6;

std::optional<std::uint64_t> read_u64(const std::filesystem::path& path) {
  const auto text = read_text_file(path);
  return text ? text::to_u64(text::trim(*text)) : std::nullopt;
}


// "package-0" → package 0; "package-0-die-1" → package 0, die 1.
bool parse_package(std::string_view label, RaplDomain& domain) {
  if (!text::starts_with(label, "package-")) return false;
  label.remove_prefix(8);
  const auto dash = label.find('-');
  domain.package = static_cast<int>(text::to_u64(label.substr(0, dash)).value_or(0));
  if (dash != std::string_view::npos && text::starts_with(label.substr(dash + 1), "die-")) {
    domain.die = static_cast<int>(text::to_u64(label.substr(dash + 5)).value_or(0));
  }
  return true;
}

class PowercapMethod final : public RaplMethod {
 public:
  // `control_type`: "intel-rapl" or "intel-rapl-mmio".
  PowercapMethod(Roots roots, std::string control_type, std::string name)
      : roots_(std::move(roots)), control_type_(std::move(control_type)), name_(std::move(name)) {}
  std::string_view name() const override { return name_; }

  std::vector<RaplDomain> discover(std::string& problem) override {
    namespace fs = std::filesystem;
    const auto base = roots_.sys / "class" / "powercap";
    std::error_code ec;
    std::vector<std::string> zones;
    for (const auto& entry : fs::directory_iterator(base, ec)) {
      const auto zone = entry.path().filename().string();
      if (text::starts_with(zone, control_type_ + ":")) zones.push_back(zone);
    }
    if (zones.empty()) {
      problem = name_ + ": no " + control_type_ + " zones under " + base.string() +
                (control_type_ == "intel-rapl"
                     ? " (the intel_rapl_common module is not loaded, or the CPU or hypervisor offers no RAPL)"
                     : "");
      return {};
    }
    std::sort(zones.begin(), zones.end());
    std::vector<RaplDomain> domains;
    std::string denied;
    for (const auto& zone : zones) {
      const auto dir = base / zone;
      const std::string label = read_trimmed(dir / "name");
      // "intel-rapl:N" is a top-level zone, "intel-rapl:N:M" its subzone.
      const auto first_colon = zone.find(':');
      const auto second_colon = zone.find(':', first_colon + 1);
      const bool subzone = second_colon != std::string::npos;
      RaplDomain domain;
      if (parse_package(label, domain)) {
        domain.kind = "package";
        packages_by_zone_.emplace_back(zone, domain);
      } else if (label == "psys") {
        domain.kind = "psys";
      } else if (label == "dram" || label == "core" || label == "uncore") {
        domain.kind = label;
        const auto parent = zone.substr(0, subzone ? second_colon : zone.size());
        for (const auto& [parent_zone, package] : packages_by_zone_) {
          if (parent_zone == parent) {
            domain.package = package.package;
            domain.die = package.die;
          }
        }
      } else {
        continue;  // a name this version does not know
      }
      domain.key = domain.kind == "psys" ? "psys"
                                         : domain.kind + "-" + std::to_string(domain.package) +
                                               (domain.die >= 0 ? "-die-" + std::to_string(domain.die) : "");
      // The largest value the counter shows, taken as its modulus (see CounterLimits::wrap_at).
      if (const auto range = read_u64(dir / "max_energy_range_uj")) domain.wrap_j = static_cast<double>(*range) * kMicro;
      ProcFile counter;
      const auto status = counter.open(dir / "energy_uj");
      if (status == ReadStatus::permission_denied) {
        denied = (dir / "energy_uj").string();
        continue;
      }
      if (status != ReadStatus::ok) continue;
      files_.push_back(std::move(counter));
      domains.push_back(std::move(domain));
    }
    if (domains.empty()) {
      problem = denied.empty()
                    ? name_ + ": no readable RAPL domain under " + base.string()
                    : name_ + ": permission denied: " + denied +
                          " is readable by root only (Linux 5.10 and later); fix: a udev rule or `sudo chmod o+r`, "
                          "see docs/permissions.md";
    }
    return domains;
  }

  EnergyReading read(std::size_t index) override {
    std::string_view content;
    if (const auto status = files_[index].read(content); status != ReadStatus::ok) return {0.0, status};
    const auto microjoules = text::to_u64(text::trim(content));
    if (!microjoules) return {0.0, ReadStatus::io_error};
    return {static_cast<double>(*microjoules) * kMicro, ReadStatus::ok};
  }

 private:
  Roots roots_;
  std::string control_type_, name_;
  std::vector<ProcFile> files_;
  std::vector<std::pair<std::string, RaplDomain>> packages_by_zone_;
};

}  // namespace

std::unique_ptr<RaplMethod> make_powercap_method(const Roots& roots) {
  return std::make_unique<PowercapMethod>(roots, "intel-rapl", "powercap");
}
std::unique_ptr<RaplMethod> make_powercap_mmio_method(const Roots& roots) {
  return std::make_unique<PowercapMethod>(roots, "intel-rapl-mmio", "powercap-mmio");
}

}  // namespace powerfit::sensors
