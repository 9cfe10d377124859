#include <iostream>

#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "core/output_file.hpp"
#include "recording/readable.hpp"
#include "report/html_report.hpp"

namespace powerfit::cli {

Action add_report_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("report", "Write one self-contained HTML report of the runs in the databases");
  struct Options {
    std::vector<std::string> databases;
    std::string output = "report.html";
    report::HtmlReportOptions html;
    TariffFlags tariff;
  };
  auto options = std::make_shared<Options>();
  command->add_option("databases", options->databases, "Databases to report on (only read)");
  command->add_option("-o,--output", options->output, "HTML file to write")->capture_default_str();
  command->add_option("--points", options->html.points_per_series, "Most points drawn per line (downsampled for drawing only)")
      ->check(CLI::Range(std::size_t{10}, std::size_t{1000000}))
      ->capture_default_str();
  command->add_option("--run-plots", options->html.run_plots, "Runs drawn over time, in order (every run is in the table)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{100000}))
      ->capture_default_str();
  command->add_flag("--dynamic", options->html.dynamic, "Score on the energy above the idle baseline");
  add_tariff_options(*command, options->tariff);
  command->footer("Example: powerfit report all.db -o report.html   (opens offline; nothing is fetched)");
  return [options, &global]() {
    if (options->databases.empty()) return usage_error("no database given; usage: powerfit report FILE... -o report.html");
    const std::vector<std::filesystem::path> inputs_paths(options->databases.begin(), options->databases.end());
    if (auto problem = output_problem(options->output, inputs_paths)) return usage_error(*problem);
    const auto tariff = tariff_of(options->tariff);
    if (const auto* problem = std::get_if<std::string>(&tariff)) return usage_error(*problem);
    options->html.tariff = std::get<Tariff>(tariff);
    std::vector<recording::ReadableDatabase> databases;
    for (const auto& path : options->databases) databases.emplace_back(path);
    std::size_t runs = 0;
    for (auto& database : databases) runs += database.database().runs().size();
    if (runs == 0) return usage_error("the databases hold no run; record one with `powerfit run` or `powerfit bench`");
    std::vector<report::ReportInput> inputs;
    for (std::size_t i = 0; i < databases.size(); ++i) inputs.push_back({options->databases[i], &databases[i].database()});
    const auto page = report::render_html_report(inputs, options->html);
    if (auto problem = write_whole(options->output, page)) {
      std::cerr << "powerfit: error: " << *problem << '\n';
      return 1;
    }
    if (!global.quiet) std::cout << options->output << ": " << page.size() / 1024 << " KiB\n";
    return 0;
  };
}

}  // namespace powerfit::cli
