#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "core/duration.hpp"
#include "core/interruption.hpp"
#include "core/text.hpp"
#include "harness/live_line.hpp"
#include "harness/serve.hpp"
#include "workload/child_process.hpp"

namespace powerfit::cli {
namespace {

// What is wrong with a --listen address, if anything: HOST:PORT, the port 0 to 65535 (an IPv6 host
// in brackets, [::1]:9101).
std::optional<std::string> listen_problem(const std::string& listen) {
  const auto colon = listen.rfind(':');
  const std::string_view port = colon == std::string::npos ? "" : std::string_view(listen).substr(colon + 1);
  const auto number = port.size() <= 5 ? text::to_u64(port) : std::nullopt;
  if (colon != 0 && number && *number <= 65535) return std::nullopt;
  return "--listen '" + listen + "': write HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:9101";
}

}  // namespace

Action add_serve_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("serve", "Sample without end and serve the channels to Prometheus on /metrics");
  struct Options {
    std::string listen = "127.0.0.1:9101";
    std::string interval = "1s";
    std::string output;
    std::vector<std::string> sources;
    bool no_estimate = false;
    std::optional<double> cpu_tdp;
    bool output_given = false;
    std::string machine;
    std::optional<bool> live;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--listen", options->listen, "Address and port to serve on (loopback unless given; port 0: any free one)")
      ->capture_default_str();
  command->add_option("-i,--interval", options->interval, "Sampling interval, 1ms to 60s")->capture_default_str();
  command->add_option("-o,--output", options->output, "Also record every sample into this SQLite database (one run)")
      ->each([options](const std::string&) { options->output_given = true; })
      ->transform(job_pattern());
  command->add_option("--machine", options->machine, "A machine=NAME label on every series, and the record's machine (Slurm patterns allowed)")
      ->transform(job_pattern());
  command->add_option("--sources", options->sources, "Sample only these sources, as `powerfit sensors` names them")->delimiter(',');
  command->add_flag("--no-estimate", options->no_estimate, "No estimated CPU power where nothing measures it");
  add_cpu_tdp_option(*command, options->cpu_tdp);
  add_live_option(*command, options->live);
  command->footer("Example: powerfit serve --listen 127.0.0.1:9101 -i 1s   (then scrape http://127.0.0.1:9101/metrics)");

  return [options, &global]() {
    const auto interval = parse_interval(options->interval);
    if (const auto* error = std::get_if<DurationError>(&interval)) return usage_error(error->message);
    if (const auto problem = listen_problem(options->listen)) return usage_error(*problem);
    if (options->output_given && options->output.empty()) return usage_error("-o: an empty database name; name the file to record into");
    if (const auto problem = database_name_problem(options->output); problem && !options->output.empty()) return usage_error(*problem);
    const workload::SignalForwarder signals;  // SIGINT, SIGTERM, SIGHUP end serving, the record closed
    harness::Exporter exporter({.listen = options->listen,
                                .interval = std::get<Nanoseconds>(interval),
                                .roots = global.roots,
                                .sources = options->sources,
                                .estimate = !options->no_estimate,
                                .cpu_tdp_w = options->cpu_tdp,
                                .database = options->output,
                                .machine = options->machine});
    if (!global.quiet) {
      std::cerr << "powerfit: serving on http://" << options->listen.substr(0, options->listen.rfind(':')) << ':'
                << exporter.ports().front() << "/metrics" << (options->output.empty() ? "" : ", recording into " + options->output)
                << "; stop with Ctrl-C\n";
    }
    {
      const harness::LiveLine line([&] { return exporter.live(); }, harness::resolve_live(options->live, global.quiet), std::cerr);
      while (interruption() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        exporter.drain();
      }
    }
    const auto run_id = exporter.stop();
    if (const auto error = exporter.storage_error()) {
      std::cerr << "powerfit: error: recording into " << options->output << " failed: " << *error << '\n';
      return 1;
    }
    if (run_id != 0 && !global.quiet) std::cerr << "powerfit: recorded as run " << run_id << " in " << options->output << '\n';
    return 0;  // a signal is how serving ends
  };
}

}  // namespace powerfit::cli
