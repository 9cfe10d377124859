#pragma once
// The fit test as people read it: the architectures × machines matrix of one score with 95%
// intervals, the best of each row and column, the Pareto fronts, the cheapest architecture above
// an accuracy floor; as a terminal table, JSON or CSV.

#include <ostream>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/fit.hpp"
#include "recording/database.hpp"

namespace powerfit::report {

// What the fit test calls an architecture (the model, and its batch size when not 1) and a
// machine for a stored run: the name given with --machine, else its hardware (CPU model and
// cores, GPU models with their count and power limit; the hostname only where no hardware was
// recorded), then the device and inference engine. Nodes of one type pool; different hardware
// never does, whatever the hosts are called.
// A run's model as people name it: the model's name, else the run's label, else its command.
std::string model_of(const recording::ReportedRun& run);
std::string architecture_of(const recording::ReportedRun& run);
std::string machine_of(const recording::ReportedRun& run);

// Scores every run; the unscorable ones are listed in `unscored` with why.
std::vector<analysis::FitObservation> fit_observations(const std::vector<recording::ReportedRun>& runs,
                                                       const analysis::ScoreWeights& weights, bool dynamic,
                                                       std::vector<std::string>* unscored = nullptr,
                                                       std::vector<std::string>* warnings = nullptr);

void print_fit_table(std::ostream& out, const analysis::FitResult& fit, const std::vector<std::string>& unscored);
// `tariff`: CO2e and cost per 1000 inferences of each cell (empty where not given).
nlohmann::ordered_json fit_json(const analysis::FitResult& fit, const std::vector<std::string>& unscored, const Tariff& tariff = {});
void write_fit_csv(std::ostream& out, const analysis::FitResult& fit, const Tariff& tariff = {});

}  // namespace powerfit::report
