#include "sensors/catalog.hpp"

#include <algorithm>

#include "sensors/cpu_estimate.hpp"
#include "sensors/host_info.hpp"
#include "sensors/hwmon.hpp"
#include "sensors/nvml_slow_source.hpp"
#include "sensors/nvml_source.hpp"
#include "sensors/proc_cpu.hpp"
#include "sensors/proc_disk.hpp"
#include "sensors/proc_memory.hpp"
#include "sensors/proc_net.hpp"
#include "sensors/proc_process.hpp"
#include "sensors/rapl.hpp"

namespace powerfit::sensors {
namespace {

bool named(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

constexpr const char* kNotChosen = "not chosen";

bool measures_cpu_power(const CatalogEntry& entry) {
  return entry.availability.available && entry.source->name() == "rapl";
}

}  // namespace

std::vector<CatalogEntry> open_catalog(const CatalogOptions& options) {
  std::vector<CatalogEntry> catalog;
  // Whether the estimate is needed rests on RAPL, so naming the estimate opens RAPL to ask.
  const auto wanted = [&](std::string_view name) {
    return options.wanted.empty() || named(options.wanted, name) ||
           (name == "rapl" && named(options.wanted, "estimate.cpu"));
  };
  const auto add = [&](std::unique_ptr<Source> source) {
    if (!wanted(source->name())) return catalog.push_back({std::move(source), {false, kNotChosen}});
    auto availability = source->open();
    catalog.push_back({std::move(source), std::move(availability)});
  };
  // A host-wide source, set aside unopened where another process of the job counts the host.
  const auto add_host = [&](std::unique_ptr<Source> source) {
    if (options.host_channels) return add(std::move(source));
    catalog.push_back({std::move(source), {false, "the host's channels are counted once, by local rank 0"}});
  };
  // /proc/stat, read once a tick for both the CPU's utilization and its estimated power.
  const auto stat = std::make_shared<SharedProcFile>();
  add_host(std::make_unique<ProcCpuSource>(options.roots, stat));
  add_host(std::make_unique<ProcMemorySource>(options.roots));
  add_host(std::make_unique<ProcDiskSource>(options.roots));
  add_host(std::make_unique<ProcNetSource>(options.roots, options.loopback_in_total));
  std::shared_ptr<ProcessTree> tree;
  if (options.process_root > 0) {
    // One tree for the process source and the GPU sources that attribute use by it; each brings
    // it up to date when it reads (NVML's memory fields, once a second), so that naming NVML alone
    // does not sample the processes' /proc files every tick.
    tree = std::make_shared<ProcessTree>(options.roots.proc, options.process_root);
    add(std::make_unique<ProcProcessSource>(options.roots, tree));
  }
  add_host(make_rapl_source(options.roots, options.rapl_settle));
  add_host(std::make_unique<HwmonSource>(options.roots));
  const auto schedule = nvml_schedule_from_environment();
  if (const auto* problem = std::get_if<std::string>(&schedule)) {
    catalog.push_back({std::make_unique<NvmlSource>(tree, NvmlSchedule{}, options.gpus), {false, *problem}});
  } else {
    add(std::make_unique<NvmlSource>(tree, std::get<NvmlSchedule>(schedule), options.gpus));
  }
  add(std::make_unique<NvmlSlowSource>(tree, options.gpus));

  const bool cpu_measured = std::any_of(catalog.begin(), catalog.end(), measures_cpu_power);
  if (!options.host_channels) {
    add_host(std::make_unique<CpuEstimateSource>(options.roots, CpuPowerModel{}));
  } else if (options.estimate && !cpu_measured) {
    const auto host = read_host_info(options.roots);
    add(std::make_unique<CpuEstimateSource>(
        options.roots, choose_cpu_power_model(host.cpu_model, host.cpu_cores, options.cpu_tdp_w), stat));
  } else {
    catalog.push_back({std::make_unique<CpuEstimateSource>(options.roots, CpuPowerModel{}),
                       {false, cpu_measured ? "not needed: RAPL measures CPU power here"
                                            : "turned off by --no-estimate"}});
  }
  return catalog;
}

std::optional<std::string> choose_sources(std::vector<CatalogEntry>& catalog, const std::vector<std::string>& names) {
  if (names.empty()) {
    for (auto& entry : catalog) {
      if (entry.availability.available && entry.source->opt_in()) {
        entry.availability = {false, "off: dear to read; name it in --sources to sample it"};
      }
    }
    return std::nullopt;
  }
  for (const auto& name : names) {
    const auto entry = std::find_if(catalog.begin(), catalog.end(),
                                    [&](const CatalogEntry& candidate) { return candidate.source->name() == name; });
    if (entry == catalog.end()) return "no source named '" + name + "'; `powerfit sensors` lists them";
    if (!entry->availability.available) {
      return "source '" + name + "' is unavailable here: " + entry->availability.detail + "; leave it out or fix that";
    }
  }
  for (auto& entry : catalog) {
    if (entry.availability.available && !named(names, entry.source->name())) entry.availability = {false, kNotChosen};
  }
  return std::nullopt;
}

std::vector<std::unique_ptr<Source>> available_sources(std::vector<CatalogEntry>& catalog) {
  std::vector<std::unique_ptr<Source>> sources;
  for (auto& entry : catalog) {
    if (entry.availability.available && !entry.source->channels().empty()) {
      sources.push_back(std::move(entry.source));
    }
  }
  return sources;
}

}  // namespace powerfit::sensors
