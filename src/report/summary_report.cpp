#include "report/summary_report.hpp"

#include <cmath>
#include <cstdio>

#include "analysis/scores.hpp"
#include "core/joined.hpp"
#include "report/format.hpp"

namespace powerfit::report {
namespace {


std::string join(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) {
    if (!text.empty()) text += ' ';
    text += word.find(' ') == std::string::npos ? word : "'" + word + "'";
  }
  return text;
}

struct Style {
  bool color;
  std::string dim(const std::string& text) const { return color ? "\033[2m" + text + "\033[0m" : text; }
  std::string bold(const std::string& text) const { return color ? "\033[1m" + text + "\033[0m" : text; }
  std::string warn(const std::string& text) const { return color ? "\033[33m" + text + "\033[0m" : text; }
};

void line(std::ostream& out, const std::string& value, const std::string& label, const std::string& note = {}) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, "  %18s  %-28s", value.c_str(), label.c_str());
  // A label as wide as its column or wider still keeps a space before the note.
  out << buffer << (label.size() >= 28 && !note.empty() ? " " : "") << note << '\n';
}

std::string provenance_tag(const ChannelSummary& channel) {
  return channel.info.provenance == Provenance::estimated ? "ESTIMATED" : "measured";
}

bool is_power(const ChannelSummary& channel) {
  return channel.info.kind == ChannelKind::energy_counter || channel.info.kind == ChannelKind::power_gauge;
}

}  // namespace

std::string format_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (std::fabs(bytes) >= 1024.0 && unit < 4) {
    bytes /= 1024.0;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.2f %s", bytes, kUnits[unit]);
  return buffer;
}

// Runs shorter than this print their overhead as CPU time, not as a share of the run.
constexpr double kShortestOverheadRun = 1.0;

