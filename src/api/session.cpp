#include "powerfit/session.hpp"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <mutex>

#include <nlohmann/json.hpp>

#include "analysis/scores.hpp"
#include "core/clock.hpp"
#include "core/duration.hpp"
#include "recording/sqlite.hpp"
#include "session/recorded_session.hpp"

namespace powerfit {

struct Session::Impl {
  SessionOptions options;
  Nanoseconds interval{};
  std::string path;
  bool temporary = false;
  std::unique_ptr<session::RecordedSession> recorded;
  std::mutex mutex;  // regions may end on other threads
  struct OpenRegion {
    std::string name;
    std::int64_t start_ns, end_ns;
    double thread_cpu_s;
  };
  std::vector<OpenRegion> regions;
  std::optional<Counts> counts;
  bool stopped = false;

  ~Impl() {
    recorded.reset();
    if (!temporary) return;
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
  }
};

Session::Session(SessionOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const auto interval = parse_interval(impl_->options.interval);
  if (const auto* error = std::get_if<DurationError>(&interval)) throw Error(Error::Kind::argument, error->message);
  impl_->interval = std::get<Nanoseconds>(interval);
}

Session::~Session() {
  if (running()) {
    try {
      stop();
    } catch (...) {
      // A destructor never throws; the run stays in the database as far as it was written.
    }
  }
}

bool Session::running() const { return impl_->recorded != nullptr && !impl_->stopped; }

void Session::start() {
  if (impl_->recorded) throw Error(Error::Kind::state, "the session was already started; create a new Session for another run");
  impl_->path = impl_->options.output;
  if (impl_->path.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "powerfit-session-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw Error(Error::Kind::storage, "cannot create a temporary database; set TMPDIR to a writable directory");
    ::close(fd);
    impl_->path = pattern;
    impl_->temporary = true;
  }
  try {
    impl_->recorded = std::make_unique<session::RecordedSession>(session::SessionOptions{
        .command = {"(api)"}, .label = impl_->options.label, .interval = impl_->interval, .database = impl_->path,
        .process_root = ::getpid(), .estimate = impl_->options.estimate});
    impl_->recorded->start();
  } catch (const recording::RecordingError& error) {
    impl_->recorded.reset();
    throw Error(Error::Kind::storage, error.what());
  }
}

void Session::mark(const std::string& name) {
  if (!running()) throw Error(Error::Kind::state, "mark(\"" + name + "\") outside a running session; call start() first");
  impl_->recorded->mark(name);
}

void Session::report(const Counts& counts) {
  if (counts.inferences < 0 || counts.correct < 0 || counts.correct > counts.inferences ||
      (counts.correct_top5 && (*counts.correct_top5 < counts.correct || *counts.correct_top5 > counts.inferences))) {
    throw Error(Error::Kind::argument, "counts disagree: need 0 <= correct <= correct_top5 <= inferences");
  }
  impl_->counts = counts;
}

Session::Region Session::region(const std::string& name) {
  if (!running()) throw Error(Error::Kind::state, "region(\"" + name + "\") outside a running session; call start() first");
  return Region(this, name);
}

Session::Region::Region(Session* session, std::string name)
    : session_(session), name_(std::move(name)), start_ns_(session->impl_->recorded->elapsed_ns()), start_cpu_ns_(thread_cpu_ns()) {
  session_->impl_->recorded->mark(name_ + ":start");
}

Session::Region::Region(Region&& other) noexcept
    : session_(std::exchange(other.session_, nullptr)), name_(std::move(other.name_)), start_ns_(other.start_ns_),
      start_cpu_ns_(other.start_cpu_ns_) {}

Session::Region::~Region() { end(); }

void Session::Region::end() {
  if (session_ == nullptr) return;
  auto& impl = *session_->impl_;
  if (session_->running()) {
    const auto cpu = static_cast<double>(thread_cpu_ns() - start_cpu_ns_) * 1e-9;
    impl.recorded->mark(name_ + ":end");
    const std::lock_guard lock(impl.mutex);
    impl.regions.push_back({name_, start_ns_, impl.recorded->elapsed_ns(), cpu});
  }
  session_ = nullptr;
}

Summary Session::stop() {
  if (!running()) throw Error(Error::Kind::state, impl_->recorded ? "the session was already stopped" : "stop() before start(); call start() first");
  auto& recorded = *impl_->recorded;
  impl_->stopped = true;
  const RunSummary& run = recorded.finish(0, std::nullopt);
  Summary summary{.run_id = recorded.run_id(),
                  .database = impl_->temporary ? std::string() : impl_->path,
                  .duration_s = run.duration_s,
                  .samples = run.samples,
                  .sampler_cpu_s = run.sampler_cpu_s,
                  .process_cpu_s = run.process_cpu_s,
                  .measured_energy_j = run.measured_energy_j,
                  .estimated_energy_j = run.estimated_energy_j,
                  .counts = impl_->counts};
  for (const auto& channel : run.channels) {
    summary.channels.push_back({channel.info.name, std::string(to_string(channel.info.unit)),
                                channel.info.provenance == Provenance::estimated, channel.total, channel.mean, channel.max,
                                channel.energy_j});
  }
  for (const auto& region : impl_->regions) {
    const auto energy = recorded.energy_between(region.start_ns, region.end_ns);
    summary.regions.push_back({region.name, static_cast<double>(region.end_ns - region.start_ns) * 1e-9,
                               region.thread_cpu_s, energy.measured_j, energy.estimated_j});
  }
  if (impl_->counts) {
    std::optional<analysis::EnergyBasis> basis = analysis::energy_basis(run.measured_energy_j, run.estimated_energy_j);
    for (const auto& region : summary.regions) {
      if (region.name == "inference") basis = analysis::energy_basis(region.measured_energy_j, region.estimated_energy_j);
    }
    if (basis) {
      const analysis::InferenceCounts counts{.inferences = static_cast<double>(impl_->counts->inferences),
                                             .correct = static_cast<double>(impl_->counts->correct)};
      if (const auto scores = analysis::compute_scores(counts, basis->joules, {})) {
        summary.accuracy_percent = scores->accuracy_percent;
        summary.energy_per_inference_j = scores->energy_per_inference_j;
        summary.composite_score = scores->composite;
        summary.energy_estimated = basis->estimated;
      }
    }
    try {
      WorkloadReport report{.inferences = impl_->counts->inferences, .correct = impl_->counts->correct,
                            .correct_top5 = impl_->counts->correct_top5, .model = impl_->counts->model};
      recorded.database().save_workload_report(recorded.run_id(), report);
    } catch (const recording::RecordingError&) {
      // The summary stands; the database keeps the samples written so far.
    }
  }
  return summary;
}

std::string Summary::to_json() const {
  const auto optional = [](const std::optional<double>& value) { return value ? nlohmann::json(*value) : nlohmann::json(nullptr); };
  nlohmann::ordered_json json{{"run_id", run_id},
                              {"database", database},
                              {"duration_s", duration_s},
                              {"samples", samples},
                              {"sampler_cpu_s", sampler_cpu_s},
                              {"process_cpu_s", process_cpu_s},
                              {"measured_energy_j", optional(measured_energy_j)},
                              {"estimated_energy_j", optional(estimated_energy_j)}};
  auto regions_json = nlohmann::ordered_json::array();
  for (const auto& region : regions) {
    regions_json.push_back({{"name", region.name},
                            {"seconds", region.seconds},
                            {"thread_cpu_s", region.thread_cpu_s},
                            {"measured_energy_j", optional(region.measured_energy_j)},
                            {"estimated_energy_j", optional(region.estimated_energy_j)}});
  }
  json["regions"] = std::move(regions_json);
  auto channels_json = nlohmann::ordered_json::array();
  for (const auto& channel : channels) {
    channels_json.push_back({{"name", channel.name},
                             {"unit", channel.unit},
                             {"estimated", channel.estimated},
                             {"total", optional(channel.total)},
                             {"mean", optional(channel.mean)},
                             {"max", optional(channel.max)},
                             {"energy_j", optional(channel.energy_j)}});
  }
  json["channels"] = std::move(channels_json);
  if (counts) {
    json["inferences"] = counts->inferences;
    json["correct"] = counts->correct;
    json["accuracy_percent"] = optional(accuracy_percent);
    json["energy_per_inference_j"] = optional(energy_per_inference_j);
    json["composite_score"] = optional(composite_score);
    json["energy_estimated"] = energy_estimated;
  }
  return json.dump();
}

}  // namespace powerfit
