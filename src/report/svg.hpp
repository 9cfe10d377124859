#pragma once
// Plots drawn as inline SVG: line plots with shaded phases, a scatter with a front, a heat map
// and stacked bars. Every plot is an <svg data-plot="..."> and every drawn datum carries the
// class "mark", so a browser test can check that each plot drew something.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace powerfit::report {

std::string escape_html(const std::string& text);
// A colour of the palette, by index (wraps round).
const char* palette(std::size_t index);

struct LineSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), already downsampled for drawing
  bool estimated = false;                         // drawn dashed, labelled ESTIMATED
};

struct Band {
  double from = 0.0, to = 0.0;
  std::string label;
};

struct LinePlot {
  std::string id, title, x_label, y_label;
  std::vector<LineSeries> series;
  std::vector<Band> bands;  // shaded phases
};
std::string render_line_plot(const LinePlot& plot);

struct ScatterPoint {
  std::string label, group;
  double x = 0.0, y = 0.0;  // x drawn on a log scale
  bool estimated = false;
};
struct ScatterPlot {
  std::string id, title, x_label, y_label;
  std::vector<ScatterPoint> points;
  std::vector<std::vector<std::pair<double, double>>> fronts;  // one polyline per group, in group order
  std::vector<std::string> groups;
};
std::string render_scatter_plot(const ScatterPlot& plot);

struct HeatMap {
  std::string id, title;
  std::vector<std::string> rows, columns;
  std::vector<std::vector<std::optional<double>>> values;  // [row][column]
  std::vector<std::vector<std::string>> texts;             // what each cell says
  bool higher_is_better = true;
  std::vector<std::vector<std::string>> spreads;  // more of each cell, in its tooltip only (may be empty)
};
std::string render_heat_map(const HeatMap& map);

struct StackedBars {
  std::string id, title, unit;
  std::vector<std::string> bars;
  struct Segment {
    std::string name;
    bool estimated = false;
    std::vector<double> values;  // one per bar
  };
  std::vector<Segment> segments;
};
std::string render_stacked_bars(const StackedBars& bars);

}  // namespace powerfit::report