void print_summary(std::ostream& out, const Summary& session, bool color) {
  const RunSummary& summary = session.run;
  const Style style{color};
  out << "\n " << style.bold("powerfit summary for '" + join(session.command) + "'");
  if (!session.label.empty()) out << " [" << session.label << "]";
  out << "\n\n";
  line(out, format("%.3f s", summary.duration_s), "duration");
  line(out, std::to_string(summary.exit_status), "exit status");
  for (const auto& region : session.regions) {
    std::string note = format("%.3f s CPU", region.thread_cpu_s);
    if (region.measured_energy_j) note += format(", %.3f J measured", *region.measured_energy_j);
    if (region.estimated_energy_j) note += format(", %.3f J ESTIMATED", *region.estimated_energy_j);
    if (!region.partial_channels.empty()) note += ", PARTIAL";
    line(out, format("%.3f s", region.seconds), "region " + region.name, note);
  }

  bool any_power = false, any_energy = false;
  for (const auto& channel : summary.channels) {
    if (!is_power(channel)) continue;
    any_power = true;
    if (!channel.energy_j) continue;
    any_energy = true;
    const std::string note = format("mean %.2f W", channel.mean.value_or(0.0)) +
                             (channel.max ? format(", peak %.2f W", *channel.max) : std::string()) + "  (" +
                             provenance_tag(channel) + ")";
    line(out, format("%.3f J", *channel.energy_j), channel.info.name, channel.info.provenance == Provenance::estimated ? style.warn(note) : note);
  }
  if (!any_power) line(out, "-", "energy", style.dim("no power sensor on this machine (see `powerfit sensors`)"));
  if (any_power && !any_energy) {
    line(out, "-", "energy", style.warn(format("too short to measure at this interval (%g ms); try -i 10ms", session.interval_s * 1e3)));
  }
  const auto partial_note = joined(summary.partial_channels);
  if (summary.measured_energy_j) {
    line(out, format("%.3f J", *summary.measured_energy_j),
         summary.measured_energy_partial ? "energy, measured total PARTIAL" : "energy, measured total",
         summary.measured_energy_partial ? style.warn("stops early: " + partial_note) : std::string());
  }
  if (summary.estimated_energy_j) {
    line(out, format("%.3f J", *summary.estimated_energy_j),
         summary.estimated_energy_partial ? "energy, ESTIMATED total PARTIAL" : "energy, ESTIMATED total",
         style.warn(summary.estimated_energy_partial ? "an estimate, and it stops early: " + partial_note
                                                     : std::string("an estimate, not a measurement")));
  }
  const auto& tariff = session.tariff;
  // Measured and ESTIMATED figures side by side, never summed ("-" where neither is known).
  const auto both = [&](const char* pattern_measured, const char* pattern_estimated, const std::optional<double>& measured,
                        const std::optional<double>& estimated) {
    std::string text;
    if (measured) text += format(pattern_measured, *measured);
    if (estimated) text += (text.empty() ? "" : ", ") + format(pattern_estimated, *estimated);
    return text.empty() ? std::string("-") : text;
  };
  if (tariff.carbon_g_per_kwh && (summary.measured_energy_j || summary.estimated_energy_j)) {
    line(out, format("%.0f g/kWh", *tariff.carbon_g_per_kwh), "CO2e of the energy",
         both("%.4g g measured", "%.4g g ESTIMATED", tariff.co2e_g(summary.measured_energy_j), tariff.co2e_g(summary.estimated_energy_j)));
  }
  if (tariff.price_per_kwh && (summary.measured_energy_j || summary.estimated_energy_j)) {
    line(out, format("%.4g /kWh", *tariff.price_per_kwh), "cost of the energy",
         both("%.4g measured", "%.4g ESTIMATED", tariff.cost(summary.measured_energy_j), tariff.cost(summary.estimated_energy_j)));
  }

  if (const auto& baseline = summary.baseline) {
    if (baseline->settle_s > 0.0) line(out, format("%.1f s", baseline->settle_s), "settling before the baseline", "");
    line(out, format("%.3f s", baseline->duration_s), "idle baseline",
         both("%.2f W measured", "%.2f W ESTIMATED", baseline->measured_power_w, baseline->estimated_power_w));
    line(out, format("%.3f s", baseline->command_duration_s), "command energy",
         both("%.3f J measured", "%.3f J ESTIMATED", baseline->command_measured_energy_j, baseline->command_estimated_energy_j));
    const bool any_dynamic = baseline->dynamic_measured_energy_j || baseline->dynamic_estimated_energy_j;
    const bool any_command = baseline->command_measured_energy_j || baseline->command_estimated_energy_j;
    line(out, "", "dynamic energy (above idle)",
         !any_dynamic && any_command
             ? style.warn("none: the command drew no more than the idle baseline")
             : both("%.3f J measured", "%.3f J ESTIMATED", baseline->dynamic_measured_energy_j, baseline->dynamic_estimated_energy_j));
    if (!baseline->not_idle.empty()) out << style.warn("  the idle baseline was not idle: " + baseline->not_idle) << '\n';
  }
  if (const auto* cpu = summary.find("cpu.utilization"); cpu && cpu->mean) {
    line(out, format("%.1f %%", *cpu->mean), "CPU utilization (system)", format("peak %.1f %%", cpu->max.value_or(0.0)));
  }
  if (const auto* cpu_time = summary.find("process.cpu_time"); cpu_time && cpu_time->total) {
    const double cores = summary.duration_s > 0.0 ? *cpu_time->total / summary.duration_s : 0.0;
    line(out, format("%.3f s", *cpu_time->total), "CPU time (process tree)", format("%.2f cores used", cores));
  }
  if (summary.child_cpu_s) line(out, format("%.3f s", *summary.child_cpu_s), "CPU time (exit accounting)");
  if (const auto* rss = summary.find("process.rss"); rss && rss->max) {
    line(out, format_bytes(*rss->max), "peak resident memory");
  }
  if (const auto* used = summary.find("memory.used"); used && used->max) {
    line(out, format_bytes(*used->max), "peak system memory used");
  }
  for (const char* name : {"process.read_bytes", "process.write_bytes", "disk.read_bytes", "disk.write_bytes",
                           "net.rx_bytes", "net.tx_bytes"}) {
    if (const auto* channel = summary.find(name); channel && channel->total) {
      line(out, format_bytes(*channel->total), name);
    }
  }
  line(out, std::to_string(summary.samples), "samples",
       "every " + format("%g ms", session.interval_s * 1e3) + ", " + std::to_string(summary.missed_deadlines) +
           " missed deadlines");
  // Over a run of less than a second, start-up and the first and last readings dominate: the
  // CPU time is told, a percentage of the run would mislead.
  const bool too_short = summary.duration_s < kShortestOverheadRun;
  line(out, too_short ? std::string("-") : format("%.3f %%", summary.sampler_overhead_percent), "sampler overhead",
       format(too_short ? "%.1f ms CPU" : "of one core (%.1f ms CPU", summary.sampler_cpu_s * 1e3) +
           format(", recording %.1f ms", summary.writer_cpu_s * 1e3) + (too_short ? "; run too short for a percentage" : ")"));
  line(out, too_short ? std::string("-") : format("%.3f %%", summary.process_overhead_percent), "powerfit overhead (all)",
       format(too_short ? "%.1f ms CPU, start-up included; run too short for a percentage"
                        : "of one core (%.1f ms CPU, start-up included)",
              summary.process_cpu_s * 1e3));
  for (const auto& channel : summary.channels) {
    if (channel.failure) {
      out << style.warn("  channel " + channel.info.name + " failed at " + format("%.3f s", channel.failed_at_s) +
                        ": " + *channel.failure +
                        (channel.counted_from_gauge ? "; its energy is counted on from " + channel.info.gauge : std::string()))
          << '\n';
    }
  }
  if (summary.dropped_ticks > 0) {
    out << style.warn("  " + std::to_string(summary.dropped_ticks) +
                      " ticks were not stored (storage fell behind); the figures above include them")
        << '\n';
  }
  if (session.recording_error) {
    out << style.warn("\n  recording into " + session.database + " FAILED (run " + std::to_string(session.run_id) +
                      "): " + *session.recording_error)
        << '\n';
  } else if (!session.database.empty()) {
    out << style.dim("\n  recorded as run " + std::to_string(session.run_id) + " in " + session.database) << '\n';
  }
  out << '\n';
}

