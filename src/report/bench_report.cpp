#include "report/bench_report.hpp"

#include <cstdio>
#include "report/format.hpp"

namespace powerfit::report {
namespace {


// Energy of the pass less the idle power over the pass, where a baseline gave one.
struct PassEnergy {
  std::optional<analysis::EnergyBasis> total, dynamic;
  std::optional<double> idle_power_w;
};

PassEnergy pass_energy(const inference::BenchRepeat& repeat) {
  PassEnergy energy;
  energy.total = analysis::energy_basis(repeat.summary.window_measured_energy_j, repeat.summary.window_estimated_energy_j);
  const auto& baseline = repeat.summary.run.baseline;
  if (energy.total && baseline) {
    energy.idle_power_w = energy.total->estimated ? baseline->estimated_power_w : baseline->measured_power_w;
    if (energy.idle_power_w) {
      energy.dynamic = analysis::EnergyBasis{energy.total->joules - *energy.idle_power_w * repeat.inference_s,
                                             energy.total->estimated};
    }
  }
  return energy;
}

// Why a bench has no accuracy to score: a data set without labels and no --accuracy. Empty when
// it has one.
std::string accuracy_unknown(const inference::BenchResult& result) {
  if (result.labelled || result.model.declared_accuracy_percent) return "";
  return "the data set has no labels, so no answer was checked; give --accuracy PERCENT (declared) or a labelled "
         "data set (the energy per inference above stands)";
}

analysis::InferenceCounts counts(const inference::BenchResult& result, const inference::BenchRepeat& repeat) {
  const double inferences = static_cast<double>(repeat.pass.inferences);
  const auto& declared = result.model.declared_accuracy_percent;
  return {.inferences = inferences,
          .correct = declared ? inferences * *declared / 100.0 : static_cast<double>(repeat.pass.correct),
          .correct_top5 = repeat.pass.correct_top5 ? std::optional<double>(static_cast<double>(*repeat.pass.correct_top5))
                                                   : std::nullopt,
          .parameters = result.model.parameters,
          .macs = result.model.macs};
}

const char* tag(const analysis::EnergyBasis& basis) { return basis.estimated ? "ESTIMATED" : "measured"; }

}  // namespace

void print_bench_header(std::ostream& out, const inference::BenchResult& result, const std::string& database) {
  const auto& model = result.model;
  out << "powerfit bench: " << model.model << " on " << model.backend << ", device " << model.device << ", batch "
      << model.batch_size.value_or(1) << "; data " << model.dataset << " (" << model.dataset_size.value_or(0)
      << " samples); recorded in " << database << '\n';
  out << "  model: " << (model.parameters ? format("%.0f", *model.parameters) : std::string("?")) << " parameters, "
      << (model.macs ? format("%.0f", *model.macs) : std::string("?"))
      << " multiply-accumulates per inference (counted from the graph at the data's input size)\n";
}

void print_bench_repeat(std::ostream& out, const inference::BenchResult& result, const inference::BenchRepeat& repeat,
                        int index, int count, const analysis::ScoreWeights& weights) {
  const auto& pass = repeat.pass;
  out << "  run " << repeat.summary.run_id << " (repeat " << index << '/' << count << "): " << pass.inferences
      << " inferences in " << format("%.3f s", repeat.inference_s) << ", "
      << format("%.1f inferences/s", repeat.inference_s > 0 ? static_cast<double>(pass.inferences) / repeat.inference_s : 0.0)
      << "; latency per batch p50 " << format("%.3f ms", repeat.latency.p50_s * 1e3) << ", p90 "
      << format("%.3f ms", repeat.latency.p90_s * 1e3) << ", p99 " << format("%.3f ms", repeat.latency.p99_s * 1e3) << '\n';
  if (result.model.declared_accuracy_percent) {
    out << "    top-1 " << format("%.2f %%", *result.model.declared_accuracy_percent) << " DECLARED (--accuracy), not measured\n";
  } else if (!result.model.dataset.starts_with("synthetic:")) {
    out << "    top-1 " << format("%.2f %%", 100.0 * static_cast<double>(pass.correct) / static_cast<double>(pass.inferences))
        << " (" << pass.correct << '/' << pass.inferences << ")";
    if (pass.correct_top5) {
      out << ", top-5 " << format("%.2f %%", 100.0 * static_cast<double>(*pass.correct_top5) / static_cast<double>(pass.inferences));
    }
    out << '\n';
  }
  if (repeat.inference_s < 10.0 * repeat.summary.interval_s) {
    out << "    warning: the measured pass lasted " << format("%.3f s", repeat.inference_s)
        << ", under ten sampling intervals; its joules are coarse (use --min-time 1s or longer)\n";
  }
  out << "    energy of the inference pass, per channel:\n";
  for (const auto& channel : repeat.summary.window_channels) {
    const bool estimated = channel.estimated;
    out << "      " << channel.name << std::string(channel.name.size() < 28 ? 28 - channel.name.size() : 1, ' ') << format("%12.4f J", channel.joules)
        << format("%14.5f mJ/inference", channel.joules * 1e3 / static_cast<double>(pass.inferences))
        << (estimated ? "  ESTIMATED" : "  measured") << '\n';
  }
  const auto energy = pass_energy(repeat);
  if (!energy.total) {
    out << "    no energy was measured or estimated (see `powerfit sensors`); unscored\n";
    return;
  }
  const double n = static_cast<double>(pass.inferences);
  const double correct = counts(result, repeat).correct;
  out << "    total   " << format("%.4f J", energy.total->joules) << ", " << format("%.5g mJ/inference", energy.total->joules * 1e3 / n);
  if (correct > 0) out << ", " << format("%.5g mJ/correct", energy.total->joules * 1e3 / correct);
  out << "  " << tag(*energy.total) << '\n';
  if (energy.dynamic) {
    out << "    dynamic " << format("%.4f J", energy.dynamic->joules) << ", " << format("%.5g mJ/inference", energy.dynamic->joules * 1e3 / n);
    if (correct > 0) out << ", " << format("%.5g mJ/correct", energy.dynamic->joules * 1e3 / correct);
    out << "  " << tag(*energy.dynamic) << " (idle " << format("%.2f W", *energy.idle_power_w) << " taken off)\n";
  }
  std::string why = accuracy_unknown(result);
  const auto scores = why.empty() ? analysis::compute_scores(counts(result, repeat), energy.total->joules, weights, &why)
                                  : std::nullopt;
  if (!scores) {
    out << "    unscored: " << why << '\n';
    return;
  }
  out << "    scores (" << tag(*energy.total) << " energy): composite "
      << (scores->composite ? format("%.2f", *scores->composite) : std::string("-")) << ", NetScore "
      << (scores->netscore ? format("%.2f", *scores->netscore) : std::string("-")) << ", "
      << format("%.4g inferences/J", scores->inferences_per_joule) << ", "
      << format("%.4g %%/J", scores->accuracy_per_joule) << '\n';
}

nlohmann::ordered_json bench_json(const inference::BenchResult& result, const analysis::ScoreWeights& weights) {
  const auto& model = result.model;
  nlohmann::ordered_json json{{"model", model.model},
                              {"model_sha256", model.model_sha256},
                              {"backend", model.backend},
                              {"device", model.device},
                              {"batch_size", model.batch_size.value_or(1)},
                              {"dataset", model.dataset},
                              {"dataset_size", model.dataset_size.value_or(0)},
                              {"parameters", optional_json(model.parameters)},
                              {"macs", optional_json(model.macs)},
                              {"declared_accuracy_percent", optional_json(model.declared_accuracy_percent)},
                              {"alpha", weights.alpha},
                              {"beta", weights.beta}};
  auto repeats = nlohmann::ordered_json::array();
  for (const auto& repeat : result.repeats) {
    const auto energy = pass_energy(repeat);
    nlohmann::ordered_json entry{{"run_id", repeat.summary.run_id},
                                 {"inferences", repeat.pass.inferences},
                                 {"correct", repeat.pass.correct},
                                 {"correct_top5", repeat.pass.correct_top5 ? nlohmann::ordered_json(*repeat.pass.correct_top5) : nullptr},
                                 {"inference_s", repeat.inference_s},
                                 {"latency_p50_s", repeat.latency.p50_s},
                                 {"latency_p90_s", repeat.latency.p90_s},
                                 {"latency_p99_s", repeat.latency.p99_s},
                                 {"measured_energy_j", optional_json(repeat.summary.window_measured_energy_j)},
                                 {"estimated_energy_j", optional_json(repeat.summary.window_estimated_energy_j)},
                                 {"energy_estimated", energy.total ? nlohmann::ordered_json(energy.total->estimated) : nullptr},
                                 {"idle_power_w", optional_json(energy.idle_power_w)},
                                 {"dynamic_energy_j", energy.dynamic ? nlohmann::ordered_json(energy.dynamic->joules) : nullptr}};
    auto channels = nlohmann::ordered_json::array();
    for (const auto& channel : repeat.summary.window_channels) {
      channels.push_back({{"name", channel.name},
                          {"energy_j", channel.joules},
                          {"estimated", channel.estimated}});
    }
    entry["channels"] = std::move(channels);
    if (const auto why = accuracy_unknown(result); !why.empty()) {
      entry["scored"] = false;
      entry["why"] = why;
    } else if (energy.total) {
      if (const auto scores = analysis::compute_scores(counts(result, repeat), energy.total->joules, weights)) {
        entry["energy_per_inference_j"] = scores->energy_per_inference_j;
        entry["energy_per_correct_j"] = scores->energy_per_correct_j ? nlohmann::ordered_json(*scores->energy_per_correct_j) : nullptr;
        entry["inferences_per_joule"] = scores->inferences_per_joule;
        entry["composite_score"] = scores->composite ? nlohmann::ordered_json(*scores->composite) : nullptr;
        entry["netscore"] = scores->netscore ? nlohmann::ordered_json(*scores->netscore) : nullptr;
      }
    }
    if (!repeat.summary.warnings.empty()) entry["warnings"] = repeat.summary.warnings;
    repeats.push_back(std::move(entry));
  }
  json["repeats"] = std::move(repeats);
  return json;
}

}  // namespace powerfit::report
