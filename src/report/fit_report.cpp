#include "report/fit_report.hpp"

#include <map>
#include <set>

#include <cstdio>

#include "analysis/job_ranks.hpp"
#include "report/score_report.hpp"
#include "report/format.hpp"

namespace powerfit::report {
namespace {

const char* value_pattern(analysis::FitMetric metric) {
  return metric == analysis::FitMetric::energy_per_inference || metric == analysis::FitMetric::inferences_per_joule ||
                 metric == analysis::FitMetric::accuracy_per_joule
             ? "%.4g"
             : "%.2f";
}

std::string cell_text(const analysis::FitCell& cell, analysis::FitMetric metric) {
  if (cell.value.n == 0) return "-";
  const char* pattern = value_pattern(metric);
  std::string text = with_interval(cell.value, pattern);
  if (cell.estimated) text += " E";
  if (cell.declared) text += " D";
  if (cell.partial) text += " P";
  return text;
}

std::string pad(const std::string& text, std::size_t width) {
  return text.size() >= width ? text + ' ' : text + std::string(width - text.size(), ' ');
}

// Whether a best is told apart from the next one, in words; `alone`: what a best without one is.
std::string lead_text(const analysis::Lead& lead, const std::string& alone) {
  using Order = analysis::Lead::Order;
  std::string text;
  switch (lead.order) {
    case Order::alone: return "(" + alone + ")";
    case Order::clear: text = "(ahead of " + lead.runner_up + " beyond both 95% intervals"; break;
    case Order::overlapping: text = "(not told apart from " + lead.runner_up + ": the 95% intervals overlap"; break;
    case Order::no_interval: text = "(ahead of " + lead.runner_up + " by the mean alone: a single run has no interval"; break;
  }
  return text + (lead.estimated ? "; ESTIMATED energy compared)" : ")");
}

}  // namespace

std::string model_of(const recording::ReportedRun& run) {
  if (!run.counts.model.empty()) return run.counts.model;
  if (!run.label.empty()) return run.label;
  // Neither a model nor a label: the command, so that different commands are never pooled.
  const auto command = nlohmann::json::parse(run.command.empty() ? "[]" : run.command, nullptr, false);
  std::string text;
  if (command.is_array()) {
    for (const auto& word : command) text += (text.empty() ? "" : " ") + (word.is_string() ? word.get<std::string>() : word.dump());
  }
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text.empty() ? std::string("(unnamed)") : "`" + text + "`";
}

std::string architecture_of(const recording::ReportedRun& run) {
  const auto batch = run.counts.batch_size.value_or(1);
  return model_of(run) +
         (batch != 1 ? " b" + std::to_string(batch) : std::string());
}

std::string hardware_of(const recording::ReportedRun& run) {
  const auto models = nlohmann::json::parse(run.gpu_models.empty() ? "[]" : run.gpu_models, nullptr, false);
  const auto limits = nlohmann::json::parse(run.gpu_power_limits_w.empty() ? "[]" : run.gpu_power_limits_w, nullptr, false);
  if (run.cpu_model.empty() && (!models.is_array() || models.empty())) {
    return run.hostname.empty() ? std::string("(host?)") : run.hostname;  // nothing of its hardware was recorded
  }
  std::string text = run.cpu_model.empty() ? std::string("(CPU?)") : run.cpu_model;
  if (run.cpu_cores > 0) text += " x" + std::to_string(run.cpu_cores);
  // GPUs of one model and power limit counted together: "2x NVIDIA H100 80GB HBM3 700W".
  std::map<std::string, int> gpus;
  if (models.is_array()) {
    for (std::size_t i = 0; i < models.size(); ++i) {
      std::string gpu = models[i].is_string() ? models[i].get<std::string>() : std::string("(GPU?)");
      if (limits.is_array() && i < limits.size() && limits[i].is_number()) gpu += " " + format("%.0fW", limits[i].get<double>());
      ++gpus[gpu];
    }
  }
  for (const auto& [gpu, count] : gpus) text += " + " + std::to_string(count) + "x " + gpu;
  return text;
}

std::string machine_of(const recording::ReportedRun& run) {
  std::string machine = run.machine.empty() ? hardware_of(run) : run.machine;
  if (run.nodes > 1) machine = std::to_string(run.nodes) + " nodes: " + machine;
  if (!run.counts.device.empty()) machine += " " + run.counts.device;
  if (!run.counts.backend.empty()) machine += " " + run.counts.backend.substr(0, run.counts.backend.find(' '));
  return machine;
}

std::vector<analysis::FitObservation> fit_observations(const std::vector<recording::ReportedRun>& stored_runs,
                                                       const analysis::ScoreWeights& weights, bool dynamic,
                                                       std::vector<std::string>* unscored, std::vector<std::string>* warnings) {
  // A job's ranks are one configuration: N GPUs at the batch each rank ran.
  auto pooled = analysis::pool_job_ranks(stored_runs);
  const auto& runs = pooled.runs;
  if (warnings != nullptr) warnings->insert(warnings->end(), pooled.warnings.begin(), pooled.warnings.end());
  // A model is its name and its file: two different files of one name are two architectures,
  // told apart by the start of their SHA-256, and said so.
  std::map<std::string, std::set<std::string>> files_of;
  for (const auto& run : runs) {
    if (!run.counts.model_sha256.empty()) files_of[run.counts.model].insert(run.counts.model_sha256);
  }
  const auto architecture = [&](const recording::ReportedRun& run) {
    const auto files = files_of.find(run.counts.model);
    if (files == files_of.end() || files->second.size() < 2) return architecture_of(run);
    return architecture_of(run) + " [" + run.counts.model_sha256.substr(0, 8) + "]";
  };
  if (warnings != nullptr) {
    for (const auto& [model, files] : files_of) {
      if (files.size() < 2) continue;
      warnings->push_back(std::to_string(files.size()) + " different model files are named '" + model +
                          "'; they are kept apart by their SHA-256, not pooled");
    }
  }
  std::vector<analysis::FitObservation> observations;
  for (const auto& run : runs) {
    const auto [basis, scored_on, scores, why, partial] = analysis::score_run(run, weights, dynamic);
    if (!scores) {
      if (unscored) unscored->push_back(run.uuid + " (" + architecture(run) + " on " + machine_of(run) + "): " + why);
      continue;
    }
    observations.push_back({.architecture = architecture(run),
                            .machine = machine_of(run),
                            .scores = *scores,
                            .estimated = basis->estimated,
                            .declared = run.counts.declared_accuracy_percent.has_value(),
                            .partial = !partial.empty()});
  }
  return observations;
}

void print_fit_table(std::ostream& out, const analysis::FitResult& fit, const std::vector<std::string>& unscored) {
  std::size_t first = 12;
  for (const auto& architecture : fit.architectures) first = std::max(first, architecture.size() + 1);
  std::vector<std::size_t> widths;
  for (const auto& machine : fit.machines) {
    std::size_t width = machine.size() + 2;
    for (const auto& cell : fit.cells) {
      if (cell.machine == machine) width = std::max(width, cell_text(cell, fit.metric).size() + 3);
    }
    widths.push_back(width);
  }
  out << "fit test: " << analysis::fit_metric_name(fit.metric) << " (" << (analysis::higher_is_better(fit.metric) ? "higher" : "lower")
      << " is better), mean ±95% CI over runs; * best architecture on the machine\n";
  out << pad("architecture", first);
  for (std::size_t m = 0; m < fit.machines.size(); ++m) out << pad(fit.machines[m], widths[m]);
  out << '\n';
  for (const auto& architecture : fit.architectures) {
    out << pad(architecture, first);
    for (std::size_t m = 0; m < fit.machines.size(); ++m) {
      const auto* cell = fit.cell(architecture, fit.machines[m]);
      const auto best = fit.best_architecture.find(fit.machines[m]);
      const bool star = cell && best != fit.best_architecture.end() && best->second == architecture;
      out << pad(cell ? cell_text(*cell, fit.metric) + (star ? " *" : "") : "", widths[m]);
    }
    out << '\n';
  }
  out << "\nbest architecture on each machine:\n";
  for (const auto& [machine, architecture] : fit.best_architecture) {
    out << "  " << machine << ": " << architecture << ' '
        << lead_text(fit.best_architecture_lead.at(machine), "the only architecture scored on it") << '\n';
  }
  out << "best machine for each architecture:\n";
  for (const auto& [architecture, machine] : fit.best_machine) {
    out << "  " << architecture << ": " << machine << ' '
        << lead_text(fit.best_machine_lead.at(architecture), "the only machine that scored it") << '\n';
  }
  out << "Pareto front of accuracy against energy per inference (by rising energy):\n";
  for (const auto& [machine, front] : fit.pareto_front) {
    out << "  " << machine << ":";
    for (const auto& architecture : front) {
      const auto* cell = fit.cell(architecture, machine);
      out << ' ' << architecture << " (" << format("%.2f %%", cell->accuracy_percent.mean) << ", "
          << format("%.4g mJ", cell->energy_per_inference_j.mean * 1e3) << ")";
    }
    out << '\n';
  }
  if (fit.min_accuracy_percent) {
    out << "cheapest architecture at or above " << format("%.2f %%", *fit.min_accuracy_percent) << " top-1:\n";
    for (const auto& [machine, architecture] : fit.cheapest_above) {
      out << "  " << machine << ": " << (architecture ? *architecture : std::string("none reaches it")) << '\n';
    }
  }
  out << "E: scored on ESTIMATED energy; D: accuracy declared, not measured; P: PARTIAL energy (a channel counted only in part)\n";
  for (const auto& text : unscored) out << "unscored: " << text << '\n';
}

nlohmann::ordered_json fit_json(const analysis::FitResult& fit, const std::vector<std::string>& unscored, const Tariff& tariff) {
  nlohmann::ordered_json json{{"metric", analysis::fit_metric_name(fit.metric)},
                              {"higher_is_better", analysis::higher_is_better(fit.metric)},
                              {"architectures", fit.architectures},
                              {"machines", fit.machines}};
  auto cells = nlohmann::ordered_json::array();
  for (const auto& cell : fit.cells) {
    cells.push_back({{"architecture", cell.architecture},
                     {"machine", cell.machine},
                     {"value", repeat_json(cell.value)},
                     {"accuracy_percent", repeat_json(cell.accuracy_percent)},
                     {"energy_per_inference_j", repeat_json(cell.energy_per_inference_j)},
                     {"co2e_g_per_1000_inferences", optional_json(tariff.co2e_g(cell.energy_per_inference_j.mean * 1000.0))},
                     {"cost_per_1000_inferences", optional_json(tariff.cost(cell.energy_per_inference_j.mean * 1000.0))},
                     {"energy_estimated", cell.estimated},
                     {"accuracy_declared", cell.declared},
                     {"energy_partial", cell.partial}});
  }
  json["cells"] = std::move(cells);
  json["best_architecture"] = fit.best_architecture;
  json["best_machine"] = fit.best_machine;
  const auto leads_json = [](const std::map<std::string, analysis::Lead>& leads) {
    auto out = nlohmann::ordered_json::object();
    for (const auto& [key, lead] : leads) {
      out[key] = {{"order", analysis::lead_order_name(lead.order)},
                  {"runner_up", lead.runner_up.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(lead.runner_up)},
                  {"energy_estimated", lead.estimated}};
    }
    return out;
  };
  json["best_architecture_lead"] = leads_json(fit.best_architecture_lead);
  json["best_machine_lead"] = leads_json(fit.best_machine_lead);
  json["pareto_front"] = fit.pareto_front;
  if (fit.min_accuracy_percent) {
    json["min_accuracy_percent"] = *fit.min_accuracy_percent;
    auto cheapest = nlohmann::ordered_json::object();
    for (const auto& [machine, architecture] : fit.cheapest_above) {
      cheapest[machine] = architecture ? nlohmann::ordered_json(*architecture) : nullptr;
    }
    json["cheapest_above"] = std::move(cheapest);
  }
  json["unscored"] = unscored;
  return json;
}

void write_fit_csv(std::ostream& out, const analysis::FitResult& fit, const Tariff& tariff) {
  out << "architecture,machine,metric,mean,ci95_half_width,median,stddev,cv,runs,accuracy_percent,energy_per_inference_j,"
         "co2e_g_per_1000_inferences,cost_per_1000_inferences,energy_estimated,accuracy_declared,best_on_machine,on_pareto_front,"
         "energy_partial,best_on_machine_lead,best_on_machine_runner_up,best_on_machine_lead_estimated,"
         "best_machine_for_architecture,best_machine_lead,best_machine_runner_up,best_machine_lead_estimated\n";
  const auto optional_number = [](std::optional<double> value) { return value ? format("%.17g", *value) : std::string(); };
  const auto quoted = [](const std::string& text) {
    std::string escaped = "\"";
    for (const char c : text) escaped += c == '"' ? std::string("\"\"") : std::string(1, c);
    return escaped + "\"";
  };
  // Where the cell is the best of its machine (or its architecture's best machine): whether its
  // interval parts it from the runner-up, which that is, and whether ESTIMATED energy was compared;
  // empty elsewhere.
  const auto lead_columns = [&](bool best, const std::map<std::string, analysis::Lead>& leads, const std::string& key) {
    const auto found = leads.find(key);
    if (!best || found == leads.end()) return std::string(",,");
    const auto& lead = found->second;
    return analysis::lead_order_name(lead.order) + ',' + quoted(lead.runner_up) + ',' + (lead.estimated ? "true" : "false");
  };
  for (const auto& cell : fit.cells) {
    const auto best = fit.best_architecture.find(cell.machine);
    const bool best_on_machine = best != fit.best_architecture.end() && best->second == cell.architecture;
    const auto best_machine = fit.best_machine.find(cell.architecture);
    const bool best_for_architecture = best_machine != fit.best_machine.end() && best_machine->second == cell.machine;
    const auto& front = fit.pareto_front.at(cell.machine);
    out << quoted(cell.architecture) << ',' << quoted(cell.machine) << ',' << analysis::fit_metric_name(fit.metric) << ','
        << (cell.value.n ? format("%.17g", cell.value.mean) : "") << ','
        << (cell.value.half_width ? format("%.17g", *cell.value.half_width) : "") << ','
        << (cell.value.n ? format("%.17g", cell.value.median) : "") << ','
        << (cell.value.stddev ? format("%.17g", *cell.value.stddev) : "") << ','
        << (cell.value.cv ? format("%.17g", *cell.value.cv) : "") << ',' << cell.value.n << ','
        << format("%.17g", cell.accuracy_percent.mean) << ',' << format("%.17g", cell.energy_per_inference_j.mean) << ','
        << optional_number(tariff.co2e_g(cell.energy_per_inference_j.mean * 1000.0)) << ','
        << optional_number(tariff.cost(cell.energy_per_inference_j.mean * 1000.0)) << ','
        << (cell.estimated ? "true" : "false") << ',' << (cell.declared ? "true" : "false") << ','
        << (best_on_machine ? "true" : "false") << ','
        << (std::find(front.begin(), front.end(), cell.architecture) != front.end() ? "true" : "false") << ','
        << (cell.partial ? "true" : "false") << ',' << lead_columns(best_on_machine, fit.best_architecture_lead, cell.machine) << ','
        << (best_for_architecture ? "true" : "false") << ','
        << lead_columns(best_for_architecture, fit.best_machine_lead, cell.architecture) << '\n';
  }
}

}  // namespace powerfit::report
