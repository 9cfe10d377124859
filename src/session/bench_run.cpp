#include "session/bench_run.hpp"

#include "core/sha256.hpp"

namespace powerfit::session {
namespace {

bench::Dataset load_data(const BenchOptions& options) {
  auto loaded = bench::load_dataset(options.data, options.dataset_options);
  if (auto* error = std::get_if<bench::DataError>(&loaded)) throw BenchInputError(error->message);
  auto& dataset = std::get<bench::Dataset>(loaded);
  if (dataset.samples == 0) throw BenchInputError("data set '" + options.data + "' is empty; give at least one sample");
  return std::move(dataset);
}

std::vector<std::string> describe_command(const BenchOptions& options) {
  return {"powerfit", "bench", "--model", options.model.string(), "--data", options.data, "--batch",
          std::to_string(options.batch), "--device", options.backend_options.device};
}

}  // namespace

BenchResult run_bench(const BenchOptions& options) {
  if (options.batch == 0) throw BenchInputError("--batch must be at least 1");
  if (options.declared_accuracy_percent &&
      (*options.declared_accuracy_percent <= 0.0 || *options.declared_accuracy_percent > 100.0)) {
    throw BenchInputError("--accuracy must be a top-1 accuracy in percent, above 0 and at most 100");
  }
  const auto dataset = load_data(options);
  std::unique_ptr<inference::Backend> backend;
  BenchResult result;
  try {
    backend = inference::open_backend(options.model, options.backend, options.backend_options);
    result.scores_per_sample = bench::check_model_fits(*backend, dataset);
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

  result.idle = options.idle;
  for (int r = 0; r < options.repeat; ++r) {
    RecordedSession session(session_options);
    session.start();
    if (result.idle) {
      session.reuse_idle_baseline(result.idle->first, result.idle->second);
    } else {
      session.measure_idle_baseline(options.baseline);
    }
    BenchRepeat repeat{.run_id = session.run_id()};
    session.mark("warmup:start");
    bench::warm_up(*backend, dataset, options.batch, options.warmup_batches);
    session.mark("warmup:end");
    if (session.elapsed_ns() < 2 * session_options.interval.count()) session.wait_for_ticks(2);
    if (options.on_repeat) options.on_repeat(r);
    session.mark("inference:start");
    const auto inference_start = session.elapsed_ns();
    repeat.pass = bench::run_passes(*backend, dataset, options.batch, options.min_seconds, options.progress);
    const auto inference_end = session.elapsed_ns();
    session.mark("inference:end");
    session.wait_for_ticks(1);
    repeat.summary = session.finish(0, std::nullopt);
    if (!result.idle && repeat.summary.baseline) result.idle.emplace(*repeat.summary.baseline, session.run_uuid());
    repeat.inference_s = static_cast<double>(inference_end - inference_start) * 1e-9;
    repeat.latency = analysis::latency_stats(repeat.pass.batch_latency_s);
    repeat.storage_error = session.storage_error();

    WorkloadReport report = model;
    report.inferences = repeat.pass.inferences;
    report.correct = repeat.pass.correct;
    report.correct_top5 = repeat.pass.correct_top5;
    report.latency_p50_s = repeat.latency.p50_s;
    report.latency_p90_s = repeat.latency.p90_s;
    report.latency_p99_s = repeat.latency.p99_s;
    report.throughput_per_s = repeat.inference_s > 0 ? static_cast<double>(repeat.pass.inferences) / repeat.inference_s : 0.0;
    const double wall_start_s = static_cast<double>(session.start_wall_ns() + inference_start) * 1e-9;
    const double wall_end_s = static_cast<double>(session.start_wall_ns() + inference_end) * 1e-9;
    report.inference_window = std::make_pair(wall_start_s, wall_end_s);
    try {
      auto& database = session.database();
      database.save_workload_report(session.run_id(), report);
      if (!dataset.labelled() && !options.declared_accuracy_percent) {
        database.save_workload_report_error(
            session.run_id(), "synthetic inputs carry no labels and no --accuracy was declared; the run is kept unscored");
      }
      repeat.energy = session.record_inference_window(inference_start, inference_end, false);
    } catch (const recording::RecordingError& error) {
      repeat.storage_error = error.what();
    }
    result.repeats.push_back(std::move(repeat));
  }
  return result;
}

}  // namespace powerfit::session
