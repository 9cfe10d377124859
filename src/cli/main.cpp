#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "powerfit/session.hpp"
#include "powerfit/version.hpp"
#include "recording/sqlite.hpp"

namespace powerfit::cli {

int usage_error(const std::string& message) {
  std::cerr << "powerfit: error: " << message << '\n';
  return kUsageError;
}

}  // namespace powerfit::cli

int main(int argc, char** argv) {
  using namespace powerfit::cli;
  CLI::App app{"powerfit: measure what a program costs in joules, CPU, memory and I/O, and record it"};
  app.set_version_flag("-V,--version", std::string("powerfit ") + powerfit::kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // global options may follow the subcommand: `powerfit run -q ...`

  GlobalOptions global;
  std::string proc_root = "/proc";
  std::string sys_root = "/sys";
  app.add_option("--proc-root", proc_root, "Where procfs is mounted (for tests and containers)")->capture_default_str();
  app.add_option("--sys-root", sys_root, "Where sysfs is mounted")->capture_default_str();
  app.add_flag("-q,--quiet", global.quiet, "Print no summary and no progress");

  const std::vector<std::pair<std::string, Action>> commands{
      {"sensors", add_sensors_command(app, global)},
      {"run", add_run_command(app, global)},
      {"export", add_export_command(app, global)},
      {"score", add_score_command(app, global)},
      {"bench", add_bench_command(app, global)},
      {"demo", add_demo_command(app, global)},
      {"merge", add_merge_command(app, global)},
      {"fit", add_fit_command(app, global)},
      {"report", add_report_command(app, global)},
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    return usage_error(std::string(error.what()) + "; see `powerfit --help`");
  }
  global.roots.proc = proc_root;
  global.roots.sys = sys_root;
  const char* no_color = std::getenv("NO_COLOR");
  global.color = ::isatty(STDERR_FILENO) && (no_color == nullptr || *no_color == '\0');

  try {
    for (const auto& [name, action] : commands) {
      if (app.get_subcommand(name)->parsed()) return action();
    }
  } catch (const powerfit::recording::RecordingError& error) {
    return usage_error(error.what());
  } catch (const powerfit::Error& error) {  // the API's, from any command measuring through it
    return usage_error(error.what());
  }
  return usage_error("no command given; see `powerfit --help`");
}
