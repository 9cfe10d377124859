#pragma once
// The scores of a run that did inferences: how much accuracy its joules bought. Formulas,
// units and defaults are written once here and in docs/scores.md (`powerfit score --explain`).

#include <optional>
#include <string>
#include <vector>

#include "powerfit/scores.hpp"

namespace powerfit::analysis {

struct ScoreWeights {
  double alpha = 2.0;  // weight of accuracy in the composite score
  double beta = 1.0;   // weight of energy per correct inference
};

struct InferenceCounts {
  double inferences = 0.0;
  double correct = 0.0;                // top-1
  std::optional<double> correct_top5;
  std::optional<double> parameters;    // for NetScore
  std::optional<double> macs;          // multiply-accumulates per inference, for NetScore
};

// Returns nullopt when the counts cannot be scored (no inferences, no energy, more correct than
// done); `why` then says which.
std::optional<Scores> compute_scores(const InferenceCounts& counts, double energy_j, const ScoreWeights& weights,
                                     std::string* why = nullptr);

// The energy a run is scored on: its measured total where there is one, else its estimated
// total, which marks every score computed from it as estimated.
struct EnergyBasis {
  double joules = 0.0;
  bool estimated = false;
};
std::optional<EnergyBasis> energy_basis(std::optional<double> measured_j, std::optional<double> estimated_j);

// A figure over repeated runs: its mean and the half-width of the mean's 95% confidence interval
// (Student t with n − 1 degrees of freedom), beside the median, the sample standard deviation and
// the coefficient of variation (stddev / |mean|), as google/benchmark reports repetitions. All
// but the mean and median are absent for a single value; the CV also where the mean is 0.
struct RepeatStatistics {
  double mean = 0.0;
  std::optional<double> half_width;
  double median = 0.0;
  std::optional<double> stddev, cv;
  std::size_t n = 0;
};
RepeatStatistics repeat_statistics(const std::vector<double>& values);
// Whether the 95% intervals of two figures over repeats part them (do not overlap); nullopt where
// either rests on a single run, which has no interval.
std::optional<bool> intervals_part(const RepeatStatistics& a, const RepeatStatistics& b);

// The two-sided 95% quantile of Student's t distribution with `degrees` degrees of freedom.
double student_t_975(std::size_t degrees);

// The text printed by `powerfit score --explain`.
std::string explain_scores(const ScoreWeights& weights);

}  // namespace powerfit::analysis
