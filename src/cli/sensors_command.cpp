#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "sensors/catalog.hpp"

namespace powerfit::cli {

Action add_sensors_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("sensors", "List every source powerfit knows, available or not, and why");
  struct Options {
    bool json = false;
    bool no_estimate = false;
    std::optional<double> cpu_tdp;
  };
  auto options = std::make_shared<Options>();
  command->add_flag("--json", options->json, "Print JSON instead of a table");
  command->add_flag("--no-estimate", options->no_estimate, "Leave out the estimated CPU power");
  command->add_option("--cpu-tdp", options->cpu_tdp, "CPU power at full load in watts, for the estimate")
      ->check(CLI::PositiveNumber);
  return [&global, options]() {
    // The process-tree source is shown measuring powerfit itself, as it would measure a command.
    const auto catalog = sensors::open_catalog({.roots = global.roots,
                                                .process_root = ::getpid(),
                                                .estimate = !options->no_estimate,
                                                .cpu_tdp_w = options->cpu_tdp});
    const bool json = options->json;
    if (json) {
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& entry : catalog) {
        nlohmann::ordered_json source{{"name", entry.source->name()},
                                      {"available", entry.availability.available},
                                      {"opt_in", entry.source->opt_in()},
                                      {"detail", entry.availability.detail}};
        auto& channels = source["channels"] = nlohmann::ordered_json::array();
        for (const auto& channel : entry.source->channels()) {
          channels.push_back({{"name", channel.name},
                              {"unit", to_string(channel.unit)},
                              {"kind", to_string(channel.kind)},
                              {"scope", channel.scope},
                              {"estimated", channel.provenance == Provenance::estimated}});
        }
        out.push_back(std::move(source));
      }
      std::cout << out.dump(2) << '\n';
      return 0;
    }
    for (const auto& entry : catalog) {
      const bool ok = entry.availability.available;
      // An opt-in source is sampled only when --sources names it.
      const char* state = !ok ? "unavailable" : entry.source->opt_in() ? "opt-in" : "available";
      std::printf("%-18s %-13s %s\n", std::string(entry.source->name()).c_str(), state,
                  entry.availability.detail.c_str());
      for (const auto& channel : entry.source->channels()) {
        std::printf("    %-34s %-4s %-15s %-16s %s\n", channel.name.c_str(), std::string(to_string(channel.unit)).c_str(),
                    std::string(to_string(channel.kind)).c_str(), channel.scope.c_str(),
                    channel.provenance == Provenance::estimated ? "ESTIMATED" : "measured");
      }
    }
    return 0;
  };
}

}  // namespace powerfit::cli
