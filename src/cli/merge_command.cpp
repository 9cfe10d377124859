#include <iostream>

#include "cli/commands.hpp"
#include "recording/merge.hpp"

namespace powerfit::cli {

Action add_merge_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("merge", "Join databases from many machines into one, each run once");
  struct Options {
    std::vector<std::string> inputs;
    std::string output;
  };
  auto options = std::make_shared<Options>();
  command->add_option("databases", options->inputs, "Databases to merge (only read)");
  command->add_option("-o,--output", options->output, "Database to merge into (created if missing)");
  command->footer("Example: powerfit merge h100.db laptop.db -o all.db   (runs already in all.db are skipped)");
  return [options, &global]() {
    if (options->inputs.empty() || options->output.empty()) {
      return usage_error("give the databases to merge and -o OUTPUT; usage: powerfit merge A.db B.db -o all.db");
    }
    std::vector<std::filesystem::path> inputs(options->inputs.begin(), options->inputs.end());
    const auto merged = recording::merge_databases(options->output, inputs);
    for (const auto& source : merged) {
      if (!global.quiet) {
        std::cout << options->output << ": " << source.count.added << " run(s) added from " << source.path.string();
        if (source.count.already_present > 0) std::cout << " (" << source.count.already_present << " already there)";
        if (source.count.replaced > 0) {
          std::cout << "; " << source.count.replaced << " replaced its copy here that was never closed (copied mid-run, or powerfit killed)";
        }
        if (source.count.never_closed > 0) {
          std::cout << "; " << source.count.never_closed
                    << " never closed (copied mid-run, or powerfit killed): INCOMPLETE, marked so by score, fit and report";
        }
        std::cout << '\n';
      }
      if (source.count.differing > 0) {
        std::cerr << "powerfit: warning: " << source.count.differing << " run(s) of " << source.path.string() << " differ from their copy in "
                  << options->output << " (end or samples), though both were closed: the copy in " << options->output
                  << " is kept; see which file holds the right one (`powerfit export FILE --format json`)\n";
      }
    }
    return 0;
  };
}

}  // namespace powerfit::cli
