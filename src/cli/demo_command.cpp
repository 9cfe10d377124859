#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "inference/backend.hpp"
#include "report/progress_bar.hpp"
#include "report/score_report.hpp"
#include "harness/bench_run.hpp"

namespace powerfit::cli {
namespace {

namespace fs = std::filesystem;

// The bundled zoo: next to an installed binary (PREFIX/share/powerfit/zoo), else in the source
// tree this binary was built from.
fs::path default_zoo() {
  std::error_code ec;
  const auto executable = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = executable.parent_path().parent_path() / "share" / "powerfit" / "zoo";
    if (fs::exists(installed / "zoo.json", ec)) return installed;
  }
  return POWERFIT_SOURCE_ZOO;
}

}  // namespace

Action add_demo_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("demo", "Bench every bundled zoo model on every backend here, and rank them");
  struct Options {
    MeasurementFlags measurement{.interval = "50ms", .output = "demo.db"};
    BenchTimingFlags timing{.baseline = "2s"};
    std::string zoo;
    int repeat = 3;
    std::size_t batch = 1;
  };
  auto options = std::make_shared<Options>();
  command->add_option("--zoo", options->zoo, "Directory of the model zoo (zoo.json, models, digits-test/)");
  command->add_option("-r,--repeat", options->repeat, "Measured repeats per model and backend")->check(CLI::Range(1, 1000))->capture_default_str();
  command->add_option("-b,--batch", options->batch, "Samples per batch")->check(CLI::Range(std::size_t{1}, std::size_t{4096}))->capture_default_str();
  add_bench_timing_options(*command, options->timing, "Idle time measured once, before the first model (0 skips it)");
  add_measurement_options(*command, options->measurement);

  return [options, &global]() {
    const auto checked = bench_setup(options->measurement, options->timing, global);
    if (const auto* error = std::get_if<std::string>(&checked)) return usage_error(*error);
    const auto& setup = std::get<BenchSetup>(checked);
    const fs::path zoo = options->zoo.empty() ? default_zoo() : fs::path(options->zoo);
    std::ifstream record_file(zoo / "zoo.json");
    const auto record = nlohmann::json::parse(record_file, nullptr, false);
    if (!record_file || record.is_discarded() || !record.contains("models")) {
      return usage_error("no model zoo at '" + zoo.string() + "' (zoo.json missing or unreadable); give --zoo DIR");
    }
    const auto backends = inference::available_backends();
    if (backends.empty()) {
      return usage_error("this build has no inference backend; install libtorch-dev or libopencv-dev and rebuild");
    }
    std::cout << "powerfit demo: " << record["models"].size() << " models x " << backends.size()
              << " backends, " << options->repeat << " repeats each, into " << options->measurement.output << '\n';
    report::ProgressBar bar(std::cerr, ::isatty(STDERR_FILENO) && !global.quiet);
    std::optional<Summary> idle;
    std::vector<std::int64_t> run_ids;
    for (const auto& model : record["models"].items()) {
      const std::string name = model.key();  // a named copy: lambdas below capture it
      const auto& figures = model.value();
      for (const auto& backend : backends) {
        harness::BenchOptions bench{.model = zoo / (name + backend.extension),
                                    .model_name = name,
                                    .backend = backend.name,
                                    .data = (zoo / "digits-test").string(),
                                    .batch = options->batch,
                                    .repeat = options->repeat,
                                    .min_seconds = setup.timing.min_seconds,
                                    .baseline = setup.timing.baseline,
                                    .idle = idle,
                                    .session = setup.session};
        bench.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
        bench.on_repeat = [&](int r) {
          bar.begin(name + " on " + backend.name + ", repeat " + std::to_string(r + 1) + "/" + std::to_string(options->repeat));
        };
        try {
          const auto result = harness::run_bench(bench);
          bar.finish();
          idle = result.idle;
          for (const auto& repeat : result.repeats) {
            run_ids.push_back(repeat.summary.run_id);
            for (const auto& warning : repeat.summary.warnings) std::cerr << "powerfit: warning: " << warning << '\n';
          }
          const auto& last = result.repeats.back();
          std::cout << "  " << name << " on " << backend.name << ": top-1 "
                    << 100.0 * static_cast<double>(last.pass.correct) / static_cast<double>(last.pass.inferences)
                    << " % (zoo.json records " << figures.value("top1_percent", 0.0) << " %), " << result.model.macs.value_or(0)
                    << " MACs, " << result.model.parameters.value_or(0) << " parameters\n";
        } catch (const harness::BenchInputError& error) {
          bar.finish();
          return usage_error(error.what());
        } catch (const Error& error) {
          bar.finish();
          return usage_error(error.what());
        }
      }
    }
    std::cout << '\n';
    report::print_score_table(std::cout, options->measurement.output, run_ids, {}, setup.session.tariff);
    std::cout << "\nEvery run is in " << options->measurement.output << ": `powerfit score " << options->measurement.output
              << " --dynamic` ranks on the energy above idle; `powerfit export " << options->measurement.output
              << "` gives the samples.\n";
    return 0;
  };
}

}  // namespace powerfit::cli
