#pragma once
// Scores as people read them: a run's scores after its summary, the ranking table of
// `powerfit score`, and the same as JSON (one object per run).

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/scores.hpp"
#include "powerfit/summary.hpp"
#include "recording/database.hpp"

namespace powerfit::report {

// One stored run scored: the energy it rests on and its scores, or why it has none.
struct RunScore {
  std::optional<analysis::EnergyBasis> basis;
  std::string scored_on;  // whose energy: "inference window", "whole run", ...
  std::optional<Scores> scores;
  std::string why;
  // The channels of the scored energy that stopped early, inside the span scored on
  // ("gpu1.energy (read error at 0.60 s)", ...), or a run never closed: the energy is PARTIAL.
  // Empty when whole.
  std::string partial;
};
// `dynamic`: on the energy above the idle baseline.
RunScore score_run(const recording::ReportedRun& run, const analysis::ScoreWeights& weights, bool dynamic);

// A measured session's scores, after its summary (default weights); needs its counts.
void print_run_scores(std::ostream& out, const Summary& summary);

// `dynamic`: score on the energy above the idle baseline (runs without a baseline stay unscored).
nlohmann::ordered_json scored_runs_json(const std::vector<recording::ReportedRun>& runs,
                                        const analysis::ScoreWeights& weights, bool dynamic);

// Runs of the same model, device and host are repeats: each figure is their mean ± 95% CI.
void print_score_table(std::ostream& out, const std::vector<recording::ReportedRun>& runs,
                       const analysis::ScoreWeights& weights, bool dynamic);

}  // namespace powerfit::report
