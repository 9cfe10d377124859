#include "report/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "analysis/downsample.hpp"
#include "analysis/fit.hpp"
#include "analysis/run_score.hpp"
#include "analysis/window.hpp"
#include "report/fit_report.hpp"
#include "report/score_report.hpp"
#include "report/svg.hpp"
#include "report/format.hpp"

namespace powerfit::report {
namespace {

using Series = std::vector<std::pair<std::int64_t, double>>;


constexpr const char* kStyle = R"css(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
th{background:#f4f4f4}td.text{text-align:left}.estimated{color:#a0522d;font-weight:600}
svg{display:block;margin:8px 0;font-size:11px}svg .title{font-size:13px;font-weight:600}
svg .axes line{stroke:#444}svg .band{fill-opacity:.12}svg .band-label{fill:#2a5d99;font-size:10px}
svg .note,svg .point-label{font-size:10px;fill:#555}details{margin:8px 0}summary{cursor:pointer;font-weight:600}
)css";

// Every plot must draw: an empty one is reported on the console, where a browser test sees it.
constexpr const char* kPlotCheck = R"js(
(function(){var plots=document.querySelectorAll('svg[data-plot]'),empty=[];
plots.forEach(function(p){if(!p.querySelector('.mark'))empty.push(p.getAttribute('data-plot'));});
document.body.setAttribute('data-plots',String(plots.length));document.body.setAttribute('data-empty-plots',empty.join(' '));
if(empty.length)console.error('plots without marks: '+empty.join(' '));})();
)js";

// Phases from the markers: "NAME:start" … "NAME:end".
std::vector<Band> phases(const std::vector<Marker>& markers) {
  std::vector<Band> bands;
  std::map<std::string, double> open;
  for (const auto& marker : markers) {
    const auto colon = marker.name.rfind(':');
    if (colon == std::string::npos) continue;
    const auto phase = marker.name.substr(0, colon), edge = marker.name.substr(colon + 1);
    const double t = static_cast<double>(marker.time_ns) * 1e-9;
    if (edge == "start") open[phase] = t;
    if (edge == "end" && open.contains(phase)) {
      bands.push_back({open[phase], t, phase});
      open.erase(phase);
    }
  }
  return bands;
}

// Byte counters become rates (per second) between consecutive samples.
std::vector<analysis::Point> as_rate(const Series& series, double scale) {
  std::vector<analysis::Point> points;
  for (std::size_t i = 1; i < series.size(); ++i) {
    const double dt = static_cast<double>(series[i].first - series[i - 1].first) * 1e-9;
    if (dt <= 0) continue;
    points.emplace_back(static_cast<double>(series[i].first) * 1e-9, (series[i].second - series[i - 1].second) / dt * scale);
  }
  return points;
}

std::vector<analysis::Point> as_points(const Series& series, double scale) {
  std::vector<analysis::Point> points;
  points.reserve(series.size());
  for (const auto& [t, v] : series) points.emplace_back(static_cast<double>(t) * 1e-9, v * scale);
  return points;
}

std::string run_panels(recording::Database& database, const recording::RunRow& run,
                       const std::vector<recording::ChannelRow>& channels, const HtmlReportOptions& options) {
  auto series = database.run_series(run.id);
  const auto bands = phases(database.markers(run.id));
  const auto id = "run" + std::to_string(run.id) + "-" + run.uuid.substr(0, 8);
  LinePlot power{id + "-power", "Power", "seconds since the run started", "W", {}, bands};
  LinePlot utilization{id + "-utilization", "Utilization", "seconds since the run started", "%", {}, bands};
  LinePlot memory{id + "-memory", "Memory", "seconds since the run started", "MiB", {}, bands};
  LinePlot io{id + "-io", "Storage and network I/O", "seconds since the run started", "MB/s", {}, bands};
  for (const auto& channel : channels) {
    const auto found = series.find(channel.id);
    if (found == series.end() || found->second.empty()) continue;
    std::vector<analysis::Point> points;
    LinePlot* plot = nullptr;
    if (channel.kind == "energy_counter") {
      points = analysis::counter_power(found->second), plot = &power;
    } else if (channel.kind == "power_gauge") {
      points = as_points(found->second, 1.0), plot = &power;
    } else if (channel.kind == "utilization") {
      points = as_points(found->second, 1.0), plot = &utilization;
    } else if (channel.kind == "gauge" && channel.unit == "B") {
      points = as_points(found->second, 1.0 / (1024.0 * 1024.0)), plot = &memory;
    } else if (channel.kind == "byte_counter") {
      points = as_rate(found->second, 1e-6), plot = &io;
    }
    if (plot == nullptr || points.empty()) continue;
    plot->series.push_back({channel.name, analysis::downsample_lttb(points, options.points_per_series), channel.estimated});
  }
  std::string html;
  for (const auto* plot : {&power, &utilization, &memory, &io}) {
    if (!plot->series.empty()) html += render_line_plot(*plot);
  }
  return html;
}

std::string score_cell(const std::optional<Scores>& scores, bool estimated, const std::string& why, const std::string& partial) {
  if (!scores) return "<td class=\"text\">unscored: " + escape_html(why) + "</td><td></td><td></td>";
  return "<td>" + format("%.2f", scores->accuracy_percent) + "</td><td>" +
         format("%.4g", scores->energy_per_inference_j * 1e3) + (estimated ? " <span class=\"estimated\">ESTIMATED</span>" : "") +
         (partial.empty() ? "" : " <span class=\"estimated\" title=\"" + escape_html(partial) + "\">PARTIAL: " + escape_html(partial) + "</span>") +
         "</td><td>" + (scores->composite ? format("%.2f", *scores->composite) : std::string("-")) + "</td>";
}

}  // namespace

std::string render_html_report(const std::vector<ReportInput>& inputs, const HtmlReportOptions& options) {
  std::ostringstream html;
  html << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
       << "<title>powerfit report</title><style>" << kStyle << "</style></head><body><h1>powerfit report</h1><p>From ";
  for (std::size_t i = 0; i < inputs.size(); ++i) html << (i ? ", " : "") << "<code>" << escape_html(inputs[i].name) << "</code>";
  html << ". Figures in tables come from every sample; plots of long series are downsampled "
          "(largest-triangle-three-buckets, at most "
       << options.points_per_series << " points per line). Anything <span class=\"estimated\">ESTIMATED</span> "
       << "comes from a model of power, not a meter; estimated lines are dashed, estimated bars pale.</p>";

  // Scores of every reported run, across all inputs.
  std::vector<recording::ReportedRun> reported;
  std::map<std::pair<std::size_t, std::int64_t>, const recording::ReportedRun*> reported_by_run;
  std::vector<std::size_t> reported_counts;
  for (const auto& input : inputs) {
    auto runs = input.database->reported_runs();
    reported_counts.push_back(runs.size());
    reported.insert(reported.end(), runs.begin(), runs.end());
  }
  for (std::size_t i = 0, offset = 0; i < inputs.size(); offset += reported_counts[i], ++i) {
    for (std::size_t k = 0; k < reported_counts[i]; ++k) reported_by_run[{i, reported[offset + k].run_id}] = &reported[offset + k];
  }

  // The run table and the per-run panels.
  html << "<h2>Runs</h2><table><tr><th>file</th><th>run</th><th>label / model</th><th>host</th><th>start (UTC)</th>"
          "<th>duration s</th><th>exit</th><th>measured J</th><th>estimated J</th>"
       << (options.tariff.carbon_g_per_kwh ? format("<th>g CO2e (%g g/kWh)</th>", *options.tariff.carbon_g_per_kwh) : "")
       << (options.tariff.price_per_kwh ? format("<th>cost (%g /kWh)</th>", *options.tariff.price_per_kwh) : "")
       << "<th>top-1 %</th><th>mJ / inference</th><th>composite</th></tr>";
  std::ostringstream panels;
  StackedBars bars{"energy-per-channel", "Energy per channel (inference window where one was recorded, else the whole run)", "J", {}, {}};
  std::map<std::string, std::size_t> segment_index;
  std::size_t run_count = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto& database = *inputs[i].database;
    for (const auto& run : database.runs()) {
      ++run_count;
      const auto channels = database.run_channels(run.id);
      const auto energy = analysis::run_energy(channels);
      const auto found = reported_by_run.find({i, run.id});
      const auto* report = found == reported_by_run.end() ? nullptr : found->second;
      // Both where both are given: bench labels a run by model, device and batch, a user by anything.
      const std::string model = report ? report->counts.model : std::string();
      const std::string name = model.empty() ? run.label : run.label.empty() || run.label == model ? model : model + " (" + run.label + ")";
      html << "<tr><td class=\"text\">" << escape_html(inputs[i].name) << "</td><td>" << run.id << "</td><td class=\"text\">"
           << escape_html(name) << "</td><td class=\"text\">" << escape_html(run.hostname) << "</td><td class=\"text\">"
           << escape_html(run.start_time) << "</td><td>"
           << (run.duration_s ? format("%.3f", *run.duration_s)
                              : std::string(run.end_time ? "" : "<span class=\"estimated\">INCOMPLETE: never closed</span>"))
           << "</td><td>" << (run.exit_status ? std::to_string(*run.exit_status) : "") << "</td><td>"
           << (energy.measured ? format("%.4g", *energy.measured) : "-") << "</td><td>"
           << (energy.estimated ? format("%.4g", *energy.estimated) + " <span class=\"estimated\">ESTIMATED</span>" : "-") << "</td>";
      // CO2e and cost of the measured and ESTIMATED energy, apart.
      const auto apart = [&](std::optional<double> measured, std::optional<double> estimated) {
        std::string text = measured ? format("%.4g", *measured) : "";
        if (estimated) text += (text.empty() ? "" : " / ") + format("%.4g", *estimated) + " <span class=\"estimated\">ESTIMATED</span>";
        return "<td>" + (text.empty() ? std::string("-") : text) + "</td>";
      };
      if (options.tariff.carbon_g_per_kwh) html << apart(options.tariff.co2e_g(energy.measured), options.tariff.co2e_g(energy.estimated));
      if (options.tariff.price_per_kwh) html << apart(options.tariff.cost(energy.measured), options.tariff.cost(energy.estimated));
      if (report) {
        const auto [basis, scored_on, scores, why, partial] = analysis::score_run(*report, options.weights, options.dynamic);
        html << score_cell(scores, basis && basis->estimated, why, partial);
      } else {
        html << "<td class=\"text\" colspan=\"3\">no inference counts</td>";
      }
      html << "</tr>";
      const std::string title = escape_html(inputs[i].name) + " run " + std::to_string(run.id) + ": " + escape_html(name) +
                                " on " + escape_html(run.hostname);
      panels << "<details" << (run_count == 1 ? " open" : "") << "><summary>" << title << "</summary>"
             << run_panels(database, run, channels, options) << "</details>";
      // Energy per channel: one bar per run.
      const std::size_t bar = bars.bars.size();
      bars.bars.push_back("#" + std::to_string(run.id) + " " + name);
      for (auto& segment : bars.segments) segment.values.push_back(0.0);
      for (const auto& channel : channels) {
        if (!channel.in_energy_total) continue;
        const auto joules = report && report->window_duration_s ? channel.window_energy_j : channel.energy_j;
        if (!joules) continue;
        if (!segment_index.contains(channel.name)) {
          segment_index[channel.name] = bars.segments.size();
          bars.segments.push_back({channel.name, channel.estimated, std::vector<double>(bars.bars.size(), 0.0)});
        }
        bars.segments[segment_index[channel.name]].values[bar] = *joules;
      }
    }
  }
  html << "</table>";

