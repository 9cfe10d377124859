#pragma once
// powerfit's channels in Prometheus' terms: one metric family per kind of quantity, in base units
// (joules, watts, bytes, seconds, a 0-1 ratio for utilization), the channel, its source, scope and
// whether it is an estimate as labels. Names are chosen here alone; `powerfit serve` exposes them
// live and `export --format prometheus` writes one run's totals for node-exporter's textfile
// collector. An estimate carries estimated="true" and shares no series with a measurement.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "powerfit/units.hpp"
#include "recording/database.hpp"

namespace powerfit::report {

// The family a channel's value belongs to, and the factor from its unit to the family's base unit.
struct PrometheusName {
  std::string name;
  prometheus::MetricType type = prometheus::MetricType::Gauge;
  double scale = 1.0;
};
PrometheusName prometheus_name(ChannelKind kind, Unit unit);

using PrometheusLabels = std::vector<std::pair<std::string, std::string>>;

// The live values of a sampler: counters are the trusted increase since the exporter started
// (monotonic across wraps, glitches and resets), everything else as last read. Channels without
// a value yet are left out. `common` labels go on every series.
std::vector<prometheus::MetricFamily> live_families(const std::vector<ChannelInfo>& channels, const std::vector<double>& values,
                                                    const std::vector<std::uint8_t>& present, const PrometheusLabels& common);

// The exporter's own figures: its process's CPU time, the ticks it took, its interval, and when
// the newest tick was taken (UNIX seconds): the values served are as of then.
struct ExporterFigures {
  double process_cpu_s = 0.0;
  std::uint64_t ticks = 0;
  double interval_s = 0.0;
  double last_tick_unix_s = 0.0;
};
std::vector<prometheus::MetricFamily> exporter_families(const ExporterFigures& figures, const PrometheusLabels& common);

// One stored run's totals (energy per channel, the measured and estimated totals apart, its
// duration and mean power), labelled with the run's uuid and label.
std::vector<prometheus::MetricFamily> run_families(const recording::RunRow& run, const std::vector<recording::ChannelRow>& channels);

// The text exposition format (version 0.0.4), as served on /metrics.
std::string exposition_text(const std::vector<prometheus::MetricFamily>& families);

}  // namespace powerfit::report
