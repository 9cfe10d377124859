#include "report/score_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include "analysis/summary.hpp"
#include "report/format.hpp"

namespace powerfit::report {
namespace {

// A declared accuracy stands for the top-1 count the run could not measure.
analysis::InferenceCounts counts_of(const WorkloadReport& report) {
  const double inferences = static_cast<double>(report.inferences);
  return {.inferences = inferences,
          .correct = report.declared_accuracy_percent ? inferences * *report.declared_accuracy_percent / 100.0
                                                      : static_cast<double>(report.correct),
          .correct_top5 = report.correct_top5 ? std::optional<double>(static_cast<double>(*report.correct_top5)) : std::nullopt,
          .parameters = report.parameters,
          .macs = report.macs};
}

// The energy a stored run is scored on: its inference window's where it reported one, else the
// command's (the idle baseline left out, where one was measured), else the whole run's. Dynamic:
// less the idle power over the same time, which needs a baseline.
std::optional<analysis::EnergyBasis> scoring_energy(const recording::ReportedRun& run, bool dynamic, std::string& scored_on) {
  const auto less_idle = [&](std::optional<double> energy, std::optional<double> idle_w, std::optional<double> seconds) {
    if (!dynamic) return energy;
    return energy && idle_w && seconds ? std::optional<double>(*energy - *idle_w * *seconds) : std::nullopt;
  };
  const std::string less = dynamic ? ", less idle power" : "";
  if (run.window_measured_energy_j || run.window_estimated_energy_j) {
    scored_on = "inference window" + less;
    return analysis::energy_basis(less_idle(run.window_measured_energy_j, run.baseline_measured_power_w, run.window_duration_s),
                                  less_idle(run.window_estimated_energy_j, run.baseline_estimated_power_w, run.window_duration_s));
  }
  if (run.command_measured_energy_j || run.command_estimated_energy_j) {
    scored_on = "run after its idle baseline" + less;
    return analysis::energy_basis(less_idle(run.command_measured_energy_j, run.baseline_measured_power_w, run.command_duration_s),
                                  less_idle(run.command_estimated_energy_j, run.baseline_estimated_power_w, run.command_duration_s));
  }
  if (dynamic) return std::nullopt;
  scored_on = "whole run";
  return analysis::energy_basis(run.measured_energy_j, run.estimated_energy_j);
}

// The channels of the basis's kind (measured or estimated) that stopped inside the span scored on.
std::string stopped_inside(const recording::ReportedRun& run, const analysis::EnergyBasis& basis, const std::string& scored_on) {
  const bool windowed = scored_on.starts_with("inference window");
  std::string text = run.never_closed ? "the run was never closed (powerfit killed mid-run)" : "";
  for (const auto& stopped : run.stopped) {
    if (stopped.estimated != basis.estimated) continue;
    if (windowed && run.window_end_s && stopped.at_s >= *run.window_end_s) continue;
    text += (text.empty() ? "" : ", ") + analysis::partial_note(stopped.channel, stopped.failure, stopped.at_s);
  }
  return text;
}

bool has_baseline(const recording::ReportedRun& run) {
  return run.command_measured_energy_j || run.command_estimated_energy_j;
}


std::string with_interval(const analysis::MeanInterval& value, const char* pattern) {
  std::string text = format(pattern, value.mean);
  if (value.half_width) text += " ±" + format(pattern, *value.half_width);
  return text;
}

}  // namespace

RunScore score_run(const recording::ReportedRun& run, const analysis::ScoreWeights& weights, bool dynamic) {
  RunScore result;
  if (run.error) {
    result.why = *run.error;
    return result;
  }
  result.why = dynamic && !has_baseline(run) ? "no idle baseline for dynamic energy (run with --baseline)"
                                             : "no energy was measured or estimated";
  result.basis = scoring_energy(run, dynamic, result.scored_on);
  if (!result.basis && dynamic && has_baseline(run)) {
    result.why = "no energy above idle: the idle baseline drew as much power as the run, or more (was the machine "
                 "busy during the baseline?); score without --dynamic, or measure the baseline on a quiet machine";
  }
  if (result.basis) {
    result.scores = analysis::compute_scores(counts_of(run.report), result.basis->joules, weights, &result.why);
    result.partial = stopped_inside(run, *result.basis, result.scored_on);
  }
  return result;
}


void print_run_scores(std::ostream& out, const Summary& summary) {
  const auto& report = *summary.counts;
  out << "  scores" << (report.model.empty() ? "" : " of " + report.model);
  if (!summary.scores) {
    out << ":\n    unscored: " << summary.unscored_why << "\n\n";
    return;
  }
  out << ", on the energy of the " << summary.scored_on << ":\n";
  const auto& scores = *summary.scores;
  const std::string tag = summary.scores_estimated ? "  (ESTIMATED energy)" : "  (measured energy)";
  out << "    " << report.inferences << " inferences, " << report.correct << " correct: "
      << format("%.2f %%", scores.accuracy_percent) << " top-1";
  if (scores.top5_percent) out << format(", %.2f %% top-5", *scores.top5_percent);
  out << '\n';
  out << "    " << format("%.4g mJ", scores.energy_per_inference_j * 1e3) << " per inference, "
      << format("%.4g inferences/J", scores.inferences_per_joule) << tag << '\n';
  const analysis::ScoreWeights weights;
  if (scores.composite) {
    out << "    composite score " << format("%.2f", *scores.composite)
        << format(" (alpha %g", weights.alpha) << format(", beta %g)", weights.beta) << tag << '\n';
  }
  if (scores.netscore) out << "    NetScore " << format("%.2f", *scores.netscore) << '\n';
  out << '\n';
}

nlohmann::ordered_json scored_runs_json(const std::vector<recording::ReportedRun>& runs,
                                        const analysis::ScoreWeights& weights, bool dynamic) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& run : runs) {
    nlohmann::ordered_json entry{{"run_id", run.run_id}, {"uuid", run.uuid},     {"label", run.label},
                                 {"host", run.hostname}, {"start_time", run.start_time}};
    if (run.error) {
      entry["scored"] = false;
      entry["why"] = *run.error;
      list.push_back(std::move(entry));
      continue;
    }
    const auto& report = run.report;
    entry["model"] = report.model;
    entry["device"] = report.device;
    entry["backend"] = report.backend;
    entry["batch_size"] = optional_json(report.batch_size);
    entry["model_sha256"] = report.model_sha256;
    entry["cpu_model"] = run.cpu_model;
    entry["gpu_models"] = nlohmann::ordered_json::parse(run.gpu_models.empty() ? "[]" : run.gpu_models, nullptr, false);
    entry["dataset"] = report.dataset;
    entry["dataset_size"] = optional_json(report.dataset_size);
    entry["declared_accuracy_percent"] = optional_json(report.declared_accuracy_percent);
    entry["latency_p50_s"] = optional_json(report.latency_p50_s);
    entry["latency_p90_s"] = optional_json(report.latency_p90_s);
    entry["latency_p99_s"] = optional_json(report.latency_p99_s);
    entry["throughput_per_s"] = optional_json(report.throughput_per_s);
    entry["inferences"] = report.inferences;
    entry["correct"] = report.correct;
    entry["correct_top5"] = report.correct_top5 ? nlohmann::ordered_json(*report.correct_top5) : nullptr;
    entry["parameters"] = report.parameters ? nlohmann::ordered_json(*report.parameters) : nullptr;
    entry["macs"] = report.macs ? nlohmann::ordered_json(*report.macs) : nullptr;
    entry["measured_energy_j"] = run.measured_energy_j ? nlohmann::ordered_json(*run.measured_energy_j) : nullptr;
    entry["estimated_energy_j"] = run.estimated_energy_j ? nlohmann::ordered_json(*run.estimated_energy_j) : nullptr;
    const bool windowed = run.window_measured_energy_j || run.window_estimated_energy_j;
    const bool baselined = has_baseline(run);
    entry["energy_scope"] = windowed ? "inference window" : baselined ? "command, idle baseline left out" : "whole run";
    entry["dynamic"] = dynamic;
    if (baselined) {
      entry["baseline_measured_power_w"] = run.baseline_measured_power_w ? nlohmann::ordered_json(*run.baseline_measured_power_w) : nullptr;
      entry["baseline_estimated_power_w"] = run.baseline_estimated_power_w ? nlohmann::ordered_json(*run.baseline_estimated_power_w) : nullptr;
    }
    if (windowed) {
      entry["window_measured_energy_j"] = run.window_measured_energy_j ? nlohmann::ordered_json(*run.window_measured_energy_j) : nullptr;
      entry["window_estimated_energy_j"] = run.window_estimated_energy_j ? nlohmann::ordered_json(*run.window_estimated_energy_j) : nullptr;
    }
    const auto [basis, scored_on, scores, why, partial] = score_run(run, weights, dynamic);
    entry["scored"] = scores.has_value();
    if (!scores) {
      entry["why"] = why;
      list.push_back(std::move(entry));
      continue;
    }
    entry["scored_on"] = scored_on;
    entry["energy_estimated"] = basis->estimated;
    entry["energy_partial"] = !partial.empty();
    entry["partial_channels"] = partial.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(partial);
    entry["accuracy_percent"] = scores->accuracy_percent;
    entry["top5_percent"] = scores->top5_percent ? nlohmann::ordered_json(*scores->top5_percent) : nullptr;
    entry["energy_per_inference_j"] = scores->energy_per_inference_j;
    entry["energy_per_correct_j"] = scores->energy_per_correct_j ? nlohmann::ordered_json(*scores->energy_per_correct_j) : nullptr;
    entry["inferences_per_joule"] = scores->inferences_per_joule;
    entry["accuracy_per_joule"] = scores->accuracy_per_joule;
    entry["composite_score"] = scores->composite ? nlohmann::ordered_json(*scores->composite) : nullptr;
    entry["netscore"] = scores->netscore ? nlohmann::ordered_json(*scores->netscore) : nullptr;
    entry["alpha"] = weights.alpha;
    entry["beta"] = weights.beta;
    list.push_back(std::move(entry));
  }
  return list;
}

