#include "sensors/catalog.hpp"

#include "sensors/proc_cpu.hpp"
#include "sensors/proc_disk.hpp"
#include "sensors/proc_memory.hpp"
#include "sensors/proc_net.hpp"
#include "sensors/proc_process.hpp"

namespace powerfit::sensors {

std::vector<CatalogEntry> open_catalog(const CatalogOptions& options) {
  std::vector<std::unique_ptr<Source>> sources;
  sources.push_back(std::make_unique<ProcCpuSource>(options.roots));
  sources.push_back(std::make_unique<ProcMemorySource>(options.roots));
  sources.push_back(std::make_unique<ProcDiskSource>(options.roots));
  sources.push_back(std::make_unique<ProcNetSource>(options.roots, options.loopback_in_total));
  if (options.process_root > 0) {
    sources.push_back(std::make_unique<ProcProcessSource>(options.roots, options.process_root));
  }
  std::vector<CatalogEntry> catalog;
  for (auto& source : sources) {
    auto availability = source->open();
    catalog.push_back({std::move(source), std::move(availability)});
  }
  return catalog;
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
