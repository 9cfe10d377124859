#pragma once
// The scores of a run that did inferences: how much accuracy its joules bought. Computed by
// analysis (src/analysis/scores.hpp), where the formulas are written out with docs/scores.md.

#include <optional>

namespace powerfit {

struct Scores {
  double accuracy_percent = 0.0;          // 100 · correct / inferences
  std::optional<double> top5_percent;
  double energy_per_inference_j = 0.0;
  std::optional<double> energy_per_correct_j;  // none when nothing was correct
  double inferences_per_joule = 0.0;
  double accuracy_per_joule = 0.0;             // accuracy_percent / energy_per_inference_j, in %/J
  std::optional<double> composite;             // 20·log10(a^α / e^β), a in %, e in mJ per correct inference
  std::optional<double> netscore;              // 20·log10(a^2 / (p^0.5 · m^0.5)), p and m in millions
};

}  // namespace powerfit
