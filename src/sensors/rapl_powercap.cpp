// RAPL through the powercap sysfs tree: /sys/class/powercap/intel-rapl:N[:M]/energy_uj, which
// wraps at max_energy_range_uj. AMD Zen processors appear under the same names.

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


class PowercapMethod final : public RaplMethod {
 public:
  explicit PowercapMethod(Roots roots) : roots_(std::move(roots)) {}
  std::string_view name() const override { return "powercap"; }

  std::vector<RaplDomain> discover(std::string& problem) override {
    namespace fs = std::filesystem;
    const auto base = roots_.sys / "class" / "powercap";
    std::error_code ec;
    std::vector<std::string> zones;
    for (const auto& entry : fs::directory_iterator(base, ec)) {
      const auto zone = entry.path().filename().string();
      if (text::starts_with(zone, "intel-rapl:")) zones.push_back(zone);
    }
    if (zones.empty()) {
      problem = "powercap: no RAPL zones under " + base.string() +
                " (the intel_rapl_common module is not loaded, or the CPU or hypervisor offers no RAPL)";
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
      if (text::starts_with(label, "package-")) {
        domain.kind = "package";
        domain.package = static_cast<int>(text::to_u64(label.substr(8)).value_or(0));
        packages_by_zone_.emplace_back(zone, domain.package);
      } else if (label == "psys") {
        domain.kind = "psys";
      } else if (label == "dram" || label == "core" || label == "uncore") {
        domain.kind = label;
        const auto parent = zone.substr(0, subzone ? second_colon : zone.size());
        for (const auto& [parent_zone, package] : packages_by_zone_) {
          if (parent_zone == parent) domain.package = package;
        }
      } else {
        continue;  // a name this version does not know
      }
      domain.key = domain.kind == "psys" ? "psys" : domain.kind + "-" + std::to_string(domain.package);
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
                    ? "powercap: no readable RAPL domain under " + base.string()
                    : "powercap: permission denied: " + denied +
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
  std::vector<ProcFile> files_;
  std::vector<std::pair<std::string, int>> packages_by_zone_;
};

}  // namespace

std::unique_ptr<RaplMethod> make_powercap_method(const Roots& roots) { return std::make_unique<PowercapMethod>(roots); }

}  // namespace powerfit::sensors
