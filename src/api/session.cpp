#include "powerfit/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>

#include "analysis/summary.hpp"
#include "core/clock.hpp"
#include "core/counts_check.hpp"
#include "core/duration.hpp"
#include "recording/sqlite.hpp"
#include "analysis/run_score.hpp"
#include "report/format.hpp"
#include "report/summary_report.hpp"
#include "session/gpu_binding.hpp"
#include "session/live_meter.hpp"
#include "session/recorded_session.hpp"

namespace powerfit {
namespace {

Nanoseconds parse_or_throw(const std::variant<Nanoseconds, DurationError>& parsed, const std::string& prefix) {
  if (const auto* error = std::get_if<DurationError>(&parsed)) throw Error(Error::Kind::argument, prefix + error->message);
  return std::get<Nanoseconds>(parsed);
}

// This program's command line, as the run's record of what was measured.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> words;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const auto end = std::min(text.find('\0', begin), text.size());
    words.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  if (words.empty()) words.emplace_back("(unknown program)");
  return words;
}

}  // namespace

struct Session::Impl {
  SessionOptions options;
  Nanoseconds interval{}, baseline{}, settle{};
  std::vector<std::string> command;
  std::string path;
  bool temporary = false;
  std::unique_ptr<session::RecordedSession> recorded;
  std::mutex mutex;  // regions may end on other threads, while stop() runs
  struct ClosedRegion {
    std::string name;
    std::int64_t start_ns, end_ns;
    double thread_cpu_s;
  };
  std::vector<ClosedRegion> regions;
  std::set<Region*> open_regions;  // detached when the session is destroyed first
  std::optional<Counts> counts;
  std::string unusable;  // why the counts could not be had
  std::string counted;   // which GPUs and host channels, and why (session/gpu_binding.hpp)
  std::atomic<bool> stopped = false;
  std::optional<session::LiveMeter> meter;  // made by the first live(), under `mutex`

  ~Impl() {
    recorded.reset();
    if (!temporary) return;
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
  }

  // The inference window in ns since the start, and whether its edges still need markers: the
  // window the counts name, else the span of the regions named "inference".
  std::optional<std::tuple<std::int64_t, std::int64_t, bool>> inference_window() const {
    if (counts && counts->inference_window) {
      const auto [start_s, end_s] = *counts->inference_window;
      const auto origin = recorded->start_wall_ns();
      return std::make_tuple(static_cast<std::int64_t>(start_s * 1e9) - origin, static_cast<std::int64_t>(end_s * 1e9) - origin, true);
    }
    std::optional<std::tuple<std::int64_t, std::int64_t, bool>> span;
    for (const auto& region : regions) {
      if (region.name != "inference") continue;
      if (!span) span.emplace(region.start_ns, region.end_ns, false);
      std::get<0>(*span) = std::min(std::get<0>(*span), region.start_ns);
      std::get<1>(*span) = std::max(std::get<1>(*span), region.end_ns);
    }
    return span;
  }

  void score(Summary& summary) {
    auto& database = recorded->database();
    if (counts) database.save_workload_report(summary.run_id, *counts);
    if (!unusable.empty()) database.save_workload_report_error(summary.run_id, unusable);  // after: saving counts replaces the row
    if (!counts) return;
    if (const auto window = inference_window()) {
      const auto [from_ns, to_ns, mark_edges] = *window;
      const auto energy = recorded->record_inference_window(from_ns, to_ns, mark_edges);
      summary.window_measured_energy_j = energy.measured_j;
      summary.window_estimated_energy_j = energy.estimated_j;
      summary.window_partial_channels = energy.partial_channels;
      for (const auto& channel : energy.partial_channels) {
        summary.warnings.push_back("the inference window's energy is PARTIAL: " + channel);
      }
      for (const auto& channel : energy.channels) {
        summary.window_channels.push_back({channel.name, channel.provenance == Provenance::estimated, channel.joules});
      }
      if (!energy.measured_j && !energy.estimated_j) {
        summary.warnings.emplace_back("the inference window does not lie inside the run's samples; scored on the whole run");
      }
    }
    // Scored as `powerfit score` scores the stored run, so that the two never disagree.
    const auto stored = database.reported_runs({summary.run_id});
    if (stored.empty()) return;
    auto scored = analysis::score_run(stored.front(), {}, false);
    summary.scores = scored.scores;
    summary.scored_on = scored.scored_on;
    summary.scores_estimated = scored.basis && scored.basis->estimated;
    if (!scored.scores) summary.unscored_why = scored.why;
  }
};

