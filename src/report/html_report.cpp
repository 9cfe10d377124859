#include "report/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "analysis/downsample.hpp"
#include "analysis/fit.hpp"
#include "analysis/run_score.hpp"
#include "analysis/series_values.hpp"
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
th{background:#f4f4f4}td.text{text-align:left}.estimated{color:#a0522d;font-weight:600}.best{color:#1a7f37;font-weight:600}
svg{display:block;margin:8px 0;font-size:11px;max-width:100%;height:auto}svg .title{font-size:13px;font-weight:600}
svg .axes line{stroke:#444}svg .axes line.grid{stroke:#eee}svg .band{fill-opacity:.12}svg .band-label{fill:#2a5d99;font-size:10px}
svg .range{fill:#1f77b4;fill-opacity:.18;stroke:none}svg .leader{stroke:#999;stroke-width:.8}
svg .note,svg .point-label{font-size:11px;fill:#444}details{margin:8px 0}summary{cursor:pointer;font-weight:600}
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

// A series as plotted: its samples at seconds since the start, as stored (byte counters go through
// analysis::counter_rate instead).
std::vector<analysis::Point> as_points(const Series& series) {
  std::vector<analysis::Point> points;
  points.reserve(series.size());
  for (const auto& [t, v] : series) points.emplace_back(static_cast<double>(t) * 1e-9, v);
  return points;
}

// "cpu12.utilization": one core's utilization, drawn with the others as one range.
bool is_core_utilization(const std::string& name) {
  if (name.rfind("cpu", 0) != 0 || !name.ends_with(".utilization")) return false;
  const auto digits = name.substr(3, name.size() - 3 - std::string(".utilization").size());
  return !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "disk.vda.read_bytes" beside "disk.read_bytes": one device of a total that is drawn instead.
bool is_part_of_a_total(const std::string& name, const std::set<std::string>& names) {
  const auto first = name.find('.'), last = name.rfind('.');
  if (first == std::string::npos || first == last) return false;
  return names.contains(name.substr(0, first) + name.substr(last));
}

enum class Panel { power, utilization, memory, io, none };

struct PanelSeries {
  Panel panel = Panel::none;
  std::string name;
  std::vector<analysis::Point> points;  // in the channel's own unit, not yet downsampled
  bool estimated = false;
};

// What each channel draws, and where: energy counters as power, utilizations, memory in bytes
// and I/O as rates, one core's utilization in the cores' range and a device's I/O left to its
// total.
struct RunPanels {
  std::vector<PanelSeries> lines;
  std::vector<analysis::Point> cores_low, cores_high;
  std::size_t cores = 0;
  std::size_t series_count() const { return lines.size() + (cores > 0 ? 2 : 0); }
};

RunPanels run_series(recording::Database& database, const recording::RunRow& run, const std::vector<recording::ChannelRow>& channels) {
  auto series = database.run_series(run.id);
  std::set<std::string> names;
  for (const auto& channel : channels) names.insert(channel.name);
  RunPanels panels;
  std::vector<const Series*> cores;
  for (const auto& channel : channels) {
    const auto found = series.find(channel.id);
    if (found == series.end() || found->second.empty()) continue;
    PanelSeries line{.name = channel.name, .estimated = channel.estimated};
    if (channel.kind == "energy_counter") {
      line.panel = Panel::power, line.points = analysis::counter_power(found->second);
    } else if (channel.kind == "power_gauge") {
      line.panel = Panel::power, line.points = as_points(found->second);
    } else if (channel.kind == "utilization" || (channel.kind == "gauge" && channel.unit == "%")) {
      if (is_core_utilization(channel.name)) {
        cores.push_back(&found->second);
        continue;
      }
      line.panel = Panel::utilization, line.points = as_points(found->second);
    } else if (channel.kind == "gauge" && channel.unit == "B") {
      line.panel = Panel::memory, line.points = as_points(found->second);
    } else if ((channel.kind == "byte_counter" || (channel.kind == "gauge" && channel.unit == "B/s")) &&
               !is_part_of_a_total(channel.name, names)) {
      line.panel = Panel::io, line.points = channel.kind == "byte_counter" ? analysis::counter_rate(found->second) : as_points(found->second);
    }
    if (line.panel != Panel::none && !line.points.empty()) panels.lines.push_back(std::move(line));
  }
  // The cores' range wherever one of them was stored (a core that stands still is stored only
  // where it stops and moves again).
  if (!cores.empty()) {
    for (const auto& range : analysis::range_at_every_time(cores)) {
      const double t = static_cast<double>(range.time_ns) * 1e-9;
      panels.cores_low.emplace_back(t, range.low);
      panels.cores_high.emplace_back(t, range.high);
    }
    panels.cores = cores.size();
  }
  return panels;
}

std::string render_run_panels(const RunPanels& panels, const std::string& id, const std::vector<Band>& bands, std::size_t points) {
  const auto largest = [&](Panel panel) {
    double most = 0.0;
    for (const auto& line : panels.lines) {
      if (line.panel != panel) continue;
      for (const auto& point : line.points) most = std::max(most, point.second);
    }
    return most;
  };
  const auto memory = binary_bytes_unit(largest(Panel::memory));
  const auto io = byte_rate_unit(largest(Panel::io));
  const std::string time = "seconds since the run started";
  std::map<Panel, LinePlot> plots{{Panel::power, {id + "-power", "Power", time, "W", {}, bands, {}}},
                                  {Panel::utilization, {id + "-utilization", "Utilization", time, "%", {}, bands, {}}},
                                  {Panel::memory, {id + "-memory", "Memory", time, memory.name, {}, bands, {}}},
                                  {Panel::io, {id + "-io", "Storage and network I/O", time, io.name, {}, bands, {}}}};
  for (const auto& line : panels.lines) {
    const double factor = line.panel == Panel::memory ? memory.factor : line.panel == Panel::io ? io.factor : 1.0;
    auto drawn = analysis::downsample_lttb(line.points, points);
    for (auto& point : drawn) point.second *= factor;
    plots[line.panel].series.push_back({line.name, std::move(drawn), line.estimated});
  }
  if (panels.cores > 0) {
    plots[Panel::utilization].ranges.push_back({"cpu0-cpu" + std::to_string(panels.cores - 1) + ": range of the " +
                                                    std::to_string(panels.cores) + " cores",
                                                analysis::downsample_lttb(panels.cores_high, points),
                                                analysis::downsample_lttb(panels.cores_low, points)});
  }
  std::string html;
  for (const auto& [panel, plot] : plots) {
    if (!plot.series.empty() || !plot.ranges.empty()) html += render_line_plot(plot);
  }
  return html;
}

std::string score_cells(const std::optional<Scores>& scores, bool estimated, const std::string& why, const std::string& partial) {
  if (!scores) return "<td class=\"text\" colspan=\"3\">unscored: " + escape_html(why) + "</td>";
  return "<td>" + format("%.2f", scores->accuracy_percent) + "</td><td>" +
         readable_number(scores->energy_per_inference_j * 1e3) + (estimated ? " <span class=\"estimated\">ESTIMATED</span>" : "") +
         (partial.empty() ? "" : " <span class=\"estimated\" title=\"" + escape_html(partial) + "\">PARTIAL: " + escape_html(partial) + "</span>") +
         "</td><td>" + (scores->composite ? format("%.2f", *scores->composite) : std::string("-")) + "</td>";
}

// A figure over repeats as a table cell: the mean with its 95% interval.
std::string statistic_cell(const analysis::RepeatStatistics& value, const char* pattern) {
  return "<td>" + (value.n == 0 ? std::string("-") : with_interval(value, pattern)) + "</td>";
}

// The same figure in another unit: every statistic but the CV multiplied by `factor`.
analysis::RepeatStatistics scaled(analysis::RepeatStatistics value, double factor) {
  value.mean *= factor;
  value.median *= factor;
  if (value.half_width) *value.half_width *= factor;
  if (value.stddev) *value.stddev *= factor;
  return value;
}

// The answer first: one row per architecture and machine, best composite score first.
std::string leaderboard(const analysis::FitResult& fit, const Tariff& tariff) {
  std::vector<const analysis::FitCell*> cells;
  for (const auto& cell : fit.cells) cells.push_back(&cell);
  std::stable_sort(cells.begin(), cells.end(), [](const auto* a, const auto* b) {
    if ((a->value.n > 0) != (b->value.n > 0)) return a->value.n > 0;
    return a->value.mean > b->value.mean;
  });
  std::ostringstream html;
  html << "<h2>Leaderboard</h2><p>Each architecture on each machine, the best composite score first: means over the repeated "
          "runs with their 95% confidence interval, the median and the coefficient of variation of the score. "
       << "<span class=\"best\">best</span>: the best composite score of all; <span class=\"best\">best here</span>: the best on its "
          "machine; <span class=\"best\">front</span>: on the machine's Pareto front of accuracy against energy; a rank marked = has a "
          "composite whose 95% interval overlaps the row above: their order is not settled.</p>"
       << "<table><tr><th>#</th><th>architecture</th><th>machine</th><th>runs</th><th>composite</th><th>median</th><th>CV</th>"
          "<th>top-1 %</th><th>mJ / inference</th>"
       << (tariff.carbon_g_per_kwh ? "<th>g CO2e / 1000 inferences</th>" : "") << (tariff.price_per_kwh ? "<th>cost / 1000 inferences</th>" : "")
       << "<th>energy</th><th>accuracy</th><th></th></tr>";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto& cell = *cells[i];
    const auto& front = fit.pareto_front.at(cell.machine);
    const auto best_here = fit.best_architecture.find(cell.machine);
    std::vector<std::string> marks;
    if (i == 0 && cell.value.n > 0) marks.emplace_back("best");
    if (best_here != fit.best_architecture.end() && best_here->second == cell.architecture) {
      const auto& lead = fit.best_architecture_lead.at(cell.machine);
      using Order = analysis::Lead::Order;
      marks.emplace_back(lead.order == Order::overlapping    ? "best here, within the 95% intervals of " + escape_html(lead.runner_up)
                         : lead.order == Order::no_interval ? std::string("best here by the mean alone (a single run has no interval)")
                                                            : std::string("best here"));
    }
    if (std::find(front.begin(), front.end(), cell.architecture) != front.end()) marks.emplace_back("front");
    const double per_thousand_j = cell.energy_per_inference_j.mean * 1000.0;
    const auto parted = i == 0 ? std::nullopt : analysis::intervals_part(cells[i - 1]->value, cell.value);
    html << "<tr><td>" << i + 1 << (parted.has_value() && !*parted ? "=" : "") << "</td><td class=\"text\">"
         << escape_html(cell.architecture) << "</td><td class=\"text\">"
         << escape_html(cell.machine) << "</td><td>" << cell.value.n << "</td>" << statistic_cell(cell.value, "%.2f") << "<td>"
         << (cell.value.n ? format("%.2f", cell.value.median) : "-") << "</td><td>"
         << (cell.value.cv ? format("%.1f%%", *cell.value.cv * 100.0) : "-") << "</td>" << statistic_cell(cell.accuracy_percent, "%.2f")
         << statistic_cell(scaled(cell.energy_per_inference_j, 1e3), "%.4g");
    if (tariff.carbon_g_per_kwh) html << "<td>" << readable_number(*tariff.co2e_g(per_thousand_j)) << "</td>";
    if (tariff.price_per_kwh) html << "<td>" << readable_number(*tariff.cost(per_thousand_j)) << "</td>";
    html << "<td class=\"text\">" << (cell.estimated ? "<span class=\"estimated\">ESTIMATED</span>" : "measured")
         << (cell.partial ? " <span class=\"estimated\">PARTIAL</span>" : "") << "</td><td class=\"text\">"
         << (cell.declared ? "<span class=\"estimated\">declared</span>" : "measured") << "</td><td class=\"text best\">";
    for (std::size_t m = 0; m < marks.size(); ++m) html << (m ? ", " : "") << marks[m];
    html << "</td></tr>";
  }
  html << "</table>";
  return html.str();
}

}  // namespace

std::string render_html_report(const std::vector<ReportInput>& inputs, const HtmlReportOptions& options) {
  std::ostringstream html;
  html << "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
       << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
       << "<title>powerfit report</title><style>" << kStyle << "</style></head><body><h1>powerfit report</h1><p>From ";
  // Each file is named once; where there are several, runs say which by its number.
  const bool several = inputs.size() > 1;
  const auto file_tag = [&](std::size_t i) { return several ? "[" + std::to_string(i + 1) + "] " : std::string(); };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    html << (i ? ", " : "") << file_tag(i) << "<code>" << escape_html(inputs[i].name) << "</code>";
  }
  html << ". Anything <span class=\"estimated\">ESTIMATED</span> comes from a model of power, not a meter: estimated lines are "
          "dashed, estimated points hollow, estimated bars pale, and estimated energy is never added to measured energy.</p>";

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

  // The answer: the leaderboard, accuracy against energy, the fit test.
  std::vector<std::string> unscored;
  const auto observations = fit_observations(reported, options.weights, options.dynamic, &unscored);
  if (!observations.empty()) {
    const auto fit = analysis::fit_test(observations, analysis::FitMetric::composite, std::nullopt);
    html << leaderboard(fit, options.tariff);
    html << "<h2>Accuracy against energy per inference</h2>";
    ScatterPlot scatter{"accuracy-energy", "Top-1 accuracy against energy per inference (mean over repeats)",
                        "mJ per inference (log scale)", "top-1 accuracy, %", {}, {}, fit.machines};
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
    std::vector<std::string> unlabelled;
    html << render_scatter_plot(scatter, &unlabelled);
    if (!unlabelled.empty()) {
      html << "<p>No room beside their points for the names of: ";
      for (std::size_t i = 0; i < unlabelled.size(); ++i) html << (i ? "; " : "") << escape_html(unlabelled[i]);
      html << " (in the leaderboard, and in each point's tooltip).</p>";
    }
    html << "<h2>Fit test</h2><p>Composite score of each architecture on each machine: mean ±95% CI, with the median, sd and CV "
            "in each cell's tooltip. E: estimated energy, D: declared accuracy, P: partial energy.</p>";
    HeatMap map{"fit-heat-map", "Composite score, architecture × machine", fit.architectures, fit.machines, {}, {}, true, {}};
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

  // Every run: a table, folded where a leaderboard came first, and each run's panels over time.
  std::ostringstream table, panels;
  std::size_t run_count = 0, drawn = 0;
  for (const auto& input : inputs) run_count += input.database->runs().size();
  table << "<table><tr>" << (several ? "<th>file</th>" : "") << "<th>run</th><th>label / model</th><th>host</th><th>start (UTC)</th>"
        << "<th>duration s</th><th>exit</th><th>measured J</th><th>estimated J</th>"
        << (options.tariff.carbon_g_per_kwh ? format("<th>g CO2e (%g g/kWh)</th>", *options.tariff.carbon_g_per_kwh) : "")
        << (options.tariff.price_per_kwh ? format("<th>cost (%g /kWh)</th>", *options.tariff.price_per_kwh) : "")
        << "<th>top-1 %</th><th>mJ / inference</th><th>composite</th></tr>";
  StackedBars bars{"energy-per-channel", "Energy per channel (inference window where one was recorded, else the whole run)", "J", {}, {}};
  std::map<std::string, std::size_t> segment_index;
  // The runs drawn over time, and how many points each line may keep so that the page stays small.
  struct Drawn {
    std::size_t input;
    recording::RunRow run;
    std::string name;
    RunPanels series;
  };
  std::vector<Drawn> to_draw;
  std::size_t total_series = 0;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    auto& database = *inputs[i].database;
    for (const auto& run : database.runs()) {
      const auto channels = database.run_channels(run.id);
      const auto energy = analysis::run_energy(channels);
      const auto found = reported_by_run.find({i, run.id});
      const auto* report = found == reported_by_run.end() ? nullptr : found->second;
      // Both where both are given: bench labels a run by model, device and batch, a user by anything.
      const std::string model = report ? report->counts.model : std::string();
      const std::string name = model.empty() ? run.label : run.label.empty() || run.label == model ? model : model + " (" + run.label + ")";
      table << "<tr>" << (several ? "<td>" + std::to_string(i + 1) + "</td>" : "") << "<td>" << run.id << "</td><td class=\"text\">"
            << escape_html(name) << "</td><td class=\"text\">" << escape_html(run.hostname) << "</td><td class=\"text\">"
            << escape_html(run.start_time) << "</td><td>"
            << (run.duration_s ? format("%.3f", *run.duration_s)
                               : std::string(run.end_time ? "" : "<span class=\"estimated\">INCOMPLETE: never closed</span>"))
            << "</td><td>" << (run.exit_status ? std::to_string(*run.exit_status) : "") << "</td><td>"
            << (energy.measured ? readable_number(*energy.measured) : "-") << "</td><td>"
            << (energy.estimated ? readable_number(*energy.estimated) + " <span class=\"estimated\">ESTIMATED</span>" : "-") << "</td>";
      // CO2e and cost of the measured and ESTIMATED energy, apart.
      const auto apart = [&](std::optional<double> measured, std::optional<double> estimated) {
        std::string text = measured ? readable_number(*measured) : "";
        if (estimated) text += (text.empty() ? "" : " / ") + readable_number(*estimated) + " <span class=\"estimated\">ESTIMATED</span>";
        return "<td>" + (text.empty() ? std::string("-") : text) + "</td>";
      };
      if (options.tariff.carbon_g_per_kwh) table << apart(options.tariff.co2e_g(energy.measured), options.tariff.co2e_g(energy.estimated));
      if (options.tariff.price_per_kwh) table << apart(options.tariff.cost(energy.measured), options.tariff.cost(energy.estimated));
      if (report) {
        const auto [basis, scored_on, scores, why, partial] = analysis::score_run(*report, options.weights, options.dynamic);
        table << score_cells(scores, basis && basis->estimated, why, partial);
      } else {
        table << "<td class=\"text\" colspan=\"3\">no inference counts</td>";
      }
      table << "</tr>";
      if (drawn >= options.run_plots) continue;
      ++drawn;
      // Energy per channel: one bar per drawn run.
      const std::size_t bar = bars.bars.size();
      bars.bars.push_back(file_tag(i) + "run " + std::to_string(run.id) + " " + name);
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
      to_draw.push_back({i, run, name, run_series(database, run, channels)});
      total_series += to_draw.back().series.series_count();
    }
  }
  table << "</table>";
  const std::size_t points = std::clamp(options.point_budget / std::max<std::size_t>(1, total_series), std::size_t{40},
                                        std::max<std::size_t>(40, options.points_per_series));
  for (const auto& run : to_draw) {
    const auto id = "run" + std::to_string(run.run.id) + "-" + run.run.uuid.substr(0, 8);
    panels << "<details" << (to_draw.size() == 1 ? " open" : "") << "><summary>" << escape_html(file_tag(run.input)) << "run "
           << run.run.id << ": " << escape_html(run.name) << " on " << escape_html(run.run.hostname) << "</summary>"
           << render_run_panels(run.series, id, phases(inputs[run.input].database->markers(run.run.id)), points) << "</details>";
  }

  html << "<h2>Runs</h2><details" << (observations.empty() ? " open" : "") << "><summary>All " << run_count
       << (run_count == 1 ? " run" : " runs") << ": duration, exit status, energy and scores</summary>" << table.str() << "</details>";
  html << "<h2>Each run over time</h2><p>Power, utilization, memory and I/O of each run, with the phases powerfit marked shaded "
          "(idle baseline, warm-up, inference). Figures in tables come from every sample; lines are downsampled for drawing "
          "(largest-triangle-three-buckets, "
       << points << " points per line here); each core's utilization is drawn as the cores' range, a device's I/O as its total.";
  if (drawn < run_count) {
    html << " The first " << drawn << " of the " << run_count << " runs are drawn; <code>powerfit report --run-plots N</code> draws more.";
  }
  html << "</p>" << panels.str();
  if (!bars.bars.empty() && !bars.segments.empty()) {
    html << "<h2>Energy per channel</h2><details><summary>Energy of each channel in each drawn run</summary>" << render_stacked_bars(bars)
         << "</details>";
  }
  html << "<script>" << kPlotCheck << "</script></body></html>\n";
  return html.str();
}

}  // namespace powerfit::report
