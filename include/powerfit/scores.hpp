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

// What energy is also counted in: grams of CO2-equivalent and money, at a carbon intensity
// (g CO2e per kWh) and a price (per kWh) the user gives (--carbon-intensity, --price, or
// POWERFIT_CARBON_INTENSITY, POWERFIT_ENERGY_PRICE). Either may be absent. Applied to measured and
// ESTIMATED joules apart, never to their sum.
struct Tariff {
  std::optional<double> carbon_g_per_kwh;
  std::optional<double> price_per_kwh;
  static constexpr double kJoulesPerKwh = 3.6e6;
  // The most each may be: above them, a unit was mistaken (grams for kilograms, cents for euros).
  static constexpr double kMostCarbonGPerKwh = 5000.0;
  static constexpr double kMostPricePerKwh = 1000.0;
  std::optional<double> co2e_g(std::optional<double> joules) const {
    return joules && carbon_g_per_kwh ? std::optional<double>(*joules / kJoulesPerKwh * *carbon_g_per_kwh) : std::nullopt;
  }
  std::optional<double> cost(std::optional<double> joules) const {
    return joules && price_per_kwh ? std::optional<double>(*joules / kJoulesPerKwh * *price_per_kwh) : std::nullopt;
  }
};

}  // namespace powerfit
