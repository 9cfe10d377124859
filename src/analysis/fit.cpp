#include "analysis/fit.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace powerfit::analysis {
namespace {

// How far two accuracies may differ and still be one: a declared accuracy comes back through each
// run's correct count (inferences x accuracy / 100, over inferences), so the same 83.9% can read
// 83.90000000000002 on one run and 83.89999999999999 on another.
double accuracy_rounding(double accuracy_percent) { return 1e-9 * std::max(1.0, std::abs(accuracy_percent)); }

std::optional<double> metric_value(const Scores& scores, FitMetric metric) {
  switch (metric) {
    case FitMetric::composite: return scores.composite;
    case FitMetric::netscore: return scores.netscore;
    case FitMetric::inferences_per_joule: return scores.inferences_per_joule;
    case FitMetric::accuracy_per_joule: return scores.accuracy_per_joule;
    case FitMetric::energy_per_inference: return scores.energy_per_inference_j;
    case FitMetric::accuracy: return scores.accuracy_percent;
  }
  return std::nullopt;
}

// a beats b on the metric.
bool better(FitMetric metric, double a, double b) { return higher_is_better(metric) ? a > b : a < b; }

}  // namespace

std::optional<FitMetric> parse_fit_metric(const std::string& name) {
  for (const auto metric : {FitMetric::composite, FitMetric::netscore, FitMetric::inferences_per_joule,
                            FitMetric::accuracy_per_joule, FitMetric::energy_per_inference, FitMetric::accuracy}) {
    if (fit_metric_name(metric) == name) return metric;
  }
  return std::nullopt;
}

std::string fit_metric_name(FitMetric metric) {
  switch (metric) {
    case FitMetric::composite: return "composite";
    case FitMetric::netscore: return "netscore";
    case FitMetric::inferences_per_joule: return "inferences-per-joule";
    case FitMetric::accuracy_per_joule: return "accuracy-per-joule";
    case FitMetric::energy_per_inference: return "energy-per-inference";
    case FitMetric::accuracy: return "accuracy";
  }
  return "";
}

std::string lead_order_name(Lead::Order order) {
  switch (order) {
    case Lead::Order::alone: return "alone";
    case Lead::Order::clear: return "clear";
    case Lead::Order::overlapping: return "overlapping";
    case Lead::Order::no_interval: return "no-interval";
  }
  return "alone";
}

bool higher_is_better(FitMetric metric) { return metric != FitMetric::energy_per_inference; }

std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& accuracy_energy) {
  std::vector<std::size_t> order(accuracy_energy.size());
  std::iota(order.begin(), order.end(), 0);
  // By rising energy, and among equal energies by falling accuracy: a point is on the front when
  // its accuracy beats every point before it, by more than rounding.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (accuracy_energy[a].second != accuracy_energy[b].second) return accuracy_energy[a].second < accuracy_energy[b].second;
    return accuracy_energy[a].first > accuracy_energy[b].first;
  });
  std::vector<std::size_t> front;
  double best_accuracy = -1e300;
  for (const auto i : order) {
    if (accuracy_energy[i].first > best_accuracy + accuracy_rounding(best_accuracy)) {
      front.push_back(i);
      best_accuracy = accuracy_energy[i].first;
    }
  }
  return front;
}

const FitCell* FitResult::cell(const std::string& architecture, const std::string& machine) const {
  for (const auto& entry : cells) {
    if (entry.architecture == architecture && entry.machine == machine) return &entry;
  }
  return nullptr;
}

