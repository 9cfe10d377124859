#pragma once
// A stored run's scores: which energy they rest on (the inference window's, the command's after its
// idle baseline, the whole run's; less idle power for dynamic scores), the scores themselves, why a
// run has none, and whether the energy is partial. Pure: the report layer prints what this returns.

#include <optional>
#include <string>
#include <vector>

#include "analysis/scores.hpp"
#include "recording/database.hpp"

namespace powerfit::analysis {

// One stored run scored: the energy it rests on and its scores, or why it has none.
struct RunScore {
  std::optional<EnergyBasis> basis;
  std::string scored_on;  // whose energy: "inference window", "whole run", ...
  std::optional<Scores> scores;
  std::string why;
  // The channels of the scored energy that stopped early, inside the span scored on
  // ("gpu1.energy (read error at 0.60 s)", ...), or had no sample over the inference window
  // scored on ("gpu1.energy (no samples over the stretch)"), or a run never closed: the energy is
  // PARTIAL.
  // Empty when whole.
  std::string partial;
};
// A stored run's energy totals from its channels' summaries: the channels in the total, measured
// and ESTIMATED summed apart (none where no channel of that kind has energy).
struct RunEnergy {
  std::optional<double> measured, estimated;
};
RunEnergy run_energy(const std::vector<recording::ChannelRow>& channels);

// Whether an idle baseline was measured before the command (the command's energy is stored apart).
bool has_baseline(const recording::ReportedRun& run);

// `dynamic`: on the energy above the idle baseline.
RunScore score_run(const recording::ReportedRun& run, const ScoreWeights& weights, bool dynamic);

}  // namespace powerfit::analysis