Session::Session(SessionOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->interval = parse_or_throw(parse_interval(impl_->options.interval), "");
  impl_->baseline = parse_or_throw(parse_duration(impl_->options.baseline), "baseline: ");
  if (impl_->baseline > std::chrono::hours(1)) {
    throw Error(Error::Kind::argument, "baseline: '" + impl_->options.baseline + "' is longer than the 1h an idle baseline may last; give e.g. 10s");
  }
  impl_->settle = parse_or_throw(parse_duration(impl_->options.settle), "settle: ");
  if (impl_->settle > std::chrono::hours(1)) {
    throw Error(Error::Kind::argument, "settle: '" + impl_->options.settle + "' is longer than the 1h a machine may take to settle; give e.g. 30s");
  }
  // NaN fails each comparison; a negative or infinite figure gave negative or infinite CO2e and cost.
  const auto check = [](const std::optional<double>& value, double most, const std::string& what) {
    if (value && !(*value > 0.0 && *value <= most)) {
      throw Error(Error::Kind::argument, what + " must be above 0 and at most " + report::format("%g", most) + ", not " +
                                             report::format("%g", *value));
    }
  };
  check(impl_->options.cpu_tdp_w, kMostCpuTdpW, "cpu_tdp_w (CPU watts at full load)");
  check(impl_->options.tariff.carbon_g_per_kwh, Tariff::kMostCarbonGPerKwh, "the carbon intensity (g CO2e per kWh)");
  check(impl_->options.tariff.price_per_kwh, Tariff::kMostPricePerKwh, "the energy price (per kWh)");
  if (const auto& gpus = impl_->options.gpus;
      gpus && (gpus->empty() || std::any_of(gpus->begin(), gpus->end(), [](const std::string& gpu) { return gpu.empty(); }))) {
    throw Error(Error::Kind::argument,
                "gpus: an empty list or name chooses no GPU; name GPUs by NVML index or UUID, or leave gpus out to count them all");
  }
}

Session::~Session() {
  {
    const std::lock_guard lock(impl_->mutex);
    for (Region* region : impl_->open_regions) {
      region->session_ = nullptr;
      region->orphaned_ = true;
    }
    impl_->open_regions.clear();
  }
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
  const std::int64_t cpu_start = thread_cpu_ns();
  const auto& options = impl_->options;
  impl_->command = options.command.empty() ? own_command_line() : options.command;
  impl_->path = options.output;
  if (impl_->path.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "powerfit-session-XXXXXX").string();
    const int fd = ::mkstemp(pattern.data());
    if (fd < 0) throw Error(Error::Kind::storage, "cannot create a temporary database; set TMPDIR to a writable directory");
    ::close(fd);
    impl_->path = pattern;
    impl_->temporary = true;
  }
  sensors::Roots roots;
  if (!options.proc_root.empty()) roots.proc = options.proc_root;
  if (!options.sys_root.empty()) roots.sys = options.sys_root;
  const auto binding = session::bind_gpus(options.gpus, !options.sources.empty());
  impl_->counted = binding.why;
  try {
    impl_->recorded = std::make_unique<session::RecordedSession>(session::SessionOptions{
        .command = impl_->command,
        .label = options.label,
        .machine = options.machine,
        .interval = impl_->interval,
        .database = impl_->path,
        .roots = roots,
        .process_root = options.follow_process != 0 ? options.follow_process : ::getpid(),
        .loopback_in_total = options.include_loopback,
        .estimate = options.estimate,
        .cpu_tdp_w = options.cpu_tdp_w,
        .gpus = binding.gpus,
        .gpus_named = options.gpus.has_value(),
        .host_channels = binding.host_channels,
        .sources = options.sources});
    impl_->recorded->start();
  } catch (const recording::RecordingError& error) {
    impl_->recorded.reset();
    throw Error(Error::Kind::storage, error.what());
  } catch (const session::SourceChoiceError& error) {
    impl_->recorded.reset();
    throw Error(Error::Kind::argument, error.what());
  }
  impl_->recorded->measure_idle_baseline(impl_->baseline, impl_->settle);
  impl_->recorded->count_caller_cpu(static_cast<double>(thread_cpu_ns() - cpu_start) * 1e-9);
}

