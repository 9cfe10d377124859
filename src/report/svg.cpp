#include "report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <string_view>

namespace powerfit::report {
namespace {

// Where a plot draws: the whole picture, and the margins around its plotting area.
struct Geometry {
  double width = 940, height = 240, left = 76, right = 250, top = 32, bottom = 40;
  double plot_right() const { return width - right; }
  double plot_bottom() const { return height - bottom; }
};

constexpr Geometry kLinePlot{};
constexpr double kFontPx = 11.0;
constexpr double kBandLabelPitch = 15.0;

// How wide a text is drawn, in pixels, at `font_px`: per glyph, in em, a little over the widths of
// DejaVu Sans (the sans-serif Debian's browsers pick), so that boxes laid out from it hold the
// text. An average width alone laid "warmup" out 10% narrower than it is drawn.
double text_width(const std::string& text, double font_px = kFontPx) {
  double em = 0.0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte
    if (byte >= 0x80) {
      em += 0.75;
    } else if (c == 'm' || c == 'W') {
      em += 1.0;
    } else if (c == 'w' || c == 'M' || c == '%') {
      em += 0.9;
    } else if (std::string_view("ijl.,:;'|!I ").find(c) != std::string_view::npos) {
      em += 0.34;
    } else if (std::string_view("frt()-[]/").find(c) != std::string_view::npos) {
      em += 0.44;
    } else if (c >= 'A' && c <= 'Z') {
      em += 0.76;
    } else {
      em += 0.66;  // digits, the other lower-case letters and signs
    }
  }
  return em * font_px;
}

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

// A coordinate of a drawn datum: whole pixels are as sharp as the screen and keep pages small.
std::string pixel(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", value);
  return buffer;
}

// About five round tick values covering [low, high].
std::vector<double> linear_ticks(double low, double high) {
  if (!(high > low)) return {low};
  const double raw = (high - low) / 5.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (const double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> values;
  for (double v = std::ceil(low / step) * step; v <= high + step * 1e-9; v += step) values.push_back(std::abs(v) < step * 1e-9 ? 0.0 : v);
  return values;
}

// Ticks of a log axis: every power of ten, with 2 and 5 between them where the axis spans less
// than three decades (so that an axis inside one decade still has numbers).
std::vector<double> log_ticks(double low, double high) {
  std::vector<double> values;
  const bool fine = std::log10(high / low) < 3.0;
  for (double decade = std::pow(10.0, std::floor(std::log10(low))); decade <= high * 1.0001; decade *= 10) {
    for (const double factor : {1.0, 2.0, 5.0}) {
      if (factor != 1.0 && !fine) continue;
      const double v = decade * factor;
      if (v >= low * 0.9999 && v <= high * 1.0001) values.push_back(v);
    }
  }
  return values;
}

struct Range {
  double low = std::numeric_limits<double>::infinity(), high = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    low = std::min(low, v);
    high = std::max(high, v);
  }
  void settle(bool from_zero) {
    if (!std::isfinite(low)) low = 0, high = 1;
    if (from_zero && low > 0) low = 0;
    if (high <= low) high = low + 1;
  }
};

struct Frame {
  Geometry at;
  Range x, y;
  bool log_x = false;
  double px(double v) const {
    const double lo = log_x ? std::log10(x.low) : x.low, hi = log_x ? std::log10(x.high) : x.high;
    const double value = log_x ? std::log10(v) : v;
    return at.left + (value - lo) / (hi - lo) * (at.plot_right() - at.left);
  }
  double py(double v) const { return at.plot_bottom() - (v - y.low) / (y.high - y.low) * (at.plot_bottom() - at.top); }
};

// A text's box on the page: x0 ≤ x1, y0 ≤ y1.
struct Box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool overlaps(const Box& other) const { return x0 < other.x1 && other.x0 < x1 && y0 < other.y1 && other.y0 < y1; }
  bool inside(const Box& other) const { return x0 >= other.x0 && x1 <= other.x1 && y0 >= other.y0 && y1 <= other.y1; }
};

std::string open_svg(const std::string& id, const std::string& title, double width, double height) {
  return "<svg data-plot=\"" + escape_html(id) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) + "\" width=\"" +
         number(width) + "\" height=\"" + number(height) + "\" role=\"img\" aria-label=\"" + escape_html(title) +
         "\"><text x=\"4\" y=\"18\" class=\"title\">" + escape_html(title) + "</text>";
}

