#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "cli/commands.hpp"
#include "powerfit/error.hpp"
#include "powerfit/version.hpp"
#include "sensors/nvml_library.hpp"
#include "sensors/nvml_schedule.hpp"

namespace powerfit::cli {

int usage_error(const std::string& message) {
  std::cerr << "powerfit: error: " << message << '\n';
  return kUsageError;
}

namespace {

// The option of `command` (or of the app, for options that fall through) that `word` names, where
// it takes a value, as `-o` or `--output=X` do; else nullptr.
const CLI::Option* option_with_value(const CLI::App& command, const std::string& word) {
  const std::string name = word.substr(0, word.find('='));
  for (const CLI::App* app : {&command, command.get_parent()}) {
    if (app == nullptr) continue;
    for (const CLI::Option* option : app->get_options()) {
      if (option->get_items_expected_max() != 0 && option->check_name(name)) return option;
    }
  }
  return nullptr;
}

// Whether `value` holds nothing: empty, or for a list option (`--sources a,b`) no item between
// its delimiters. CLI11 takes such a value as none and takes the next word for it instead.
bool empty_value(const CLI::Option& option, const std::string& value) {
  const char delimiter = option.get_delimiter();
  return std::all_of(value.begin(), value.end(), [&](char c) { return delimiter != '\0' && (c == delimiter || c == ' '); });
}

// POSIX style for `run`: powerfit's options end at the first word that is not one of them, and
// every word from there on belongs to the measured command, untouched (as `perf stat` and `time`
// have it). A `--` is put before that word; one the user wrote is kept as it is. Returns the
// words, or what is wrong with an option's value: `--` given for it (`run -o -- CMD`, the value
// left out: CLI11 takes the `--` as the value, which named a database "--"), or an empty one
// (`--label= -o X.db`: CLI11 labelled the run "-o"). Words after a `--` that is not a value, or
// after `run`'s command, are not powerfit's and are not looked at.
std::variant<std::vector<std::string>, std::string> with_command_separated(const CLI::App& app, std::vector<std::string> args) {
  const CLI::App* command = nullptr;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (word == "--") return args;
    if (word.size() > 1 && word[0] == '-') {
      const CLI::Option* option = option_with_value(command != nullptr ? *command : app, word);
      if (option == nullptr) continue;
      const auto equals = word.find('=');
      const bool attached = equals != std::string::npos;  // --output=X: the value is in the word
      const std::string name = word.substr(0, equals);
      if (!attached && i + 1 < args.size() && args[i + 1] == "--") {
        return name + " is given no value: the `--` after it ends powerfit's options; write its value before `--`";
      }
      if ((attached || i + 1 < args.size()) && empty_value(*option, attached ? word.substr(equals + 1) : args[i + 1])) {
        return name + " is given an empty value; write its value, or leave the option out";
      }
      if (!attached) ++i;
    } else if (command == nullptr) {
      const auto named = app.get_subcommands([&](const CLI::App* candidate) { return candidate->check_name(word); });
      command = named.empty() ? nullptr : named.front();
    } else if (command->get_name() == "run") {
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(i), "--");
      return args;
    }
  }
  return args;
}

}  // namespace

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
#ifdef POWERFIT_WITH_PROMETHEUS
      {"serve", add_serve_command(app, global)},
#endif
  };

  try {
    auto separated = with_command_separated(app, std::vector<std::string>(argv, argv + argc));
    if (const auto* problem = std::get_if<std::string>(&separated)) return usage_error(*problem);
    auto& args = std::get<std::vector<std::string>>(separated);
    std::vector<char*> words;
    for (auto& word : args) words.push_back(word.data());
    app.parse(static_cast<int>(words.size()), words.data());
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForVersion& version) {
    return app.exit(version);
  } catch (const CLI::ParseError& error) {
    // The help of the command the error is about, and for an unknown word before the measured
    // command (likely the command's own option), where `--` goes.
    std::string help = "powerfit --help";
    for (const auto* command : app.get_subcommands()) help = "powerfit " + command->get_name() + " --help";
    const bool unknown_before_command = dynamic_cast<const CLI::ExtrasError*>(&error) && app.get_subcommand("run")->parsed();
    return usage_error(std::string(error.what()) + (unknown_before_command
                                                        ? "; if it belongs to the measured command, put `--` before the command"
                                                        : "; see `" + help + "`"));
  }
  global.roots.proc = proc_root;
  global.roots.sys = sys_root;
  const char* no_color = std::getenv("NO_COLOR");
  global.color = ::isatty(STDERR_FILENO) && (no_color == nullptr || *no_color == '\0');

  if (const auto schedule = powerfit::sensors::nvml_schedule_from_environment();
      const auto* problem = std::get_if<std::string>(&schedule)) {
    return usage_error(*problem);
  }

  // A command that opens its sources again and again pays for NVML's start and shut-down once.
  powerfit::sensors::NvmlLibrary::keep_until_exit();
  try {
    for (const auto& [name, action] : commands) {
      if (app.get_subcommand(name)->parsed()) return action();
    }
  } catch (const powerfit::Error& error) {  // a bad argument, or a database that cannot be read or written
    return usage_error(error.what());
  }
  return usage_error("no command given; see `powerfit --help`");
}