void Session::mark(const std::string& name) {
  if (!running()) throw Error(Error::Kind::state, "mark(\"" + name + "\") outside a running session; call start() first");
  impl_->recorded->mark(name);
}

void Session::report(const Counts& counts) {
  if (const auto problem = counts_problem(counts); !problem.empty()) throw Error(Error::Kind::argument, problem);
  impl_->counts = counts;
}

void Session::report_unusable(const std::string& why) { impl_->unusable = why; }

void Session::reuse_baseline(const Summary& earlier) {
  if (!earlier.run.baseline) throw Error(Error::Kind::argument, "the earlier session measured no idle baseline; give it a baseline");
  if (impl_->baseline.count() > 0) throw Error(Error::Kind::state, "this session measures its own idle baseline; set baseline = \"0\" to reuse one");
  if (!running()) throw Error(Error::Kind::state, "reuse_baseline() outside a running session; call start() first");
  const auto& idle = *earlier.run.baseline;
  impl_->recorded->reuse_idle_baseline(idle, idle.from_run_uuid.empty() ? earlier.run_uuid : idle.from_run_uuid);
}

void Session::wait_for_samples(int count) {
  if (!running()) throw Error(Error::Kind::state, "wait_for_samples() outside a running session; call start() first");
  impl_->recorded->wait_for_ticks(count);
}

double Session::elapsed_s() const { return impl_->recorded ? static_cast<double>(impl_->recorded->elapsed_ns()) * 1e-9 : 0.0; }

Session::LiveReading Session::live() {
  const std::lock_guard lock(impl_->mutex);  // stop() takes it before it ends sampling
  if (!running()) return {};
  if (!impl_->meter) impl_->meter.emplace(impl_->recorded->sampler());
  impl_->meter->update();
  return impl_->meter->reading();
}

void Session::end_sampling() {
  if (!running()) throw Error(Error::Kind::state, "end_sampling() outside a running session; call start() first");
  impl_->recorded->stop_sampling();
}

Session::Region Session::region(const std::string& name) {
  if (!running()) throw Error(Error::Kind::state, "region(\"" + name + "\") outside a running session; call start() first");
  return Region(this, name);
}

Session::Region::Region(Session* session, std::string name)
    : session_(session), name_(std::move(name)), start_ns_(session->impl_->recorded->elapsed_ns()), start_cpu_ns_(thread_cpu_ns()) {
  session_->impl_->recorded->mark(name_ + ":start");
  auto latest = session_->impl_->recorded->sampler().latest();
  start_tick_ns_ = latest.time_ns;
  start_energy_j_ = std::move(latest.energy_j);
  const std::lock_guard lock(session_->impl_->mutex);
  session_->impl_->open_regions.insert(this);
}

Session::Region::Region(Region&& other) noexcept
    : session_(other.session_), name_(std::move(other.name_)), start_ns_(other.start_ns_),
      start_cpu_ns_(other.start_cpu_ns_), start_tick_ns_(other.start_tick_ns_), start_energy_j_(std::move(other.start_energy_j_)),
      result_(std::move(other.result_)), orphaned_(other.orphaned_) {
  if (session_ == nullptr) return;
  const std::lock_guard lock(session_->impl_->mutex);
  session_->impl_->open_regions.erase(&other);
  session_->impl_->open_regions.insert(this);
  other.session_ = nullptr;
}

Session::Region::~Region() {
  if (session_ != nullptr) end();
}

