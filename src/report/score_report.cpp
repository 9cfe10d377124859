#include "report/score_report.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "analysis/run_score.hpp"
#include "analysis/summary.hpp"
#include "core/joined.hpp"
#include "report/fit_report.hpp"
#include "report/format.hpp"

namespace powerfit::report {
namespace {

std::string pad_to(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

}  // namespace

void print_run_scores(std::ostream& out, const Summary& summary) {
  const auto& counts = *summary.counts;
  out << "  scores" << (counts.model.empty() ? "" : " of " + counts.model);
  if (!summary.scores) {
    out << ":\n    unscored: " << summary.unscored_why << "\n\n";
    return;
  }
  out << ", on the energy of the " << summary.scored_on << ":\n";
  if (summary.scored_on.starts_with("inference window") && !summary.window_partial_channels.empty()) {
    const auto names = joined(summary.window_partial_channels);
    out << "    PARTIAL energy: stopped inside the window: " << names << '\n';
  }
  const auto& scores = *summary.scores;
  const std::string tag = summary.scores_estimated ? "  (ESTIMATED energy)" : "  (measured energy)";
  out << "    " << counts.inferences << " inferences, " << counts.correct << " correct: "
      << format("%.2f %%", scores.accuracy_percent) << " top-1";
  if (scores.top5_percent) out << format(", %.2f %% top-5", *scores.top5_percent);
  out << '\n';
  out << "    " << format("%.4g mJ", scores.energy_per_inference_j * 1e3) << " per inference, "
      << format("%.4g inferences/J", scores.inferences_per_joule) << tag << '\n';
  const analysis::ScoreWeights weights;
  if (scores.composite) {
    out << "    composite score " << format("%.2f", *scores.composite)
        << format(" (alpha %g", weights.alpha) << format(", beta %g)", weights.beta) << tag << '\n';
  }
  if (scores.netscore) out << "    NetScore " << format("%.2f", *scores.netscore) << '\n';
  const double thousand_j = scores.energy_per_inference_j * 1000.0;
  if (const auto co2e = summary.tariff.co2e_g(thousand_j)) out << "    " << format("%.4g g", *co2e) << " CO2e per 1000 inferences" << tag << '\n';
  if (const auto cost = summary.tariff.cost(thousand_j)) out << "    " << format("%.4g", *cost) << " per 1000 inferences" << tag << '\n';
  out << '\n';
}

nlohmann::ordered_json scored_runs_json(const std::vector<recording::ReportedRun>& runs,
                                        const analysis::ScoreWeights& weights, bool dynamic, const Tariff& tariff) {
  auto list = nlohmann::ordered_json::array();
  for (const auto& run : runs) {
    nlohmann::ordered_json entry{{"run_id", run.run_id}, {"uuid", run.uuid},     {"label", run.label},
                                 {"host", run.hostname}, {"start_time", run.start_time}};
    if (run.error) {
      entry["scored"] = false;
      entry["why"] = *run.error;
      list.push_back(std::move(entry));
      continue;
    }
    const auto& counts = run.counts;
    entry["model"] = counts.model;
    entry["device"] = counts.device;
    entry["backend"] = counts.backend;
    entry["batch_size"] = optional_json(counts.batch_size);
    entry["model_sha256"] = counts.model_sha256;
    entry["machine"] = machine_of(run);
    entry["scheduler"] = run.scheduler.empty() ? nlohmann::ordered_json::object()
                                               : nlohmann::ordered_json::parse(run.scheduler, nullptr, false);
    entry["cpu_model"] = run.cpu_model;
    entry["gpu_models"] = nlohmann::ordered_json::parse(run.gpu_models.empty() ? "[]" : run.gpu_models, nullptr, false);
    entry["dataset"] = counts.dataset;
    entry["dataset_size"] = optional_json(counts.dataset_size);
    entry["declared_accuracy_percent"] = optional_json(counts.declared_accuracy_percent);
    entry["latency_p50_s"] = optional_json(counts.latency_p50_s);
    entry["latency_p90_s"] = optional_json(counts.latency_p90_s);
    entry["latency_p99_s"] = optional_json(counts.latency_p99_s);
    entry["throughput_per_s"] = optional_json(counts.throughput_per_s);
    entry["inferences"] = counts.inferences;
    entry["correct"] = counts.correct;
    entry["correct_top5"] = counts.correct_top5 ? nlohmann::ordered_json(*counts.correct_top5) : nullptr;
    entry["parameters"] = counts.parameters ? nlohmann::ordered_json(*counts.parameters) : nullptr;
    entry["macs"] = counts.macs ? nlohmann::ordered_json(*counts.macs) : nullptr;
    entry["measured_energy_j"] = run.measured_energy_j ? nlohmann::ordered_json(*run.measured_energy_j) : nullptr;
    entry["estimated_energy_j"] = run.estimated_energy_j ? nlohmann::ordered_json(*run.estimated_energy_j) : nullptr;
    const bool windowed = run.window_measured_energy_j || run.window_estimated_energy_j;
    const bool baselined = analysis::has_baseline(run);
    entry["energy_scope"] = windowed ? "inference window" : baselined ? "command, idle baseline left out" : "whole run";
    entry["dynamic"] = dynamic;
    if (baselined) {
      entry["baseline_measured_power_w"] = run.baseline_measured_power_w ? nlohmann::ordered_json(*run.baseline_measured_power_w) : nullptr;
      entry["baseline_estimated_power_w"] = run.baseline_estimated_power_w ? nlohmann::ordered_json(*run.baseline_estimated_power_w) : nullptr;
    }
    if (windowed) {
      entry["window_measured_energy_j"] = run.window_measured_energy_j ? nlohmann::ordered_json(*run.window_measured_energy_j) : nullptr;
      entry["window_estimated_energy_j"] = run.window_estimated_energy_j ? nlohmann::ordered_json(*run.window_estimated_energy_j) : nullptr;
    }
    const auto [basis, scored_on, scores, why, partial] = analysis::score_run(run, weights, dynamic);
    entry["scored"] = scores.has_value();
    if (!scores) {
      entry["why"] = why;
      list.push_back(std::move(entry));
      continue;
    }
    entry["scored_on"] = scored_on;
    entry["energy_estimated"] = basis->estimated;
    entry["energy_partial"] = !partial.empty();
    entry["partial_channels"] = partial.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(partial);
    entry["accuracy_percent"] = scores->accuracy_percent;
    entry["top5_percent"] = scores->top5_percent ? nlohmann::ordered_json(*scores->top5_percent) : nullptr;
    entry["energy_per_inference_j"] = scores->energy_per_inference_j;
    entry["energy_per_correct_j"] = scores->energy_per_correct_j ? nlohmann::ordered_json(*scores->energy_per_correct_j) : nullptr;
    entry["inferences_per_joule"] = scores->inferences_per_joule;
    entry["accuracy_per_joule"] = scores->accuracy_per_joule;
    entry["composite_score"] = scores->composite ? nlohmann::ordered_json(*scores->composite) : nullptr;
    entry["netscore"] = scores->netscore ? nlohmann::ordered_json(*scores->netscore) : nullptr;
    entry["alpha"] = weights.alpha;
    entry["beta"] = weights.beta;
    // Of the energy the scores rest on: measured, or ESTIMATED as energy_estimated says.
    entry["carbon_intensity_g_per_kwh"] = optional_json(tariff.carbon_g_per_kwh);
    entry["co2e_g_per_1000_inferences"] = optional_json(tariff.co2e_g(scores->energy_per_inference_j * 1000.0));
    entry["energy_price_per_kwh"] = optional_json(tariff.price_per_kwh);
    entry["cost_per_1000_inferences"] = optional_json(tariff.cost(scores->energy_per_inference_j * 1000.0));
    list.push_back(std::move(entry));
  }
  return list;
}

void write_scored_runs_csv(std::ostream& out, const nlohmann::ordered_json& runs) {
  // Columns in the order keys first appear, so that unscored runs (fewer keys) fit the same header.
  std::vector<std::string> columns;
  for (const auto& run : runs) {
    for (const auto& [key, value] : run.items()) {
      if (std::find(columns.begin(), columns.end(), key) == columns.end()) columns.push_back(key);
    }
  }
  const auto cell = [](const nlohmann::ordered_json& value) {
    std::string text = value.is_null() ? "" : value.is_string() ? value.get<std::string>() : value.dump();
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  };
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
  out << '\n';
  for (const auto& run : runs) {
    for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << (run.contains(columns[i]) ? cell(run[columns[i]]) : "");
    out << '\n';
  }
}

void print_score_table(std::ostream& out, const std::vector<recording::ReportedRun>& runs,
                       const analysis::ScoreWeights& weights, bool dynamic, const Tariff& tariff) {
  struct Group {
    std::string model, device, backend, host;
    std::int64_t batch = 0;
    bool declared = false;
    std::vector<double> accuracy, millijoules, per_joule, composite, netscore, co2e, cost;
    bool estimated = false, partial = false;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> unscored, partials;
  for (const auto& run : runs) {
    const auto [basis, scored_on, scores, why, partial] = analysis::score_run(run, weights, dynamic);
    if (!scores) {
      unscored.push_back("run " + std::to_string(run.run_id) + " (" + run.uuid.substr(0, 8) + "): " + why);
      continue;
    }
    if (!partial.empty()) partials.push_back("run " + std::to_string(run.run_id) + " (" + run.uuid.substr(0, 8) + "): " + partial);
    const auto batch = run.counts.batch_size.value_or(0);
    const auto model = model_of(run);
    auto& group = groups[model + '\x1f' + run.counts.device + '\x1f' + run.counts.backend + '\x1f' +
                         std::to_string(batch) + '\x1f' + run.hostname];
    group.model = model;
    group.device = run.counts.device;
    group.backend = run.counts.backend.substr(0, run.counts.backend.find(' '));
    group.batch = batch;
    group.declared = run.counts.declared_accuracy_percent.has_value();
    group.host = run.hostname;
    group.estimated = group.estimated || basis->estimated;
    group.partial = group.partial || !partial.empty();
    group.accuracy.push_back(scores->accuracy_percent);
    group.millijoules.push_back(scores->energy_per_inference_j * 1e3);
    group.per_joule.push_back(scores->inferences_per_joule);
    if (scores->composite) group.composite.push_back(*scores->composite);
    if (scores->netscore) group.netscore.push_back(*scores->netscore);
    if (const auto grams = tariff.co2e_g(scores->energy_per_inference_j * 1000.0)) group.co2e.push_back(*grams);
    if (const auto money = tariff.cost(scores->energy_per_inference_j * 1000.0)) group.cost.push_back(*money);
  }
  std::vector<const Group*> ranked;
  for (const auto& [key, group] : groups) ranked.push_back(&group);
  std::sort(ranked.begin(), ranked.end(), [](const Group* a, const Group* b) {
    const double ca = a->composite.empty() ? -1e300 : analysis::repeat_statistics(a->composite).mean;
    const double cb = b->composite.empty() ? -1e300 : analysis::repeat_statistics(b->composite).mean;
    return ca > cb;
  });
  // Each column as wide as its widest text, so that no name, however long, shifts the columns
  // after it or is cut; batch and runs to the right.
  std::vector<std::string> header{"rank", "model", "backend", "device", "batch", "host", "runs", "top-1 %", "mJ/inference",
                                  "median mJ", "CV", "inferences/J", "composite", "NetScore", "energy"};
  if (tariff.carbon_g_per_kwh) header.emplace_back("gCO2e/1000 inf.");
  if (tariff.price_per_kwh) header.emplace_back("cost/1000 inf.");
  std::vector<std::vector<std::string>> rows{header};
  int rank = 0;
  bool tied_any = false;
  const Group* above = nullptr;
  for (const Group* group : ranked) {
    // "=": within the 95% intervals of the row above; its rank does not part them.
    const auto parted = above == nullptr || group->composite.empty() || above->composite.empty()
                            ? std::nullopt
                            : analysis::intervals_part(analysis::repeat_statistics(above->composite),
                                                       analysis::repeat_statistics(group->composite));
    const bool tied = parted.has_value() && !*parted;
    tied_any = tied_any || tied;
    above = group;
    const auto netscore = group->netscore.empty() ? std::string("-") : with_interval(analysis::repeat_statistics(group->netscore), "%.2f");
    const auto composite = group->composite.empty() ? std::string("-") : with_interval(analysis::repeat_statistics(group->composite), "%.2f");
    const auto accuracy = with_interval(analysis::repeat_statistics(group->accuracy), "%.2f") + (group->declared ? " decl." : "");
    const auto millijoules = analysis::repeat_statistics(group->millijoules);
    rows.push_back({std::to_string(++rank) + (tied ? "=" : ""), group->model, group->backend.empty() ? "-" : group->backend, group->device,
                    group->batch > 0 ? std::to_string(group->batch) : "-", group->host, std::to_string(group->accuracy.size()),
                    accuracy, with_interval(millijoules, "%.4g"), format("%.4g", millijoules.median),
                    millijoules.cv ? format("%.1f%%", *millijoules.cv * 100.0) : "-",
                    with_interval(analysis::repeat_statistics(group->per_joule), "%.4g"), composite, netscore,
                    std::string(group->estimated ? "ESTIMATED" : "measured") + (group->partial ? " PARTIAL" : "")});
    if (tariff.carbon_g_per_kwh) rows.back().push_back(with_interval(analysis::repeat_statistics(group->co2e), "%.4g"));
    if (tariff.price_per_kwh) rows.back().push_back(with_interval(analysis::repeat_statistics(group->cost), "%.4g"));
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  constexpr std::size_t kBatch = 4, kRuns = 6;  // right-aligned
  for (const auto& row : rows) {
    std::string text;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) text += ' ';
      const bool last = c + 1 == row.size();
      if (c == kBatch || c == kRuns) {
        text += std::string(widths[c] - row[c].size(), ' ') + row[c];
      } else {
        text += last ? row[c] : pad_to(row[c], widths[c]);
      }
    }
    out << text << '\n';
  }
  if (tied_any) out << "=: the composite's 95% interval overlaps the row above: their order is not settled\n";
  if (dynamic) out << "energy: dynamic (the idle baseline's power taken off)\n";
  out << "composite = 20*log10(top-1%^" << weights.alpha << " / (mJ per correct inference)^" << weights.beta
      << "); ± is the 95% confidence interval over runs, CV the coefficient of variation of mJ/inference (`powerfit score --explain`); decl.: accuracy declared with --accuracy, not measured\n";
  for (const auto& text : partials) out << "PARTIAL energy, a channel counted only in part: " << text << '\n';
  for (const auto& text : unscored) out << "unscored: " << text << '\n';
}

void print_score_table(std::ostream& out, const std::filesystem::path& database, const std::vector<std::int64_t>& run_ids,
                       const analysis::ScoreWeights& weights, const Tariff& tariff) {
  auto opened = recording::Database::open(database, recording::Database::Mode::read_only);
  print_score_table(out, opened.reported_runs(run_ids), weights, false, tariff);
}

}  // namespace powerfit::report
