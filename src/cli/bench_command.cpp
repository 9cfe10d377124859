#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/measurement_options.hpp"
#include "core/interruption.hpp"
#include "core/output_file.hpp"
#include "report/bench_report.hpp"
#include "report/progress_bar.hpp"
#include "report/score_report.hpp"
#include "harness/bench_run.hpp"

namespace powerfit::cli {

Action add_bench_command(CLI::App& app, const GlobalOptions& global) {
  auto* command = app.add_subcommand("bench", "Run a model over a labelled data set and measure what its inferences cost");
  struct Options {
    MeasurementFlags measurement;
    BenchTimingFlags timing{.baseline = "3s"};
    std::string model, data, backend, name, device = "cpu", summary_json;
    std::size_t batch = 1, warmup = 10, limit = 0;
    int repeat = 1, threads = 0;
    std::optional<double> accuracy;
    dataset::ImagePreprocessing images;
    std::optional<bool> live;  // unset: the progress bar on a terminal
  };
  auto options = std::make_shared<Options>();
  command->add_option("-m,--model", options->model, "TorchScript (.pt) or ONNX (.onnx) model file")->required();
  command->add_option("-d,--data", options->data,
                      "Directory with inputs.npy + labels.npy, an image folder (one sub-folder per class), or synthetic:CxHxW")
      ->required();
  command->add_option("--backend", options->backend, "libtorch or opencv-dnn (default: from the model file's extension)");
  command->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  command->add_option("-b,--batch", options->batch, "Samples per batch")->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))->capture_default_str();
  command->add_option("--warmup", options->warmup, "Batches run before measuring, unmeasured")->capture_default_str();
  command->add_option("-r,--repeat", options->repeat, "Measured repeats, one recorded run each")->check(CLI::Range(1, 10000))->capture_default_str();
  command->add_option("--limit", options->limit, "Use at most this many samples (0 or left out: every one; synthetic data: how many, default 256)");
  command->add_option("--threads", options->threads, "Intra-op threads of the engine (default: its own choice)")->check(CLI::Range(1, 4096));
  add_bench_timing_options(*command, options->timing, "Idle time measured before the first repeat (0 skips it)");
  command->add_option("--accuracy", options->accuracy, "Declared top-1 accuracy in percent, for data without labels (stored as declared)")
      ->check(positive_at_most(100.0, "a top-1 accuracy in percent is expected, above 0 and at most 100", "PERCENT"));
  command->add_option("--name", options->name, "Model name in the record (default: the file name)");
  command->add_option("--resize", options->images.resize, "Images: shorter side resized to this")->capture_default_str();
  command->add_option("--crop", options->images.crop, "Images: centre crop size")->capture_default_str();
  command->add_option("--mean", options->images.mean, "Images: per-channel mean (3 values)")->expected(3)->capture_default_str();
  command->add_option("--std", options->images.std, "Images: per-channel std (3 values)")->expected(3)->capture_default_str();
  command->add_flag("--bgr", options->images.bgr, "Images: channels in BGR order (default RGB)");
  command->add_option("--summary-json", options->summary_json, "Also write the results as JSON to this file")
      ->transform(job_pattern());
  add_measurement_options(*command, options->measurement);
  add_live_option(*command, options->live);
  command->footer("Example: powerfit bench -m models/zoo/lenet.pt -d models/zoo/digits-test -b 32 -r 3 -o runs.db");

  return [options, &global]() {
    const auto checked = bench_setup(options->measurement, options->timing, global);
    if (const auto* error = std::get_if<std::string>(&checked)) return usage_error(*error);
    const auto& setup = std::get<BenchSetup>(checked);

    if (!options->summary_json.empty()) {
      const std::vector<std::filesystem::path> inputs{options->measurement.output, options->model, options->data};
      if (auto problem = output_problem(options->summary_json, inputs)) return usage_error("--summary-json: " + *problem);
    }
    // The live line where asked for, else the progress bar on a terminal: they share stderr's line.
    const auto live = options->live ? harness::resolve_live(options->live, global.quiet) : harness::LiveLineOptions{};
    report::ProgressBar bar(std::cerr, ::isatty(STDERR_FILENO) && !global.quiet && !live.enabled);
    harness::BenchOptions bench{.model = options->model,
                                .model_name = options->name,
                                .backend = options->backend,
                                .backend_options = {.device = options->device, .threads = options->threads},
                                .data = options->data,
                                .dataset_options = {.limit = options->limit, .images = options->images},
                                .batch = options->batch,
                                .warmup_batches = options->warmup,
                                .repeat = options->repeat,
                                .min_seconds = setup.timing.min_seconds,
                                .baseline = setup.timing.baseline,
                                .declared_accuracy_percent = options->accuracy,
                                .session = setup.session,
                                .live = live};
    bench.on_repeat = [&](int r) { bar.begin("repeat " + std::to_string(r + 1) + "/" + std::to_string(options->repeat)); };
    bench.progress = [&](std::size_t done, std::size_t total) { bar.update(done, total); };
    inference::BenchResult result;
    try {
      result = harness::run_bench(bench);
    } catch (const harness::BenchInputError& error) {
      return usage_error(error.what());
    } catch (const Error& error) {
      return usage_error(error.what());
    }
    bar.finish();
    const analysis::ScoreWeights weights;
    if (!global.quiet) {
      report::print_bench_header(std::cout, result, options->measurement.output);
      for (std::size_t i = 0; i < result.repeats.size(); ++i) {
        report::print_bench_repeat(std::cout, result, result.repeats[i], static_cast<int>(i + 1),
                                   static_cast<int>(result.repeats.size()), weights);
      }
    }
    bool storage_failed = false;
    for (const auto& repeat : result.repeats) {
      for (const auto& warning : repeat.summary.warnings) {
        std::cerr << "powerfit: warning: run " << repeat.summary.run_id << ": " << warning << '\n';
      }
      storage_failed = storage_failed || repeat.summary.recording_error.has_value();
    }
    if (result.repeats.size() > 1 && !global.quiet && !storage_failed) {
      std::vector<std::int64_t> run_ids;
      for (const auto& repeat : result.repeats) run_ids.push_back(repeat.summary.run_id);
      std::cout << '\n';
      report::print_score_table(std::cout, options->measurement.output, run_ids, weights,
                                setup.session.tariff);
    }
    if (!options->summary_json.empty()) {
      if (auto problem = write_whole(options->summary_json, report::bench_json(result, weights).dump(2) + '\n')) {
        std::cerr << "powerfit: error: " << *problem << '\n';
        return 1;
      }
    }
    if (const int signal = interruption(); signal != 0) return 128 + signal;
    return storage_failed ? 1 : 0;
  };
}

}  // namespace powerfit::cli