  // The fit test.
  std::vector<std::string> unscored;
  const auto observations = fit_observations(reported, options.weights, options.dynamic, &unscored);
  if (!observations.empty()) {
    const auto fit = analysis::fit_test(observations, analysis::FitMetric::composite, std::nullopt);
    html << "<h2>Accuracy against energy per inference</h2>";
    ScatterPlot scatter{"accuracy-energy", "Top-1 accuracy against energy per inference (mean over repeats)",
                        "mJ per inference (log scale)", "top-1 %", {}, {}, fit.machines};
    for (const auto& machine : fit.machines) {
      std::vector<std::pair<double, double>> front;
      for (const auto& architecture : fit.pareto_front.at(machine)) {
        const auto* cell = fit.cell(architecture, machine);
        front.emplace_back(cell->energy_per_inference_j.mean * 1e3, cell->accuracy_percent.mean);
      }
      scatter.fronts.push_back(front);
    }
    for (const auto& cell : fit.cells) {
      scatter.points.push_back({cell.architecture, cell.machine, cell.energy_per_inference_j.mean * 1e3,
                                cell.accuracy_percent.mean, cell.estimated});
    }
    html << render_scatter_plot(scatter);
    html << "<h2>Fit test</h2>";
    HeatMap map{"fit-heat-map", "Composite score, architecture × machine (mean ±95% CI, with median, sd and CV in each tooltip; E: estimated energy, D: declared accuracy, P: partial energy)",
                fit.architectures, fit.machines, {}, {}, true};
    for (const auto& architecture : fit.architectures) {
      std::vector<std::optional<double>> values;
      std::vector<std::string> texts, spreads;
      for (const auto& machine : fit.machines) {
        const auto* cell = fit.cell(architecture, machine);
        if (cell == nullptr || cell->value.n == 0) {
          values.emplace_back();
          texts.emplace_back();
          spreads.emplace_back();
          continue;
        }
        values.push_back(cell->value.mean);
        texts.push_back(with_interval(cell->value, "%.2f") + (cell->estimated ? " E" : "") + (cell->declared ? " D" : "") +
                        (cell->partial ? " P" : ""));
        spreads.push_back(spread_text(cell->value, "%.3g"));
      }
      map.values.push_back(values);
      map.texts.push_back(texts);
      map.spreads.push_back(spreads);
    }
    html << render_heat_map(map);
  }
  if (!unscored.empty()) {
    html << "<h2>Unscored runs</h2><ul>";
    for (const auto& text : unscored) html << "<li>" << escape_html(text) << "</li>";
    html << "</ul>";
  }
  if (!bars.bars.empty() && !bars.segments.empty()) html << "<h2>Energy per channel</h2>" << render_stacked_bars(bars);
  html << "<h2>Each run over time</h2><p>Shaded: the phases powerfit marked (idle baseline, warm-up, inference).</p>"
       << panels.str();
  html << "<script>" << kPlotCheck << "</script></body></html>\n";
  return html.str();
}

}  // namespace powerfit::report