std::string axes(const Frame& frame, const std::string& x_label, const std::string& y_label) {
  std::ostringstream out;
  const auto& at = frame.at;
  const double x0 = at.left, x1 = at.plot_right(), y0 = at.plot_bottom(), y1 = at.top;
  out << "<g class=\"axes\"><line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x1 << "\" y2=\"" << y0 << "\"/>"
      << "<line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x0 << "\" y2=\"" << y1 << "\"/>";
  for (const double v : linear_ticks(frame.y.low, frame.y.high)) {
    const double y = frame.py(v);
    out << "<line class=\"grid\" x1=\"" << x0 << "\" y1=\"" << pixel(y) << "\" x2=\"" << x1 << "\" y2=\"" << pixel(y) << "\"/>"
        << "<text x=\"" << x0 - 6 << "\" y=\"" << number(y + 4) << "\" text-anchor=\"end\">" << readable_number(v) << "</text>";
  }
  // A tick label is drawn only clear of the one before it.
  double last_end = -std::numeric_limits<double>::infinity();
  for (const double v : frame.log_x ? log_ticks(frame.x.low, frame.x.high) : linear_ticks(frame.x.low, frame.x.high)) {
    const double x = frame.px(v), half = text_width(readable_number(v)) / 2;
    out << "<line class=\"grid\" x1=\"" << pixel(x) << "\" y1=\"" << y0 << "\" x2=\"" << pixel(x) << "\" y2=\"" << y1 << "\"/>";
    if (x - half < last_end + 6) continue;
    out << "<text x=\"" << number(x) << "\" y=\"" << y0 + 16 << "\" text-anchor=\"middle\">" << readable_number(v) << "</text>";
    last_end = x + half;
  }
  out << "<text x=\"" << (x0 + x1) / 2 << "\" y=\"" << y0 + 34 << "\" text-anchor=\"middle\">" << escape_html(x_label) << "</text>"
      << "<text x=\"12\" y=\"" << (y0 + y1) / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 12 " << (y0 + y1) / 2
      << ")\">" << escape_html(y_label) << "</text></g>";
  return out.str();
}

// A legend line at (x, y): a stroke in the series' colour and style, then its name.
std::string legend_entry(double x, double y, const std::string& name, const char* colour, bool dashed) {
  std::ostringstream out;
  out << "<line x1=\"" << x << "\" y1=\"" << y << "\" x2=\"" << x + 18 << "\" y2=\"" << y << "\" stroke=\"" << colour
      << "\" stroke-width=\"2\"" << (dashed ? " stroke-dasharray=\"4 3\"" : "") << "/><text x=\"" << x + 22 << "\" y=\"" << y + 4
      << "\">" << escape_html(name) << "</text>";
  return out.str();
}

void polyline_points(std::ostream& out, const Frame& frame, const std::vector<std::pair<double, double>>& points) {
  for (const auto& [x, y] : points) out << pixel(frame.px(x)) << ',' << pixel(frame.py(y)) << ' ';
}

}  // namespace

