#include "analysis/run_score.hpp"

#include "analysis/summary.hpp"

namespace powerfit::analysis {
namespace {

// A declared accuracy stands for the top-1 count the run could not measure.
InferenceCounts counts_of(const WorkloadCounts& counts) {
  const double inferences = static_cast<double>(counts.inferences);
  return {.inferences = inferences,
          .correct = counts.declared_accuracy_percent ? inferences * *counts.declared_accuracy_percent / 100.0
                                                      : static_cast<double>(counts.correct),
          .correct_top5 = counts.correct_top5 ? std::optional<double>(static_cast<double>(*counts.correct_top5)) : std::nullopt,
          .parameters = counts.parameters,
          .macs = counts.macs};
}

// The energy a stored run is scored on: its inference window's where it reported one, else the
// command's (the idle baseline left out, where one was measured), else the whole run's. Dynamic:
// less the idle power over the same time, which needs a baseline.
std::optional<EnergyBasis> scoring_energy(const recording::ReportedRun& run, bool dynamic, std::string& scored_on) {
  const auto less_idle = [&](std::optional<double> energy, std::optional<double> idle_w, std::optional<double> seconds) {
    if (!dynamic) return energy;
    return energy && idle_w && seconds ? std::optional<double>(*energy - *idle_w * *seconds) : std::nullopt;
  };
  const std::string less = dynamic ? ", less idle power" : "";
  if (run.window_measured_energy_j || run.window_estimated_energy_j) {
    scored_on = "inference window" + less;
    return energy_basis(less_idle(run.window_measured_energy_j, run.baseline_measured_power_w, run.window_duration_s),
                                  less_idle(run.window_estimated_energy_j, run.baseline_estimated_power_w, run.window_duration_s));
  }
  if (run.command_measured_energy_j || run.command_estimated_energy_j) {
    scored_on = "run after its idle baseline" + less;
    return energy_basis(less_idle(run.command_measured_energy_j, run.baseline_measured_power_w, run.command_duration_s),
                                  less_idle(run.command_estimated_energy_j, run.baseline_estimated_power_w, run.command_duration_s));
  }
  if (dynamic) return std::nullopt;
  scored_on = "whole run";
  return energy_basis(run.measured_energy_j, run.estimated_energy_j);
}

// The channels of the basis's kind (measured or estimated) that stopped inside the span scored on,
// or had no sample over the inference window scored on.
std::string partial_channels_of(const recording::ReportedRun& run, const EnergyBasis& basis, const std::string& scored_on) {
  const bool windowed = scored_on.starts_with("inference window");
  std::string text = run.never_closed ? "the run was never closed (powerfit killed mid-run)" : "";
  for (const auto& stopped : run.stopped) {
    if (stopped.estimated != basis.estimated) continue;
    if (windowed && run.window_end_s && stopped.at_s >= *run.window_end_s) continue;
    text += (text.empty() ? "" : ", ") + partial_note(stopped.channel, stopped.failure, stopped.at_s);
  }
  if (!windowed) return text;
  for (const auto& unsampled : run.unsampled_in_window) {
    if (unsampled.estimated == basis.estimated) text += (text.empty() ? "" : ", ") + unsampled_note(unsampled.channel);
  }
  return text;
}


}  // namespace

RunEnergy run_energy(const std::vector<recording::ChannelRow>& channels) {
  RunEnergy energy;
  for (const auto& channel : channels) {
    if (!channel.in_energy_total || !channel.energy_j) continue;
    auto& sum = channel.estimated ? energy.estimated : energy.measured;
    sum = sum.value_or(0.0) + *channel.energy_j;
  }
  return energy;
}

bool has_baseline(const recording::ReportedRun& run) {
  return run.command_measured_energy_j || run.command_estimated_energy_j;
}

RunScore score_run(const recording::ReportedRun& run, const ScoreWeights& weights, bool dynamic) {
  RunScore result;
  if (run.error) {
    result.why = *run.error;
    return result;
  }
  // A command that failed measured something other than its workload's inferences, whatever
  // counts it wrote before it failed.
  if (run.exit_status.value_or(0) != 0) {
    result.why = "the run ended with status " + std::to_string(*run.exit_status) + " (its command, or the work a session measured, failed): a failed run is not scored";
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
    result.scores = compute_scores(counts_of(run.counts), result.basis->joules, weights, &result.why);
    result.partial = partial_channels_of(run, *result.basis, result.scored_on);
  }
  return result;
}

}  // namespace powerfit::analysis