namespace {

struct RepeatFigure {
  const char* name;
  const char* unit;
  std::vector<double> values;
};

// Figures present in every run: duration always, energy totals where each run has them.
std::vector<RepeatFigure> repeat_figures(const std::vector<RunSummary>& runs) {
  std::vector<RepeatFigure> figures{{"duration_s", "s", {}}, {"measured_energy_j", "J", {}},
                                    {"estimated_energy_j", "J (ESTIMATED)", {}}};
  for (const auto& run : runs) {
    figures[0].values.push_back(run.duration_s);
    if (run.measured_energy_j) figures[1].values.push_back(*run.measured_energy_j);
    if (run.estimated_energy_j) figures[2].values.push_back(*run.estimated_energy_j);
  }
  std::erase_if(figures, [&](const RepeatFigure& figure) { return figure.values.size() != runs.size(); });
  return figures;
}

}  // namespace

void print_repeats(std::ostream& out, const std::vector<RunSummary>& runs) {
  out << " over " << runs.size() << " runs (mean ± 95% confidence interval, Student t; median, standard deviation, CV):\n";
  for (const auto& figure : repeat_figures(runs)) {
    const auto statistics = analysis::repeat_statistics(figure.values);
    line(out, format("%.4g", statistics.mean) + format(" ± %.2g", statistics.half_width.value_or(0.0)),
         std::string(figure.name), std::string(figure.unit) + (statistics.stddev ? "  " + spread_text(statistics, "%.4g") : ""));
  }
  out << '\n';
}

nlohmann::ordered_json repeats_json(const std::vector<RunSummary>& runs) {
  nlohmann::ordered_json json;
  json["runs"] = runs.size();
  for (const auto& figure : repeat_figures(runs)) {
    json[figure.name] = repeat_json(analysis::repeat_statistics(figure.values));
  }
  return json;
}

