#include "report/prometheus.hpp"

#include <map>
#include <sstream>

#include <prometheus/text_serializer.h>

#include "analysis/run_score.hpp"

namespace powerfit::report {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

const char* help_of(const std::string& name) {
  static const std::map<std::string, const char*> help{
      {"powerfit_energy_joules_total", "Energy since the exporter started, per channel (estimated=\"true\": an estimate)"},
      {"powerfit_power_watts", "Power as last read"},
      {"powerfit_utilization_ratio", "Busy share over the last interval, 0 to 1"},
      {"powerfit_io_bytes_total", "Bytes moved since the exporter started (storage, network, process I/O)"},
      {"powerfit_cpu_seconds_total", "CPU time since the exporter started"},
      {"powerfit_counter_total", "Other counted quantities since the exporter started"},
      {"powerfit_memory_bytes", "Memory in use or available, as last read"},
      {"powerfit_throughput_bytes_per_second", "Transfer rate as last read (PCIe)"},
      {"powerfit_frequency_hertz", "Clock frequency as last read"},
      {"powerfit_temperature_celsius", "Temperature as last read"},
      {"powerfit_seconds", "A duration as last read"},
      {"powerfit_value", "Another quantity as last read"}};
  const auto found = help.find(name);
  return found == help.end() ? "" : found->second;
}

ClientMetric metric(const PrometheusLabels& labels, MetricType type, double value) {
  ClientMetric metric;
  for (const auto& [name, text] : labels) metric.label.push_back({name, text});
  if (type == MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return metric;
}

// Families in a fixed order (by name), series in the order added.
class Families {
 public:
  void add(const std::string& name, MetricType type, const std::string& help, ClientMetric metric) {
    auto& family = families_[name];
    family.name = name;
    family.type = type;
    family.help = help;
    family.metric.push_back(std::move(metric));
  }
  std::vector<MetricFamily> take() {
    std::vector<MetricFamily> list;
    for (auto& [name, family] : families_) list.push_back(std::move(family));
    return list;
  }

 private:
  std::map<std::string, MetricFamily> families_;
};

}  // namespace

PrometheusName prometheus_name(ChannelKind kind, Unit unit) {
  switch (kind) {
    case ChannelKind::energy_counter: return {"powerfit_energy_joules_total", MetricType::Counter};
    case ChannelKind::power_gauge: return {"powerfit_power_watts", MetricType::Gauge};
    case ChannelKind::utilization: return {"powerfit_utilization_ratio", MetricType::Gauge, 0.01};
    case ChannelKind::byte_counter: return {"powerfit_io_bytes_total", MetricType::Counter};
    case ChannelKind::counter:
      return unit == Unit::second ? PrometheusName{"powerfit_cpu_seconds_total", MetricType::Counter}
                                  : PrometheusName{"powerfit_counter_total", MetricType::Counter};
    case ChannelKind::gauge: break;
  }
  switch (unit) {
    case Unit::watt: return {"powerfit_power_watts", MetricType::Gauge};
    case Unit::percent: return {"powerfit_utilization_ratio", MetricType::Gauge, 0.01};
    case Unit::byte: return {"powerfit_memory_bytes", MetricType::Gauge};
    case Unit::byte_per_second: return {"powerfit_throughput_bytes_per_second", MetricType::Gauge};
    case Unit::hertz: return {"powerfit_frequency_hertz", MetricType::Gauge};
    case Unit::celsius: return {"powerfit_temperature_celsius", MetricType::Gauge};
    case Unit::second: return {"powerfit_seconds", MetricType::Gauge};
    case Unit::joule: break;
  }
  return {"powerfit_value", MetricType::Gauge};
}

std::vector<MetricFamily> live_families(const std::vector<ChannelInfo>& channels, const std::vector<double>& values,
                                        const std::vector<std::uint8_t>& present, const PrometheusLabels& common) {
  Families families;
  for (std::size_t i = 0; i < channels.size(); ++i) {
    if (i >= present.size() || present[i] == 0) continue;
    const auto& channel = channels[i];
    const auto name = prometheus_name(channel.kind, channel.unit);
    PrometheusLabels labels{{"channel", channel.name},
                            {"source", channel.source},
                            {"scope", channel.scope},
                            {"estimated", channel.provenance == Provenance::estimated ? "true" : "false"}};
    labels.insert(labels.end(), common.begin(), common.end());
    families.add(name.name, name.type, help_of(name.name), metric(labels, name.type, values[i] * name.scale));
  }
  return families.take();
}

std::vector<MetricFamily> exporter_families(const ExporterFigures& figures, const PrometheusLabels& common) {
  Families families;
  families.add("powerfit_exporter_cpu_seconds_total", MetricType::Counter,
               "CPU time of the exporter's process (sampling, serving, recording)",
               metric(common, MetricType::Counter, figures.process_cpu_s));
  families.add("powerfit_exporter_ticks_total", MetricType::Counter, "Samples taken since the exporter started",
               metric(common, MetricType::Counter, static_cast<double>(figures.ticks)));
  families.add("powerfit_exporter_interval_seconds", MetricType::Gauge, "The sampling interval",
               metric(common, MetricType::Gauge, figures.interval_s));
  families.add("powerfit_exporter_last_tick_timestamp_seconds", MetricType::Gauge,
               "When the newest sample was taken (UNIX time): the values served are as of then",
               metric(common, MetricType::Gauge, figures.last_tick_unix_s));
  return families.take();
}

std::vector<MetricFamily> run_families(const recording::RunRow& run, const std::vector<recording::ChannelRow>& channels) {
  Families families;
  const PrometheusLabels of_run{{"run_uuid", run.uuid}, {"label", run.label}, {"host", run.hostname}};
  for (const auto& channel : channels) {
    if (!channel.energy_j) continue;
    PrometheusLabels labels{{"channel", channel.name}, {"scope", channel.scope}, {"estimated", channel.estimated ? "true" : "false"}};
    labels.insert(labels.end(), of_run.begin(), of_run.end());
    families.add("powerfit_run_energy_joules", MetricType::Gauge, "A run's energy per channel (estimated=\"true\": an estimate)",
                 metric(labels, MetricType::Gauge, *channel.energy_j));
  }
  const auto totals = analysis::run_energy(channels);
  for (const auto& [total, flag] : {std::pair{totals.measured, "false"}, std::pair{totals.estimated, "true"}}) {
    if (!total) continue;
    PrometheusLabels labels{{"estimated", flag}};
    labels.insert(labels.end(), of_run.begin(), of_run.end());
    families.add("powerfit_run_energy_total_joules", MetricType::Gauge,
                 "A run's energy total, measured and estimated apart (never summed together)",
                 metric(labels, MetricType::Gauge, *total));
  }
  if (run.duration_s) {
    families.add("powerfit_run_duration_seconds", MetricType::Gauge, "A run's duration", metric(of_run, MetricType::Gauge, *run.duration_s));
  }
  return families.take();
}

std::string exposition_text(const std::vector<MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace powerfit::report
