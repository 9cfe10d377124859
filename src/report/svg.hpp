#pragma once
// Plots drawn as inline SVG: line plots with shaded phases, a scatter with fronts and placed
// labels, a heat map and stacked bars. Every plot is an <svg data-plot="..."> that scales to its
// container, and every drawn datum carries the class "mark", so a browser test can check that
// each plot drew something. Axes carry round, numbered ticks written without exponents.

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace powerfit::report {

std::string escape_html(const std::string& text);
// A colour of the palette, by index (wraps round).
const char* palette(std::size_t index);
// A figure as people write it, to four significant digits: "0.05", "2", "250", "13230"; never
// "1.323e+04".
std::string readable_number(double value);

// A unit scaled to the size of the figures it labels: bytes to KiB, MiB or GiB, bytes per second
// to kB/s, MB/s or GB/s. `factor` multiplies a value in the base unit.
struct ScaledUnit {
  std::string name;
  double factor = 1.0;
};
ScaledUnit binary_bytes_unit(double largest_bytes);
ScaledUnit byte_rate_unit(double largest_bytes_per_second);

struct LineSeries {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), already downsampled for drawing
  bool estimated = false;                         // drawn dashed, labelled ESTIMATED
};

// Many series of one kind drawn as one shaded band between their lowest and highest value.
struct RangeSeries {
  std::string name;
  std::vector<std::pair<double, double>> upper, lower;  // each sorted by x
};

struct Band {
  double from = 0.0, to = 0.0;
  std::string label;
};

struct LinePlot {
  std::string id, title, x_label, y_label;
  std::vector<LineSeries> series;
  std::vector<Band> bands;  // shaded phases
  std::vector<RangeSeries> ranges;
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
// Each point's label is placed beside it where it overlaps no other label, point or the plot's
// edge; the labels of the points left without room are listed in `unlabelled` ("LABEL on GROUP").
std::string render_scatter_plot(const ScatterPlot& plot, std::vector<std::string>* unlabelled = nullptr);

struct HeatMap {
  std::string id, title;
  std::vector<std::string> rows, columns;
  std::vector<std::vector<std::optional<double>>> values;  // [row][column]
  std::vector<std::vector<std::string>> texts;             // what each cell says
  bool higher_is_better = true;
  std::vector<std::vector<std::string>> spreads;  // more of each cell, in its tooltip only (may be empty)
};
// Row and column names are drawn whole: the label column is as wide as the longest row name and
// column names are wrapped over lines.
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
