#include "harness/bench_run.hpp"

#include <iostream>
#include <optional>

#include "core/duration.hpp"
#include "core/interruption.hpp"
#include "core/sha256.hpp"
#include "inference/plugins.hpp"
#include "workload/child_process.hpp"

namespace powerfit::harness {
namespace {

dataset::Dataset load_data(const BenchOptions& options) {
  auto loaded = dataset::load_dataset(options.data, options.dataset_options, inference::image_folder_loader());
  if (auto* error = std::get_if<dataset::DataError>(&loaded)) throw BenchInputError(error->message);
  auto& dataset = std::get<dataset::Dataset>(loaded);
  if (dataset.samples == 0) throw BenchInputError("data set '" + options.data + "' is empty; give at least one sample");
  return std::move(dataset);
}

std::vector<std::string> describe_command(const BenchOptions& options) {
  return {"powerfit", "bench", "--model", options.model.string(), "--data", options.data, "--batch",
          std::to_string(options.batch), "--device", options.backend_options.device};
}

// Ends a repeat's session: as usual, or, after a signal to stop, closed with status 128 + the
// signal, an "interrupted" marker and the reason it is unscored (`when`: how far it got).
Summary stop_session(Session& session, const std::string& when) {
  const int signal = interruption();
  if (signal == 0) return session.stop();
  session.mark("interrupted");
  session.report_unusable("interrupted by signal " + std::to_string(signal) + " " + when);
  return session.stop({.status = 128 + signal});
}

}  // namespace

inference::BenchResult run_bench(const BenchOptions& options) {
  if (options.batch == 0) throw BenchInputError("--batch must be at least 1");
  if (options.declared_accuracy_percent &&
      (*options.declared_accuracy_percent <= 0.0 || *options.declared_accuracy_percent > 100.0)) {
    throw BenchInputError("--accuracy must be a top-1 accuracy in percent, above 0 and at most 100");
  }
  const auto dataset = load_data(options);
  std::unique_ptr<inference::Backend> backend;
  inference::BenchResult result;
  result.idle = options.idle;
  const auto baseline = parse_duration(options.baseline);
  const bool measures_idle = !std::holds_alternative<Nanoseconds>(baseline) || std::get<Nanoseconds>(baseline).count() > 0;
  if (!result.idle && measures_idle) {
    // The idle floor comes before the model is loaded, in a run of its own that the repeats reuse:
    // a process that holds a GPU context keeps the card above idle (an H200 drew 122 W idle with a
    // model resident, 77 W before any was loaded).
    SessionOptions idle_options = options.session;
    if (idle_options.command.empty()) idle_options.command = describe_command(options);
    idle_options.label = (options.model_name.empty() ? options.model.stem().string() : options.model_name) + " idle floor";
    idle_options.baseline = options.baseline;
    Session idle(idle_options);
    idle.start();
    idle.wait_for_samples(2);  // samples after the baseline's end, so that its stretch lies inside them
    result.idle = idle.stop();
    if (interruption() != 0) return result;
  }
  try {
    backend = inference::open_backend(options.model, options.backend, options.backend_options);
    result.scores_per_sample = inference::check_model_fits(*backend, dataset);
    result.labelled = dataset.labelled();
    const std::vector<std::int64_t> sample_shape(dataset.sample_shape.begin(), dataset.sample_shape.end());
    const auto macs = backend->count_macs(sample_shape);
    if (macs && *macs > 0) result.model.macs = static_cast<double>(*macs);
    const auto parameters = backend->parameter_count();
    if (parameters && *parameters > 0) result.model.parameters = static_cast<double>(*parameters);
  } catch (const inference::BackendError& error) {
    throw BenchInputError(error.what());
  }
  auto& model = result.model;
  model.model = options.model_name.empty() ? options.model.stem().string() : options.model_name;
  model.device = backend->device();
  model.backend = backend->name() + " " + backend->version();
  model.model_sha256 = sha256_file(options.model).value_or("");
  model.dataset = dataset.name;
  model.dataset_size = static_cast<std::int64_t>(dataset.samples);
  model.batch_size = static_cast<std::int64_t>(options.batch);
  model.warmup_batches = static_cast<std::int64_t>(options.warmup_batches);
  if (options.backend_options.threads > 0) model.threads = options.backend_options.threads;
  model.declared_accuracy_percent = options.declared_accuracy_percent;

  SessionOptions session_options = options.session;
  if (session_options.command.empty()) session_options.command = describe_command(options);
  if (session_options.label.empty()) session_options.label = model.model + " " + model.device + " batch " + std::to_string(options.batch);

  // Two sampling intervals: by then rate-based channels (utilization, the CPU estimate) have values.
  const auto interval = parse_interval(session_options.interval);
  const double settle_s = std::holds_alternative<Nanoseconds>(interval)
                              ? 2e-9 * static_cast<double>(std::get<Nanoseconds>(interval).count())
                              : 0.0;
  const std::string unlabelled = "synthetic inputs carry no labels and no --accuracy was declared; the run is kept unscored";

  // A signal to stop ends the pass at the next batch; the run is closed with what it measured
  // (status 128 + the signal, an "interrupted" marker) and no further repeat starts.
  const workload::SignalForwarder signals;
  for (int r = 0; r < options.repeat && interruption() == 0; ++r) {
    auto repeat_options = session_options;
    repeat_options.baseline = "0";  // the idle floor, measured above before the model was loaded
    Session session(repeat_options);
    session.start();
    if (result.idle) session.reuse_baseline(*result.idle);
    inference::BenchRepeat repeat;
    if (interruption() != 0) {  // while the session started
      repeat.summary = stop_session(session, "before the passes began");
      result.repeats.push_back(std::move(repeat));
      break;
    }
    std::optional<LiveLine> line;
    line.emplace([&] { return session.live(); }, options.live, std::cerr);
    {
      const auto warmup = session.region("warmup");
      inference::warm_up(*backend, dataset, options.batch, options.warmup_batches);
    }
    if (session.elapsed_s() < settle_s) session.wait_for_samples(2);
    if (options.on_repeat) options.on_repeat(r);
    const double inference_start = session.elapsed_s();
    {
      const auto inference = session.region("inference");  // the window the run is scored on
      repeat.pass = inference::run_passes(*backend, dataset, options.batch, options.min_seconds, options.progress);
    }
    repeat.inference_s = session.elapsed_s() - inference_start;
    session.wait_for_samples(1);  // a sample after the pass, for its energy
    repeat.latency = analysis::latency_stats(repeat.pass.batch_latency_s);

    WorkloadCounts report = model;
    report.inferences = repeat.pass.inferences;
    report.correct = repeat.pass.correct;
    report.correct_top5 = repeat.pass.correct_top5;
    report.latency_p50_s = repeat.latency.p50_s;
    report.latency_p90_s = repeat.latency.p90_s;
    report.latency_p99_s = repeat.latency.p99_s;
    report.throughput_per_s = repeat.inference_s > 0 ? static_cast<double>(repeat.pass.inferences) / repeat.inference_s : 0.0;
    if (report.inferences > 0) session.report(report);
    if (!dataset.labelled() && !options.declared_accuracy_percent) session.report_unusable(unlabelled);
    line.reset();  // before the session stops
    repeat.summary = stop_session(session, "before the passes were done");
    result.repeats.push_back(std::move(repeat));
  }
  return result;
}

}  // namespace powerfit::harness
