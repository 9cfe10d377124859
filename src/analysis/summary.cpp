#include "analysis/summary.hpp"

#include <cstdio>
#include <string>

namespace powerfit::analysis {
namespace {

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

}  // namespace

ChannelSummary summarize_channel(const ChannelInfo& info, const ChannelTotals& totals) {
  ChannelSummary summary{.info = info, .samples = totals.samples};
  if (totals.failure) {
    summary.failure = std::string(sensors::describe(*totals.failure));
    summary.failed_at_s = totals.failed_at_s;
    summary.counted_from_gauge = totals.counted_from_gauge;
    if (summary.counted_from_gauge) {
      summary.info.source += "; energy from " + info.gauge + " since " + seconds_text(totals.failed_at_s) +
                             " (the counter failed: " + *summary.failure + ")";
    }
  }
  summary.glitches = totals.glitches;
  summary.resets = totals.resets;
  summary.first_reset_s = totals.first_reset_s;
  if (totals.samples == 0) return summary;
  summary.last = totals.last_value;

  if (is_counter(info.kind)) {
    summary.total = totals.increase;
    const double span = totals.last_t - totals.first_t;
    if (span > 0.0) {
      summary.mean = totals.increase / span;
      // A counter refreshed in the background (NVML's, in ~100 ms steps, polled) gives no
      // trustworthy rate over one step: its peak is left to the power gauge beside it.
      if (!info.refreshed_in_background) summary.max = totals.max_rate;
    }
    if (info.kind == ChannelKind::energy_counter) summary.energy_j = totals.increase;
    return summary;
  }

  summary.min = totals.minimum;
  summary.max = totals.maximum;
  // One sample covers no time: its value is the best mean there is.
  summary.mean = totals.covered_s > 0.0 ? totals.integral / totals.covered_s : totals.last_value;
  if (info.kind == ChannelKind::power_gauge) summary.energy_j = totals.integral;
  return summary;
}

std::vector<ChannelSummary> summarize_channels(const std::vector<ChannelInfo>& channels,
                                               const std::vector<ChannelTotals>& totals) {
  std::vector<ChannelSummary> summaries;
  summaries.reserve(channels.size());
  for (std::size_t i = 0; i < channels.size(); ++i) summaries.push_back(summarize_channel(channels[i], totals[i]));
  return summaries;
}

void add_energy_totals(RunSummary& summary) {
  for (const auto& channel : summary.channels) {
    if (!channel.info.in_energy_total) continue;
    const bool measured = channel.info.provenance == Provenance::measured;
    if (channel.incomplete()) {
      (measured ? summary.measured_energy_partial : summary.estimated_energy_partial) = true;
      summary.partial_channels.push_back(partial_note(channel.info.name, *channel.failure, channel.failed_at_s));
    }
    if (!channel.energy_j) continue;
    auto& total = measured ? summary.measured_energy_j : summary.estimated_energy_j;
    total = total.value_or(0.0) + *channel.energy_j;
  }
}

std::string partial_note(const std::string& channel, const std::string& failure, double at_s) {
  return channel + " (" + failure + " at " + seconds_text(at_s) + ")";
}

std::string unsampled_note(const std::string& channel) { return channel + " (no samples over the stretch)"; }

std::vector<std::string> counter_warnings(const RunSummary& summary) {
  std::vector<std::string> warnings;
  char text[320];
  for (const auto& channel : summary.channels) {
    if (channel.glitches > 0) {
      std::snprintf(text, sizeof text, "%s: %u implausible reading(s) discarded (a glitch of the counter, no energy lost)",
                    channel.info.name.c_str(), channel.glitches);
      warnings.emplace_back(text);
    }
    if (channel.resets > 0) {
      std::snprintf(text, sizeof text,
                    "%s: the counter was reset %u time(s), first at %.2f s; counted on from the new value, losing at most "
                    "one interval each",
                    channel.info.name.c_str(), channel.resets, channel.first_reset_s);
      warnings.emplace_back(text);
    }
  }
  return warnings;
}

void check_baseline(RunSummary::Baseline& baseline, std::optional<double> cpu_utilization_percent) {
  char text[320];
  const auto compare = [&](const std::optional<double>& idle_w, const std::optional<double>& command_j, const char* kind) {
    // A command of less than half a second (an idle floor measured alone) has too few readings to
    // compare with.
    if (!baseline.not_idle.empty() || !idle_w || !command_j || baseline.command_duration_s < 0.5) return;
    const double command_w = *command_j / baseline.command_duration_s;
    // A command that idles (sleep) draws the baseline's power: only a baseline clearly above it
    // was not idle.
    if (*idle_w > command_w * kBusyBaselineMargin) {
      std::snprintf(text, sizeof text, "its %s power (%.2f W) is above the command's (%.2f W)", kind, *idle_w, command_w);
      baseline.not_idle = text;
    }
  };
  compare(baseline.measured_power_w, baseline.command_measured_energy_j, "measured");
  compare(baseline.estimated_power_w, baseline.command_estimated_energy_j, "ESTIMATED");
  if (baseline.not_idle.empty() && cpu_utilization_percent && *cpu_utilization_percent >= kBusyBaselinePercent) {
    std::snprintf(text, sizeof text, "the CPU was %.0f %% busy during it", *cpu_utilization_percent);
    baseline.not_idle = text;
  }
  for (auto* dynamic : {&baseline.dynamic_measured_energy_j, &baseline.dynamic_estimated_energy_j}) {
    if (*dynamic && !(**dynamic > 0.0)) dynamic->reset();
  }
}

std::optional<std::string> short_run_warning(const RunSummary& summary, double interval_s, std::string_view measured,
                                             std::string_view faster) {
  if (summary.duration_s >= interval_s) return std::nullopt;
  char text[320];
  const bool energy = summary.measured_energy_j || summary.estimated_energy_j;
  std::snprintf(text, sizeof text,
                "%.*s ran %.1f ms, less than one sampling interval (%.0f ms): %s; for more, sample faster (%.*s) or "
                "measure for longer",
                static_cast<int>(measured.size()), measured.data(), summary.duration_s * 1e3, interval_s * 1e3,
                energy ? "its figures rest on the first and last readings alone"
                       : "too short for any energy figure at this interval",
                static_cast<int>(faster.size()), faster.data());
  return text;
}

}  // namespace powerfit::analysis