nlohmann::ordered_json summary_json(const Summary& session) {
  const RunSummary& summary = session.run;
  nlohmann::ordered_json json;
  json["command"] = session.command;
  json["label"] = session.label;
  json["database"] = session.database;
  json["run_id"] = session.run_id;
  json["run_uuid"] = session.run_uuid;
  json["interval_s"] = session.interval_s;
  json["duration_s"] = summary.duration_s;
  json["exit_status"] = summary.exit_status;
  json["samples"] = summary.samples;
  json["missed_deadlines"] = summary.missed_deadlines;
  json["dropped_ticks"] = summary.dropped_ticks;
  json["sampler_cpu_s"] = summary.sampler_cpu_s;
  json["sampler_overhead_percent"] = summary.sampler_overhead_percent;
  json["writer_cpu_s"] = summary.writer_cpu_s;
  json["process_cpu_s"] = summary.process_cpu_s;
  json["process_overhead_percent"] = summary.process_overhead_percent;
  if (summary.child_cpu_s) json["child_cpu_s"] = *summary.child_cpu_s;
  if (summary.measured_energy_j) json["measured_energy_j"] = *summary.measured_energy_j;
  if (summary.estimated_energy_j) json["estimated_energy_j"] = *summary.estimated_energy_j;
  // CO2e and cost, measured and ESTIMATED apart; null where no intensity or price was given.
  json["carbon_intensity_g_per_kwh"] = optional_json(session.tariff.carbon_g_per_kwh);
  json["measured_co2e_g"] = optional_json(session.tariff.co2e_g(summary.measured_energy_j));
  json["estimated_co2e_g"] = optional_json(session.tariff.co2e_g(summary.estimated_energy_j));
  json["energy_price_per_kwh"] = optional_json(session.tariff.price_per_kwh);
  json["measured_cost"] = optional_json(session.tariff.cost(summary.measured_energy_j));
  json["estimated_cost"] = optional_json(session.tariff.cost(summary.estimated_energy_j));
  json["measured_energy_partial"] = summary.measured_energy_partial;
  json["estimated_energy_partial"] = summary.estimated_energy_partial;
  json["partial_channels"] = summary.partial_channels;
  if (const auto& baseline = summary.baseline) {
    json["baseline"] = {{"duration_s", baseline->duration_s},
                        {"command_duration_s", baseline->command_duration_s},
                        {"settle_s", baseline->settle_s},
                        {"measured_power_w", optional_json(baseline->measured_power_w)},
                        {"estimated_power_w", optional_json(baseline->estimated_power_w)},
                        {"command_measured_energy_j", optional_json(baseline->command_measured_energy_j)},
                        {"command_estimated_energy_j", optional_json(baseline->command_estimated_energy_j)},
                        {"dynamic_measured_energy_j", optional_json(baseline->dynamic_measured_energy_j)},
                        {"dynamic_estimated_energy_j", optional_json(baseline->dynamic_estimated_energy_j)},
                        {"not_idle", baseline->not_idle.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(baseline->not_idle)}};
  }
  auto& channels = json["channels"] = nlohmann::ordered_json::array();
  for (const auto& channel : summary.channels) {
    nlohmann::ordered_json entry;
    entry["name"] = channel.info.name;
    entry["source"] = channel.info.source;
    entry["unit"] = to_string(channel.info.unit);
    entry["kind"] = to_string(channel.info.kind);
    entry["scope"] = channel.info.scope;
    entry["estimated"] = channel.info.provenance == Provenance::estimated;
    entry["in_energy_total"] = channel.info.in_energy_total;
    entry["samples"] = channel.samples;
    const auto put = [&](const char* key, const std::optional<double>& value) {
      if (value) entry[key] = *value;
    };
    put("energy_j", channel.energy_j);
    put("total", channel.total);
    put("mean", channel.mean);
    put("min", channel.min);
    put("max", channel.max);
    put("last", channel.last);
    if (channel.failure) {
      entry["failure"] = *channel.failure;
      entry["failed_at_s"] = channel.failed_at_s;
      entry["counted_from_gauge"] = channel.counted_from_gauge;
    }
    if (channel.glitches > 0) entry["glitches"] = channel.glitches;
    if (channel.resets > 0) entry["resets"] = channel.resets;
    channels.push_back(std::move(entry));
  }
  auto& regions = json["regions"] = nlohmann::ordered_json::array();
  for (const auto& region : session.regions) {
    regions.push_back({{"name", region.name},
                       {"seconds", region.seconds},
                       {"thread_cpu_s", region.thread_cpu_s},
                       {"measured_energy_j", optional_json(region.measured_energy_j)},
                       {"estimated_energy_j", optional_json(region.estimated_energy_j)},
                       {"partial_channels", region.partial_channels}});
  }
  if (const auto& counts = session.counts) {
    json["inferences"] = counts->inferences;
    json["correct"] = counts->correct;
    json["correct_top5"] = optional_json(counts->correct_top5);
    json["model"] = counts->model;
    json["window_measured_energy_j"] = optional_json(session.window_measured_energy_j);
    json["window_estimated_energy_j"] = optional_json(session.window_estimated_energy_j);
    json["window_energy_partial"] = !session.window_partial_channels.empty();
    const auto* scores = session.scores ? &*session.scores : nullptr;
    json["scored"] = scores != nullptr;
    if (scores) {
      json["scored_on"] = session.scored_on;
      json["energy_estimated"] = session.scores_estimated;
      json["accuracy_percent"] = scores->accuracy_percent;
      json["top5_percent"] = optional_json(scores->top5_percent);
      json["energy_per_inference_j"] = scores->energy_per_inference_j;
      json["energy_per_correct_j"] = optional_json(scores->energy_per_correct_j);
      json["inferences_per_joule"] = scores->inferences_per_joule;
      json["composite_score"] = optional_json(scores->composite);
      json["netscore"] = optional_json(scores->netscore);
      // Of the energy the scores rest on (measured, or ESTIMATED as energy_estimated says).
      json["co2e_g_per_1000_inferences"] = optional_json(session.tariff.co2e_g(scores->energy_per_inference_j * 1000.0));
      json["cost_per_1000_inferences"] = optional_json(session.tariff.cost(scores->energy_per_inference_j * 1000.0));
    } else {
      json["why"] = session.unscored_why;
    }
  }
  // Present where a job's layout or a choice narrowed what was counted (session/gpu_binding.hpp).
  if (!session.counted.empty()) json["counted"] = session.counted;
  json["warnings"] = session.warnings;
  return json;
}

}  // namespace powerfit::report
