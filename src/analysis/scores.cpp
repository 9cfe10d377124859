#include "analysis/scores.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace powerfit::analysis {

std::optional<Scores> compute_scores(const InferenceCounts& counts, double energy_j, const ScoreWeights& weights,
                                     std::string* why) {
  const auto refuse = [&](const char* reason) -> std::optional<Scores> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (!(counts.inferences > 0.0)) return refuse("no inferences were reported");
  if (counts.correct < 0.0 || counts.correct > counts.inferences) return refuse("correct is not between 0 and inferences");
  if (!(energy_j > 0.0)) return refuse("no energy was measured or estimated for the run");

  Scores scores;
  scores.accuracy_percent = 100.0 * counts.correct / counts.inferences;
  if (counts.correct_top5) scores.top5_percent = 100.0 * *counts.correct_top5 / counts.inferences;
  scores.energy_per_inference_j = energy_j / counts.inferences;
  scores.inferences_per_joule = counts.inferences / energy_j;
  scores.accuracy_per_joule = scores.accuracy_percent / scores.energy_per_inference_j;
  if (counts.correct > 0.0) {
    scores.energy_per_correct_j = energy_j / counts.correct;
    const double millijoules = *scores.energy_per_correct_j * 1e3;
    scores.composite = 20.0 * (weights.alpha * std::log10(scores.accuracy_percent) - weights.beta * std::log10(millijoules));
  }
  if (counts.parameters && counts.macs && *counts.parameters > 0 && *counts.macs > 0 && counts.correct > 0.0) {
    const double p = *counts.parameters / 1e6;
    const double m = *counts.macs / 1e6;
    scores.netscore = 20.0 * std::log10(scores.accuracy_percent * scores.accuracy_percent / (std::sqrt(p) * std::sqrt(m)));
  }
  return scores;
}

std::optional<EnergyBasis> energy_basis(std::optional<double> measured_j, std::optional<double> estimated_j) {
  if (measured_j && *measured_j > 0.0) return EnergyBasis{*measured_j, false};
  if (estimated_j && *estimated_j > 0.0) return EnergyBasis{*estimated_j, true};
  return std::nullopt;
}

double student_t_975(std::size_t degrees) {
  // Two-sided 95% quantiles t(0.975, df) for df = 1..30.
  static constexpr std::array<double, 30> kTable{
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
      2.120,  2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (degrees == 0) return std::nan("");
  if (degrees <= kTable.size()) return kTable[degrees - 1];
  // Beyond 30: the normal quantile with the first Cornish-Fisher correction (error < 0.001).
  const double z = 1.959964;
  const double df = static_cast<double>(degrees);
  return z + (z * z * z + z) / (4.0 * df);
}

RepeatStatistics repeat_statistics(const std::vector<double>& values) {
  RepeatStatistics result{.n = values.size()};
  if (values.empty()) return result;
  result.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  auto sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t middle = sorted.size() / 2;
  result.median = sorted.size() % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
  if (values.size() < 2) return result;
  double squares = 0.0;
  for (const double value : values) squares += (value - result.mean) * (value - result.mean);
  const double deviation = std::sqrt(squares / static_cast<double>(values.size() - 1));
  result.stddev = deviation;
  if (result.mean != 0.0) result.cv = deviation / std::fabs(result.mean);
  result.half_width = student_t_975(values.size() - 1) * deviation / std::sqrt(static_cast<double>(values.size()));
  return result;
}

std::optional<bool> intervals_part(const RepeatStatistics& a, const RepeatStatistics& b) {
  if (!a.half_width || !b.half_width) return std::nullopt;
  return std::fabs(a.mean - b.mean) > *a.half_width + *b.half_width;
}

std::string explain_scores(const ScoreWeights& weights) {
  char text[2048];
  std::snprintf(text, sizeof text,
                "Scores of a run that reported inferences (N inferences, C correct top-1, energy E in joules):\n"
                "  accuracy a            = 100 * C / N                                   [%%]\n"
                "  energy per inference  = E / N                                         [J]\n"
                "  energy per correct e  = E / C, scored in millijoules                  [mJ]\n"
                "  inferences per joule  = N / E                                         [1/J]\n"
                "  accuracy per joule    = a / (E / N)                                   [%%/J]\n"
                "  composite score       = 20 * log10(a^alpha / e^beta), alpha = %g, beta = %g   [dB-like, higher is better]\n"
                "  NetScore (Wong 2018)  = 20 * log10(a^2 / (p^0.5 * m^0.5)), p parameters and m\n"
                "                          multiply-accumulates per inference, both in millions\n"
                "E is the run's measured energy total; where nothing measured it, the estimated total, and\n"
                "every score computed from it is marked ESTIMATED. Over repeated runs each figure is the\n"
                "mean with a 95%% confidence interval (Student t, n - 1 degrees of freedom).\n"
                "Change the weights with --alpha and --beta. See docs/scores.md.\n",
                weights.alpha, weights.beta);
  return text;
}

}  // namespace powerfit::analysis