std::string escape_html(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

const char* palette(std::size_t index) {
  static constexpr std::array<const char*, 10> kColours{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kColours[index % kColours.size()];
}

std::string readable_number(double value) {
  char buffer[48];
  if (std::abs(value) >= 1e4) {
    std::snprintf(buffer, sizeof buffer, "%.0f", value);
  } else if (value != 0.0 && std::abs(value) < 1e-3) {
    const int decimals = std::min(15, 3 - static_cast<int>(std::floor(std::log10(std::abs(value)))));
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.4g", value);
  }
  return buffer;
}

ScaledUnit binary_bytes_unit(double largest_bytes) {
  if (largest_bytes >= 1024.0 * 1024.0 * 1024.0) return {"GiB", 1.0 / (1024.0 * 1024.0 * 1024.0)};
  if (largest_bytes >= 1024.0 * 1024.0) return {"MiB", 1.0 / (1024.0 * 1024.0)};
  if (largest_bytes >= 1024.0) return {"KiB", 1.0 / 1024.0};
  return {"B", 1.0};
}

ScaledUnit byte_rate_unit(double largest_bytes_per_second) {
  if (largest_bytes_per_second >= 1e9) return {"GB/s", 1e-9};
  if (largest_bytes_per_second >= 1e6) return {"MB/s", 1e-6};
  if (largest_bytes_per_second >= 1e3) return {"kB/s", 1e-3};
  return {"B/s", 1.0};
}

std::string render_line_plot(const LinePlot& plot) {
  Frame frame{.at = kLinePlot};
  for (const auto& series : plot.series) {
    for (const auto& [x, y] : series.points) frame.x.add(x), frame.y.add(y);
  }
  for (const auto& range : plot.ranges) {
    for (const auto* side : {&range.upper, &range.lower}) {
      for (const auto& [x, y] : *side) frame.x.add(x), frame.y.add(y);
    }
  }
  for (const auto& band : plot.bands) {
    frame.x.add(band.from);
    frame.x.add(band.to);
  }
  frame.x.settle(false);
  frame.y.settle(true);
  std::ostringstream out;
  out << open_svg(plot.id, plot.title, kLinePlot.width, kLinePlot.height);
  // Each phase its own tint; its label on the first of three rows where it overlaps no other
  // label and stays inside the plotting area (none where there is no room: the band's tooltip
  // still names it).
  std::array<std::vector<Box>, 3> label_rows;
  for (const auto& band : plot.bands) {
    const double x0 = frame.px(band.from), x1 = frame.px(band.to);
    const char* tint = band.label == "baseline" ? "#999999" : band.label == "warmup" ? "#ff9f40" : "#4a90d9";
    out << "<rect class=\"band\" fill=\"" << tint << "\" x=\"" << number(x0) << "\" y=\"" << kLinePlot.top << "\" width=\""
        << number(std::max(1.0, x1 - x0)) << "\" height=\"" << kLinePlot.plot_bottom() - kLinePlot.top << "\"><title>"
        << escape_html(band.label) << "</title></rect>";
    const double width = text_width(band.label, 10.0);
    const double x = std::max(kLinePlot.left + 2, std::min(x0 + 3, kLinePlot.plot_right() - width - 2));
    for (std::size_t row = 0; row < label_rows.size(); ++row) {
      // Rows 15 px apart: the box a browser gives 10 px text is up to 13 px tall.
      const double y = kLinePlot.top + 11 + kBandLabelPitch * static_cast<double>(row);
      const Box box{x, y - 9, x + width, y + 2};
      if (std::any_of(label_rows[row].begin(), label_rows[row].end(), [&](const Box& other) { return other.overlaps(box); })) continue;
      label_rows[row].push_back(box);
      out << "<text class=\"band-label\" x=\"" << number(x) << "\" y=\"" << number(y) << "\">" << escape_html(band.label) << "</text>";
      break;
    }
  }
  out << axes(frame, plot.x_label, plot.y_label);
  std::size_t entry = 0;
  const double legend_x = kLinePlot.plot_right() + 10;
  for (const auto& range : plot.ranges) {
    if (range.upper.empty() || range.lower.empty()) continue;
    out << "<polygon class=\"mark range\" points=\"";
    polyline_points(out, frame, range.upper);
    std::vector<std::pair<double, double>> back(range.lower.rbegin(), range.lower.rend());
    polyline_points(out, frame, back);
    out << "\"><title>" << escape_html(range.name) << "</title></polygon>";
    const double y = kLinePlot.top + 14.0 * static_cast<double>(entry++);
    out << "<rect x=\"" << legend_x << "\" y=\"" << y - 5 << "\" width=\"18\" height=\"10\" class=\"range\"/><text x=\""
        << legend_x + 22 << "\" y=\"" << y + 4 << "\">" << escape_html(range.name) << "</text>";
  }
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    const auto& series = plot.series[i];
    if (series.points.empty()) continue;
    out << "<polyline class=\"mark\" fill=\"none\" stroke=\"" << palette(i) << "\" stroke-width=\"1.5\""
        << (series.estimated ? " stroke-dasharray=\"5 3\"" : "") << " points=\"";
    polyline_points(out, frame, series.points);
    out << "\"><title>" << escape_html(series.name) << (series.estimated ? " (ESTIMATED)" : "") << "</title></polyline>";
    out << legend_entry(legend_x, kLinePlot.top + 14.0 * static_cast<double>(entry++),
                        series.name + (series.estimated ? " (ESTIMATED)" : ""), palette(i), series.estimated);
  }
  out << "</svg>";
  return out.str();
}

std::string render_scatter_plot(const ScatterPlot& plot, std::vector<std::string>* unlabelled) {
  const double legend_rows = static_cast<double>(plot.groups.size()) + 1;
  const Geometry at{.width = 1100, .height = 600 + 16 * legend_rows, .left = 76, .right = 24, .top = 32,
                    .bottom = 56 + 16 * legend_rows};
  Frame frame{.at = at, .log_x = true};
  for (const auto& point : plot.points) {
    if (point.x > 0) frame.x.add(point.x);
    frame.y.add(point.y);
  }
  frame.x.settle(false);
  if (frame.x.low <= 0) frame.x.low = 1e-9;
  frame.x.low /= 1.6;
  frame.x.high *= 1.6;
  frame.y.settle(false);
  const double pad = (frame.y.high - frame.y.low) * 0.08 + 0.5;
  frame.y.low -= pad;
  frame.y.high += pad;
  std::ostringstream out;
  out << open_svg(plot.id, plot.title, at.width, at.height) << axes(frame, plot.x_label, plot.y_label);
  for (std::size_t g = 0; g < plot.groups.size() && g < plot.fronts.size(); ++g) {
    if (plot.fronts[g].size() < 2) continue;
    out << "<polyline class=\"front\" fill=\"none\" stroke=\"" << palette(g) << "\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\" points=\"";
    polyline_points(out, frame, plot.fronts[g]);
    out << "\"/>";
  }
  // Points first, then each label beside its point where it overlaps nothing drawn so far.
  constexpr double kRadius = 4.5, kLabelHeight = 12;
  const Box area{at.left + 1, at.top, at.plot_right(), at.plot_bottom() - 1};
  std::vector<Box> taken;
  std::vector<std::optional<std::pair<double, double>>> centres;
  for (const auto& point : plot.points) {
    if (point.x <= 0) {
      centres.emplace_back();
      continue;
    }
    const auto group = static_cast<std::size_t>(std::find(plot.groups.begin(), plot.groups.end(), point.group) - plot.groups.begin());
    const double x = frame.px(point.x), y = frame.py(point.y);
    centres.emplace_back(std::pair{x, y});
    taken.push_back({x - kRadius - 1, y - kRadius - 1, x + kRadius + 1, y + kRadius + 1});
    out << "<circle class=\"mark\" cx=\"" << number(x) << "\" cy=\"" << number(y) << "\" r=\"" << kRadius << "\" fill=\""
        << (point.estimated ? "white" : palette(group)) << "\" stroke=\"" << palette(group) << "\" stroke-width=\"1.5\"><title>"
        << escape_html(point.label + " on " + point.group + (point.estimated ? " (ESTIMATED energy)" : "")) << "</title></circle>";
  }
  for (std::size_t i = 0; i < plot.points.size(); ++i) {
    if (!centres[i]) continue;
    const auto [x, y] = *centres[i];
    const double w = text_width(plot.points[i].label) + 2;
    std::optional<Box> chosen;
    bool far = false;
    // Right, left, above, below, then the four diagonals; then the same a step further out,
    // joined to the point by a thin line.
    for (const double reach : {0.0, 14.0}) {
      const std::array<Box, 8> candidates{
          Box{x + 7 + reach, y - 8, x + 7 + reach + w, y + 4},
          Box{x - 7 - reach - w, y - 8, x - 7 - reach, y + 4},
          Box{x - w / 2, y - 8 - kLabelHeight - reach, x + w / 2, y - 8 - reach},
          Box{x - w / 2, y + 7 + reach, x + w / 2, y + 7 + kLabelHeight + reach},
          Box{x + 5 + reach, y - 5 - kLabelHeight - reach, x + 5 + reach + w, y - 5 - reach},
          Box{x + 5 + reach, y + 5 + reach, x + 5 + reach + w, y + 5 + kLabelHeight + reach},
          Box{x - 5 - reach - w, y - 5 - kLabelHeight - reach, x - 5 - reach, y - 5 - reach},
          Box{x - 5 - reach - w, y + 5 + reach, x - 5 - reach, y + 5 + kLabelHeight + reach}};
      for (const auto& box : candidates) {
        if (!box.inside(area)) continue;
        if (std::any_of(taken.begin(), taken.end(), [&](const Box& other) { return other.overlaps(box); })) continue;
        chosen = box;
        far = reach > 0;
        break;
      }
      if (chosen) break;
    }
    if (!chosen) {
      if (unlabelled != nullptr) unlabelled->push_back(plot.points[i].label + " on " + plot.points[i].group);
      continue;
    }
    taken.push_back(*chosen);
    if (far) {
      const double lx = std::clamp(x, chosen->x0, chosen->x1), ly = std::clamp(y, chosen->y0, chosen->y1);
      out << "<line class=\"leader\" x1=\"" << number(x) << "\" y1=\"" << number(y) << "\" x2=\"" << number(lx) << "\" y2=\""
          << number(ly) << "\"/>";
    }
    out << "<text x=\"" << number(chosen->x0 + 1) << "\" y=\"" << number(chosen->y1 - 3) << "\" class=\"point-label\">"
        << escape_html(plot.points[i].label) << "</text>";
  }
  // The legend under the axes: one row per group, then what the marks mean.
  double y = at.plot_bottom() + 56;
  for (std::size_t g = 0; g < plot.groups.size(); ++g, y += 16) {
    out << "<circle cx=\"" << at.left + 5 << "\" cy=\"" << y << "\" r=\"4.5\" fill=\"" << palette(g) << "\"/>"
        << legend_entry(at.left + 16, y, plot.groups[g] + " (dashed: its Pareto front)", palette(g), true);
  }
  out << "<text x=\"" << at.left << "\" y=\"" << y + 4 << "\" class=\"note\">filled: measured energy; hollow: ESTIMATED energy</text>";
  out << "</svg>";
  return out.str();
}

std::string render_heat_map(const HeatMap& map) {
  constexpr double kCellHeight = 26, kLineHeight = 14, kWrap = 30;
  // Column names wrapped at spaces into lines of about kWrap characters.
  std::vector<std::vector<std::string>> headers;
  std::size_t header_lines = 1;
  double column_width = 150;
  for (const auto& column : map.columns) {
    std::vector<std::string> lines{""};
    std::istringstream words(column);
    for (std::string word; words >> word;) {
      if (!lines.back().empty() && static_cast<double>(lines.back().size() + 1 + word.size()) > kWrap) lines.emplace_back();
      lines.back() += (lines.back().empty() ? "" : " ") + word;
    }
    for (const auto& line : lines) column_width = std::max(column_width, text_width(line) + 16);
    header_lines = std::max(header_lines, lines.size());
    headers.push_back(std::move(lines));
  }
  for (const auto& row : map.texts) {
    for (const auto& text : row) column_width = std::max(column_width, text_width(text) + 16);
  }
  double label_width = 60;
  for (const auto& row : map.rows) label_width = std::max(label_width, text_width(row) + 16);
  const double header = 30 + kLineHeight * static_cast<double>(header_lines);
  const double width = std::max(text_width(map.title, 13.0) + 12, label_width + column_width * static_cast<double>(map.columns.size()) + 10);
  const double height = header + kCellHeight * static_cast<double>(map.rows.size()) + 10;
  const auto spread = [&](std::size_t r, std::size_t c) {
    return r < map.spreads.size() && c < map.spreads[r].size() && !map.spreads[r][c].empty() ? " (" + map.spreads[r][c] + ")"
                                                                                              : std::string();
  };
  Range range;
  for (const auto& row : map.values) {
    for (const auto& value : row) {
      if (value) range.add(*value);
    }
  }
  range.settle(false);
  std::ostringstream out;
  out << open_svg(map.id, map.title, width, height);
  for (std::size_t c = 0; c < map.columns.size(); ++c) {
    const double x = label_width + column_width * (static_cast<double>(c) + 0.5);
    out << "<text text-anchor=\"middle\"><title>" << escape_html(map.columns[c]) << "</title>";
    for (std::size_t l = 0; l < headers[c].size(); ++l) {
      const double y = header - 8 - kLineHeight * static_cast<double>(headers[c].size() - 1 - l);
      out << "<tspan x=\"" << number(x) << "\" y=\"" << number(y) << "\">" << escape_html(headers[c][l]) << "</tspan>";
    }
    out << "</text>";
  }
  for (std::size_t r = 0; r < map.rows.size(); ++r) {
    const double y = header + kCellHeight * static_cast<double>(r);
    out << "<text x=\"" << number(label_width - 8) << "\" y=\"" << y + 17 << "\" text-anchor=\"end\">" << escape_html(map.rows[r]) << "</text>";
    for (std::size_t c = 0; c < map.columns.size(); ++c) {
      const auto& value = map.values[r][c];
      const double x = label_width + column_width * static_cast<double>(c);
      if (!value) {
        out << "<rect x=\"" << number(x) << "\" y=\"" << y << "\" width=\"" << number(column_width - 2) << "\" height=\""
            << kCellHeight - 2 << "\" fill=\"#f4f4f4\"/>";
        continue;
      }
      // Green for the better end of the score, red for the worse.
      double share = (*value - range.low) / (range.high - range.low);
      if (!map.higher_is_better) share = 1.0 - share;
      const int red = static_cast<int>(230 - 150 * share), green = static_cast<int>(90 + 130 * share);
      char fill[16];
      std::snprintf(fill, sizeof fill, "#%02x%02x%02x", red, green, 110);
      out << "<rect class=\"mark\" x=\"" << number(x) << "\" y=\"" << y << "\" width=\"" << number(column_width - 2) << "\" height=\""
          << kCellHeight - 2 << "\" fill=\"" << fill << "\"><title>"
          << escape_html(map.rows[r] + " on " + map.columns[c] + ": " + map.texts[r][c] + spread(r, c)) << "</title></rect><text x=\""
          << number(x + column_width / 2) << "\" y=\"" << y + 17 << "\" text-anchor=\"middle\">" << escape_html(map.texts[r][c]) << "</text>";
    }
  }
  out << "</svg>";
  return out.str();
}

std::string render_stacked_bars(const StackedBars& bars) {
  // Measured and ESTIMATED energy are never summed: each bar has a row for each, with its own sum.
  const double bar_height = 18, top = 30, width = kLinePlot.width;
  double label = 120;
  for (const auto& name : bars.bars) label = std::max(label, text_width(name) + 12);
  const auto row_sum = [&](std::size_t b, bool estimated) {
    double sum = 0.0;
    for (const auto& segment : bars.segments) sum += segment.estimated == estimated ? segment.values[b] : 0.0;
    return sum;
  };
  std::vector<std::pair<std::size_t, bool>> rows;  // (bar, estimated)
  double largest = 0.0;
  for (std::size_t b = 0; b < bars.bars.size(); ++b) {
    for (const bool estimated : {false, true}) {
      const double sum = row_sum(b, estimated);
      if (sum > 0.0 || (!estimated && row_sum(b, true) <= 0.0)) rows.emplace_back(b, estimated);
      largest = std::max(largest, sum);
    }
  }
  const double height = top + (bar_height + 6) * static_cast<double>(rows.size()) + 30 + 14.0 * static_cast<double>(bars.segments.size());
  if (largest <= 0) largest = 1;
  const double scale = std::max(40.0, width - label - 150) / largest;
  const double total_width = label + largest * scale + 150;
  std::ostringstream out;
  out << open_svg(bars.id, bars.title, std::max(width, total_width), height);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto [b, estimated] = rows[r];
    const double y = top + (bar_height + 6) * static_cast<double>(r);
    const bool first_row = r == 0 || rows[r - 1].first != b;
    if (first_row) {
      out << "<text x=\"" << number(label - 6) << "\" y=\"" << y + 13 << "\" text-anchor=\"end\">" << escape_html(bars.bars[b]) << "</text>";
    }
    double x = label, sum = 0.0;
    for (std::size_t s = 0; s < bars.segments.size(); ++s) {
      const auto& segment = bars.segments[s];
      const double value = segment.values[b];
      if (value <= 0 || segment.estimated != estimated) continue;
      out << "<rect class=\"mark\" x=\"" << number(x) << "\" y=\"" << y << "\" width=\"" << number(std::max(0.5, value * scale))
          << "\" height=\"" << bar_height << "\" fill=\"" << palette(s) << "\"" << (segment.estimated ? " fill-opacity=\"0.45\" stroke-dasharray=\"3 2\" stroke=\"#333\"" : "")
          << "><title>" << escape_html(segment.name + (segment.estimated ? " (ESTIMATED)" : "") + ": " + readable_number(value) + " " + bars.unit)
          << "</title></rect>";
      x += value * scale;
      sum += value;
    }
    out << "<text x=\"" << number(x + 4) << "\" y=\"" << y + 13 << "\">" << readable_number(sum) << ' ' << escape_html(bars.unit)
        << (estimated ? " ESTIMATED" : " measured") << "</text>";
  }
  const double legend_top = top + (bar_height + 6) * static_cast<double>(rows.size()) + 16;
  for (std::size_t s = 0; s < bars.segments.size(); ++s) {
    const double y = legend_top + 14.0 * static_cast<double>(s);
    out << "<rect x=\"" << number(label) << "\" y=\"" << y - 9 << "\" width=\"12\" height=\"10\" fill=\"" << palette(s) << "\""
        << (bars.segments[s].estimated ? " fill-opacity=\"0.45\"" : "") << "/><text x=\"" << number(label + 16) << "\" y=\"" << y << "\">"
        << escape_html(bars.segments[s].name + (bars.segments[s].estimated ? " (ESTIMATED)" : "")) << "</text>";
  }
  out << "</svg>";
  return out.str();
}

}  // namespace powerfit::report