void print_score_table(std::ostream& out, const std::vector<recording::ReportedRun>& runs,
                       const analysis::ScoreWeights& weights, bool dynamic) {
  struct Group {
    std::string model, device, backend, host;
    std::int64_t batch = 0;
    bool declared = false;
    std::vector<double> accuracy, millijoules, per_joule, composite, netscore;
    bool estimated = false, partial = false;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> unscored, partials;
  for (const auto& run : runs) {
    const auto [basis, scored_on, scores, why, partial] = score_run(run, weights, dynamic);
    if (!scores) {
      unscored.push_back("run " + std::to_string(run.run_id) + " (" + run.uuid.substr(0, 8) + "): " + why);
      continue;
    }
    if (!partial.empty()) partials.push_back("run " + std::to_string(run.run_id) + " (" + run.uuid.substr(0, 8) + "): " + partial);
    const auto batch = run.report.batch_size.value_or(0);
    auto& group = groups[run.report.model + '\x1f' + run.report.device + '\x1f' + run.report.backend + '\x1f' +
                         std::to_string(batch) + '\x1f' + run.hostname];
    group.model = run.report.model.empty() ? "(unnamed)" : run.report.model;
    group.device = run.report.device;
    group.backend = run.report.backend.substr(0, run.report.backend.find(' '));
    group.batch = batch;
    group.declared = run.report.declared_accuracy_percent.has_value();
    group.host = run.hostname;
    group.estimated = group.estimated || basis->estimated;
    group.partial = group.partial || !partial.empty();
    group.accuracy.push_back(scores->accuracy_percent);
    group.millijoules.push_back(scores->energy_per_inference_j * 1e3);
    group.per_joule.push_back(scores->inferences_per_joule);
    if (scores->composite) group.composite.push_back(*scores->composite);
    if (scores->netscore) group.netscore.push_back(*scores->netscore);
  }
  std::vector<const Group*> ranked;
  for (const auto& [key, group] : groups) ranked.push_back(&group);
  std::sort(ranked.begin(), ranked.end(), [](const Group* a, const Group* b) {
    const double ca = a->composite.empty() ? -1e300 : analysis::mean_with_interval(a->composite).mean;
    const double cb = b->composite.empty() ? -1e300 : analysis::mean_with_interval(b->composite).mean;
    return ca > cb;
  });
  char line[512];
  std::snprintf(line, sizeof line, "%-4s %-18s %-11s %-7s %5s %-14s %4s %-16s %-20s %-18s %-16s %-10s %s\n", "rank",
                "model", "backend", "device", "batch", "host", "runs", "top-1 %", "mJ/inference", "inferences/J",
                "composite", "NetScore", "energy");
  out << line;
  int rank = 0;
  for (const Group* group : ranked) {
    const auto netscore = group->netscore.empty() ? std::string("-") : with_interval(analysis::mean_with_interval(group->netscore), "%.2f");
    const auto composite = group->composite.empty() ? std::string("-") : with_interval(analysis::mean_with_interval(group->composite), "%.2f");
    const auto accuracy = with_interval(analysis::mean_with_interval(group->accuracy), "%.2f") + (group->declared ? " decl." : "");
    std::snprintf(line, sizeof line, "%-4d %-18s %-11s %-7s %5s %-14s %4zu %-16s %-20s %-18s %-16s %-10s %s\n", ++rank,
                  group->model.c_str(), group->backend.empty() ? "-" : group->backend.c_str(), group->device.c_str(),
                  group->batch > 0 ? std::to_string(group->batch).c_str() : "-", group->host.c_str(),
                  group->accuracy.size(), accuracy.c_str(),
                  with_interval(analysis::mean_with_interval(group->millijoules), "%.4g").c_str(),
                  with_interval(analysis::mean_with_interval(group->per_joule), "%.4g").c_str(), composite.c_str(),
                  netscore.c_str(),
                  (std::string(group->estimated ? "ESTIMATED" : "measured") + (group->partial ? " PARTIAL" : "")).c_str());
    out << line;
  }
  if (dynamic) out << "energy: dynamic (the idle baseline's power taken off)\n";
  out << "composite = 20*log10(top-1%^" << weights.alpha << " / (mJ per correct inference)^" << weights.beta
      << "); ± is the 95% confidence interval over runs (`powerfit score --explain`); decl.: accuracy declared with --accuracy, not measured\n";
  for (const auto& text : partials) out << "PARTIAL energy, a channel stopped early: " << text << '\n';
  for (const auto& text : unscored) out << "unscored: " << text << '\n';
}

}  // namespace powerfit::report