Session::RegionResult Session::Region::end() {
  if (orphaned_) {
    orphaned_ = false;
    throw Error(Error::Kind::state, "region \"" + name_ + "\" outlived its session; end regions before destroying their session");
  }
  if (session_ == nullptr) return result_;
  auto& impl = *session_->impl_;
  const auto cpu = static_cast<double>(thread_cpu_ns() - start_cpu_ns_) * 1e-9;
  const std::lock_guard lock(impl.mutex);  // stop() takes it too: a region ends wholly before or after
  impl.open_regions.erase(this);
  result_.name = name_;
  result_.thread_cpu_s = cpu;
  if (session_->running()) {
    const auto end_ns = impl.recorded->elapsed_ns();
    impl.recorded->mark(name_ + ":end");
    impl.regions.push_back({name_, start_ns_, end_ns, cpu});
    result_.duration_s = static_cast<double>(end_ns - start_ns_) * 1e-9;
    // The energy each channel of the totals counted between the ticks before the two edges.
    const auto latest = impl.recorded->sampler().latest();
    const auto& channels = impl.recorded->sampler().channels();
    result_.from_s = static_cast<double>(start_tick_ns_) * 1e-9;
    result_.to_s = static_cast<double>(latest.time_ns) * 1e-9;
    for (std::size_t i = 0; i < channels.size() && i < start_energy_j_.size() && i < latest.energy_j.size(); ++i) {
      if (!channels[i].in_energy_total) continue;
      if (std::isnan(start_energy_j_[i]) || std::isnan(latest.energy_j[i])) {
        result_.partial_channels.push_back(channels[i].name + " (no count yet at the region's start)");
        continue;
      }
      if (latest.stopped[i] != 0) result_.partial_channels.push_back(channels[i].name + " (stopped inside the region)");
      const bool estimated = channels[i].provenance == Provenance::estimated;
      const double joules = latest.energy_j[i] - start_energy_j_[i];
      result_.channels.push_back({channels[i].name, estimated, joules});
      auto& total = estimated ? result_.estimated_energy_j : result_.measured_energy_j;
      total = total.value_or(0.0) + joules;
    }
  }
  session_ = nullptr;
  return result_;
}

std::string Session::RegionResult::to_json() const {
  nlohmann::ordered_json channel_list = nlohmann::ordered_json::array();
  for (const auto& channel : channels) {
    channel_list.push_back({{"name", channel.name}, {"estimated", channel.estimated}, {"energy_j", channel.joules}});
  }
  return nlohmann::ordered_json{{"name", name},
                                {"duration_s", duration_s},
                                {"thread_cpu_s", thread_cpu_s},
                                {"from_s", from_s},
                                {"to_s", to_s},
                                {"measured_energy_j", report::optional_json(measured_energy_j)},
                                {"estimated_energy_j", report::optional_json(estimated_energy_j)},
                                {"channels", channel_list},
                                {"partial_channels", partial_channels}}
      .dump();
}

Summary Session::stop(const ProcessExit& exit) {
  if (!running()) throw Error(Error::Kind::state, impl_->recorded ? "the session was already stopped" : "stop() before start(); call start() first");
  auto& recorded = *impl_->recorded;
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
  }
  Summary summary{.run_id = recorded.run_id(),
                  .run_uuid = recorded.run_uuid(),
                  .database = impl_->temporary ? std::string() : impl_->path,
                  .command = impl_->command,
                  .label = impl_->options.label,
                  .interval_s = static_cast<double>(impl_->interval.count()) * 1e-9,
                  .run = recorded.finish(exit.status, exit.cpu_s),
                  .tariff = impl_->options.tariff,
                  .counts = impl_->counts};
  summary.counted = impl_->counted;
  if (const auto& error = recorded.storage_error()) {
    summary.recording_error = *error;
    summary.warnings.push_back("recording failed: " + *error);
  }
  for (auto& warning : analysis::counter_warnings(summary.run)) summary.warnings.push_back(std::move(warning));
  // A followed process is `powerfit run`'s command; else the session measured its own program.
  const bool command = impl_->options.follow_process != 0;
  if (auto warning = analysis::short_run_warning(summary.run, summary.interval_s, command ? "the command" : "the session",
                                                 command ? "-i 10ms" : "interval \"10ms\"")) {
    summary.warnings.push_back(std::move(*warning));
  }
  if (summary.run.baseline && !summary.run.baseline->not_idle.empty()) {
    summary.warnings.push_back("the idle baseline was not idle: " + summary.run.baseline->not_idle +
                               "; the energy above idle is not trustworthy (measure the baseline on a quiet machine)");
  }
  try {
    for (const auto& region : impl_->regions) {
      const auto energy = recorded.energy_between(region.start_ns, region.end_ns);
      summary.regions.push_back({region.name, static_cast<double>(region.end_ns - region.start_ns) * 1e-9,
                                 region.thread_cpu_s, energy.measured_j, energy.estimated_j, energy.partial_channels});
      for (const auto& channel : energy.partial_channels) {
        summary.warnings.push_back("region " + region.name + "'s energy is PARTIAL: " + channel);
      }
    }
    impl_->score(summary);
  } catch (const recording::RecordingError& error) {
    summary.warnings.push_back(std::string("recording the counts failed: ") + error.what());
  }
  if (!impl_->unusable.empty()) summary.unscored_why = impl_->unusable;
  return summary;
}

std::string Summary::to_json() const { return report::summary_json(*this).dump(); }

}  // namespace powerfit