FitResult fit_test(const std::vector<FitObservation>& observations, FitMetric metric,
                   std::optional<double> min_accuracy_percent) {
  FitResult result{.metric = metric, .min_accuracy_percent = min_accuracy_percent};
  struct Values {
    std::vector<double> metric, accuracy, energy;
    bool estimated = false, declared = false, partial = false;
  };
  std::map<std::pair<std::string, std::string>, Values> groups;
  std::set<std::string> architectures, machines;
  for (const auto& observation : observations) {
    auto& values = groups[{observation.architecture, observation.machine}];
    if (const auto value = metric_value(observation.scores, metric)) values.metric.push_back(*value);
    values.accuracy.push_back(observation.scores.accuracy_percent);
    values.energy.push_back(observation.scores.energy_per_inference_j);
    values.estimated = values.estimated || observation.estimated;
    values.declared = values.declared || observation.declared;
    values.partial = values.partial || observation.partial;
    architectures.insert(observation.architecture);
    machines.insert(observation.machine);
  }
  result.architectures.assign(architectures.begin(), architectures.end());
  result.machines.assign(machines.begin(), machines.end());
  for (const auto& [key, values] : groups) {
    result.cells.push_back({.architecture = key.first,
                            .machine = key.second,
                            .value = repeat_statistics(values.metric),
                            .accuracy_percent = repeat_statistics(values.accuracy),
                            .energy_per_inference_j = repeat_statistics(values.energy),
                            .estimated = values.estimated,
                            .declared = values.declared,
                            .partial = values.partial});
  }
  const auto consider = [&](std::map<std::string, std::string>& best, const std::string& key, const std::string& candidate,
                            const FitCell& cell, std::map<std::string, double>& best_value) {
    if (cell.value.n == 0) return;
    if (!best.contains(key) || better(metric, cell.value.mean, best_value[key])) {
      best[key] = candidate;
      best_value[key] = cell.value.mean;
    }
  };
  std::map<std::string, double> best_for_machine_value, best_for_architecture_value;
  for (const auto& cell : result.cells) {
    consider(result.best_architecture, cell.machine, cell.architecture, cell, best_for_machine_value);
    consider(result.best_machine, cell.architecture, cell.machine, cell, best_for_architecture_value);
  }
  // The runner-up of each best (the next in its row or column, `rival`), and whether the two
  // intervals part them.
  const auto lead_of = [&](const FitCell& best, auto&& rival, auto&& name) {
    Lead lead{.estimated = best.estimated};
    const FitCell* next = nullptr;
    for (const auto& cell : result.cells) {
      if (&cell == &best || cell.value.n == 0 || !rival(cell)) continue;
      if (next == nullptr || better(metric, cell.value.mean, next->value.mean)) next = &cell;
    }
    if (next == nullptr) return lead;
    lead.runner_up = name(*next);
    lead.estimated = lead.estimated || next->estimated;
    const auto parted = intervals_part(best.value, next->value);
    lead.order = !parted ? Lead::Order::no_interval : *parted ? Lead::Order::clear : Lead::Order::overlapping;
    return lead;
  };
  for (const auto& [machine, architecture] : result.best_architecture) {
    result.best_architecture_lead[machine] = lead_of(
        *result.cell(architecture, machine), [&](const FitCell& cell) { return cell.machine == machine; },
        [](const FitCell& cell) { return cell.architecture; });
  }
  for (const auto& [architecture, machine] : result.best_machine) {
    result.best_machine_lead[architecture] = lead_of(
        *result.cell(architecture, machine), [&](const FitCell& cell) { return cell.architecture == architecture; },
        [](const FitCell& cell) { return cell.machine; });
  }
  for (const auto& machine : result.machines) {
    std::vector<const FitCell*> here;
    std::vector<std::pair<double, double>> points;
    for (const auto& cell : result.cells) {
      if (cell.machine != machine) continue;
      here.push_back(&cell);
      points.emplace_back(cell.accuracy_percent.mean, cell.energy_per_inference_j.mean);
    }
    for (const auto i : pareto_front(points)) result.pareto_front[machine].push_back(here[i]->architecture);
    if (min_accuracy_percent) {
      std::optional<std::string> cheapest;
      double least = 1e300;
      for (const auto* cell : here) {
        if (cell->accuracy_percent.mean >= *min_accuracy_percent - accuracy_rounding(*min_accuracy_percent) &&
            cell->energy_per_inference_j.mean < least) {
          least = cell->energy_per_inference_j.mean;
          cheapest = cell->architecture;
        }
      }
      result.cheapest_above[machine] = cheapest;
    }
  }
  return result;
}

}  // namespace powerfit::analysis
