#pragma once
// The fit test: architectures × machines for one score, with the best architecture on each
// machine, the best machine for each architecture, the Pareto front of accuracy against energy
// per inference on each machine, and the cheapest architecture above an accuracy floor.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/scores.hpp"

namespace powerfit::analysis {

enum class FitMetric { composite, netscore, inferences_per_joule, accuracy_per_joule, energy_per_inference, accuracy };

// "composite", "netscore", "inferences-per-joule", "accuracy-per-joule", "energy-per-inference", "accuracy".
std::optional<FitMetric> parse_fit_metric(const std::string& name);
std::string fit_metric_name(FitMetric metric);
bool higher_is_better(FitMetric metric);

// One scored run.
struct FitObservation {
  std::string architecture;
  std::string machine;
  Scores scores;
  bool estimated = false;  // scored on estimated energy
  bool declared = false;   // accuracy declared, not measured
  bool partial = false;    // a channel of its energy counted only in part
};

struct FitCell {
  std::string architecture, machine;
  RepeatStatistics value;  // of the chosen metric; n = 0 when no run has it (NetScore without MACs)
  RepeatStatistics accuracy_percent, energy_per_inference_j;
  bool estimated = false, declared = false, partial = false;
};

// How a best stands against the runner-up of its row (the next machine for an architecture) or
// column (the next architecture on a machine): a mean alone does not settle a tie.
struct Lead {
  enum class Order {
    alone,        // nothing else to compare with
    clear,        // the two 95% intervals do not overlap
    overlapping,  // they do: the order is in doubt
    no_interval,  // one of the two rests on a single run, which has no interval
  };
  Order order = Order::alone;
  std::string runner_up;  // empty when alone
  bool estimated = false;  // either side scored on ESTIMATED energy
};
// "alone", "clear", "overlapping", "no-interval".
std::string lead_order_name(Lead::Order order);

struct FitResult {
  FitMetric metric = FitMetric::composite;
  std::vector<std::string> architectures, machines;  // sorted
  std::vector<FitCell> cells;                        // one per pair that has runs
  std::map<std::string, std::string> best_architecture;  // per machine
  std::map<std::string, std::string> best_machine;       // per architecture
  std::map<std::string, Lead> best_architecture_lead, best_machine_lead;  // the same keys
  // Per machine: the architectures no other one beats on both accuracy and energy per inference,
  // by rising energy.
  std::map<std::string, std::vector<std::string>> pareto_front;
  // Per machine, with a floor: the architecture of least energy per inference at or above it.
  std::optional<double> min_accuracy_percent;
  std::map<std::string, std::optional<std::string>> cheapest_above;
  const FitCell* cell(const std::string& architecture, const std::string& machine) const;
};

FitResult fit_test(const std::vector<FitObservation>& observations, FitMetric metric,
                   std::optional<double> min_accuracy_percent);

// Indices of the points (accuracy, energy) not dominated by another: none has at least the
// accuracy at no more energy with one of the two strictly better. Ordered by rising energy.
std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& accuracy_energy);

}  // namespace powerfit::analysis
