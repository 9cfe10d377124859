#pragma once
// Number formatting and optional values, as every report prints and serialises them.

#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/scores.hpp"

namespace powerfit::report {

// printf-style formatting of one number: format("%.2f", 3.14159) == "3.14".
inline std::string format(const char* pattern, double value) {
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

// The value, or JSON null.
template <typename T>
nlohmann::ordered_json optional_json(const std::optional<T>& value) {
  return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
}

// "12.3 ±1.2": a figure over repeated runs, its mean and the 95% interval's half-width (none for
// one run), both in `pattern`.
inline std::string with_interval(const analysis::RepeatStatistics& value, const char* pattern) {
  std::string text = format(pattern, value.mean);
  if (value.half_width) text += " ±" + format(pattern, *value.half_width);
  return text;
}

// "median 12.1, sd 1.5, CV 4.1%": the rest of a figure over repeated runs (empty for one run).
inline std::string spread_text(const analysis::RepeatStatistics& value, const char* pattern) {
  if (!value.stddev) return "";
  return "median " + format(pattern, value.median) + ", sd " + format(pattern, *value.stddev) +
         (value.cv ? ", CV " + format("%.1f%%", *value.cv * 100.0) : "");
}

// A figure over repeated runs as JSON: every statistic, null where there is none (all of it for
// a figure no run has).
inline nlohmann::ordered_json repeat_json(const analysis::RepeatStatistics& value) {
  if (value.n == 0) return nullptr;
  return {{"mean", value.mean},         {"ci95_half_width", optional_json(value.half_width)},
          {"median", value.median},     {"stddev", optional_json(value.stddev)},
          {"cv", optional_json(value.cv)}, {"runs", value.n}};
}

}  // namespace powerfit::report
