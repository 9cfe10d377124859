#include "harness/serve.hpp"

#include <atomic>
#include <mutex>
#include <optional>

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>

#include "core/clock.hpp"
#include "powerfit/error.hpp"
#include "sampler/sampler.hpp"
#include "sensors/catalog.hpp"
#include "session/live_meter.hpp"
#include "session/recorded_session.hpp"

namespace powerfit::harness {
namespace {

// What /metrics returns: built at each scrape from a copy of the sampler's newest values.
class Metrics : public prometheus::Collectable {
 public:
  Metrics(const Sampler& sampler, report::PrometheusLabels labels, double interval_s)
      : sampler_(sampler), labels_(std::move(labels)), interval_s_(interval_s) {}
  std::vector<prometheus::MetricFamily> Collect() const override {
    const auto latest = sampler_.latest();
    auto families = report::live_families(sampler_.channels(), latest.values, latest.present, labels_);
    auto own = report::exporter_families(
        {.process_cpu_s = static_cast<double>(clock_ns(CLOCK_PROCESS_CPUTIME_ID)) * 1e-9,
         .ticks = latest.ticks,
         .interval_s = interval_s_,
         .last_tick_unix_s = static_cast<double>(sampler_.start_wall_ns() + latest.time_ns) * 1e-9},
        labels_);
    families.insert(families.end(), std::make_move_iterator(own.begin()), std::make_move_iterator(own.end()));
    return families;
  }

 private:
  const Sampler& sampler_;
  report::PrometheusLabels labels_;
  double interval_s_;
};

}  // namespace

struct Exporter::Impl {
  std::unique_ptr<session::RecordedSession> recorded;  // with a database
  std::unique_ptr<Sampler> bare;                       // without one
  std::shared_ptr<Metrics> metrics;
  std::unique_ptr<prometheus::Exposer> exposer;
  std::atomic<bool> stopped = false;
  std::mutex live_mutex;  // live() and stop()
  std::optional<session::LiveMeter> meter;
  const Sampler& sampler() const { return recorded ? recorded->sampler() : *bare; }
};

Exporter::Exporter(const ServeOptions& options) : impl_(std::make_unique<Impl>()) {
  // The exposer first: an address that cannot be bound stops everything before a source is
  // opened or a database file made.
  try {
    impl_->exposer = std::make_unique<prometheus::Exposer>(options.listen);
  } catch (const std::exception& error) {
    throw Error(Error::Kind::argument, "cannot listen on " + options.listen + ": " + error.what() +
                                           "; give a free address:port with --listen");
  }
  try {
    if (!options.database.empty()) {
      impl_->recorded = std::make_unique<session::RecordedSession>(session::SessionOptions{
          .command = {"powerfit", "serve"},
          .label = "serve",
          .machine = options.machine,
          .interval = options.interval,
          .database = options.database,
          .roots = options.roots,
          .estimate = options.estimate,
          .cpu_tdp_w = options.cpu_tdp_w,
          .sources = options.sources});
    } else {
      auto catalog = sensors::open_catalog(
          {.roots = options.roots, .estimate = options.estimate, .cpu_tdp_w = options.cpu_tdp_w, .wanted = options.sources});
      if (const auto problem = sensors::choose_sources(catalog, options.sources)) throw Error(Error::Kind::argument, *problem);
      impl_->bare = std::make_unique<Sampler>(sensors::available_sources(catalog), SamplerOptions{.interval = options.interval});
    }
  } catch (const session::SourceChoiceError& error) {
    throw Error(Error::Kind::argument, error.what());
  }
  if (impl_->recorded) {
    impl_->recorded->start();
  } else {
    impl_->bare->start();
  }
  report::PrometheusLabels labels;
  if (!options.machine.empty()) labels.emplace_back("machine", options.machine);
  impl_->metrics = std::make_shared<Metrics>(impl_->sampler(), labels,
                                             static_cast<double>(options.interval.count()) * 1e-9);
  impl_->exposer->RegisterCollectable(impl_->metrics);
}

Exporter::~Exporter() { stop(); }

std::vector<int> Exporter::ports() const { return impl_->exposer->GetListeningPorts(); }

std::string Exporter::scrape() const { return report::exposition_text(impl_->metrics->Collect()); }

void Exporter::drain() {
  // With a database its writer takes the ticks; without one nothing keeps them.
  if (impl_->bare && !impl_->stopped) impl_->bare->queue().drain([](auto, auto, auto, auto) {});
}

Session::LiveReading Exporter::live() {
  const std::lock_guard lock(impl_->live_mutex);
  if (impl_->stopped) return {};
  if (!impl_->meter) impl_->meter.emplace(impl_->sampler());
  impl_->meter->update();
  return impl_->meter->reading();
}

std::int64_t Exporter::stop() {
  {
    const std::lock_guard lock(impl_->live_mutex);
    if (impl_->stopped) return impl_->recorded ? impl_->recorded->run_id() : 0;
    impl_->stopped = true;
  }
  impl_->exposer.reset();  // no scrape reads the sampler from here on
  if (!impl_->recorded) {
    impl_->bare->stop();
    return 0;
  }
  impl_->recorded->stop_sampling();
  impl_->recorded->finish(0, std::nullopt);
  return impl_->recorded->run_id();
}

std::optional<std::string> Exporter::storage_error() const {
  return impl_->recorded ? impl_->recorded->storage_error() : std::nullopt;
}

}  // namespace powerfit::harness
