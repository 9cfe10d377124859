#include "report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>

namespace powerfit::report {
namespace {

constexpr double kWidth = 940, kHeight = 260, kLeft = 70, kRight = 260, kTop = 30, kBottom = 40;

std::string number(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  return buffer;
}

std::string tick_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", value);
  return buffer;
}

// About five round tick values covering [low, high].
std::vector<double> ticks(double low, double high) {
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
  Range x, y;
  bool log_x = false;
  double px(double v) const {
    const double lo = log_x ? std::log10(x.low) : x.low, hi = log_x ? std::log10(x.high) : x.high;
    const double at = log_x ? std::log10(v) : v;
    return kLeft + (at - lo) / (hi - lo) * (kWidth - kLeft - kRight);
  }
  double py(double v) const { return kHeight - kBottom - (v - y.low) / (y.high - y.low) * (kHeight - kTop - kBottom); }
};

std::string open_svg(const std::string& id, const std::string& title) {
  return "<svg data-plot=\"" + escape_html(id) + "\" viewBox=\"0 0 " + number(kWidth) + " " + number(kHeight) +
         "\" width=\"" + number(kWidth) + "\" height=\"" + number(kHeight) + "\" role=\"img\" aria-label=\"" +
         escape_html(title) + "\"><text x=\"" + number(kLeft) + "\" y=\"18\" class=\"title\">" + escape_html(title) + "</text>";
}

std::string axes(const Frame& frame, const std::string& x_label, const std::string& y_label) {
  std::ostringstream out;
  const double x0 = kLeft, x1 = kWidth - kRight, y0 = kHeight - kBottom, y1 = kTop;
  out << "<g class=\"axes\"><line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x1 << "\" y2=\"" << y0 << "\"/>"
      << "<line x1=\"" << x0 << "\" y1=\"" << y0 << "\" x2=\"" << x0 << "\" y2=\"" << y1 << "\"/>";
  for (const double v : ticks(frame.y.low, frame.y.high)) {
    out << "<text x=\"" << x0 - 6 << "\" y=\"" << number(frame.py(v) + 4) << "\" text-anchor=\"end\">" << tick_text(v) << "</text>";
  }
  if (frame.log_x) {
    for (double v = std::pow(10.0, std::floor(std::log10(frame.x.low))); v <= frame.x.high * 1.0001; v *= 10) {
      if (v < frame.x.low * 0.9999) continue;
      out << "<text x=\"" << number(frame.px(v)) << "\" y=\"" << y0 + 16 << "\" text-anchor=\"middle\">" << tick_text(v) << "</text>";
    }
  } else {
    for (const double v : ticks(frame.x.low, frame.x.high)) {
      out << "<text x=\"" << number(frame.px(v)) << "\" y=\"" << y0 + 16 << "\" text-anchor=\"middle\">" << tick_text(v) << "</text>";
    }
  }
  out << "<text x=\"" << (x0 + x1) / 2 << "\" y=\"" << kHeight - 6 << "\" text-anchor=\"middle\">" << escape_html(x_label) << "</text>"
      << "<text x=\"14\" y=\"" << (y0 + y1) / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 14 " << (y0 + y1) / 2
      << ")\">" << escape_html(y_label) << "</text></g>";
  return out.str();
}

std::string legend_entry(std::size_t index, const std::string& name, const char* colour, bool dashed) {
  std::ostringstream out;
  const double y = kTop + 14.0 * static_cast<double>(index);
  out << "<line x1=\"" << kWidth - kRight + 10 << "\" y1=\"" << y << "\" x2=\"" << kWidth - kRight + 28 << "\" y2=\"" << y
      << "\" stroke=\"" << colour << "\" stroke-width=\"2\"" << (dashed ? " stroke-dasharray=\"4 3\"" : "") << "/>"
      << "<text x=\"" << kWidth - kRight + 32 << "\" y=\"" << y + 4 << "\">" << escape_html(name) << "</text>";
  return out.str();
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

std::string render_line_plot(const LinePlot& plot) {
  Frame frame;
  for (const auto& series : plot.series) {
    for (const auto& [x, y] : series.points) {
      frame.x.add(x);
      frame.y.add(y);
    }
  }
  for (const auto& band : plot.bands) {
    frame.x.add(band.from);
    frame.x.add(band.to);
  }
  frame.x.settle(false);
  frame.y.settle(true);
  std::ostringstream out;
  out << open_svg(plot.id, plot.title);
  for (const auto& band : plot.bands) {
    const double x0 = frame.px(band.from), x1 = frame.px(band.to);
    // Each phase its own tint, its label staggered so that short phases side by side stay legible.
    const auto phase = static_cast<std::size_t>(&band - plot.bands.data());
    const char* tint = band.label == "baseline" ? "#999999" : band.label == "warmup" ? "#ff9f40" : "#4a90d9";
    out << "<rect class=\"band\" fill=\"" << tint << "\" x=\"" << number(x0) << "\" y=\"" << kTop << "\" width=\""
        << number(std::max(1.0, x1 - x0)) << "\" height=\"" << kHeight - kTop - kBottom << "\"><title>" << escape_html(band.label)
        << "</title></rect><text class=\"band-label\" x=\"" << number(x0 + 3) << "\" y=\"" << kTop + 10 + 11 * static_cast<double>(phase % 3)
        << "\">" << escape_html(band.label) << "</text>";
  }
  out << axes(frame, plot.x_label, plot.y_label);
  for (std::size_t i = 0; i < plot.series.size(); ++i) {
    const auto& series = plot.series[i];
    if (series.points.empty()) continue;
    out << "<polyline class=\"mark\" fill=\"none\" stroke=\"" << palette(i) << "\" stroke-width=\"1.5\""
        << (series.estimated ? " stroke-dasharray=\"5 3\"" : "") << " points=\"";
    for (const auto& [x, y] : series.points) out << number(frame.px(x)) << ',' << number(frame.py(y)) << ' ';
    out << "\"><title>" << escape_html(series.name) << (series.estimated ? " (ESTIMATED)" : "") << "</title></polyline>";
    out << legend_entry(i, series.name + (series.estimated ? " (ESTIMATED)" : ""), palette(i), series.estimated);
  }
  out << "</svg>";
  return out.str();
}

std::string render_scatter_plot(const ScatterPlot& plot) {
  Frame frame{.log_x = true};
  for (const auto& point : plot.points) {
    if (point.x > 0) frame.x.add(point.x);
    frame.y.add(point.y);
  }
  frame.x.settle(false);
  if (frame.x.low <= 0) frame.x.low = 1e-9;
  frame.x.low /= 1.5;
  frame.x.high *= 1.5;
  frame.y.settle(false);
  const double pad = (frame.y.high - frame.y.low) * 0.1 + 0.5;
  frame.y.low -= pad;
  frame.y.high += pad;
  std::ostringstream out;
  out << open_svg(plot.id, plot.title) << axes(frame, plot.x_label, plot.y_label);
  for (std::size_t g = 0; g < plot.groups.size() && g < plot.fronts.size(); ++g) {
    if (plot.fronts[g].size() < 2) continue;
    out << "<polyline class=\"front\" fill=\"none\" stroke=\"" << palette(g) << "\" stroke-width=\"1\" stroke-dasharray=\"2 2\" points=\"";
    for (const auto& [x, y] : plot.fronts[g]) out << number(frame.px(x)) << ',' << number(frame.py(y)) << ' ';
    out << "\"/>";
  }
  for (const auto& point : plot.points) {
    if (point.x <= 0) continue;
    const auto group = static_cast<std::size_t>(std::find(plot.groups.begin(), plot.groups.end(), point.group) - plot.groups.begin());
    const double x = frame.px(point.x), y = frame.py(point.y);
    out << "<circle class=\"mark\" cx=\"" << number(x) << "\" cy=\"" << number(y) << "\" r=\"4.5\" fill=\""
        << (point.estimated ? "white" : palette(group)) << "\" stroke=\"" << palette(group) << "\" stroke-width=\"1.5\"><title>"
        << escape_html(point.label + " on " + point.group + (point.estimated ? " (ESTIMATED energy)" : "")) << "</title></circle>"
        << "<text x=\"" << number(x + 6) << "\" y=\"" << number(y - 5) << "\" class=\"point-label\">" << escape_html(point.label) << "</text>";
  }
  for (std::size_t g = 0; g < plot.groups.size(); ++g) out << legend_entry(g, plot.groups[g], palette(g), false);
  out << "<text x=\"" << kWidth - kRight + 10 << "\" y=\"" << kHeight - 10 << "\" class=\"note\">hollow: ESTIMATED energy; dashed: front</text>";
  out << "</svg>";
  return out.str();
}

std::string render_heat_map(const HeatMap& map) {
  constexpr double kCellWidth = 170, kCellHeight = 26, kLabel = 150, kHeader = 44;
  const double width = std::max(kWidth, kLabel + kCellWidth * static_cast<double>(map.columns.size()) + 10);
  const double height = kHeader + kCellHeight * static_cast<double>(map.rows.size()) + 10;
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
  out << "<svg data-plot=\"" << escape_html(map.id) << "\" viewBox=\"0 0 " << width << ' ' << height << "\" width=\"" << width
      << "\" height=\"" << height << "\" role=\"img\" aria-label=\"" << escape_html(map.title) << "\"><text x=\"4\" y=\"16\" class=\"title\">"
      << escape_html(map.title) << "</text>";
  for (std::size_t c = 0; c < map.columns.size(); ++c) {
    out << "<text x=\"" << kLabel + kCellWidth * (static_cast<double>(c) + 0.5) << "\" y=\"" << kHeader - 8
        << "\" text-anchor=\"middle\">" << escape_html(map.columns[c]) << "</text>";
  }
  for (std::size_t r = 0; r < map.rows.size(); ++r) {
    const double y = kHeader + kCellHeight * static_cast<double>(r);
    out << "<text x=\"" << kLabel - 6 << "\" y=\"" << y + 17 << "\" text-anchor=\"end\">" << escape_html(map.rows[r]) << "</text>";
    for (std::size_t c = 0; c < map.columns.size(); ++c) {
      const auto& value = map.values[r][c];
      const double x = kLabel + kCellWidth * static_cast<double>(c);
      if (!value) {
        out << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << kCellWidth - 2 << "\" height=\"" << kCellHeight - 2
            << "\" fill=\"#f4f4f4\"/>";
        continue;
      }
      // Green for the better end of the score, red for the worse.
      double share = (*value - range.low) / (range.high - range.low);
      if (!map.higher_is_better) share = 1.0 - share;
      const int red = static_cast<int>(230 - 150 * share), green = static_cast<int>(90 + 130 * share);
      char fill[16];
      std::snprintf(fill, sizeof fill, "#%02x%02x%02x", red, green, 110);
      out << "<rect class=\"mark\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << kCellWidth - 2 << "\" height=\"" << kCellHeight - 2
          << "\" fill=\"" << fill << "\"><title>" << escape_html(map.rows[r] + " on " + map.columns[c] + ": " + map.texts[r][c] + spread(r, c))
          << "</title></rect><text x=\"" << x + kCellWidth / 2 << "\" y=\"" << y + 17 << "\" text-anchor=\"middle\">"
          << escape_html(map.texts[r][c]) << "</text>";
    }
  }
  out << "</svg>";
  return out.str();
}

std::string render_stacked_bars(const StackedBars& bars) {
  // Measured and ESTIMATED energy are never summed: each bar has a row for each, with its own sum.
  const double bar_height = 18, label = 230, top = 30;
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
  const double scale = (kWidth - label - 150) / largest;
  std::ostringstream out;
  out << "<svg data-plot=\"" << escape_html(bars.id) << "\" viewBox=\"0 0 " << kWidth << ' ' << height << "\" width=\"" << kWidth
      << "\" height=\"" << height << "\" role=\"img\" aria-label=\"" << escape_html(bars.title) << "\"><text x=\"4\" y=\"16\" class=\"title\">"
      << escape_html(bars.title) << "</text>";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto [b, estimated] = rows[r];
    const double y = top + (bar_height + 6) * static_cast<double>(r);
    const bool first_row = r == 0 || rows[r - 1].first != b;
    out << "<text x=\"" << label - 6 << "\" y=\"" << y + 13 << "\" text-anchor=\"end\">"
        << escape_html(first_row ? bars.bars[b] : std::string()) << "</text>";
    double x = label, sum = 0.0;
    for (std::size_t s = 0; s < bars.segments.size(); ++s) {
      const auto& segment = bars.segments[s];
      const double value = segment.values[b];
      if (value <= 0 || segment.estimated != estimated) continue;
      out << "<rect class=\"mark\" x=\"" << number(x) << "\" y=\"" << y << "\" width=\"" << number(std::max(0.5, value * scale))
          << "\" height=\"" << bar_height << "\" fill=\"" << palette(s) << "\"" << (segment.estimated ? " fill-opacity=\"0.45\" stroke-dasharray=\"3 2\" stroke=\"#333\"" : "")
          << "><title>" << escape_html(segment.name + (segment.estimated ? " (ESTIMATED)" : "") + ": " + tick_text(value) + " " + bars.unit)
          << "</title></rect>";
      x += value * scale;
      sum += value;
    }
    out << "<text x=\"" << number(x + 4) << "\" y=\"" << y + 13 << "\">" << tick_text(sum) << ' ' << escape_html(bars.unit)
        << (estimated ? " ESTIMATED" : " measured") << "</text>";
  }
  const double legend_top = top + (bar_height + 6) * static_cast<double>(rows.size()) + 16;
  for (std::size_t s = 0; s < bars.segments.size(); ++s) {
    const double y = legend_top + 14.0 * static_cast<double>(s);
    out << "<rect x=\"" << label << "\" y=\"" << y - 9 << "\" width=\"12\" height=\"10\" fill=\"" << palette(s) << "\""
        << (bars.segments[s].estimated ? " fill-opacity=\"0.45\"" : "") << "/><text x=\"" << label + 16 << "\" y=\"" << y << "\">"
        << escape_html(bars.segments[s].name + (bars.segments[s].estimated ? " (ESTIMATED)" : "")) << "</text>";
  }
  out << "</svg>";
  return out.str();
}

}  // namespace powerfit::report
