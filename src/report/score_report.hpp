#pragma once
// Scores as people read them: a run's scores after its summary, the ranking table of
// `powerfit score`, and the same as JSON (one object per run).

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/run_score.hpp"
#include "analysis/scores.hpp"
#include "powerfit/summary.hpp"
#include "recording/database.hpp"

namespace powerfit::report {

// A measured session's scores, after its summary (default weights); needs its counts.
void print_run_scores(std::ostream& out, const Summary& summary);

// `dynamic`: score on the energy above the idle baseline (runs without a baseline stay unscored).
// `tariff`: CO2e and cost per 1000 inferences beside the joules (null where not given).
nlohmann::ordered_json scored_runs_json(const std::vector<recording::ReportedRun>& runs,
                                        const analysis::ScoreWeights& weights, bool dynamic, const Tariff& tariff = {});

// The same as CSV, one row per run (as CodeCarbon's emissions.csv): every field of the JSON, its
// objects and arrays as JSON text in their cell, empty for null.
void write_scored_runs_csv(std::ostream& out, const nlohmann::ordered_json& runs);

// Runs of the same model, device and host are repeats: each figure is their mean ± 95% CI.
void print_score_table(std::ostream& out, const std::vector<recording::ReportedRun>& runs,
                       const analysis::ScoreWeights& weights, bool dynamic, const Tariff& tariff = {});

// The same table for the runs of `run_ids` as the database holds them (after a bench's repeats,
// or the demo's models), read without writing to it.
void print_score_table(std::ostream& out, const std::filesystem::path& database, const std::vector<std::int64_t>& run_ids,
                       const analysis::ScoreWeights& weights, const Tariff& tariff = {});

}  // namespace powerfit::report
